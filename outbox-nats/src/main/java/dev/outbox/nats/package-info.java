/**
 * The NATS JetStream adapter of the outbox: {@link dev.outbox.nats.NatsOutboxEventPublisher}
 * publishes each event as one JetStream message on the subject a
 * {@link dev.outbox.nats.SubjectTemplate} gives (default {@code outbox.<aggregateType>.<aggregateId>}),
 * with the event id as {@code Nats-Msg-Id} so the stream's duplicate window drops redeliveries,
 * and reports an event published only once its PubAck arrived. Headers: {@link dev.outbox.nats.NatsHeaders}.
 */
package dev.outbox.nats;

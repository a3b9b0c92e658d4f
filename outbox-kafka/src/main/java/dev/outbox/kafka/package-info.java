/**
 * The Kafka adapter of the outbox: {@link dev.outbox.kafka.KafkaOutboxEventPublisher} publishes
 * events as Debezium-Outbox-Event-Router-shaped records through one idempotent producer, and
 * {@link dev.outbox.kafka.OutboxRecordDecoder} turns consumed records back into
 * {@link dev.outbox.kafka.DecodedOutboxEvent}s.
 *
 * <p>Record layout (the Debezium defaults): topic {@code outbox.event.<aggregateType>}
 * ({@link dev.outbox.kafka.TopicNaming}); key = aggregate id, UTF-8; headers {@code id} (event id),
 * {@code eventType} (name configurable) and the event's own headers; value = the payload, as
 * JSON bytes, Avro in the Confluent wire format, or through any Kafka serializer
 * ({@link dev.outbox.kafka.PayloadFormat}).
 */
package dev.outbox.kafka;

/**
 * Service-provider interfaces for adapter authors: the {@link dev.outbox.core.spi.OutboxStore}
 * a relay reads from and the {@link dev.outbox.core.spi.OutboxEventPublisher} it delivers to,
 * and the one {@link dev.outbox.core.spi.DeliveryPolicy} (keyed by
 * {@link dev.outbox.core.spi.AggregateKey}) that relays and publishers share to decide what a
 * publish outcome means for each event.
 * Applications do not call these directly; they wire adapters into
 * {@link dev.outbox.core.relay.OutboxRelay}.
 */
package dev.outbox.core.spi;

/**
 * The polling relay engine: {@link dev.outbox.core.relay.OutboxRelay} claims committed events
 * from an {@link dev.outbox.core.spi.OutboxStore}, publishes them through an
 * {@link dev.outbox.core.spi.OutboxEventPublisher} and records the outcomes, with batching,
 * retries with {@link dev.outbox.core.relay.BackoffPolicy backoff and jitter}, dead-lettering
 * and per-aggregate order. {@link dev.outbox.core.relay.RelayConfig} lists every setting with
 * its default; {@link dev.outbox.core.relay.RelayListener} is the hook for metrics.
 */
package dev.outbox.core.relay;

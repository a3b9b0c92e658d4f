package dev.outbox.order.app;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.relay.RelayListener;
import dev.outbox.core.spi.OutboxBacklog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Feeds Micrometer from the relay's {@link RelayListener} callbacks. Prometheus names:
 * {@code outbox_events_published_total}, {@code outbox_events_failed_total} (attempts that
 * will be retried), {@code outbox_events_dead_lettered_total}, {@code outbox_relay_errors_total},
 * {@code outbox_events_pending}, {@code outbox_oldest_pending_age_seconds},
 * {@code outbox_dead_letters}, {@code outbox_relay_batch_seconds} and
 * {@code outbox_relay_batch_size}. The backlog gauges hold the relay's latest sample. Thread-safe.
 */
public final class RelayMetrics implements RelayListener {
    private final Counter published;
    private final Counter failed;
    private final Counter deadLettered;
    private final Counter errors;
    private final Timer batchTimer;
    private final DistributionSummary batchSize;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicReference<Double> oldestPendingAgeSeconds = new AtomicReference<>(0.0);
    private final AtomicReference<Instant> lastSample = new AtomicReference<>();

    /** Registers the meters in {@code registry}. */
    public RelayMetrics(MeterRegistry registry) {
        published = Counter.builder("outbox.events.published").description("Events acknowledged by the broker")
                .register(registry);
        failed = Counter.builder("outbox.events.failed").description("Failed delivery attempts scheduled for a retry")
                .register(registry);
        deadLettered = Counter.builder("outbox.events.dead.lettered").description("Events moved to the dead letters")
                .register(registry);
        errors = Counter.builder("outbox.relay.errors").description("Failed store calls of the relay")
                .register(registry);
        batchTimer = Timer.builder("outbox.relay.batch").description("Time from claim to stored outcomes per batch")
                .publishPercentileHistogram().register(registry);
        batchSize = DistributionSummary.builder("outbox.relay.batch.size").description("Events per batch")
                .register(registry);
        Gauge.builder("outbox.events.pending", pending, AtomicLong::get).description("Events waiting for delivery")
                .register(registry);
        Gauge.builder("outbox.dead.letters", deadLetters, AtomicLong::get).description("Dead-lettered events")
                .register(registry);
        Gauge.builder("outbox.oldest.pending.age", oldestPendingAgeSeconds, AtomicReference::get)
                .baseUnit("seconds").description("Age of the oldest pending event: the relay's lag")
                .register(registry);
    }

    @Override
    public void onPublished(List<OutboxEvent> events) {
        published.increment(events.size());
    }

    @Override
    public void onRetryScheduled(OutboxEvent event, int attempts, Instant nextAttemptAt, Throwable error) {
        failed.increment();
    }

    @Override
    public void onDeadLettered(OutboxEvent event, int attempts, Throwable error) {
        deadLettered.increment();
    }

    @Override
    public void onBatch(int size, Duration duration) {
        batchTimer.record(duration);
        batchSize.record(size);
    }

    @Override
    public void onBacklog(OutboxBacklog backlog, Duration oldestPendingAge) {
        record(backlog, oldestPendingAge);
    }

    @Override
    public void onError(Throwable error) {
        errors.increment();
    }

    /** Records a backlog sample taken outside the relay (the health check's), so gauges stay fresh. */
    public void record(OutboxBacklog backlog, Duration oldestPendingAge) {
        pending.set(backlog.pending());
        deadLetters.set(backlog.deadLetters());
        oldestPendingAgeSeconds.set(oldestPendingAge.toNanos() / 1e9);
        lastSample.set(Instant.now());
    }

    /** Returns when the last backlog sample was recorded, or null before the first. */
    Instant lastSample() {
        return lastSample.get();
    }
}

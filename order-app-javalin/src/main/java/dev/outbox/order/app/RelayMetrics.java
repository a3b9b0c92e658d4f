package dev.outbox.order.app;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.relay.RelayListener;
import dev.outbox.core.spi.OutboxBacklog;
import dev.outbox.jdbc.replication.LogTailingRelayListener;
import dev.outbox.jdbc.replication.ReplicationLag;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Feeds Micrometer from the relay's {@link RelayListener} callbacks (the polling relay's, or the
 * log-tailing relay's {@link LogTailingRelayListener}, which adds leadership and lag). Prometheus names:
 * {@code outbox_events_published_total}, {@code outbox_events_failed_total} (attempts that
 * will be retried), {@code outbox_events_dead_lettered_total}, {@code outbox_relay_errors_total},
 * {@code outbox_events_pending}, {@code outbox_oldest_pending_age_seconds},
 * {@code outbox_dead_letters}, {@code outbox_relay_batch_seconds},
 * {@code outbox_relay_batch_size} and, for the log-tailing relay, {@code outbox_replication_lag_bytes}
 * (WAL the slot retains; -1 when the slot is missing), {@code outbox_replication_lag_seconds} (age of
 * the oldest commit read but not yet acknowledged, on the leader) and {@code outbox_replication_leader}
 * (1 while this instance streams). The gauges hold the latest sample. The same callbacks feed
 * {@link #progress()}, which {@code /health} reads to tell whether delivery is progressing. Thread-safe.
 */
public final class RelayMetrics implements LogTailingRelayListener {
    private final Counter published;
    private final Counter failed;
    private final Counter deadLettered;
    private final Counter errors;
    private final Timer batchTimer;
    private final DistributionSummary batchSize;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicReference<Double> oldestPendingAgeSeconds = new AtomicReference<>(0.0);
    private final AtomicLong lagBytes = new AtomicLong();
    private final AtomicReference<Double> lagSeconds = new AtomicReference<>(0.0);
    private final AtomicLong leader = new AtomicLong();
    private final DeliveryProgress progress = new DeliveryProgress(Clock.systemUTC());

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
        Gauge.builder("outbox.replication.lag.bytes", lagBytes, AtomicLong::get)
                .description("WAL retained by the log-tailing relay's replication slot (-1: no slot)").register(registry);
        Gauge.builder("outbox.replication.lag.seconds", lagSeconds, AtomicReference::get)
                .description("Age of the oldest commit the log-tailing relay read but the broker has not acknowledged")
                .register(registry);
        Gauge.builder("outbox.replication.leader", leader, AtomicLong::get)
                .description("1 while this instance leads the log-tailing relay's slot, else 0").register(registry);
    }

    @Override
    public void onPublished(List<OutboxEvent> events) {
        published.increment(events.size());
        progress.delivered();
    }

    @Override
    public void onRetryScheduled(OutboxEvent event, int attempts, Instant nextAttemptAt, Throwable error) {
        failed.increment();
    }

    @Override
    public void onDeadLettered(OutboxEvent event, int attempts, Throwable error) {
        deadLettered.increment();
        progress.delivered();
    }

    @Override
    public void onBatch(int size, Duration duration) {
        batchTimer.record(duration);
        batchSize.record(size);
        progress.storeAnswered();
    }

    @Override
    public void onBacklog(OutboxBacklog backlog, Duration oldestPendingAge) {
        record(backlog, oldestPendingAge);
        progress.storeAnswered();
    }

    @Override
    public void onError(Throwable error) {
        errors.increment();
        progress.storeFailed(error);
    }

    @Override
    public void onLag(ReplicationLag lag) {
        record(lag);
    }

    @Override
    public void onLeadershipAcquired(String slotName) {
        leader.set(1);
    }

    @Override
    public void onLeadershipLost(String slotName, Throwable cause) {
        leader.set(0);
    }

    /** Records a replication lag sample taken outside the relay (the health check's). */
    public void record(ReplicationLag lag) {
        lagBytes.set(lag.bytes());
        lagSeconds.set(lag.age().toNanos() / 1e9);
    }

    /** Records a backlog sample taken outside the relay (the health check's), so gauges stay fresh. */
    public void record(OutboxBacklog backlog, Duration oldestPendingAge) {
        pending.set(backlog.pending());
        deadLetters.set(backlog.deadLetters());
        oldestPendingAgeSeconds.set(oldestPendingAge.toNanos() / 1e9);
        progress.sampled(backlog);
    }

    /** Returns what the relay's callbacks say about delivery progress. */
    DeliveryProgress progress() {
        return progress;
    }
}

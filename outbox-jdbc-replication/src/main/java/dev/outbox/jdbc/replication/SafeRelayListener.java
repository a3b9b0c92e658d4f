package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls a user's listener and logs, rather than propagates, what it throws. Thread-safe if the delegate is. */
final class SafeRelayListener {
    private static final Logger LOG = LoggerFactory.getLogger(SafeRelayListener.class);
    private final LogTailingRelayListener delegate;

    SafeRelayListener(LogTailingRelayListener delegate) {
        this.delegate = delegate;
    }

    void onPublished(List<OutboxEvent> events) {
        call(() -> delegate.onPublished(events));
    }

    void onRetryScheduled(OutboxEvent event, int attempts, Instant next, Throwable error) {
        call(() -> delegate.onRetryScheduled(event, attempts, next, error));
    }

    void onDeadLettered(OutboxEvent event, int attempts, Throwable error) {
        call(() -> delegate.onDeadLettered(event, attempts, error));
    }

    void onParked(OutboxEvent event, int attempts, Instant next, Throwable error) {
        call(() -> delegate.onParked(event, attempts, next, error));
    }

    void onBatch(int size, Duration duration) {
        call(() -> delegate.onBatch(size, duration));
    }

    void onLeadershipAcquired(String slot) {
        call(() -> delegate.onLeadershipAcquired(slot));
    }

    void onLeadershipLost(String slot, Throwable cause) {
        call(() -> delegate.onLeadershipLost(slot, cause));
    }

    void onConfirmed(String lsn) {
        call(() -> delegate.onConfirmed(lsn));
    }

    void onLag(ReplicationLag lag) {
        call(() -> delegate.onLag(lag));
    }

    void onError(Throwable error) {
        call(() -> delegate.onError(error));
    }

    private static void call(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("Log-tailing relay listener threw; ignored", e);
        }
    }
}

package dev.outbox.core.relay;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxBacklog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shields the relay from a listener that throws: the failure is logged and ignored. */
final class SafeListener implements RelayListener {
    private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);
    private final RelayListener delegate;

    SafeListener(RelayListener delegate) {
        this.delegate = delegate;
    }

    @Override
    public void onPublished(List<OutboxEvent> events) {
        run(() -> delegate.onPublished(events));
    }

    @Override
    public void onRetryScheduled(OutboxEvent event, int attempts, Instant nextAttemptAt, Throwable error) {
        run(() -> delegate.onRetryScheduled(event, attempts, nextAttemptAt, error));
    }

    @Override
    public void onDeadLettered(OutboxEvent event, int attempts, Throwable error) {
        run(() -> delegate.onDeadLettered(event, attempts, error));
    }

    @Override
    public void onBatch(int size, Duration duration) {
        run(() -> delegate.onBatch(size, duration));
    }

    @Override
    public void onBacklog(OutboxBacklog backlog, Duration oldestPendingAge) {
        run(() -> delegate.onBacklog(backlog, oldestPendingAge));
    }

    @Override
    public void onError(Throwable error) {
        run(() -> delegate.onError(error));
    }

    private static void run(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("relay listener threw; ignored", e);
        }
    }
}

package dev.outbox.core.relay;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxBacklog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a relay reports. */
final class RecordingListener implements RelayListener {
    record Retry(UUID eventId, int attempts, Instant nextAttemptAt, Throwable error) { }

    record Dead(UUID eventId, int attempts, Throwable error) { }

    final List<UUID> published = new CopyOnWriteArrayList<>();
    final List<Retry> retries = new CopyOnWriteArrayList<>();
    final List<Dead> deadLetters = new CopyOnWriteArrayList<>();
    final List<Integer> batches = new CopyOnWriteArrayList<>();
    final List<OutboxBacklog> backlogs = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onPublished(List<OutboxEvent> events) {
        events.forEach(e -> published.add(e.id()));
    }

    @Override
    public void onRetryScheduled(OutboxEvent event, int attempts, Instant nextAttemptAt, Throwable error) {
        retries.add(new Retry(event.id(), attempts, nextAttemptAt, error));
    }

    @Override
    public void onDeadLettered(OutboxEvent event, int attempts, Throwable error) {
        deadLetters.add(new Dead(event.id(), attempts, error));
    }

    @Override
    public void onBatch(int size, Duration duration) {
        batches.add(size);
    }

    @Override
    public void onBacklog(OutboxBacklog backlog, Duration oldestPendingAge) {
        backlogs.add(backlog);
    }

    @Override
    public void onError(Throwable error) {
        errors.add(error);
    }
}

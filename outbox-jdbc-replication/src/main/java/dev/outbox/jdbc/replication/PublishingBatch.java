package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Whole transactions handed to the publisher together, and what is left of them to deliver.
 * Confined to the session thread.
 */
final class PublishingBatch {
    final long endLsn;
    final Instant oldestCommit;
    final int size;
    final long startedNanos = System.nanoTime();
    /** Each event's inserting transaction (see {@link CommittedTransaction#xid}), for {@link PublishedMarks}. */
    final Map<UUID, Integer> xids = new HashMap<>();
    List<OutboxEvent> remaining;
    int failedAttempts;
    CompletableFuture<List<PublishOutcome>> outcomes;
    long retryAtNanos;

    PublishingBatch(List<CommittedTransaction> transactions) {
        this.endLsn = transactions.get(transactions.size() - 1).endLsn;
        this.oldestCommit = transactions.get(0).commitTime;
        List<OutboxEvent> events = new ArrayList<>();
        for (CommittedTransaction transaction : transactions) {
            events.addAll(transaction.events);
            for (OutboxEvent event : transaction.events) {
                xids.put(event.id(), transaction.xid);
            }
        }
        this.remaining = events;
        this.size = events.size();
    }

    boolean awaitingOutcomes() {
        return outcomes != null;
    }
}

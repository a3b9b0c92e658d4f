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
 * Whole transactions handed to the publisher together, and what is left of them to deliver, with
 * each event's counted attempts (its own failures only). Confined to the session thread.
 */
final class PublishingBatch {
    final long endLsn;
    final Instant oldestCommit;
    final int size;
    final long startedNanos = System.nanoTime();
    /** Each event's inserting transaction (see {@link CommittedTransaction#xid}), for {@link PublishedMarks}. */
    final Map<UUID, Integer> xids = new HashMap<>();
    List<OutboxEvent> remaining;
    /** Counted (own) failures per event so far; absent means none. */
    final Map<UUID, Integer> attempts = new HashMap<>();
    /** Publish rounds in a row that the broker could not take at all. */
    int outages;
    /** Publish rounds so far that sent events again, for the log. */
    int rounds;
    CompletableFuture<List<PublishOutcome>> outcomes;
    /** When the current publish call's time is up: publishTimeout from the call. */
    long publishDeadlineNanos;
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

    int attemptsOf(OutboxEvent event) {
        return attempts.getOrDefault(event.id(), 0);
    }
}

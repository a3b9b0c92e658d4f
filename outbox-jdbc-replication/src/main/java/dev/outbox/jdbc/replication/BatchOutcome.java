package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.PublishOutcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Sorts a completed publish call's events into published, to retry and to dead-letter. A call
 * that failed as a whole, or returned the wrong number of outcomes, makes every event retriable.
 * As in the polling relay, once an event of an aggregate is to be retried, every later event of
 * that aggregate in the call is retried after it too, even if the broker took it, so the
 * aggregate's last delivery is again in commit order. Immutable after construction.
 */
final class BatchOutcome {
    final List<OutboxEvent> published = new ArrayList<>();
    final List<OutboxEvent> retry = new ArrayList<>();
    final List<Throwable> retryErrors = new ArrayList<>();
    final List<OutboxEvent> dead = new ArrayList<>();
    final List<Throwable> deadErrors = new ArrayList<>();

    /**
     * @param events      the events sent, in order
     * @param call        the publish call's completed future
     * @param attempt     the attempt number this call was (1 for the first)
     * @param maxAttempts retriable failures at this attempt or later are dead-lettered instead
     */
    BatchOutcome(List<OutboxEvent> events, CompletableFuture<List<PublishOutcome>> call, int attempt, int maxAttempts) {
        List<PublishOutcome> outcomes = null;
        Throwable failure = null;
        try {
            outcomes = call.join();
        } catch (CompletionException | CancellationException e) {
            failure = e.getCause() != null ? e.getCause() : e;
        }
        if (failure == null && (outcomes == null || outcomes.size() != events.size())) {
            failure = new IllegalStateException("publisher returned " + (outcomes == null ? "no" : outcomes.size())
                    + " outcomes for " + events.size() + " events");
        }
        Map<String, UUID> held = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            OutboxEvent event = events.get(i);
            PublishOutcome outcome = failure == null ? outcomes.get(i) : PublishOutcome.retriable(event.id(), failure);
            String aggregate = event.aggregateType() + '\u0000' + event.aggregateId();
            switch (outcome.status()) {
                case PUBLISHED -> {
                    UUID blocker = held.get(aggregate);
                    if (blocker == null) {
                        published.add(event);
                    } else {
                        retry.add(event);
                        retryErrors.add(new OutboxException("held back: the earlier event " + blocker
                                + " of the same aggregate failed and is retried first"));
                    }
                }
                case PERMANENT_FAILURE -> {
                    dead.add(event);
                    deadErrors.add(outcome.error());
                }
                case RETRIABLE_FAILURE -> {
                    if (attempt >= maxAttempts) {
                        dead.add(event);
                        deadErrors.add(outcome.error());
                    } else {
                        retry.add(event);
                        retryErrors.add(outcome.error());
                        held.putIfAbsent(aggregate, event.id());
                    }
                }
            }
        }
    }
}

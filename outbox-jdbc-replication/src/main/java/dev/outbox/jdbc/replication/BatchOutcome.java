package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Sorts a completed publish call's events into published, to retry and to dead-letter. A call
 * that failed as a whole, or returned the wrong number of outcomes, makes every event retriable.
 * Immutable after construction.
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
        for (int i = 0; i < events.size(); i++) {
            OutboxEvent event = events.get(i);
            PublishOutcome outcome = failure == null ? outcomes.get(i) : PublishOutcome.retriable(event.id(), failure);
            switch (outcome.status()) {
                case PUBLISHED -> published.add(event);
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
                    }
                }
            }
        }
    }
}

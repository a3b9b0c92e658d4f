package dev.outbox.core.relay;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.core.spi.OutboxStore;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch's publish outcomes into store writes: one {@code markPublished}, one
 * {@code reschedule} and one {@code deadLetter} call at most.
 *
 * <p>Rules: only a {@code PUBLISHED} outcome marks an event published; an event without an
 * outcome counts as a retriable failure. A permanent failure, or a retriable one that used up
 * {@code maxAttempts}, dead-letters the event (dead letters do not hold up their aggregate).
 * Once an event of an aggregate is rescheduled, every later event of that aggregate in the batch
 * is rescheduled to the same time, whatever its own outcome (its attempt count grows only if it
 * failed itself), so the retried event is followed again by its successors.
 */
final class OutcomeApplier {
    private static final Logger LOG = LoggerFactory.getLogger(OutcomeApplier.class);
    private final OutboxStore store;
    private final String claimant;
    private final BackoffPolicy backoff;
    private final int maxAttempts;
    private final RelayListener listener;

    OutcomeApplier(OutboxStore store, String claimant, BackoffPolicy backoff, int maxAttempts, RelayListener listener) {
        this.store = store;
        this.claimant = claimant;
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
        this.listener = listener;
    }

    /** Decides what happens to each claimed event; writes nothing. */
    Plan plan(List<ClaimedEvent> claimed, Map<UUID, PublishOutcome> outcomes, Instant now) {
        Plan plan = new Plan();
        // per aggregate, its first rescheduled event of this batch: its successors follow it
        Map<String, Failure> heldBehind = new HashMap<>();
        for (ClaimedEvent claimedEvent : claimed) {
            OutboxEvent event = claimedEvent.event();
            PublishOutcome outcome = outcomes.get(event.id());
            if (outcome == null) {
                outcome = PublishOutcome.retriable(event.id(),
                        new OutboxException("the publisher reported no outcome"));
            }
            // the key matters only once an event of the batch was rescheduled, which most batches never see
            Failure held = heldBehind.isEmpty() ? null : heldBehind.get(aggregateKey(event));
            int failedAttempts = claimedEvent.attempts() + 1;
            switch (outcome.status()) {
                case PUBLISHED -> {
                    if (held == null) {
                        plan.published.add(event);
                    } else {
                        plan.retries.add(new Failure(event, claimedEvent.attempts(), held.at,
                                heldBackError(held.event.id())));
                    }
                }
                case PERMANENT_FAILURE ->
                        plan.deadLetters.add(new Failure(event, failedAttempts, now, outcome.error()));
                case RETRIABLE_FAILURE -> {
                    if (failedAttempts >= maxAttempts) {
                        plan.deadLetters.add(new Failure(event, failedAttempts, now, outcome.error()));
                    } else {
                        Instant next = held != null ? held.at : now.plus(backoff.delay(failedAttempts));
                        Failure retry = new Failure(event, failedAttempts, next, outcome.error());
                        plan.retries.add(retry);
                        heldBehind.putIfAbsent(aggregateKey(event), retry);
                    }
                }
            }
        }
        return plan;
    }

    /** Writes the plan to the store, then tells the listener. */
    void apply(Plan plan, Instant now) {
        // the store fences every write by this relay's claim: a count short of the plan means another relay
        // claimed those events after this relay's lease ran out, and their outcome is now that relay's to write
        int ignored = 0;
        if (!plan.published.isEmpty()) {
            ignored += plan.published.size()
                    - store.markPublished(claimant, plan.published.stream().map(OutboxEvent::id).toList(), now);
            listener.onPublished(List.copyOf(plan.published));
        }
        if (!plan.retries.isEmpty()) {
            ignored += plan.retries.size() - store.reschedule(claimant, plan.retries.stream().map(Failure::delivery).toList());
            plan.retries.forEach(f -> listener.onRetryScheduled(f.event, f.attempts, f.at, f.error));
        }
        if (!plan.deadLetters.isEmpty()) {
            ignored += plan.deadLetters.size()
                    - store.deadLetter(claimant, plan.deadLetters.stream().map(Failure::delivery).toList());
            plan.deadLetters.forEach(f -> listener.onDeadLettered(f.event, f.attempts, f.error));
        }
        if (ignored > 0) {
            LOG.warn("outbox relay {}: {} outcomes ignored: the claims were taken over", claimant, ignored);
        }
    }

    private static String aggregateKey(OutboxEvent event) {
        return event.aggregateType() + '\u0000' + event.aggregateId();
    }

    private static Throwable heldBackError(UUID failedEventId) {
        return new OutboxException("held back: the earlier event " + failedEventId
                + " of the same aggregate failed and is retried first");
    }

    /** Describes an error in one line for the store: class and message, never a payload. */
    static String describe(Throwable error) {
        String message = error.getMessage();
        String text = error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return text.replaceAll("[\\r\\n]+", " ");
    }

    /** What a batch's outcomes come to; lists in batch order. */
    static final class Plan {
        final List<OutboxEvent> published = new ArrayList<>();
        final List<Failure> retries = new ArrayList<>();
        final List<Failure> deadLetters = new ArrayList<>();
    }

    /** A failed (or held back) event with its new attempt count and next attempt (or death) time. */
    record Failure(OutboxEvent event, int attempts, Instant at, Throwable error) {
        FailedDelivery delivery() {
            return new FailedDelivery(event.id(), attempts, at, describe(error));
        }
    }
}

package dev.outbox.core.relay;

import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.DeliveryPolicy.Decision;
import dev.outbox.core.spi.DeliveryPolicy.Decisions;
import dev.outbox.core.spi.DeliveryPolicy.Verdict;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.core.spi.OutboxStore;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch's {@link DeliveryPolicy} decisions to the store: at most one
 * {@code markPublished}, one {@code reschedule} (own failures, attempt counted), one
 * {@code deadLetter} and one {@code release} call (uncounted retries: outages, events not
 * attempted or held back behind a failed predecessor; due again at once with their attempts
 * unchanged, and the store's claim keeps them behind a predecessor scheduled for later).
 */
final class OutcomeApplier {
    private static final Logger LOG = LoggerFactory.getLogger(OutcomeApplier.class);
    private final OutboxStore store;
    private final String claimant;
    private final RelayListener listener;

    OutcomeApplier(OutboxStore store, String claimant, RelayListener listener) {
        this.store = store;
        this.claimant = claimant;
        this.listener = listener;
    }

    /** Writes the decisions to the store, then tells the listener. */
    void apply(Decisions decisions, Instant now) {
        // the store fences every write by this relay's claim: a count short of the decisions means another relay
        // claimed those events after this relay's lease ran out, and their outcome is now that relay's to write
        int ignored = 0;
        List<Decision> published = decisions.of(Verdict.PUBLISHED);
        if (!published.isEmpty()) {
            ignored += published.size() - store.markPublished(claimant, ids(published), now);
            listener.onPublished(published.stream().map(Decision::event).toList());
        }
        List<Decision> retries = decisions.of(Verdict.RETRY_COUNTED);
        if (!retries.isEmpty()) {
            ignored += retries.size() - store.reschedule(claimant, failures(retries));
            retries.forEach(d -> listener.onRetryScheduled(d.event(), d.attempts(), d.at(), d.error()));
        }
        List<Decision> dead = decisions.of(Verdict.DEAD_LETTER);
        if (!dead.isEmpty()) {
            ignored += dead.size() - store.deadLetter(claimant, failures(dead));
            dead.forEach(d -> listener.onDeadLettered(d.event(), d.attempts(), d.error()));
        }
        List<Decision> released = decisions.of(Verdict.RETRY_UNCOUNTED);
        if (!released.isEmpty()) {
            store.release(claimant, ids(released));
            released.forEach(d -> listener.onRetryScheduled(d.event(), d.attempts(), d.at(), d.error()));
        }
        if (ignored > 0) {
            LOG.warn("outbox relay {}: {} outcomes ignored: the claims were taken over", claimant, ignored);
        }
    }

    private static List<UUID> ids(List<Decision> decisions) {
        return decisions.stream().map(d -> d.event().id()).toList();
    }

    private static List<FailedDelivery> failures(List<Decision> decisions) {
        return decisions.stream().map(d -> new FailedDelivery(d.event().id(), d.attempts(), d.at(),
                FailedDelivery.describe(d.error()))).toList();
    }
}

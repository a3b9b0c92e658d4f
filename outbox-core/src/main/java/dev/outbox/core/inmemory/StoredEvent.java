package dev.outbox.core.inmemory;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.AggregateKey;
import java.time.Instant;

/** One row of {@link InMemoryOutboxStore}; guarded by the store's lock. */
final class StoredEvent {
    enum State { PENDING, PUBLISHED, DEAD }

    final OutboxEvent event;
    final long sequence;
    /** Type and id of the event's aggregate, the unit of ordering in claims. */
    final AggregateKey aggregateKey;
    State state = State.PENDING;
    int attempts;
    Instant nextAttemptAt;
    String claimant;
    Instant leaseUntil;
    String lastError = "";
    Instant publishedAt;
    Instant deadLetteredAt;

    StoredEvent(OutboxEvent event, long sequence) {
        this.event = event;
        this.sequence = sequence;
        this.aggregateKey = AggregateKey.of(event);
    }

    boolean isDue(Instant now) {
        return nextAttemptAt == null || !now.isBefore(nextAttemptAt);
    }

    boolean isClaimed(Instant now) {
        return claimant != null && now.isBefore(leaseUntil);
    }

    void clearClaim() {
        claimant = null;
        leaseUntil = null;
    }
}

package dev.outbox.core.spi;

import dev.outbox.core.OutboxEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * An event the relay gave up on: kept in the store, listable and requeueable.
 *
 * @param event          the event, unchanged
 * @param attempts       failed delivery attempts
 * @param lastError      the last failure's description
 * @param deadLetteredAt when the relay gave up
 */
public record DeadLetter(OutboxEvent event, int attempts, String lastError, Instant deadLetteredAt) {
    /** Validates the fields. */
    public DeadLetter {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(deadLetteredAt, "deadLetteredAt");
        lastError = lastError == null ? "" : lastError;
    }
}

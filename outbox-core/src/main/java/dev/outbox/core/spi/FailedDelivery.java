package dev.outbox.core.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What a relay writes back for an event it could not deliver: either a retry at
 * {@code nextAttemptAt} ({@link OutboxStore#reschedule}) or a dead letter
 * ({@link OutboxStore#deadLetter}, where {@code nextAttemptAt} is the time of dead-lettering).
 *
 * @param eventId       the event
 * @param attempts      failed attempts including this one
 * @param nextAttemptAt when the event becomes due again (or when it was dead-lettered)
 * @param lastError     a one-line description of the failure, never the payload
 */
public record FailedDelivery(UUID eventId, int attempts, Instant nextAttemptAt, String lastError) {
    /** Longest error text stored; longer texts are cut. */
    public static final int MAX_ERROR_LENGTH = 2000;

    /** Validates the fields and cuts an over-long error text. */
    public FailedDelivery {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        lastError = lastError == null ? "" : lastError;
        if (lastError.length() > MAX_ERROR_LENGTH) {
            lastError = lastError.substring(0, MAX_ERROR_LENGTH);
        }
    }
}

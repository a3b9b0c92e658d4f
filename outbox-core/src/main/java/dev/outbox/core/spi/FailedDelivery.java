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
 * @param lastError     a one-line description of the failure, never the payload ({@link #describe})
 */
public record FailedDelivery(UUID eventId, int attempts, Instant nextAttemptAt, String lastError) {
    /** Longest error text stored; longer texts are cut. The one limit every store and relay uses. */
    public static final int MAX_ERROR_LENGTH = 2000;

    /** Validates the fields and cuts an over-long error text. */
    public FailedDelivery {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        lastError = lastError == null ? "" : lastError;
        lastError = cut(lastError);
    }

    /**
     * Describes {@code error} for a {@code last_error} column or a log line: its simple class name
     * and message, on one line, cut to {@link #MAX_ERROR_LENGTH}. Never includes a payload unless
     * the message does; our own messages name sizes, not contents.
     *
     * @throws NullPointerException when {@code error} is null
     */
    public static String describe(Throwable error) {
        String message = error.getMessage();
        return oneLine(error.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    }

    /** Returns {@code text} with its line breaks replaced by spaces, cut to {@link #MAX_ERROR_LENGTH}. */
    public static String oneLine(String text) {
        return cut(text.replaceAll("[\\r\\n]+", " "));
    }

    private static String cut(String text) {
        return text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH) : text;
    }
}

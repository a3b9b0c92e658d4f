package dev.outbox.core.spi;

import java.util.Objects;
import java.util.UUID;

/**
 * What happened to one event of a published batch.
 *
 * <p>Whose fault a failure is decides what it costs the event: only the event's own failures
 * ({@link Status#RETRIABLE_FAILURE}, {@link Status#PERMANENT_FAILURE}) count toward its
 * attempts and can dead-letter it; {@link Status#UNAVAILABLE} and {@link Status#NOT_ATTEMPTED}
 * never do, however long they last. See {@link DeliveryPolicy} for what the relays make of each.
 *
 * @param eventId the event
 * @param status  published, or why not
 * @param error   the failure or the reason the event was not attempted, {@code null} when published
 */
public record PublishOutcome(UUID eventId, Status status, Throwable error) {

    /** The outcomes a publisher can report. */
    public enum Status {
        /** The broker acknowledged the event durably ({@code acks=all}). */
        PUBLISHED,
        /**
         * The event's own failure that may pass: not authorized for its topic, its topic unknown
         * or invalid for now, a record-level error. Counts toward {@code maxAttempts}.
         */
        RETRIABLE_FAILURE,
        /** Delivery can never succeed as is: unserializable, too large. Dead-lettered at once. */
        PERMANENT_FAILURE,
        /**
         * The publisher did not try to send the event: it held it back behind an earlier failed
         * event of its aggregate in the same call, or the call ended before reaching it. The
         * error says why. Counts no attempt.
         */
        NOT_ATTEMPTED,
        /**
         * The send failed for a reason that is not the event's: broker or network down, request
         * timeouts and expired records, the whole send refused, the relay's publish timeout, a
         * publish stage completed exceptionally. Counts no attempt and never dead-letters the
         * event, however long it lasts.
         */
        UNAVAILABLE
    }

    /** Validates the fields: every status but {@code PUBLISHED} needs its error (or reason), a success has none. */
    public PublishOutcome {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(status, "status");
        if ((status == Status.PUBLISHED) != (error == null)) {
            throw new IllegalArgumentException("a failure needs an error and a success must not have one");
        }
    }

    /** The event was acknowledged by the broker. */
    public static PublishOutcome published(UUID eventId) {
        return new PublishOutcome(eventId, Status.PUBLISHED, null);
    }

    /**
     * The event failed on its own for a reason that may pass; the relay retries it with backoff
     * and counts the attempt toward {@code maxAttempts}.
     */
    public static PublishOutcome retriable(UUID eventId, Throwable error) {
        return new PublishOutcome(eventId, Status.RETRIABLE_FAILURE, error);
    }

    /** The event can never be delivered as is; the relay dead-letters it. */
    public static PublishOutcome permanent(UUID eventId, Throwable error) {
        return new PublishOutcome(eventId, Status.PERMANENT_FAILURE, error);
    }

    /**
     * The publisher did not try to send the event; {@code reason} says why (e.g. which earlier
     * event of its aggregate failed). The relay sends it again without counting an attempt.
     */
    public static PublishOutcome notAttempted(UUID eventId, Throwable reason) {
        return new PublishOutcome(eventId, Status.NOT_ATTEMPTED, reason);
    }

    /**
     * The broker or the path to it failed, not the event; the relay sends it again without
     * counting an attempt and never dead-letters it for this.
     */
    public static PublishOutcome unavailable(UUID eventId, Throwable error) {
        return new PublishOutcome(eventId, Status.UNAVAILABLE, error);
    }

    /** Returns whether the broker acknowledged the event. */
    public boolean isPublished() {
        return status == Status.PUBLISHED;
    }
}

package dev.outbox.core.spi;

import java.util.Objects;
import java.util.UUID;

/**
 * What happened to one event of a published batch.
 *
 * @param eventId the event
 * @param status  published, or how it failed
 * @param error   the failure, {@code null} when published
 */
public record PublishOutcome(UUID eventId, Status status, Throwable error) {

    /** The three outcomes a publisher can report. */
    public enum Status {
        /** The broker acknowledged the event durably ({@code acks=all}). */
        PUBLISHED,
        /** Delivery failed for a reason that may pass: timeout, broker unavailable, registry down. */
        RETRIABLE_FAILURE,
        /** Delivery can never succeed as is: unserializable, too large. Dead-lettered at once. */
        PERMANENT_FAILURE
    }

    /** Validates the fields: a failure needs its error, a success must not have one. */
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

    /** The event failed for a reason that may pass; the relay retries it with backoff. */
    public static PublishOutcome retriable(UUID eventId, Throwable error) {
        return new PublishOutcome(eventId, Status.RETRIABLE_FAILURE, error);
    }

    /** The event can never be delivered as is; the relay dead-letters it. */
    public static PublishOutcome permanent(UUID eventId, Throwable error) {
        return new PublishOutcome(eventId, Status.PERMANENT_FAILURE, error);
    }

    /** Returns whether the broker acknowledged the event. */
    public boolean isPublished() {
        return status == Status.PUBLISHED;
    }
}

package dev.outbox.core.spi;

import dev.outbox.core.OutboxEvent;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * An event the relay gave up on: kept in the store, listable and requeueable.
 *
 * <p>A dead letter need not be a valid {@link OutboxEvent}: a row written into the table by another writer
 * (a payload over {@link OutboxEvent#MAX_PAYLOAD_BYTES}, an aggregate type a topic cannot carry, a blank type)
 * is dead-lettered by the claim with the reason in {@link #lastError()}. Such a dead letter carries the row's
 * columns as stored and no {@link #event()}. Immutable and thread-safe.
 *
 * @param eventId        the event's (or row's) id
 * @param aggregateType  the aggregate type as stored, possibly one the event refuses
 * @param aggregateId    the aggregate id as stored
 * @param eventType      the event type as stored, possibly blank
 * @param payloadSize    the payload's size in bytes as stored
 * @param attempts       failed delivery attempts
 * @param lastError      the last failure's description, or why no event can hold the row
 * @param deadLetteredAt when the relay (or the claim) gave up
 * @param event          the event, unchanged; empty when the row is no valid {@link OutboxEvent}
 */
public record DeadLetter(UUID eventId, String aggregateType, String aggregateId, String eventType, int payloadSize,
        int attempts, String lastError, Instant deadLetteredAt, Optional<OutboxEvent> event) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException naming a missing field
     * @throws IllegalArgumentException when {@code event} has another id than {@code eventId}
     */
    public DeadLetter {
        Objects.requireNonNull(eventId, "eventId");
        aggregateType = aggregateType == null ? "" : aggregateType;
        aggregateId = aggregateId == null ? "" : aggregateId;
        eventType = eventType == null ? "" : eventType;
        lastError = lastError == null ? "" : lastError;
        Objects.requireNonNull(deadLetteredAt, "deadLetteredAt");
        Objects.requireNonNull(event, "event");
        if (event.isPresent() && !event.get().id().equals(eventId)) {
            throw new IllegalArgumentException("event " + event.get().id() + " does not match eventId " + eventId);
        }
    }

    /** A dead letter holding a valid event: its columns are the event's. */
    public DeadLetter(OutboxEvent event, int attempts, String lastError, Instant deadLetteredAt) {
        this(Objects.requireNonNull(event, "event").id(), event.aggregateType(), event.aggregateId(), event.eventType(),
                event.payloadSize(), attempts, lastError, deadLetteredAt, Optional.of(event));
    }
}

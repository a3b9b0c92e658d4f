package dev.outbox.core;

import java.util.UUID;

/**
 * The consumer-side half of "duplicates detectable": remembers which event ids a consumer has
 * processed, so an event delivered again (relays deliver at least once) is recognised and
 * skipped.
 *
 * <p>Call {@link #markProcessed} inside the {@link UnitOfWork} that applies the event's effects:
 * the mark commits with them or not at all, so a crash between the two can neither lose an
 * event nor apply it twice.
 *
 * <pre>{@code
 * unitOfWork.useTransaction(() -> {
 *     if (inbox.markProcessed(eventId)) {
 *         applyEffects(event);
 *     }
 * });
 * }</pre>
 *
 * <p><b>What a consumer must do.</b> Relays deliver at least once and in commit order per
 * aggregate, but a retry can send an aggregate's events again after later ones were acknowledged:
 * when event 5 fails after 6 and 7 of its aggregate were acknowledged, 5, 6 and 7 are sent again
 * and the topic holds 6, 7, 5, 6, 7. Two rules, applied in the unit of work of the effects:
 * <ol>
 *   <li><b>Drop repeats by event id</b>: {@link #markProcessed} returns {@code false} for an id
 *       processed before (the second 6 and 7 above).
 *   <li><b>To apply in order, drop late redeliveries by sequence</b>: every record carries its
 *       aggregate sequence ({@link OutboxEvent#sequence()}, the Kafka header
 *       {@value OutboxEvent#SEQUENCE_HEADER}). Keep the largest sequence applied per aggregate
 *       (type and id) beside your effects, and ignore a record whose sequence is not greater than
 *       it: 5 above arrives after 7 was applied, so applying it would undo 7. Sequences grow with
 *       commit order within an aggregate but are not contiguous: compare them, never expect one
 *       more than the last. A late event is one the consumer can no longer apply in order: events
 *       that carry the aggregate's state can be ignored (the later ones supersede it); where every
 *       event matters, route it to a repair path instead of applying it.
 * </ol>
 * The id check alone keeps the first occurrences, 6, 7, 5, in their (wrong) arrival order; the
 * sequence makes the late 5 recognisable.
 *
 * <pre>{@code
 * unitOfWork.useTransaction(() -> {
 *     long sequence = event.sequence().orElseThrow();
 *     if (inbox.markProcessed(event.id()) && lastApplied.advance(aggregateKey, sequence)) {
 *         applyEffects(event); // advance(...) stores the sequence when it is greater, in this transaction
 *     }
 * });
 * }</pre>
 *
 * <p>Implementations are thread-safe.
 */
public interface Inbox {

    /**
     * Records {@code eventId} as processed in the current unit of work.
     *
     * @return {@code true} the first time this id is marked (process the event), {@code false}
     *     when it was marked before by a committed unit of work (a repeat: skip it)
     * @throws NoActiveUnitOfWorkException outside a unit of work
     * @throws OutboxException when the write fails
     */
    boolean markProcessed(UUID eventId);
}

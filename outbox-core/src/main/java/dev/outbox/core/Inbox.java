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

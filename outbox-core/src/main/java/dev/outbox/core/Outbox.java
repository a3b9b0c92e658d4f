package dev.outbox.core;

import java.util.List;

/**
 * The append port: records events in the outbox as part of the current {@link UnitOfWork}.
 *
 * <p>Appending only works inside a unit of work; outside one it throws
 * {@link NoActiveUnitOfWorkException} and writes nothing. The event becomes visible to relays
 * when, and only when, the surrounding transaction commits.
 *
 * <p>Implementations are thread-safe.
 */
public interface Outbox {

    /**
     * Appends one event to the current transaction.
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work
     * @throws OutboxException when the write fails (the caller's transaction then rolls back)
     */
    void append(OutboxEvent event);

    /**
     * Appends events to the current transaction, in list order, in one round trip where the
     * adapter can. Events of one aggregate are delivered in the order given.
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work
     * @throws OutboxException when the write fails
     */
    default void appendAll(List<OutboxEvent> events) {
        for (OutboxEvent event : events) {
            append(event);
        }
    }
}

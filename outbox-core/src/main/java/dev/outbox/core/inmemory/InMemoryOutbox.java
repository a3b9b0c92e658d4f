package dev.outbox.core.inmemory;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import java.util.Objects;

/**
 * The {@link Outbox} append port for an {@link InMemoryUnitOfWork}: appended events are buffered
 * in the calling thread's transaction and reach the {@link InMemoryOutboxStore} on commit.
 *
 * <p>Thread-safe.
 */
public final class InMemoryOutbox implements Outbox {
    private final InMemoryUnitOfWork unitOfWork;

    private InMemoryOutbox(InMemoryUnitOfWork unitOfWork) {
        this.unitOfWork = Objects.requireNonNull(unitOfWork, "unitOfWork");
    }

    /** Creates an append port joining the transactions of {@code unitOfWork}. */
    public static InMemoryOutbox create(InMemoryUnitOfWork unitOfWork) {
        return new InMemoryOutbox(unitOfWork);
    }

    /**
     * Buffers the event in the current transaction.
     *
     * @throws NoActiveUnitOfWorkException outside {@link InMemoryUnitOfWork#inTransaction}
     * @throws NullPointerException when {@code event} is null
     * @throws IllegalArgumentException when the event carries {@value OutboxEvent#SEQUENCE_HEADER}, which
     *     the store assigns
     */
    @Override
    public void append(OutboxEvent event) {
        unitOfWork.buffer(Objects.requireNonNull(event, "event").requireNoSequence());
    }
}

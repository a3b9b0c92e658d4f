package dev.outbox.core.inmemory;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.UnitOfWork;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link UnitOfWork} for an {@link InMemoryOutboxStore}: a transaction bound to the calling
 * thread that buffers appended events and commits them into the store, as one
 * {@link InMemoryOutboxStore#append(List)}, only when the outermost call returns normally.
 * When the work throws, the buffer is discarded and the exception rethrown unchanged.
 *
 * <p>Nested calls on the same thread join the outer transaction. If a nested call throws and
 * the outer work catches the exception and returns normally, the transaction is still rolled
 * back and the outermost call throws {@link OutboxException}: an exception anywhere rolls the
 * whole transaction back, as the {@link UnitOfWork} contract says.
 *
 * <p>Thread-safe: each thread has its own transaction.
 */
public final class InMemoryUnitOfWork implements UnitOfWork {
    private final InMemoryOutboxStore store;
    private final ThreadLocal<Transaction> current = new ThreadLocal<>();

    private InMemoryUnitOfWork(InMemoryOutboxStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Creates a unit of work committing into {@code store}. */
    public static InMemoryUnitOfWork create(InMemoryOutboxStore store) {
        return new InMemoryUnitOfWork(store);
    }

    /** Returns the store this unit of work commits into. */
    public InMemoryOutboxStore store() {
        return store;
    }

    /** Returns whether the calling thread is inside a transaction of this unit of work. */
    public boolean isActive() {
        return current.get() != null;
    }

    @Override
    public <T, X extends Exception> T inTransaction(TransactionalCallback<T, X> work) throws X {
        Objects.requireNonNull(work, "work");
        Transaction joined = current.get();
        if (joined != null) {
            return runNested(joined, work);
        }
        Transaction transaction = new Transaction();
        current.set(transaction);
        T result;
        try {
            result = work.call();
        } finally {
            current.remove();
        }
        if (transaction.rollbackOnly) {
            throw new OutboxException("transaction rolled back: a nested unit of work failed");
        }
        store.append(transaction.events);
        return result;
    }

    /** Buffers an event in the calling thread's transaction; used by {@link InMemoryOutbox}. */
    void buffer(OutboxEvent event) {
        Transaction transaction = Optional.ofNullable(current.get())
                .orElseThrow(NoActiveUnitOfWorkException::new);
        transaction.events.add(Objects.requireNonNull(event, "event"));
    }

    private static <T, X extends Exception> T runNested(Transaction joined, TransactionalCallback<T, X> work)
            throws X {
        try {
            return work.call();
        } catch (Exception | Error e) {
            joined.rollbackOnly = true;
            throw e;
        }
    }

    private static final class Transaction {
        final List<OutboxEvent> events = new ArrayList<>();
        boolean rollbackOnly;
    }
}

package dev.outbox.jdbc;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.UnitOfWork;
import jakarta.inject.Inject;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A {@link UnitOfWork} on JDBI: one JDBI {@link Handle} and one database transaction per
 * outermost call, bound to the calling thread.
 *
 * <p>Nested calls on the same thread join the outer transaction. Any exception thrown by the
 * work rolls the transaction back and is rethrown unchanged. Repositories and the outbox
 * write through {@link #currentHandle()}, so everything inside one call commits together.
 *
 * <p>Thread-safe: each thread has its own transaction.
 */
public final class JdbiUnitOfWork implements UnitOfWork {
    private final Jdbi jdbi;
    private final ThreadLocal<Handle> current = new ThreadLocal<>();

    /**
     * Creates a unit of work over {@code jdbi}.
     *
     * @param jdbi the JDBI instance whose connections carry the business and outbox writes
     */
    @Inject
    public JdbiUnitOfWork(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** Creates a unit of work over {@code jdbi}; the same as the constructor. */
    public static JdbiUnitOfWork create(Jdbi jdbi) {
        return new JdbiUnitOfWork(jdbi);
    }

    /** Returns the JDBI instance this unit of work opens handles from. */
    public Jdbi jdbi() {
        return jdbi;
    }

    @Override
    public <T, X extends Exception> T inTransaction(TransactionalCallback<T, X> work) throws X {
        Objects.requireNonNull(work, "work");
        if (current.get() != null) {
            return work.call();
        }
        return jdbi.inTransaction(handle -> {
            current.set(handle);
            try {
                return work.call();
            } finally {
                current.remove();
            }
        });
    }

    /**
     * Returns the handle of this thread's transaction.
     *
     * @throws NoActiveUnitOfWorkException outside {@link #inTransaction}/{@link #useTransaction}
     */
    public Handle currentHandle() {
        Handle handle = current.get();
        if (handle == null) {
            throw new NoActiveUnitOfWorkException();
        }
        return handle;
    }

    /** Returns the handle of this thread's transaction, empty outside a unit of work. */
    public Optional<Handle> findCurrentHandle() {
        return Optional.ofNullable(current.get());
    }
}

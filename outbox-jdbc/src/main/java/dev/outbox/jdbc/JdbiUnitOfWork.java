package dev.outbox.jdbc;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.OutboxException;
import dev.outbox.core.UnitOfWork;
import jakarta.inject.Inject;
import dev.outbox.core.OutboxEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * A {@link UnitOfWork} on JDBI: one JDBI {@link Handle} and one database transaction per
 * outermost call, bound to the calling thread.
 *
 * <p>Nested calls on the same thread join the outer transaction. Any exception thrown by the
 * work rolls the transaction back and is rethrown unchanged. Repositories write through
 * {@link #currentHandle()}; {@link JdbiOutbox} buffers its events here and writes them right before
 * the commit, in the commit's own round trip. Everything inside one call commits together or not at all.
 *
 * <p>Thread-safe: each thread has its own transaction.
 */
public final class JdbiUnitOfWork implements UnitOfWork {
    private final Jdbi jdbi;
    private final ThreadLocal<Transaction> current = new ThreadLocal<>();

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

    /**
     * {@inheritDoc}
     *
     * <p>A nested call that throws marks the whole transaction for rollback: even when an outer
     * call catches the exception, the outermost call then rolls back and throws
     * {@link PostgresOutboxException} instead of committing half of the work.
     *
     * @throws PostgresOutboxException when JDBI cannot open, begin, commit or roll back the transaction
     */
    @Override
    public <T, X extends Exception> T inTransaction(TransactionalCallback<T, X> work) throws X {
        Objects.requireNonNull(work, "work");
        Transaction outer = current.get();
        if (outer != null) {
            try {
                return work.call();
            } catch (Exception | Error e) {
                outer.rollbackOnly = true;
                throw e;
            }
        }
        Throwable[] thrownByWork = new Throwable[1];
        try {
            return jdbi.inTransaction(handle -> {
                Transaction transaction = new Transaction(handle);
                current.set(transaction);
                try {
                    T result = work.call();
                    if (transaction.rollbackOnly) {
                        throw new RolledBackException();
                    }
                    transaction.writePendingAndCommit();
                    return result;
                } catch (Exception | Error e) {
                    thrownByWork[0] = e;
                    throw e;
                } finally {
                    current.remove();
                }
            });
        } catch (JdbiException e) {
            if (e == thrownByWork[0]) {
                throw e;
            }
            throw new PostgresOutboxException("transaction", e);
        }
    }

    /**
     * Returns the handle of this thread's transaction.
     *
     * @throws NoActiveUnitOfWorkException outside {@link #inTransaction}/{@link #useTransaction}
     */
    public Handle currentHandle() {
        Transaction transaction = current.get();
        if (transaction == null) {
            throw new NoActiveUnitOfWorkException();
        }
        return transaction.handle;
    }

    /** Returns the handle of this thread's transaction, empty outside a unit of work. */
    public Optional<Handle> findCurrentHandle() {
        return Optional.ofNullable(current.get()).map(t -> t.handle);
    }

    /**
     * Buffers events that {@code outbox} writes when this thread's transaction commits.
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work
     */
    void deferUntilCommit(JdbiOutbox outbox, List<OutboxEvent> events) {
        Transaction transaction = current.get();
        if (transaction == null) {
            throw new NoActiveUnitOfWorkException();
        }
        if (events.isEmpty()) {
            return;
        }
        if (transaction.pending == null) {
            transaction.pending = new LinkedHashMap<>(2);
        }
        transaction.pending.computeIfAbsent(outbox, k -> new ArrayList<>(events.size())).addAll(events);
    }

    private static final class Transaction {
        private final Handle handle;
        private boolean rollbackOnly;
        private Map<JdbiOutbox, List<OutboxEvent>> pending;

        private Transaction(Handle handle) {
            this.handle = handle;
        }

        /**
         * Writes the buffered outbox events; the last write carries the COMMIT in the same round trip,
         * after which JDBI's own commit finds nothing left to do.
         */
        private void writePendingAndCommit() {
            if (pending == null) {
                return;
            }
            int left = pending.size();
            for (Map.Entry<JdbiOutbox, List<OutboxEvent>> entry : pending.entrySet()) {
                left--;
                entry.getKey().write(handle, entry.getValue(), left == 0);
            }
            pending = null;
        }
    }

    private static final class RolledBackException extends OutboxException {
        private static final long serialVersionUID = 1L;

        private RolledBackException() {
            super("transaction rolled back: a nested unit of work failed, and its exception was caught "
                    + "by an outer one, so committing would have kept half of the work");
        }
    }
}

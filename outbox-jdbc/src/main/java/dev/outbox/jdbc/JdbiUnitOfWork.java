package dev.outbox.jdbc;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.OutboxException;
import dev.outbox.core.UnitOfWork;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * A {@link UnitOfWork} on JDBI: one JDBI {@link Handle} and one database transaction per
 * outermost call, bound to the calling thread.
 *
 * <p>Nested calls on the same thread join the outer transaction. Any exception thrown by the
 * work rolls the transaction back and is rethrown unchanged. Repositories write through
 * {@link #currentHandle()}; work that must happen last, right before the commit, registers a
 * {@linkplain #beforeCommit(BeforeCommit) before-commit hook} ({@link JdbiOutbox} writes its buffered events
 * so). Everything inside one call commits together or not at all.
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
                    transaction.runHooks();
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
     * Registers {@code hook} to run on this thread's transaction right before it commits, after the outermost
     * work returned. Hooks run in the order registered, on the transaction's handle; a hook that throws rolls
     * the whole transaction back (no later hook runs) and its exception surfaces from the outermost call. When
     * the transaction rolls back for any other reason no hook runs. A hook registered in a nested call waits
     * for the outermost commit.
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work
     * @throws IllegalStateException while the hooks are running
     */
    public void beforeCommit(BeforeCommit hook) {
        Objects.requireNonNull(hook, "hook");
        activeTransaction().hooks().add(new Registered(null, hook));
    }

    /**
     * Returns the hook registered under {@code key} in this thread's transaction, first registering the one
     * {@code hook} supplies (as {@link #beforeCommit(BeforeCommit)} does) when there is none: for work that
     * collects what a transaction does and writes it once at the end, as {@link JdbiOutbox} does with its events.
     * The hook keeps the place of its first registration; keys are compared with {@code equals}.
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work
     * @throws IllegalStateException while the hooks are running
     * @throws ClassCastException when {@code key} holds a hook of another type
     */
    public <H extends BeforeCommit> H beforeCommit(Object key, Supplier<? extends H> hook) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(hook, "hook");
        List<Registered> hooks = activeTransaction().hooks();
        for (Registered registered : hooks) {
            if (key.equals(registered.key())) {
                @SuppressWarnings("unchecked")
                H found = (H) registered.hook();
                return found;
            }
        }
        H created = Objects.requireNonNull(hook.get(), "hook supplied null");
        hooks.add(new Registered(key, created));
        return created;
    }

    private Transaction activeTransaction() {
        Transaction transaction = current.get();
        if (transaction == null) {
            throw new NoActiveUnitOfWorkException();
        }
        if (transaction.runningHooks) {
            throw new IllegalStateException("before-commit hooks are running: register hooks inside the work");
        }
        return transaction;
    }

    /**
     * Work a {@link JdbiUnitOfWork} runs on its transaction right before the commit; see
     * {@link JdbiUnitOfWork#beforeCommit(BeforeCommit)}.
     */
    @FunctionalInterface
    public interface BeforeCommit {
        /**
         * Runs the hook on the transaction's handle; throwing rolls the transaction back.
         *
         * @param handle the transaction's handle, in the transaction
         */
        void run(Handle handle);
    }

    /**
     * A hook that, run last, can send the {@code COMMIT} in its own statement's network round trip, sparing the
     * commit its own round trip (see the module README for what that is worth). JDBI's own commit then finds no
     * transaction left and sends nothing. Only the last hook is asked.
     */
    interface CommitsInSameRoundTrip extends BeforeCommit {
        /** Runs the hook, its last statement followed by {@code COMMIT} in the same round trip. */
        void runAndCommit(Handle handle);
    }

    private record Registered(Object key, BeforeCommit hook) {
    }

    private static final class Transaction {
        private final Handle handle;
        private boolean rollbackOnly;
        private boolean runningHooks;
        private List<Registered> hooks;

        private Transaction(Handle handle) {
            this.handle = handle;
        }

        private List<Registered> hooks() {
            if (hooks == null) {
                hooks = new ArrayList<>(2);
            }
            return hooks;
        }

        /** Runs the hooks in order; the last one may carry the COMMIT in its round trip. */
        private void runHooks() {
            if (hooks == null) {
                return;
            }
            runningHooks = true;
            int last = hooks.size() - 1;
            for (int i = 0; i <= last; i++) {
                BeforeCommit hook = hooks.get(i).hook();
                if (i == last && hook instanceof CommitsInSameRoundTrip committing) {
                    committing.runAndCommit(handle);
                } else {
                    hook.run(handle);
                }
            }
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

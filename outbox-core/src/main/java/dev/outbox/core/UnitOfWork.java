package dev.outbox.core;

/**
 * Runs work in one database transaction: the business writes and the outbox appends made
 * inside commit together or not at all.
 *
 * <p>A nested call on the same thread joins the outer transaction: nothing commits until the
 * outermost call returns, and an exception anywhere rolls the whole transaction back. An
 * exception thrown by the work is rethrown unchanged after the rollback.
 *
 * <p>Implementations are thread-safe; the transaction is bound to the calling thread.
 */
public interface UnitOfWork {

    /**
     * Runs {@code work} in a transaction and returns its result.
     *
     * @param work the work; it may throw a checked exception of type {@code X}
     * @return what {@code work} returned, after the commit
     * @throws X whatever {@code work} threw, after the rollback
     * @throws OutboxException when the transaction cannot be begun or committed
     */
    <T, X extends Exception> T inTransaction(TransactionalCallback<T, X> work) throws X;

    /**
     * Runs {@code work} in a transaction; the void variant of {@link #inTransaction}.
     *
     * @throws X whatever {@code work} threw, after the rollback
     * @throws OutboxException when the transaction cannot be begun or committed
     */
    default <X extends Exception> void useTransaction(TransactionalRunnable<X> work) throws X {
        inTransaction(() -> {
            work.run();
            return null;
        });
    }

    /** Work that returns a value, run by {@link UnitOfWork#inTransaction}. */
    @FunctionalInterface
    interface TransactionalCallback<T, X extends Exception> {
        /** Does the work inside the transaction. */
        T call() throws X;
    }

    /** Work without a result, run by {@link UnitOfWork#useTransaction}. */
    @FunctionalInterface
    interface TransactionalRunnable<X extends Exception> {
        /** Does the work inside the transaction. */
        void run() throws X;
    }
}

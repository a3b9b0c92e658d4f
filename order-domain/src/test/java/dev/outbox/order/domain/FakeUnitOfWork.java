package dev.outbox.order.domain;

import dev.outbox.core.UnitOfWork;
import java.util.ArrayDeque;
import java.util.Deque;

/** A unit of work with an undo log: writes apply at once and are undone on rollback. One thread. */
final class FakeUnitOfWork implements UnitOfWork {
    private Deque<Runnable> undo;
    private int transactionNumber;
    int commits;
    int rollbacks;

    @Override
    public <T, X extends Exception> T inTransaction(TransactionalCallback<T, X> work) throws X {
        if (undo != null) {
            return work.call();
        }
        undo = new ArrayDeque<>();
        transactionNumber++;
        try {
            T result = work.call();
            commits++;
            return result;
        } catch (Exception | Error e) {
            undo.forEach(Runnable::run);
            rollbacks++;
            throw e;
        } finally {
            undo = null;
        }
    }

    boolean active() {
        return undo != null;
    }

    int transactionNumber() {
        return transactionNumber;
    }

    void onRollback(Runnable action) {
        undo.push(action);
    }
}

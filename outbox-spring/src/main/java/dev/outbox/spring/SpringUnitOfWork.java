package dev.outbox.spring;

import dev.outbox.core.OutboxException;
import dev.outbox.core.UnitOfWork;
import java.util.Objects;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A {@link UnitOfWork} on a Spring {@link PlatformTransactionManager}: code written against the port (the Order
 * service's use cases) runs in a Spring transaction, joining the caller's {@code @Transactional} one when there is
 * one ({@code PROPAGATION_REQUIRED}), so {@link SpringOutbox} appends and {@code JdbcTemplate} writes inside commit
 * together.
 *
 * <p>Any exception from the work rolls the transaction back and is rethrown unchanged; a checked one too (Spring's
 * template would roll back on unchecked ones only). Inside an outer transaction a failing call marks the whole
 * transaction rollback-only, as nested {@link dev.outbox.jdbc.JdbiUnitOfWork} calls do: when the outer code catches
 * the exception, Spring's commit then rolls back and throws {@code UnexpectedRollbackException}, wrapped in
 * {@link OutboxException}.
 *
 * <p>Thread-safe: Spring binds each transaction to its thread.
 */
public final class SpringUnitOfWork implements UnitOfWork {
    private final TransactionTemplate template;

    private SpringUnitOfWork(PlatformTransactionManager transactionManager) {
        this.template = new TransactionTemplate(Objects.requireNonNull(transactionManager, "transactionManager"));
    }

    /** Creates a unit of work running its work in {@code transactionManager}'s transactions. */
    public static SpringUnitOfWork create(PlatformTransactionManager transactionManager) {
        return new SpringUnitOfWork(transactionManager);
    }

    /**
     * {@inheritDoc}
     *
     * @throws OutboxException when Spring cannot begin, commit or roll back the transaction (its
     *     {@link TransactionException} as the cause)
     */
    @Override
    public <T, X extends Exception> T inTransaction(TransactionalCallback<T, X> work) throws X {
        Objects.requireNonNull(work, "work");
        Exception[] checked = new Exception[1];
        RuntimeException[] unchecked = new RuntimeException[1];
        T result;
        try {
            result = template.execute(status -> {
                try {
                    return work.call();
                } catch (RuntimeException e) {
                    unchecked[0] = e;
                    throw e;
                } catch (Exception e) {
                    checked[0] = e;
                    status.setRollbackOnly();
                    return null;
                }
            });
        } catch (TransactionException e) {
            if (e == unchecked[0]) {
                throw e;
            }
            throw new OutboxException("Spring transaction failed: " + e.getMessage(), e);
        }
        if (checked[0] != null) {
            @SuppressWarnings("unchecked")
            X thrown = (X) checked[0];
            throw thrown;
        }
        return result;
    }
}

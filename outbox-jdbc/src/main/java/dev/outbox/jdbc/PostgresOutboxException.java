package dev.outbox.jdbc;

import dev.outbox.core.OutboxException;

/**
 * A PostgreSQL or JDBI failure inside the outbox adapter, with the original
 * {@link java.sql.SQLException} or {@link org.jdbi.v3.core.JdbiException} as its cause.
 */
public final class PostgresOutboxException extends OutboxException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; {@code operation} names what failed, e.g. "claim". */
    public PostgresOutboxException(String operation, Throwable cause) {
        super("outbox " + operation + " failed: " + cause.getMessage(), cause);
    }
}

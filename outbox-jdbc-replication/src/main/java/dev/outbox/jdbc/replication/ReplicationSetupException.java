package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxException;

/**
 * The database is not set up for the log-tailing relay and the relay cannot fix it itself:
 * {@code wal_level} is not {@code logical}, the outbox table is missing, the publication covers
 * other tables, privileges are lacking, or the database cannot be reached at start. The message
 * names the setting and the fix; the cause, if any, is attached.
 */
public final class ReplicationSetupException extends OutboxException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and how to fix it
     * @param cause   the underlying failure, may be {@code null}
     */
    public ReplicationSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.outbox.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;
import org.postgresql.PGStatement;

/**
 * Prepares the outbox's batch statements so that PostgreSQL plans every execution with its
 * actual parameters. Shared by outbox-jdbc and outbox-jdbc-replication; not API.
 *
 * <p>Why: on a pooled connection the PostgreSQL driver turns a statement used five times into a
 * named server-side statement, and PostgreSQL then may switch to one generic plan that it keeps.
 * An outbox table is typically empty (and analyzed empty) when that happens, so the generic plan
 * of {@code ... WHERE id = ANY($1)} is a sequential scan; once a backlog builds up, each batch
 * scans the whole table (measured: 0.8 s per 1,000-row update at 200,000 rows) until autovacuum
 * happens to re-analyze the table. A prepare threshold of 0 keeps the statements unnamed, which
 * PostgreSQL plans for the values bound each time. Parsing again costs microseconds per batch.
 *
 * <p>Stateless and thread-safe.
 */
public final class OneShotStatements {
    /** The same for a JDBI statement: {@code handle.createUpdate(sql).addCustomizer(OneShotStatements.CUSTOMIZER)}. */
    public static final StatementCustomizer CUSTOMIZER = new StatementCustomizer() {
        @Override
        public void beforeExecution(PreparedStatement statement, StatementContext ctx) throws SQLException {
            planEachExecution(statement);
        }
    };

    private OneShotStatements() {
    }

    /**
     * Prepares {@code sql} on {@code connection} as a statement PostgreSQL plans at each
     * execution. Connections of pools that wrap the driver's are unwrapped; a connection of
     * another driver gets a plain prepared statement.
     *
     * @throws SQLException when the driver refuses the statement
     */
    public static PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        planEachExecution(statement);
        return statement;
    }

    private static void planEachExecution(PreparedStatement statement) throws SQLException {
        if (statement.isWrapperFor(PGStatement.class)) {
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
        }
    }
}

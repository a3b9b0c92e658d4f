package dev.outbox.benchmarks.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Jdbi;

/**
 * A JDBI whose handles all share one open connection, so a benchmark measures statements and
 * commits rather than connection set-up. For one thread at a time only.
 */
final class SingleConnection implements ConnectionFactory {
    private final Connection connection;

    private SingleConnection(Connection connection) {
        this.connection = connection;
    }

    static Jdbi jdbi(Connection connection) {
        return Jdbi.create(new SingleConnection(connection));
    }

    @Override
    public Connection openConnection() {
        return connection;
    }

    @Override
    public void closeConnection(Connection toClose) throws SQLException {
        // kept open for the next handle
        if (!toClose.getAutoCommit()) {
            toClose.rollback();
            toClose.setAutoCommit(true);
        }
    }
}

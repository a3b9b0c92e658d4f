package dev.outbox.jdbc.replication;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.sql.DataSource;

/**
 * The smallest connection pool: {@code close()} hands the physical connection back for the next
 * {@code getConnection()} instead of closing it, so session state (advisory locks, settings)
 * outlives the borrower, as in HikariCP; {@code abort} really closes it. Thread-safe.
 */
final class ReusingDataSource extends ConnectionSourceTest.OpaqueDataSource {
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

    ReusingDataSource(DataSource physical) {
        super(physical);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection physical = idle.pollFirst();
        if (physical == null || physical.isClosed()) {
            physical = super.getConnection();
        }
        Connection borrowed = physical;
        boolean[] returned = {false};
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close":
                            if (!returned[0]) {
                                returned[0] = true;
                                giveBack(borrowed);
                            }
                            return null;
                        case "isClosed":
                            return returned[0] || borrowed.isClosed();
                        default:
                            try {
                                return method.invoke(borrowed, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
    }

    private void giveBack(Connection physical) {
        try {
            // As HikariCP does: the borrower's network timeout does not outlive the loan.
            physical.setNetworkTimeout(Runnable::run, 0);
            idle.addFirst(physical);
        } catch (SQLException e) {
            // broken: dropped
        }
    }

    /** Closes the pooled physical connections. */
    void closeAll() {
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }
}

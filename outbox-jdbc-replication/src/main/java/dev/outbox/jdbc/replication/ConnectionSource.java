package dev.outbox.jdbc.replication;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.postgresql.PGProperty;
import org.postgresql.ds.common.BaseDataSource;

/**
 * Opens the relay's two kinds of connections: plain ones (leader lock, setup, marks, dead
 * letters, heartbeat, lag) and the replication connection ({@code replication=database},
 * {@code assumeMinServerVersion=10}, {@code preferQueryMode=simple}).
 *
 * <p>With a {@link DataSource}, the replication connection's URL and credentials come, in this
 * order, from an explicit {@code replicationConnection(url, properties)}, from a pgjdbc data
 * source's settings, from a pool that exposes {@code getJdbcUrl()}/{@code getUsername()}/
 * {@code getPassword()} (HikariCP does), or else from a plain connection's metadata (URL and user,
 * no password: enough for trust, peer or {@code .pgpass} authentication). It remembers the
 * replication connections it opened, so that a leader that lost its lease can cut them
 * ({@link #abortReplication()}). Thread-safe.
 */
final class ConnectionSource {
    private final DataSource dataSource;
    private volatile String url;
    private volatile Properties properties;
    private final Set<Connection> replicationConnections = ConcurrentHashMap.newKeySet();

    private ConnectionSource(DataSource dataSource, String url, Properties properties) {
        this.dataSource = dataSource;
        this.url = url;
        this.properties = properties;
    }

    static ConnectionSource of(String url, Properties properties) {
        return new ConnectionSource(null, requirePostgresUrl(url), copy(properties));
    }

    static ConnectionSource of(DataSource dataSource, String url, Properties properties) {
        Objects.requireNonNull(dataSource, "dataSource");
        if (url != null) {
            return new ConnectionSource(dataSource, requirePostgresUrl(url), copy(properties));
        }
        BaseDataSource pg = unwrapPg(dataSource);
        if (pg != null) {
            return new ConnectionSource(dataSource, pg.getUrl(), credentials(pg.getUser(), pg.getPassword()));
        }
        String poolUrl = stringGetter(dataSource, "getJdbcUrl");
        if (poolUrl != null && poolUrl.startsWith("jdbc:postgresql:")) {
            Properties props = new Properties();
            Object extra = getter(dataSource, "getDataSourceProperties");
            if (extra instanceof Properties p) {
                props.putAll(p);
            }
            props.putAll(credentials(stringGetter(dataSource, "getUsername"), stringGetter(dataSource, "getPassword")));
            return new ConnectionSource(dataSource, poolUrl, props);
        }
        return new ConnectionSource(dataSource, null, null);
    }

    /** Opens a plain auto-commit connection. */
    Connection plain() throws SQLException {
        Connection connection = dataSource != null ? dataSource.getConnection() : DriverManager.getConnection(url, properties);
        if (!connection.getAutoCommit()) {
            connection.setAutoCommit(true);
        }
        return connection;
    }

    /** Opens a logical replication connection. */
    Connection replication() throws SQLException {
        if (url == null) {
            deriveFromMetadata();
        }
        Properties props = new Properties();
        props.putAll(properties);
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        try {
            Connection connection = DriverManager.getConnection(url, props);
            replicationConnections.removeIf(ConnectionSource::isClosed);
            replicationConnections.add(connection);
            return connection;
        } catch (SQLException e) {
            if ("28P01".equals(e.getSQLState()) || "28000".equals(e.getSQLState())) {
                throw new SQLException("the replication connection to " + url + " was refused (" + e.getMessage()
                        + "): give the relay its credentials with replicationConnection(jdbcUrl, properties), and "
                        + "make sure the role has the REPLICATION attribute", e.getSQLState(), e);
            }
            throw e;
        }
    }

    /**
     * Aborts (closes the sockets of, without a goodbye) the replication connections this source
     * opened that are still open: a leader that lost its lease must not confirm anything more,
     * even if the network comes back. Callable from any thread.
     */
    void abortReplication() {
        for (Connection connection : replicationConnections) {
            replicationConnections.remove(connection);
            try {
                connection.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                // closed already
            }
        }
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private synchronized void deriveFromMetadata() throws SQLException {
        if (url != null) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            Properties props = credentials(connection.getMetaData().getUserName(), null);
            properties = props;
            url = requirePostgresUrl(connection.getMetaData().getURL());
        }
    }

    private static String requirePostgresUrl(String url) {
        Objects.requireNonNull(url, "jdbcUrl");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("jdbcUrl must be a PostgreSQL JDBC URL (jdbc:postgresql://...), got '"
                    + url + "'");
        }
        return url;
    }

    private static Properties copy(Properties properties) {
        Properties copy = new Properties();
        if (properties != null) {
            copy.putAll(properties);
        }
        return copy;
    }

    private static Properties credentials(String user, String password) {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty(PGProperty.USER.getName(), user);
        }
        if (password != null) {
            props.setProperty(PGProperty.PASSWORD.getName(), password);
        }
        return props;
    }

    private static BaseDataSource unwrapPg(DataSource dataSource) {
        if (dataSource instanceof BaseDataSource base) {
            return base;
        }
        try {
            return dataSource.isWrapperFor(BaseDataSource.class) ? dataSource.unwrap(BaseDataSource.class) : null;
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    private static String stringGetter(Object target, String name) {
        return getter(target, name) instanceof String value ? value : null;
    }

    private static Object getter(Object target, String name) {
        try {
            Method method = target.getClass().getMethod(name);
            return method.getParameterCount() == 0 ? method.invoke(target) : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}

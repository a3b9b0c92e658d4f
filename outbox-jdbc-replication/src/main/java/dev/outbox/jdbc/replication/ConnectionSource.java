package dev.outbox.jdbc.replication;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.PGProperty;
import org.postgresql.ds.common.BaseDataSource;

/**
 * Opens the relay's two kinds of connections: plain ones (leader lock, setup, marks, dead
 * letters, heartbeat, lag) and the replication connection ({@code replication=database},
 * {@code assumeMinServerVersion=10}, {@code preferQueryMode=simple}). Thread-safe.
 */
final class ConnectionSource {
    private final DataSource dataSource;
    private final String url;
    private final Properties properties;

    private ConnectionSource(DataSource dataSource, String url, Properties properties) {
        this.dataSource = dataSource;
        this.url = url;
        this.properties = properties;
    }

    static ConnectionSource of(String url, Properties properties) {
        Objects.requireNonNull(url, "jdbcUrl");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("jdbcUrl must be a PostgreSQL JDBC URL (jdbc:postgresql://...), got '"
                    + url + "'");
        }
        Properties copy = new Properties();
        if (properties != null) {
            copy.putAll(properties);
        }
        return new ConnectionSource(null, url, copy);
    }

    /**
     * Plain connections come from {@code dataSource}; the replication connection from
     * {@code url}/{@code properties} when given, else from the pgjdbc data source's own settings.
     *
     * @throws IllegalArgumentException when neither is usable
     */
    static ConnectionSource of(DataSource dataSource, String url, Properties properties) {
        Objects.requireNonNull(dataSource, "dataSource");
        if (url != null) {
            ConnectionSource replication = of(url, properties);
            return new ConnectionSource(dataSource, replication.url, replication.properties);
        }
        BaseDataSource pg = unwrapPg(dataSource);
        if (pg == null) {
            throw new IllegalArgumentException("the DataSource is not a PostgreSQL JDBC data source, so the relay cannot "
                    + "derive its replication connection from it: set replicationConnection(jdbcUrl, properties)");
        }
        Properties props = new Properties();
        if (pg.getUser() != null) {
            props.setProperty(PGProperty.USER.getName(), pg.getUser());
        }
        if (pg.getPassword() != null) {
            props.setProperty(PGProperty.PASSWORD.getName(), pg.getPassword());
        }
        return new ConnectionSource(dataSource, pg.getUrl(), props);
    }

    private static BaseDataSource unwrapPg(DataSource dataSource) {
        if (dataSource instanceof BaseDataSource base) {
            return base;
        }
        try {
            return dataSource.isWrapperFor(BaseDataSource.class) ? dataSource.unwrap(BaseDataSource.class) : null;
        } catch (SQLException e) {
            return null;
        }
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
        Properties props = new Properties();
        props.putAll(properties);
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        return DriverManager.getConnection(url, props);
    }
}

package dev.outbox.jdbc.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.testkit.postgres.TestDatabase;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class ConnectionSourceTest {

    @Test
    void givenADataSourceThatHidesItsUrl_theReplicationConnectionIsDerivedFromConnectionMetadata() throws Exception {
        DataSource opaque = new OpaqueDataSource(TestDatabase.embedded().dataSource());
        try (Connection replication = ConnectionSource.of(opaque, null, null).replication()) {
            assertThat(replication.unwrap(org.postgresql.PGConnection.class)).isNotNull();
            try (var statement = replication.createStatement();
                 var rs = statement.executeQuery("IDENTIFY_SYSTEM")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void givenAPoolExposingItsJdbcUrl_theReplicationConnectionUsesIt() throws Exception {
        PoolLike pool = new PoolLike(TestDatabase.embedded().dataSource(), TestDatabase.embedded().server().jdbcUrl());
        try (Connection replication = ConnectionSource.of(pool, null, null).replication()) {
            try (var statement = replication.createStatement();
                 var rs = statement.executeQuery("IDENTIFY_SYSTEM")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    /** A data source that is neither pgjdbc's nor exposes a URL, like a proxy or an unknown pool. */
    static class OpaqueDataSource implements DataSource {
        private final DataSource delegate;

        OpaqueDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return delegate.getConnection(username, password);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }

    /** Shaped like HikariCP's data source: the URL and credentials through public getters. */
    public static class PoolLike extends OpaqueDataSource {
        private final String jdbcUrl;

        PoolLike(DataSource delegate, String jdbcUrl) {
            super(delegate);
            this.jdbcUrl = jdbcUrl;
        }

        public String getJdbcUrl() {
            return jdbcUrl;
        }

        public String getUsername() {
            return "postgres";
        }

        public String getPassword() {
            return null;
        }
    }
}

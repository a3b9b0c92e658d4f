package dev.outbox.order.app;

import dev.outbox.embedded.EmbeddedKafkaBroker;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database and the broker the service talks to: external ones from the configuration, or
 * the embedded PostgreSQL and in-process Kafka broker when {@code DATABASE_URL} or
 * {@code KAFKA_BOOTSTRAP_SERVERS} are unset. Embedded servers keep their data in their
 * directories, so orders and events survive a restart.
 *
 * <p>Commands other than {@code serve} and {@code relay} first look for embedded servers that a
 * running {@code serve} already listens with on the configured ports, and use those; only when
 * none answers do they start their own. Closing stops what this instance started.
 */
final class Infrastructure implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);
    private static final int POOL_SIZE = 10;

    private final DataSource dataSource;
    private final String bootstrapServers;
    private final List<AutoCloseable> started;

    private Infrastructure(DataSource dataSource, String bootstrapServers, List<AutoCloseable> started) {
        this.dataSource = dataSource;
        this.bootstrapServers = bootstrapServers;
        this.started = started;
    }

    /**
     * Connects to or starts what {@code config} asks for.
     *
     * @param needDatabase     whether a database is needed at all
     * @param needKafka        whether a broker is needed at all
     * @param reuseRunning     whether to use embedded servers already listening on the configured ports
     */
    static Infrastructure open(AppConfig config, boolean needDatabase, boolean needKafka, boolean reuseRunning) {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            DataSource dataSource = needDatabase ? pooled(database(config, reuseRunning, started), config.databaseConnectionTimeout(), started) : null;
            String bootstrap = needKafka ? broker(config, reuseRunning, started) : null;
            return new Infrastructure(dataSource, bootstrap, started);
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** Returns the broker's bootstrap servers; empty when no broker was asked for. */
    Optional<String> bootstrapServers() {
        return Optional.ofNullable(bootstrapServers);
    }

    @Override
    public void close() {
        closeAll(started);
    }

    private static DataSource database(AppConfig config, boolean reuseRunning, List<AutoCloseable> started) {
        if (config.databaseUrl().isPresent()) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(config.databaseUrl().get());
            config.databaseUser().ifPresent(ds::setUser);
            config.databasePassword().ifPresent(ds::setPassword);
            return ds;
        }
        int port = config.embeddedPostgresPort();
        if (reuseRunning && port != 0 && listening(port)) {
            LOG.info("Using the embedded PostgreSQL already running on port {}", port);
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL("jdbc:postgresql://localhost:" + port + "/" + EmbeddedPostgresServer.DEFAULT_DATABASE);
            ds.setUser(EmbeddedPostgresServer.USER);
            return ds;
        }
        LOG.info("Starting embedded PostgreSQL with data in {}", config.embeddedPostgresDir().toAbsolutePath());
        EmbeddedPostgresServer server = EmbeddedPostgresServer.builder()
                .dataDirectory(config.embeddedPostgresDir()).port(port).start();
        started.add(server);
        LOG.info("Embedded PostgreSQL listening at {}", server.jdbcUrl());
        return server.dataSource();
    }

    /**
     * Pools connections (at most {@value #POOL_SIZE}); fails at once, naming the cause, when the database is
     * unreachable. A borrower waits at most {@code connectionTimeout} ({@code DATABASE_CONNECTION_TIMEOUT}): while
     * the database is down, a request is answered 503 quickly instead of holding its client (and an HTTP thread)
     * for as long as the old fixed 10 s.
     */
    private static DataSource pooled(DataSource dataSource, Duration connectionTimeout, List<AutoCloseable> started) {
        HikariConfig pool = new HikariConfig();
        pool.setDataSource(dataSource);
        pool.setPoolName("orders-db");
        pool.setMaximumPoolSize(POOL_SIZE);
        pool.setConnectionTimeout(connectionTimeout.toMillis());
        // the liveness check of a borrowed connection must fit in the borrower's wait (Hikari's minimum is 250 ms)
        pool.setValidationTimeout(Math.max(250, Math.min(connectionTimeout.toMillis() / 2, 5_000)));
        HikariDataSource pooled;
        try {
            pooled = new HikariDataSource(pool);
        } catch (RuntimeException e) {
            throw new ConfigException("cannot connect to the database (DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD): "
                    + e.getMessage());
        }
        started.add(pooled);
        return pooled;
    }

    private static String broker(AppConfig config, boolean reuseRunning, List<AutoCloseable> started) {
        if (config.kafkaBootstrapServers().isPresent()) {
            return config.kafkaBootstrapServers().get();
        }
        int port = config.embeddedKafkaPort();
        if (reuseRunning && port != 0 && listening(port)) {
            LOG.info("Using the in-process Kafka broker already running on port {}", port);
            return "localhost:" + port;
        }
        LOG.info("Starting the in-process Kafka broker with logs in {}", config.embeddedKafkaDir().toAbsolutePath());
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().logDir(config.embeddedKafkaDir()).port(port).start();
        started.add(broker);
        LOG.info("In-process Kafka broker listening at {}", broker.bootstrapServers());
        return broker.bootstrapServers();
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Closes {@code resources} last first, logging (not throwing) each failure, and empties the list. */
    static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed", resources.get(i), e);
            }
        }
        resources.clear();
    }
}

package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxException;
import dev.outbox.core.relay.RelayDefaults;
import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.OutboxEventPublisher;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log-tailing relay: publishes committed outbox inserts read from a PostgreSQL logical
 * replication slot ({@code pgoutput}) in commit order, and confirms the slot's position only
 * after the broker acknowledged everything up to it (at least once; a restart re-sends what was
 * not confirmed).
 *
 * <pre>{@code
 * LogTailingRelay relay = LogTailingRelay.create(dataSource, kafkaPublisher, LogTailingRelayConfig.builder()
 *         .table(OutboxTable.DEFAULT)
 *         .slotName("outbox_slot")
 *         .publicationName("outbox_pub")
 *         .mode(TableMode.LOG_ONLY)          // writers append through LogOnlyOutbox
 *         .build());
 * relay.start();                             // checks wal_level, creates publication and slot
 * ...
 * relay.close();
 * }</pre>
 *
 * <p>How it works: every instance competes for a session-level advisory lock derived from the slot
 * name ({@code pg_try_advisory_lock}) on a dedicated connection; the holder streams, the others
 * retry every {@link LogTailingRelayConfig#standbyRetryInterval() standby retry interval} and take
 * over when the leader's connection closes, or, when the leader went silent without closing it (its
 * host dropped off the network), once it has been silent for {@link
 * LogTailingRelayConfig#leaderTimeout() leaderTimeout}: the standby then ends the old leader's
 * sessions ({@code pg_terminate_backend}), after the old leader, unable to renew its lease, has
 * stopped by itself. The leader groups whole transactions into batches of about {@link
 * LogTailingRelayConfig#batchSize() batchSize} events (or what arrived within {@link
 * LogTailingRelayConfig#maxBatchDelay() maxBatchDelay}), publishes one batch at a time while
 * reading the next, and decides each event's fate with the same {@link DeliveryPolicy} as the
 * polling relay: events the broker could not take ({@code UNAVAILABLE}, a call that failed or
 * overran {@link LogTailingRelayConfig#publishTimeout() publishTimeout}) and events held back
 * behind a failed predecessor are sent again without counting an attempt, so an outage of any
 * length dead-letters nothing; an event's own failures count, and after {@link
 * LogTailingRelayConfig#maxAttempts() maxAttempts} (or at once when permanent) it is dead-lettered
 * (rows with {@code status = 'dead'} in the outbox table, visible through outbox-jdbc's store). An
 * event that failed on its own and may still succeed is <em>parked</em>: kept in the outbox table
 * as a pending row due at its next attempt (the polling relay's retry marker, {@code
 * next_attempt_at > '-infinity'}), and the aggregate's later events from the stream are parked
 * behind it, so only that aggregate waits; the leader delivers parked rows in {@code seq} order
 * with the same policy and backoff, and a new leader reads them from the table before it publishes.
 * It never advances past an event still to be sent (parked events are not), and then confirms the
 * last transaction's end LSN. Defaults shared with the polling relay come from {@link
 * RelayDefaults}. A heartbeat ({@code pg_logical_emit_message}) and confirming keepalive positions
 * while idle keep an idle slot from pinning WAL.
 *
 * <p>Requirements: {@code wal_level = logical}, a free replication slot and WAL sender, and a
 * role with the {@code REPLICATION} attribute that owns the outbox table (or may create the
 * publication). The slot only sees rows inserted after it was created: start the relay (or call
 * {@link #start()} once) before the first event is written.
 *
 * <p>Clean-up: {@link #dropSlot(DataSource, String, String)}, or in SQL
 * {@code SELECT pg_drop_replication_slot('outbox_slot'); DROP PUBLICATION IF EXISTS outbox_pub;}
 * with every relay stopped. A slot left behind retains WAL until it is dropped.
 *
 * <p>Thread-safety: all methods are thread-safe. The relay never closes the publisher.
 */
public final class LogTailingRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogTailingRelay.class);

    private final RelaySettings settings;
    private final LogTailingRelayConfig config;
    private final RelayState state = new RelayState();
    private Thread thread;
    private ScheduledExecutorService maintenance;
    private boolean closed;

    private LogTailingRelay(RelaySettings settings) {
        this.settings = settings;
        this.config = settings.config();
    }

    /**
     * Returns a relay with the {@linkplain LogTailingRelayConfig#defaults() default settings}; see
     * {@link #create(DataSource, OutboxEventPublisher, LogTailingRelayConfig)}.
     *
     * @throws NullPointerException when an argument is null
     */
    public static LogTailingRelay create(DataSource dataSource, OutboxEventPublisher publisher) {
        return create(dataSource, publisher, LogTailingRelayConfig.defaults());
    }

    /**
     * Returns a relay whose plain connections come from {@code dataSource} (a pool is fine; the
     * relay holds one connection while it stands by, two while it leads, and borrows one per
     * heartbeat; it releases its advisory locks before it gives a connection back). The replication
     * connection cannot come from a pool; its URL and credentials are taken from a pgjdbc data
     * source's settings (such as {@code PGSimpleDataSource}), a pool exposing
     * {@code getJdbcUrl()}/{@code getUsername()}/{@code getPassword()} (HikariCP), or a plain
     * connection's metadata (URL and user only: enough for trust, peer or {@code .pgpass}
     * authentication); to give them yourself, use
     * {@link #create(DataSource, String, Properties, OutboxEventPublisher, LogTailingRelayConfig)}.
     * Nothing connects until {@link #start()}.
     *
     * @throws NullPointerException when an argument is null
     * @throws IllegalArgumentException when {@code config.publishTimeout()} is shorter than the
     *         publisher's {@link OutboxEventPublisher#maxPublishDuration()}
     */
    public static LogTailingRelay create(DataSource dataSource, OutboxEventPublisher publisher,
            LogTailingRelayConfig config) {
        Objects.requireNonNull(dataSource, "dataSource");
        return create(ConnectionSource.of(dataSource, null, null), publisher, config);
    }

    /**
     * Returns a relay whose plain connections come from {@code dataSource} and whose replication
     * connection is opened with {@code DriverManager.getConnection(replicationUrl,
     * replicationProperties)} plus the replication properties; see
     * {@link #create(DataSource, OutboxEventPublisher, LogTailingRelayConfig)}.
     *
     * @param replicationProperties user, password, ssl ...; may be null; copied
     * @throws NullPointerException when an argument other than {@code replicationProperties} is null
     * @throws IllegalArgumentException when {@code replicationUrl} is not a {@code jdbc:postgresql:}
     *         URL, or {@code config.publishTimeout()} is shorter than the publisher's
     *         {@link OutboxEventPublisher#maxPublishDuration()}
     */
    public static LogTailingRelay create(DataSource dataSource, String replicationUrl, Properties replicationProperties,
            OutboxEventPublisher publisher, LogTailingRelayConfig config) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(replicationUrl, "replicationUrl");
        return create(ConnectionSource.of(dataSource, replicationUrl, replicationProperties), publisher, config);
    }

    /**
     * Returns a relay with the {@linkplain LogTailingRelayConfig#defaults() default settings}; see
     * {@link #create(String, Properties, OutboxEventPublisher, LogTailingRelayConfig)}.
     *
     * @throws NullPointerException when {@code jdbcUrl} or {@code publisher} is null
     */
    public static LogTailingRelay create(String jdbcUrl, Properties properties, OutboxEventPublisher publisher) {
        return create(jdbcUrl, properties, publisher, LogTailingRelayConfig.defaults());
    }

    /**
     * Returns a relay that opens every connection with
     * {@code DriverManager.getConnection(jdbcUrl, properties)} (user, password, ssl ...); the
     * replication properties are added for the streaming connection. Nothing connects until
     * {@link #start()}.
     *
     * @param jdbcUrl    a {@code jdbc:postgresql://} URL
     * @param properties connection properties, may be null; copied
     * @throws NullPointerException when {@code jdbcUrl}, {@code publisher} or {@code config} is null
     * @throws IllegalArgumentException when {@code jdbcUrl} is not a {@code jdbc:postgresql:} URL, or
     *         {@code config.publishTimeout()} is shorter than the publisher's
     *         {@link OutboxEventPublisher#maxPublishDuration()}
     */
    public static LogTailingRelay create(String jdbcUrl, Properties properties, OutboxEventPublisher publisher,
            LogTailingRelayConfig config) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        return create(ConnectionSource.of(jdbcUrl, properties), publisher, config);
    }

    private static LogTailingRelay create(ConnectionSource connections, OutboxEventPublisher publisher,
            LogTailingRelayConfig config) {
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(config, "config");
        DeliveryPolicy.requireCovers("publishTimeout", config.publishTimeout(), publisher);
        return new LogTailingRelay(new RelaySettings(connections, publisher, config,
                new SafeRelayListener(config.listener())));
    }

    /**
     * Prepares the database and starts competing for leadership in the background. Checks that
     * {@code wal_level} is {@code logical} and creates the publication (inserts only, on the
     * outbox table only) and the slot ({@code pgoutput}) unless they exist. Returns at once; the
     * leader starts streaming within moments, a standby waits. Calling it while running does
     * nothing; after {@link #stop()} it starts again.
     *
     * @throws ReplicationSetupException when {@code wal_level} is not {@code logical}, the database
     *         cannot be reached, the outbox table is missing, or the publication covers other tables
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the relay is closed");
        }
        if (thread != null) {
            return;
        }
        prepare();
        state.running(true);
        thread = new Thread(new LeaderLoop(settings, state), "outbox-log-relay-" + config.slotName());
        thread.setDaemon(true);
        thread.start();
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "outbox-log-relay-maintenance-" + config.slotName());
            t.setDaemon(true);
            return t;
        });
        long period = config.heartbeatInterval().toMillis();
        maintenance.scheduleWithFixedDelay(new Maintenance(settings, state), period, period, TimeUnit.MILLISECONDS);
        LOG.info("Log-tailing relay started: slot {}, publication {}, table {}, mode {}", config.slotName(),
                config.publicationName(), config.table(), config.mode());
    }

    /**
     * Stops streaming and gives up leadership: waits up to the
     * {@link LogTailingRelayConfig#stopTimeout() stop timeout} for the batch in flight, confirms what the broker
     * acknowledged, closes the connections. Unconfirmed events are sent again by the next leader.
     * Does nothing when not running.
     */
    public synchronized void stop() {
        if (thread == null) {
            return;
        }
        state.running(false);
        maintenance.shutdownNow();
        try {
            thread.join(config.stopTimeout().toMillis() + 10_000);
            maintenance.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Log-tailing relay thread did not stop in time");
        }
        thread = null;
        maintenance = null;
        LOG.info("Log-tailing relay stopped: slot {}", config.slotName());
    }

    /** Stops the relay for good (see {@link #stop()}); the slot and the publisher stay. Idempotent. */
    @Override
    public synchronized void close() {
        stop();
        closed = true;
    }

    /** Returns whether this instance currently holds the slot's leader lock and streams. */
    public boolean isLeader() {
        return state.leader();
    }

    /** Returns whether {@link #start()} was called and {@link #stop()} not yet. */
    public synchronized boolean isRunning() {
        return thread != null;
    }

    /**
     * Measures the slot's lag now (one query on a new plain connection): retained WAL in bytes,
     * and, on the leader, the age of the oldest transaction not yet acknowledged. Meant for health
     * checks and metrics; works on any instance and before {@link #start()}.
     *
     * @throws OutboxException when the database cannot be queried
     */
    public ReplicationLag lag() {
        try (Connection connection = settings.connections().plain()) {
            return SlotAdmin.lag(connection, config.slotName(), state.leader() ? state.age() : Duration.ZERO);
        } catch (SQLException e) {
            throw new OutboxException("cannot measure the lag of replication slot " + config.slotName(), e);
        }
    }

    /**
     * Sends dead-lettered events again: in one transaction, replaces each given dead row of the
     * outbox table by a fresh pending insert (same id and content, original order), which the
     * relay reads from the log like a new event; in {@link TableMode#LOG_ONLY} the row is deleted
     * again in the same transaction. outbox-jdbc's {@code PostgresOutboxStore.requeueDeadLetters}
     * works too, differently: it makes the row pending and due now, which the log never carries,
     * and the leader finds it as a parked row within a heartbeat interval. Works on any instance,
     * running or not.
     *
     * @param ids event ids of dead rows; ids of rows that are not dead are ignored
     * @return how many events were requeued
     * @throws OutboxException when the SQL fails; then nothing is requeued
     */
    public int requeueDeadLetters(java.util.Collection<java.util.UUID> ids) {
        Objects.requireNonNull(ids, "ids");
        try (Connection connection = settings.connections().plain()) {
            return new LeaderStoreWriter(config.table()).requeue(connection, ids, config.mode());
        } catch (SQLException e) {
            throw new OutboxException("cannot requeue " + ids.size() + " dead letters of " + config.table(), e);
        }
    }

    /** Returns the slot name this relay reads. */
    public String slotName() {
        return config.slotName();
    }

    /** Returns this relay's settings. */
    public LogTailingRelayConfig config() {
        return config;
    }

    /**
     * Drops the replication slot and the publication if they exist. Stop every relay on the slot
     * first; the equivalent SQL is
     * {@code SELECT pg_drop_replication_slot('<slot>'); DROP PUBLICATION IF EXISTS <publication>;}.
     *
     * @return whether the slot existed
     * @throws IllegalStateException when a relay still streams from the slot
     * @throws OutboxException when the SQL fails
     * @throws IllegalArgumentException when a name is not a lower-case identifier
     */
    public static boolean dropSlot(DataSource dataSource, String slotName, String publicationName) {
        Objects.requireNonNull(dataSource, "dataSource");
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return SlotAdmin.drop(connection, SlotAdmin.requireName("slotName", slotName),
                    SlotAdmin.requireName("publicationName", publicationName));
        } catch (SQLException e) {
            throw new OutboxException("cannot drop replication slot " + slotName, e);
        }
    }

    /**
     * Drops the replication slot and the publication if they exist, connecting with
     * {@code DriverManager}; see {@link #dropSlot(DataSource, String, String)}.
     *
     * @return whether the slot existed
     * @throws IllegalStateException when a relay still streams from the slot
     * @throws OutboxException when the SQL fails
     */
    public static boolean dropSlot(String jdbcUrl, Properties properties, String slotName, String publicationName) {
        try (Connection connection = ConnectionSource.of(jdbcUrl, properties).plain()) {
            return SlotAdmin.drop(connection, SlotAdmin.requireName("slotName", slotName),
                    SlotAdmin.requireName("publicationName", publicationName));
        } catch (SQLException e) {
            throw new OutboxException("cannot drop replication slot " + slotName, e);
        }
    }

    private void prepare() {
        try (Connection connection = settings.connections().plain()) {
            SlotAdmin.requireLogicalWal(connection);
            SlotAdmin.ensurePublication(connection, config.publicationName(), config.table());
            SlotAdmin.ensureSlot(connection, config.slotName());
        } catch (SQLException e) {
            throw new ReplicationSetupException("cannot prepare logical replication of " + config.table()
                    + " (publication " + config.publicationName() + ", slot " + config.slotName() + "): "
                    + e.getMessage(), e);
        }
    }
}

package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxException;
import dev.outbox.core.relay.BackoffPolicy;
import dev.outbox.core.relay.RelayDefaults;
import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.jdbc.OutboxTable;
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
 * LogTailingRelay relay = LogTailingRelay.builder(dataSource, kafkaPublisher)
 *         .table(OutboxTable.DEFAULT)
 *         .slotName("outbox_slot")
 *         .publicationName("outbox_pub")
 *         .mode(TableMode.LOG_ONLY)          // writers append through LogOnlyOutbox
 *         .build();
 * relay.start();                             // checks wal_level, creates publication and slot
 * ...
 * relay.close();
 * }</pre>
 *
 * <p>How it works: every instance competes for a session-level advisory lock derived from the
 * slot name ({@code pg_try_advisory_lock}) on a dedicated connection; the holder streams, the
 * others retry every {@link Builder#standbyRetryInterval standby retry interval} and take over
 * when the leader's connection closes, or, when the leader went silent without closing it (its
 * host dropped off the network), once it has been silent for {@link Builder#leaderTimeout
 * leaderTimeout}: the standby then ends the old leader's sessions ({@code pg_terminate_backend}),
 * after the old leader, unable to renew its lease, has stopped by itself. The leader groups whole transactions into batches of
 * about {@link Builder#batchSize batchSize} events (or what arrived within
 * {@link Builder#maxBatchDelay maxBatchDelay}), publishes one batch at a time while reading the
 * next, and decides each event's fate with the same {@link DeliveryPolicy} as the polling relay:
 * events the broker could not take ({@code UNAVAILABLE}, a call that failed or overran
 * {@link Builder#publishTimeout publishTimeout}) and events held back behind a failed predecessor
 * are sent again without counting an attempt, so an outage of any length dead-letters nothing;
 * an event's own failures count, and after {@link Builder#maxAttempts maxAttempts} (or at once
 * when permanent) it is dead-lettered (rows with {@code status = 'dead'} in the outbox table,
 * visible through outbox-jdbc's store). An event that failed on its own and may still succeed is
 * <em>parked</em>: kept in the outbox table as a pending row due at its next attempt (the polling
 * relay's retry marker, {@code next_attempt_at > '-infinity'}), and the aggregate's later events
 * from the stream are parked behind it, so only that aggregate waits; the leader delivers parked
 * rows in {@code seq} order with the same policy and backoff, and a new leader reads them from the
 * table before it publishes. It never advances past an event still to be sent (parked events are
 * not), and then confirms the last transaction's end LSN. Defaults shared with the polling relay come from
 * {@link RelayDefaults}. A heartbeat
 * ({@code pg_logical_emit_message}) and confirming keepalive positions while idle keep an idle
 * slot from pinning WAL.
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
    private final RelayState state = new RelayState();
    private Thread thread;
    private ScheduledExecutorService maintenance;
    private boolean closed;

    private LogTailingRelay(RelaySettings settings) {
        this.settings = settings;
    }

    /**
     * Returns a builder for a relay whose plain connections come from {@code dataSource} (a pool is
     * fine; the relay holds one connection while it stands by, two while it leads, and borrows one
     * per heartbeat; it releases its advisory locks before it gives a connection back). The
     * replication connection cannot come from a pool; its URL and credentials are taken from, in
     * this order: {@link Builder#replicationConnection}, a pgjdbc data source's settings (such as
     * {@code PGSimpleDataSource}), a pool exposing {@code getJdbcUrl()}/{@code getUsername()}/
     * {@code getPassword()} (HikariCP), or a plain connection's metadata (URL and user only: enough
     * for trust, peer or {@code .pgpass} authentication).
     *
     * @throws NullPointerException when an argument is null
     */
    public static Builder builder(DataSource dataSource, OutboxEventPublisher publisher) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null, null,
                Objects.requireNonNull(publisher, "publisher"));
    }

    /**
     * Returns a builder for a relay that opens every connection with
     * {@code DriverManager.getConnection(jdbcUrl, properties)} (user, password, ssl ...); the
     * replication properties are added for the streaming connection.
     *
     * @param jdbcUrl    a {@code jdbc:postgresql://} URL
     * @param properties connection properties, may be null; copied
     * @throws NullPointerException when {@code jdbcUrl} or {@code publisher} is null
     */
    public static Builder builder(String jdbcUrl, Properties properties, OutboxEventPublisher publisher) {
        return new Builder(null, Objects.requireNonNull(jdbcUrl, "jdbcUrl"), properties,
                Objects.requireNonNull(publisher, "publisher"));
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
        prepare(settings);
        state.running(true);
        thread = new Thread(new LeaderLoop(settings, state), "outbox-log-relay-" + settings.slotName());
        thread.setDaemon(true);
        thread.start();
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "outbox-log-relay-maintenance-" + settings.slotName());
            t.setDaemon(true);
            return t;
        });
        long period = settings.heartbeatInterval().toMillis();
        maintenance.scheduleWithFixedDelay(new Maintenance(settings, state), period, period, TimeUnit.MILLISECONDS);
        LOG.info("Log-tailing relay started: slot {}, publication {}, table {}, mode {}", settings.slotName(),
                settings.publicationName(), settings.table(), settings.mode());
    }

    /**
     * Stops streaming and gives up leadership: waits up to the
     * {@link Builder#stopTimeout stop timeout} for the batch in flight, confirms what the broker
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
            thread.join(settings.stopTimeout().toMillis() + 10_000);
            maintenance.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Log-tailing relay thread did not stop in time");
        }
        thread = null;
        maintenance = null;
        LOG.info("Log-tailing relay stopped: slot {}", settings.slotName());
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
            return SlotAdmin.lag(connection, settings.slotName(), state.leader() ? state.age() : Duration.ZERO);
        } catch (SQLException e) {
            throw new OutboxException("cannot measure the lag of replication slot " + settings.slotName(), e);
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
            return new LeaderStoreWriter(settings.table()).requeue(connection, ids, settings.mode());
        } catch (SQLException e) {
            throw new OutboxException("cannot requeue " + ids.size() + " dead letters of " + settings.table(), e);
        }
    }

    /** Returns the slot name this relay reads. */
    public String slotName() {
        return settings.slotName();
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

    private static void prepare(RelaySettings settings) {
        try (Connection connection = settings.connections().plain()) {
            SlotAdmin.requireLogicalWal(connection);
            SlotAdmin.ensurePublication(connection, settings.publicationName(), settings.table());
            SlotAdmin.ensureSlot(connection, settings.slotName());
        } catch (SQLException e) {
            throw new ReplicationSetupException("cannot prepare logical replication of " + settings.table()
                    + " (publication " + settings.publicationName() + ", slot " + settings.slotName() + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Configures a {@link LogTailingRelay}. Every setting has a default that works; setters
     * validate at once and name the setting in their {@link IllegalArgumentException}. Not
     * thread-safe; use it from one thread.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private String jdbcUrl;
        private Properties properties;
        private final OutboxEventPublisher publisher;
        private OutboxTable table = OutboxTable.DEFAULT;
        private String slotName = "outbox_slot";
        private String publicationName = "outbox_pub";
        private TableMode mode = TableMode.KEEP_ROWS;
        private int batchSize = 500;
        private Duration maxBatchDelay = Duration.ofMillis(5);
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private Duration standbyRetryInterval = Duration.ofSeconds(2);
        private Duration statusInterval = Duration.ofSeconds(1);
        private Duration leaderTimeout = Duration.ofSeconds(30);
        private BackoffPolicy backoff = RelayDefaults.backoff();
        private BackoffPolicy outageBackoff = RelayDefaults.outageBackoff();
        private Duration publishTimeout = RelayDefaults.PUBLISH_TIMEOUT;
        private int maxAttempts = RelayDefaults.MAX_ATTEMPTS;
        private Duration retention = RelayDefaults.RETENTION;
        private int purgeBatchSize = 5_000;
        private Duration stopTimeout = Duration.ofSeconds(30);
        private LogTailingRelayListener listener = LogTailingRelayListener.NONE;

        private Builder(DataSource dataSource, String jdbcUrl, Properties properties, OutboxEventPublisher publisher) {
            this.dataSource = dataSource;
            this.jdbcUrl = jdbcUrl;
            this.properties = properties;
            this.publisher = publisher;
        }

        /** Sets the outbox table; default {@link OutboxTable#DEFAULT} ({@code public.outbox_event}). */
        public Builder table(OutboxTable table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /**
         * Sets the replication slot's name; default {@code outbox_slot}. One active reader per slot
         * among all instances; give each relay (table, environment) its own slot.
         *
         * @throws IllegalArgumentException when not a lower-case identifier of at most 63 characters
         */
        public Builder slotName(String slotName) {
            this.slotName = SlotAdmin.requireName("slotName", slotName);
            return this;
        }

        /**
         * Sets the publication's name; default {@code outbox_pub}.
         *
         * @throws IllegalArgumentException when not a lower-case identifier of at most 63 characters
         */
        public Builder publicationName(String publicationName) {
            this.publicationName = SlotAdmin.requireName("publicationName", publicationName);
            return this;
        }

        /** Sets the table mode; default {@link TableMode#KEEP_ROWS}, which works with any writer. */
        public Builder mode(TableMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets how many events make a batch worth publishing at once; default 500. A batch holds
         * whole transactions, so one large transaction can exceed it.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Sets how long a smaller batch waits for more transactions before it is published;
         * default 5 ms.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder maxBatchDelay(Duration maxBatchDelay) {
            this.maxBatchDelay = requireNotNegative("maxBatchDelay", maxBatchDelay);
            return this;
        }

        /**
         * Sets the heartbeat interval: how often the leader emits a heartbeat message, samples the
         * lag for the listener, checks its lock connection, re-reads the parked rows of the outbox
         * table (to find rows requeued by others) and (in {@link TableMode#KEEP_ROWS}) purges;
         * default 10 s.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = requirePositive("heartbeatInterval", heartbeatInterval);
            return this;
        }

        /**
         * Sets how often a standby tries to take the leader lock, and how long the relay waits
         * after a failed session; default 2 s.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder standbyRetryInterval(Duration standbyRetryInterval) {
            this.standbyRetryInterval = requirePositive("standbyRetryInterval", standbyRetryInterval);
            return this;
        }

        /**
         * Sets how often a status update is sent to the server when nothing else is; default 1 s.
         * Besides keeping the server's {@code wal_sender_timeout} (60 s by default) at bay, the
         * update is how an idle leader notices a dead replication connection (a database restart):
         * the driver's non-blocking read does not report a closed socket, a write does.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder statusInterval(Duration statusInterval) {
            this.statusInterval = requirePositive("statusInterval", statusInterval);
            return this;
        }

        /**
         * Sets how long a leader may be silent before a standby replaces it; default 30 s. Bounds the
         * fail-over when the leader's host drops off the network without closing its connections
         * (otherwise the server's TCP keepalive decides, about two hours on Linux defaults): a standby
         * takes over between {@code leaderTimeout * 5/6} and {@code leaderTimeout} plus
         * {@link #standbyRetryInterval} after the leader vanished.
         *
         * <p>How: the leader renews a lease every {@code leaderTimeout / 6} with one query on its
         * lock connection; when it cannot for {@code leaderTimeout / 2} it stops publishing, cuts its
         * work and replication connections (so it confirms and marks nothing more) and stands by. A
         * standby that finds the lock session idle for longer than {@code leaderTimeout} (by the
         * server's clock) ends the leader's sessions (lock, work, walsender) with
         * {@code pg_terminate_backend} and takes over. That needs the same role as the leader, or
         * {@code pg_read_all_stats} and {@code pg_signal_backend} (never for a superuser's
         * sessions); without, the standby logs why and waits, and the server drops the session
         * itself through TCP keepalives the leader sets to about {@code leaderTimeout}
         * ({@code tcp_keepalives_*}, {@code tcp_user_timeout}; not on Unix-domain sockets), the slot
         * once {@code wal_sender_timeout} (60 s by default) ends the old walsender.
         *
         * <p>Shorter values fail over faster but turn a database stall of {@code leaderTimeout / 2}
         * into a change of leader (duplicates, never loss); keep it above 10 s in production.
         *
         * @throws IllegalArgumentException when shorter than one second
         */
        public Builder leaderTimeout(Duration leaderTimeout) {
            Objects.requireNonNull(leaderTimeout, "leaderTimeout");
            if (leaderTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("leaderTimeout must be at least 1 s (the leader renews its lease "
                        + "every leaderTimeout/6 and stands down after leaderTimeout/2 without one), got "
                        + leaderTimeout);
            }
            this.leaderTimeout = leaderTimeout;
            return this;
        }

        /**
         * Sets the backoff before sending an event again after its own failure (it waits parked in
         * the outbox table meanwhile); default
         * {@link RelayDefaults#backoff()} ({@link BackoffPolicy#defaults()}: 1 s doubling up to
         * 5 min, jitter 0.2), as the polling relay's.
         */
        public Builder backoff(BackoffPolicy backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * Sets the backoff before sending a batch again after the broker could not take it at all
         * ({@code UNAVAILABLE}); the {@code n}-th such round in a row waits {@code delay(n)};
         * default {@link RelayDefaults#outageBackoff()} (500 ms doubling up to 30 s), as the
         * polling relay's.
         */
        public Builder outageBackoff(BackoffPolicy outageBackoff) {
            this.outageBackoff = Objects.requireNonNull(outageBackoff, "outageBackoff");
            return this;
        }

        /**
         * Sets how long the relay waits for one publish call, timed from the call, before every
         * event of the batch is {@code UNAVAILABLE} and sent again without counting an attempt;
         * default {@link RelayDefaults#PUBLISH_TIMEOUT} (60 s). Must be at least the publisher's
         * {@link OutboxEventPublisher#maxPublishDuration()}, checked by {@link #build()}.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder publishTimeout(Duration publishTimeout) {
            this.publishTimeout = requirePositive("publishTimeout", publishTimeout);
            return this;
        }

        /**
         * Sets after how many counted failures (the event's own, see
         * {@link dev.outbox.core.spi.PublishOutcome.Status}) an event is dead-lettered; default
         * {@link RelayDefaults#MAX_ATTEMPTS} (10), as the polling relay's. Broker outages and events
         * held back behind a failed predecessor count none, so an outage of any length dead-letters
         * nothing. Between its own failures an event is parked in the outbox table, so it holds up
         * only its aggregate, never the others or the WAL.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be positive, got " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Sets how long published rows are kept in {@link TableMode#KEEP_ROWS}; default
         * {@link RelayDefaults#RETENTION} (zero: purged at the next heartbeat), as outbox-jdbc's store.
         * Ignored in {@link TableMode#LOG_ONLY}.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder retention(Duration retention) {
            this.retention = requireNotNegative("retention", retention);
            return this;
        }

        /**
         * Sets the most rows one purge statement deletes; default 5000. Each heartbeat repeats it
         * up to 20 times while rows remain.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder purgeBatchSize(int purgeBatchSize) {
            if (purgeBatchSize < 1) {
                throw new IllegalArgumentException("purgeBatchSize must be positive, got " + purgeBatchSize);
            }
            this.purgeBatchSize = purgeBatchSize;
            return this;
        }

        /**
         * Sets how long {@link LogTailingRelay#stop()} waits for the batch in flight; default 30 s.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = requireNotNegative("stopTimeout", stopTimeout);
            return this;
        }

        /** Sets the listener for metrics and health; default none. */
        public Builder listener(LogTailingRelayListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets the URL and properties (user, password, ssl ...) of the replication connection;
         * default: derived from the data source (see {@link LogTailingRelay#builder(DataSource,
         * OutboxEventPublisher)}).
         *
         * @param properties may be null; copied
         * @throws IllegalArgumentException at {@link #build()} when not a {@code jdbc:postgresql:} URL
         */
        public Builder replicationConnection(String jdbcUrl, Properties properties) {
            this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            this.properties = properties;
            return this;
        }

        /**
         * Builds the relay; nothing connects until {@link LogTailingRelay#start()}.
         *
         * @throws IllegalArgumentException when a JDBC URL given is not a PostgreSQL one, or when
         *         publishTimeout is shorter than the publisher's
         *         {@link OutboxEventPublisher#maxPublishDuration()}
         */
        public LogTailingRelay build() {
            DeliveryPolicy.requireCovers("publishTimeout", publishTimeout, publisher);
            ConnectionSource connections = dataSource != null
                    ? ConnectionSource.of(dataSource, jdbcUrl, properties)
                    : ConnectionSource.of(jdbcUrl, properties);
            return new LogTailingRelay(new RelaySettings(connections, publisher, table, slotName, publicationName, mode,
                    batchSize, maxBatchDelay, heartbeatInterval, standbyRetryInterval, statusInterval, leaderTimeout,
                    backoff, outageBackoff, publishTimeout, maxAttempts, retention, purgeBatchSize, stopTimeout,
                    new SafeRelayListener(listener)));
        }

        private static Duration requirePositive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }

        private static Duration requireNotNegative(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, got " + value);
            }
            return value;
        }
    }
}

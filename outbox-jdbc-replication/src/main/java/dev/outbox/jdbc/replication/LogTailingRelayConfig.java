package dev.outbox.jdbc.replication;

import dev.outbox.core.internal.Checks;
import dev.outbox.core.relay.BackoffPolicy;
import dev.outbox.core.relay.RelayDefaults;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.jdbc.OutboxTable;
import java.time.Duration;

/**
 * The settings of a {@link LogTailingRelay}, validated once when built. Build them with
 * {@link #builder()} (or take {@link #defaults()}) and hand them to
 * {@link LogTailingRelay#create(javax.sql.DataSource, OutboxEventPublisher, LogTailingRelayConfig)}
 * or one of its siblings; the connections are not settings and are given to {@code create}.
 *
 * <p>Each setting's default is stated on its {@link Builder} setter; the defaults the log-tailing
 * relay shares with the polling relay (batch size, max attempts, backoff, outage backoff, publish
 * timeout, stop timeout, retention) come from {@link RelayDefaults}. The settings table is in
 * outbox-jdbc-replication's README.
 *
 * <p>Immutable and thread-safe.
 *
 * @param table                the outbox table
 * @param slotName             the replication slot's name
 * @param publicationName      the publication's name
 * @param mode                 what happens to the outbox rows
 * @param batchSize            events that make a batch worth publishing
 * @param maxBatchDelay        how long a smaller batch waits for more
 * @param heartbeatInterval    the leader's maintenance period
 * @param standbyRetryInterval how often a standby tries the leader lock
 * @param statusInterval       how often a status update goes to the server
 * @param leaderTimeout        how long a leader may be silent before a standby replaces it
 * @param backoff              retry delays after an event's own failure
 * @param outageBackoff        pauses after batches the broker could not take
 * @param publishTimeout       bound on waiting for one publish call
 * @param maxAttempts          counted failures before dead-lettering
 * @param retention            how long published rows are kept ({@link TableMode#KEEP_ROWS})
 * @param purgeBatchSize       most rows one purge statement deletes
 * @param stopTimeout          bound on waiting for the batch in flight on stop
 * @param listener             the observer
 */
public record LogTailingRelayConfig(
        OutboxTable table,
        String slotName,
        String publicationName,
        TableMode mode,
        int batchSize,
        Duration maxBatchDelay,
        Duration heartbeatInterval,
        Duration standbyRetryInterval,
        Duration statusInterval,
        Duration leaderTimeout,
        BackoffPolicy backoff,
        BackoffPolicy outageBackoff,
        Duration publishTimeout,
        int maxAttempts,
        Duration retention,
        int purgeBatchSize,
        Duration stopTimeout,
        LogTailingRelayListener listener) {

    /** The shortest {@link #leaderTimeout()} accepted: 1 s. */
    public static final Duration MIN_LEADER_TIMEOUT = Duration.ofSeconds(1);

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the invalid setting
     * @throws NullPointerException naming the missing setting
     */
    public LogTailingRelayConfig {
        Checks.notNull(table, "table");
        SlotAdmin.requireName("slotName", slotName);
        SlotAdmin.requireName("publicationName", publicationName);
        Checks.notNull(mode, "mode");
        Checks.atLeast(batchSize, 1, "batchSize");
        Checks.notNegative(maxBatchDelay, "maxBatchDelay");
        Checks.positive(heartbeatInterval, "heartbeatInterval");
        Checks.positive(standbyRetryInterval, "standbyRetryInterval");
        Checks.positive(statusInterval, "statusInterval");
        Checks.notNull(leaderTimeout, "leaderTimeout");
        if (leaderTimeout.compareTo(MIN_LEADER_TIMEOUT) < 0) {
            throw new IllegalArgumentException("leaderTimeout must be at least 1 s (the leader renews its lease "
                    + "every leaderTimeout/6 and stands down after leaderTimeout/2 without one), got " + leaderTimeout);
        }
        Checks.notNull(backoff, "backoff");
        Checks.notNull(outageBackoff, "outageBackoff");
        Checks.positive(publishTimeout, "publishTimeout");
        Checks.atLeast(maxAttempts, 1, "maxAttempts");
        Checks.notNegative(retention, "retention");
        Checks.atLeast(purgeBatchSize, 1, "purgeBatchSize");
        Checks.notNegative(stopTimeout, "stopTimeout");
        Checks.notNull(listener, "listener");
    }

    /** Returns the default settings. */
    public static LogTailingRelayConfig defaults() {
        return builder().build();
    }

    /** Returns a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link LogTailingRelayConfig}; not thread-safe. Each setter's javadoc states the
     * default; {@link #build()} validates and names the invalid setting.
     */
    public static final class Builder {
        private OutboxTable table = OutboxTable.DEFAULT;
        private String slotName = "outbox_slot";
        private String publicationName = "outbox_pub";
        private TableMode mode = TableMode.KEEP_ROWS;
        private int batchSize = RelayDefaults.BATCH_SIZE;
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
        private Duration stopTimeout = RelayDefaults.STOP_TIMEOUT;
        private LogTailingRelayListener listener = LogTailingRelayListener.NO_OP;

        private Builder() {
        }

        /** The outbox table; default {@link OutboxTable#DEFAULT} ({@code public.outbox_event}). */
        public Builder table(OutboxTable table) {
            this.table = table;
            return this;
        }

        /**
         * The replication slot's name, a lower-case identifier of at most 63 characters; default
         * {@code outbox_slot}. One active reader per slot among all instances; give each relay
         * (table, environment) its own slot.
         */
        public Builder slotName(String slotName) {
            this.slotName = slotName;
            return this;
        }

        /** The publication's name, a lower-case identifier of at most 63 characters; default {@code outbox_pub}. */
        public Builder publicationName(String publicationName) {
            this.publicationName = publicationName;
            return this;
        }

        /** The table mode; default {@link TableMode#KEEP_ROWS}, which works with any writer. */
        public Builder mode(TableMode mode) {
            this.mode = mode;
            return this;
        }

        /**
         * How many events make a batch worth publishing at once, at least 1; default
         * {@link RelayDefaults#BATCH_SIZE} (500), as the polling relay's. A batch holds whole
         * transactions, so one large transaction can exceed it.
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** How long a smaller batch waits for more transactions before it is published, not negative; default 5 ms. */
        public Builder maxBatchDelay(Duration maxBatchDelay) {
            this.maxBatchDelay = maxBatchDelay;
            return this;
        }

        /**
         * The heartbeat interval, positive: how often the leader emits a heartbeat message, samples
         * the lag for the listener, checks its lock connection, re-reads the parked rows of the outbox
         * table (to find rows requeued by others) and (in {@link TableMode#KEEP_ROWS}) purges;
         * default 10 s.
         */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
            return this;
        }

        /**
         * How often a standby tries to take the leader lock, and how long the relay waits after a
         * failed session, positive; default 2 s.
         */
        public Builder standbyRetryInterval(Duration standbyRetryInterval) {
            this.standbyRetryInterval = standbyRetryInterval;
            return this;
        }

        /**
         * How often a status update is sent to the server when nothing else is, positive; default
         * 1 s. Besides keeping the server's {@code wal_sender_timeout} (60 s by default) at bay, the
         * update is how an idle leader notices a dead replication connection (a database restart):
         * the driver's non-blocking read does not report a closed socket, a write does.
         */
        public Builder statusInterval(Duration statusInterval) {
            this.statusInterval = statusInterval;
            return this;
        }

        /**
         * How long a leader may be silent before a standby replaces it, at least
         * {@link #MIN_LEADER_TIMEOUT} (1 s); default 30 s. Bounds the fail-over when the leader's
         * host drops off the network without closing its connections (otherwise the server's TCP
         * keepalive decides, about two hours on Linux defaults): a standby takes over between
         * {@code leaderTimeout * 5/6} and {@code leaderTimeout} plus {@link #standbyRetryInterval}
         * after the leader vanished.
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
         */
        public Builder leaderTimeout(Duration leaderTimeout) {
            this.leaderTimeout = leaderTimeout;
            return this;
        }

        /**
         * The backoff before sending an event again after its own failure (it waits parked in the
         * outbox table meanwhile); default {@link RelayDefaults#backoff()} ({@link BackoffPolicy#defaults()}:
         * 1 s doubling up to 5 min, jitter 0.2), as the polling relay's.
         */
        public Builder backoff(BackoffPolicy backoff) {
            this.backoff = backoff;
            return this;
        }

        /**
         * The backoff before sending a batch again after the broker could not take it at all
         * ({@code UNAVAILABLE}); the {@code n}-th such round in a row waits {@code delay(n)}; default
         * {@link RelayDefaults#outageBackoff()} (500 ms doubling up to 30 s), as the polling relay's.
         */
        public Builder outageBackoff(BackoffPolicy outageBackoff) {
            this.outageBackoff = outageBackoff;
            return this;
        }

        /**
         * How long the relay waits for one publish call, timed from the call, before every event of
         * the batch is {@code UNAVAILABLE} and sent again without counting an attempt, positive;
         * default {@link RelayDefaults#PUBLISH_TIMEOUT} (60 s). Must be at least the publisher's
         * {@link OutboxEventPublisher#maxPublishDuration()}, checked when the relay is created.
         */
        public Builder publishTimeout(Duration publishTimeout) {
            this.publishTimeout = publishTimeout;
            return this;
        }

        /**
         * After how many counted failures (the event's own, see
         * {@link dev.outbox.core.spi.PublishOutcome.Status}) an event is dead-lettered, at least 1;
         * default {@link RelayDefaults#MAX_ATTEMPTS} (10), as the polling relay's. Broker outages and
         * events held back behind a failed predecessor count none, so an outage of any length
         * dead-letters nothing. Between its own failures an event is parked in the outbox table, so
         * it holds up only its aggregate, never the others or the WAL.
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * How long published rows are kept in {@link TableMode#KEEP_ROWS}, not negative; default
         * {@link RelayDefaults#RETENTION} (zero: purged at the next heartbeat), as outbox-jdbc's
         * store. Ignored in {@link TableMode#LOG_ONLY}.
         */
        public Builder retention(Duration retention) {
            this.retention = retention;
            return this;
        }

        /**
         * The most rows one purge statement deletes, at least 1; default 5000. Each heartbeat
         * repeats it up to 20 times while rows remain.
         */
        public Builder purgeBatchSize(int purgeBatchSize) {
            this.purgeBatchSize = purgeBatchSize;
            return this;
        }

        /**
         * How long {@link LogTailingRelay#stop()} waits for the batch in flight, not negative;
         * default {@link RelayDefaults#STOP_TIMEOUT} (30 s), as the polling relay's.
         */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
            return this;
        }

        /** The observer for metrics and health; default {@link LogTailingRelayListener#NO_OP}. */
        public Builder listener(LogTailingRelayListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * Validates and builds the settings.
         *
         * @throws IllegalArgumentException naming the invalid setting
         * @throws NullPointerException naming the missing setting
         */
        public LogTailingRelayConfig build() {
            return new LogTailingRelayConfig(table, slotName, publicationName, mode, batchSize, maxBatchDelay,
                    heartbeatInterval, standbyRetryInterval, statusInterval, leaderTimeout, backoff, outageBackoff,
                    publishTimeout, maxAttempts, retention, purgeBatchSize, stopTimeout, listener);
        }
    }
}

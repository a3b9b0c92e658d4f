package dev.outbox.jdbc;

import dev.outbox.core.internal.Checks;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.relay.RelayDefaults;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.DeadLetter;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.core.spi.OutboxBacklog;
import dev.outbox.core.spi.OutboxStore;
import dev.outbox.jdbc.internal.OneShotStatements;
import dev.outbox.jdbc.internal.OutboxEventMapper;
import dev.outbox.jdbc.internal.OutboxEventMapper.RowRead;
import dev.outbox.jdbc.internal.OutboxStatements;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link OutboxStore} on PostgreSQL: the table created by {@link OutboxSchema}, read and
 * written by any number of relay instances, in one process or many.
 *
 * <ul>
 *   <li><b>Claims</b> are one {@code UPDATE ... RETURNING} statement that locks rows with
 *       {@code FOR UPDATE SKIP LOCKED} and sets {@code claimed_by}/{@code claimed_until}; a relay
 *       that dies loses its claims when the lease ends.
 *   <li><b>Order per aggregate</b> holds across instances: an event is never claimed while an
 *       earlier event of its aggregate is pending elsewhere (claimed, being claimed, or scheduled
 *       for a retry); see the comment on the claim statement. It relies on append order (the
 *       {@code seq} column) matching commit order within one aggregate. {@link JdbiOutbox} writes events
 *       in the commit's own round trip, which leaves only a sub-millisecond window; applications that
 *       serialize writes to an aggregate (a row lock or version check, as usual) close it entirely.
 *   <li><b>Fenced writes</b>: every outcome write changes only pending rows whose {@code claimed_by} is the
 *       writer, in the same statement, so a relay whose lease ran out cannot change rows another relay claimed.
 *   <li><b>Batches</b>: every write takes its ids as one array parameter, one statement per batch.
 *       Partial indexes on pending rows keep claims fast with millions of published or dead rows.
 *   <li><b>Retention</b>: published rows are deleted at once by default; with
 *       {@link Builder#retention(Duration)} they are kept and {@link #purgePublished}
 *       (or {@link #purgeExpired}) deletes them in bounded batches.
 *   <li><b>Wake-ups</b>: {@link #subscribe} listens on the table's channel, notified by
 *       {@link JdbiOutbox} on commit.
 *   <li><b>Payloads</b>: JSON payloads are returned as {@code payload::text}, the normalized form
 *       PostgreSQL keeps in jsonb, which is exactly what Debezium reads; both relays send identical values.
 * </ul>
 *
 * <p>Every {@link JdbiException} (with its {@code SQLException}) surfaces as a {@link PostgresOutboxException}.
 * Thread-safe; one instance may serve several relays.
 */
public final class PostgresOutboxStore implements OutboxStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresOutboxStore.class);
    private static final int PURGE_BATCH = 10_000;

    private final Jdbi jdbi;
    private final OutboxTable table;
    private final Duration retention;
    private final String channel;
    private final OutboxStatements sql;

    private PostgresOutboxStore(Builder builder) {
        this.jdbi = builder.jdbi;
        this.table = builder.table;
        this.retention = builder.retention;
        this.channel = builder.channel != null ? builder.channel : table.defaultChannel();
        this.sql = new OutboxStatements(table.qualifiedName());
    }

    /** Returns a builder; {@link Builder#jdbi} or {@link Builder#dataSource} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the table this store reads and writes. */
    public OutboxTable table() {
        return table;
    }

    /** Returns the LISTEN/NOTIFY channel {@link #subscribe} listens on. */
    public String notifyChannel() {
        return channel;
    }

    /** Returns how long published rows are kept; zero when they are deleted at once (the default). */
    public Duration retention() {
        return retention;
    }

    @Override
    public List<ClaimedEvent> claim(String claimant, int limit, Instant now, Duration lease) {
        Objects.requireNonNull(claimant, "claimant");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(lease, "lease");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        Checks.positive(lease, "lease");
        return inTransaction("claim", handle -> {
            // Stale statistics (a fresh backlog not analyzed yet) could make a sort of every pending row
            // look cheap; with sorting off the claim always walks the pending index in append order and
            // stops after :limit rows.
            handle.createQuery(OutboxStatements.CLAIM_PLANNER_SETTINGS).mapTo(String.class).one();
            List<RowRead> rows = handle.createQuery(sql.claim).addCustomizer(OneShotStatements.CUSTOMIZER)
                    .bind("now", timestamp(now))
                    .bind("limit", limit)
                    .bind("claimant", claimant)
                    .bind("until", timestamp(now.plus(lease)))
                    .map(CLAIMED_ROW)
                    .list();
            List<RowRead> claimed = new ArrayList<>(rows.size());
            List<RowRead> invalid = new ArrayList<>(0);
            for (RowRead row : rows) {
                if (row.event() != null) {
                    claimed.add(row);
                } else {
                    invalid.add(row);
                }
            }
            if (!invalid.isEmpty()) {
                deadLetterInvalid(handle, claimant, invalid, now);
            }
            claimed.sort(Comparator.comparingLong(RowRead::seq));
            List<ClaimedEvent> events = new ArrayList<>(claimed.size());
            claimed.forEach(row -> events.add(new ClaimedEvent(row.event(), row.attempts())));
            return events;
        });
    }

    @Override
    public int markPublished(String claimant, Collection<UUID> eventIds, Instant now) {
        Objects.requireNonNull(claimant, "claimant");
        Objects.requireNonNull(now, "now");
        if (eventIds.isEmpty()) {
            return 0;
        }
        if (retention.isZero()) {
            return update("markPublished", sql.deletePublished, update -> update
                    .bindArray("ids", UUID.class, eventIds)
                    .bind("claimant", claimant));
        }
        return update("markPublished", sql.markPublished, update -> update
                .bind("now", timestamp(now))
                .bindArray("ids", UUID.class, eventIds)
                .bind("claimant", claimant));
    }

    @Override
    public int reschedule(String claimant, Collection<FailedDelivery> failures) {
        return writeFailures("reschedule", sql.reschedule, claimant, failures);
    }

    @Override
    public int deadLetter(String claimant, Collection<FailedDelivery> failures) {
        return writeFailures("deadLetter", sql.deadLetter, claimant, failures);
    }

    @Override
    public int extendClaims(String claimant, Collection<UUID> eventIds, Instant until) {
        Objects.requireNonNull(claimant, "claimant");
        Objects.requireNonNull(until, "until");
        if (eventIds.isEmpty()) {
            return 0;
        }
        return update("extendClaims", sql.extendClaims, update -> update
                .bind("until", timestamp(until))
                .bindArray("ids", UUID.class, eventIds)
                .bind("claimant", claimant));
    }

    @Override
    public void release(String claimant, Collection<UUID> eventIds) {
        Objects.requireNonNull(claimant, "claimant");
        if (eventIds.isEmpty()) {
            return;
        }
        update("release", sql.release, update -> update
                .bindArray("ids", UUID.class, eventIds)
                .bind("claimant", claimant));
    }

    @Override
    public List<DeadLetter> deadLetters(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        return withHandle("deadLetters", handle -> handle.createQuery(sql.deadLetters)
                .addCustomizer(OneShotStatements.CUSTOMIZER)
                .bind("limit", limit)
                .map((rs, ctx) -> {
                    RowRead read = OutboxEventMapper.read(rs);
                    return new DeadLetter(read.id(), read.aggregateType(), read.aggregateId(), read.type(),
                            read.payloadSize(), read.attempts(), rs.getString("last_error"),
                            rs.getObject("dead_lettered_at", OffsetDateTime.class).toInstant(),
                            Optional.ofNullable(read.event()));
                })
                .list());
    }

    @Override
    public int requeueDeadLetters(Collection<UUID> eventIds, Instant now) {
        Objects.requireNonNull(now, "now");
        if (eventIds.isEmpty()) {
            return 0;
        }
        return update("requeueDeadLetters", sql.requeue, update -> update
                .bind("now", timestamp(now))
                .bindArray("ids", UUID.class, eventIds));
    }

    @Override
    public int deleteDeadLetters(Collection<UUID> eventIds) {
        if (eventIds.isEmpty()) {
            return 0;
        }
        return update("deleteDeadLetters", sql.deleteDeadLetters, update -> update.bindArray("ids", UUID.class, eventIds));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Only rows kept by {@link Builder#retention(Duration)} are affected; with the
     * default retention there are none and this returns 0.
     */
    @Override
    public int purgePublished(Instant publishedBefore, int limit) {
        Objects.requireNonNull(publishedBefore, "publishedBefore");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        if (retention.isZero()) {
            return 0;
        }
        return update("purgePublished", sql.purgePublished, update -> update
                .bind("before", timestamp(publishedBefore))
                .bind("limit", limit));
    }

    /**
     * Deletes every published row older than the retention period at {@code now}, in batches of
     * 10,000 rows (one short transaction each). Call it periodically when retention is on.
     *
     * @return how many rows were deleted
     */
    public long purgeExpired(Instant now) {
        Instant before = now.minus(retention);
        long total = 0;
        int deleted;
        do {
            deleted = purgePublished(before, PURGE_BATCH);
            total += deleted;
        } while (deleted == PURGE_BATCH);
        return total;
    }

    /**
     * Returns how many published events of {@code aggregateType} that occurred at or after {@code occurredSince}
     * the table still keeps (see {@link Builder#retention(Duration)}; with the default retention none).
     *
     * @throws PostgresOutboxException when the database fails
     */
    public long countRetained(String aggregateType, Instant occurredSince) {
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(occurredSince, "occurredSince");
        return withHandle("countRetained", handle -> handle.createQuery(sql.countRetained)
                .bind("type", aggregateType)
                .bind("since", timestamp(occurredSince))
                .mapTo(Long.class)
                .one());
    }

    /**
     * Returns, for a replay, up to {@code limit} published events of {@code aggregateType} that occurred at or
     * after {@code occurredSince} and that the table still keeps, in their original order, after aggregate
     * sequence {@code afterSequence}: each carries its sequence ({@link OutboxEvent#sequence()}), so the last
     * one's is the next page's {@code afterSequence} (start with 0). The rows are not changed; the events
     * carry their original ids, so consumers that deduplicate by id skip them.
     *
     * @throws IllegalArgumentException when {@code limit} is below 1
     * @throws PostgresOutboxException when the database fails, or a kept row is no valid event
     */
    public List<OutboxEvent> retained(String aggregateType, Instant occurredSince, long afterSequence, int limit) {
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(occurredSince, "occurredSince");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        try {
            return withHandle("retained", handle -> handle.createQuery(sql.retained)
                    .bind("type", aggregateType)
                    .bind("since", timestamp(occurredSince))
                    .bind("after", afterSequence)
                    .bind("limit", limit)
                    .map(OutboxEventMapper.INSTANCE)
                    .list());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new PostgresOutboxException("retained: a kept row is no valid event", e);
        }
    }

    @Override
    public OutboxBacklog backlog() {
        return withHandle("backlog", handle -> handle.createQuery(sql.backlog)
                .addCustomizer(OneShotStatements.CUSTOMIZER)
                .map((rs, ctx) -> new OutboxBacklog(rs.getLong(1),
                        Optional.ofNullable(rs.getObject(2, OffsetDateTime.class)).map(OffsetDateTime::toInstant),
                        rs.getLong(3)))
                .one());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Opens one dedicated connection that {@code LISTEN}s on {@link #notifyChannel()}, on a daemon
     * thread; the callback runs on that thread after each notification and after every (re)connect.
     * The connection is re-opened with backoff after a failure such as a database restart.
     */
    @Override
    public Subscription subscribe(Runnable onNewEvents) {
        Objects.requireNonNull(onNewEvents, "onNewEvents");
        return new NotificationListener(jdbi, channel, onNewEvents).start();
    }

    /**
     * Dead-letters rows the claim took that no event can hold, in the claim's transaction, so one such row
     * written by another writer cannot fail every claim (and with it every relay). Logged once each, by id.
     */
    private void deadLetterInvalid(Handle handle, String claimant, List<RowRead> invalid, Instant now) {
        handle.createUpdate(sql.deadLetterInvalid).addCustomizer(OneShotStatements.CUSTOMIZER)
                .bind("now", timestamp(now))
                .bindArray("ids", UUID.class, invalid.stream().map(RowRead::id).toList())
                .bindArray("errors", String.class, invalid.stream().map(RowRead::invalidReason).toList())
                .bind("claimant", claimant)
                .execute();
        for (RowRead row : invalid) {
            LOG.warn("outbox row {} ({}/{}, {} payload bytes) is no valid event; dead-lettered: {}", row.id(),
                    row.aggregateType(), row.aggregateId(), row.payloadSize(), row.invalidReason());
        }
    }

    private int writeFailures(String operation, String statementSql, String claimant, Collection<FailedDelivery> failures) {
        Objects.requireNonNull(claimant, "claimant");
        if (failures.isEmpty()) {
            return 0;
        }
        int n = failures.size();
        UUID[] ids = new UUID[n];
        Integer[] attempts = new Integer[n];
        String[] times = new String[n];
        String[] errors = new String[n];
        int i = 0;
        for (FailedDelivery failure : failures) {
            ids[i] = failure.eventId();
            attempts[i] = failure.attempts();
            times[i] = failure.nextAttemptAt().toString();
            errors[i] = failure.lastError();
            i++;
        }
        return update(operation, statementSql, update -> update
                .bindArray("ids", UUID.class, (Object[]) ids)
                .bindArray("attempts", Integer.class, (Object[]) attempts)
                .bindArray("times", String.class, (Object[]) times)
                .bindArray("errors", String.class, (Object[]) errors)
                .bind("claimant", claimant));
    }

    /** Runs one batch write (a statement PostgreSQL plans for its actual parameters) and returns its update count. */
    private int update(String operation, String statementSql, UnaryOperator<Update> binder) {
        return withHandle(operation, handle ->
                binder.apply(handle.createUpdate(statementSql).addCustomizer(OneShotStatements.CUSTOMIZER)).execute());
    }

    private <T> T withHandle(String operation, HandleCallback<T, RuntimeException> work) {
        try {
            return jdbi.withHandle(work);
        } catch (JdbiException e) {
            throw failure(operation, e);
        }
    }

    private <T> T inTransaction(String operation, HandleCallback<T, RuntimeException> work) {
        try {
            return jdbi.inTransaction(work);
        } catch (JdbiException e) {
            throw failure(operation, e);
        }
    }

    /** The driver's exception as the cause where JDBI wrapped one, as callers inspect its SQL state. */
    private static PostgresOutboxException failure(String operation, JdbiException e) {
        return new PostgresOutboxException(operation, e.getCause() instanceof SQLException sql ? sql : e);
    }

    /** Binds an instant as PostgreSQL's {@code timestamptz}, through the driver's {@link OffsetDateTime} support. */
    private static Argument timestamp(Instant instant) {
        OffsetDateTime value = instant.atOffset(ZoneOffset.UTC);
        return (position, statement, ctx) -> statement.setObject(position, value);
    }

    /** A claimed row, read without failing on one that no event can hold. */
    private static final RowMapper<RowRead> CLAIMED_ROW = OutboxEventMapper.lenient();

    /** Configures a {@link PostgresOutboxStore}; not thread-safe, meant for one use. */
    public static final class Builder {
        private Jdbi jdbi;
        private OutboxTable table = OutboxTable.DEFAULT;
        private Duration retention = RelayDefaults.RETENTION;
        private String channel;

        private Builder() {
        }

        /** Sets the JDBI instance to open connections from (a pooled data source is best). Required, or {@link #dataSource}. */
        public Builder jdbi(Jdbi jdbi) {
            this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
            return this;
        }

        /** Sets the data source to open connections from; same as {@code jdbi(Jdbi.create(dataSource))}. */
        public Builder dataSource(DataSource dataSource) {
            return jdbi(Jdbi.create(Objects.requireNonNull(dataSource, "dataSource")));
        }

        /** Sets the outbox table; default {@link OutboxTable#DEFAULT} ({@code public.outbox_event}). */
        public Builder table(OutboxTable table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /**
         * Keeps published rows for {@code retention} instead of deleting them at once; purge them with
         * {@link PostgresOutboxStore#purgeExpired} or {@link PostgresOutboxStore#purgePublished}.
         * Default {@link Duration#ZERO}: delete on {@code markPublished}.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder retention(Duration retention) {
            this.retention = Checks.notNegative(retention, "retention");
            return this;
        }

        /**
         * Sets the LISTEN/NOTIFY channel, which must match {@link JdbiOutbox}'s; default
         * {@link OutboxTable#defaultChannel()} of the table.
         *
         * @throws IllegalArgumentException when not a lower-case SQL identifier
         */
        public Builder notifyChannel(String channel) {
            this.channel = OutboxTable.requireIdentifier("notifyChannel", channel, 63);
            return this;
        }

        /**
         * Builds the store. It does not create the table: call {@link OutboxSchema#create} first.
         *
         * @throws IllegalStateException when neither jdbi nor dataSource was set
         */
        public PostgresOutboxStore build() {
            if (jdbi == null) {
                throw new IllegalStateException("PostgresOutboxStore needs jdbi(...) or dataSource(...)");
            }
            return new PostgresOutboxStore(this);
        }
    }
}

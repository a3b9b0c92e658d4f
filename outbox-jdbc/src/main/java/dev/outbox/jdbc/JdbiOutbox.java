package dev.outbox.jdbc;

import dev.outbox.jdbc.internal.HeadersJson;
import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.internal.OutboxEventMapper;
import dev.outbox.jdbc.internal.OutboxStatements;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;

/**
 * The append port on PostgreSQL: writes event rows through the current {@link JdbiUnitOfWork}
 * transaction, so they commit or roll back with the business writes.
 *
 * <p>Appended events are buffered in a {@linkplain JdbiUnitOfWork#beforeCommit(Object, java.util.function.Supplier)
 * before-commit hook} of the unit of work and written when it commits: one
 * {@code INSERT} for all events of the transaction (a multi-row insert from arrays when there are
 * several), sent in the same network round trip as the {@code COMMIT} when this outbox's hook runs last.
 * An append so costs no round trip of its own. The insert also calls
 * {@code pg_notify(channel, '')}, which PostgreSQL delivers on commit only, so relays subscribed
 * through {@link PostgresOutboxStore#subscribe} wake up at once. Events keep their order within the
 * transaction.
 *
 * <p><b>Order per aggregate.</b> Relays deliver an aggregate's events in the order of the table's
 * {@code seq} identity column, which the insert assigns; a later insert could still commit first
 * (its transaction's commit waits on something, a deferred constraint, a slow disk), and a relay
 * would then deliver the later commit first. So the insert first takes a transaction-level advisory
 * lock per aggregate, {@code pg_advisory_xact_lock(hashtextextended(aggregatetype || ':' || aggregateid, 0))},
 * in the same statement: a second append for the same aggregate waits until the first has committed
 * or rolled back, and an aggregate's {@code seq} order is its commit order. An append for several
 * aggregates takes each key once, in ascending order. Consequences:
 * <ul>
 *   <li>Appends for one aggregate are serialized from the insert to the commit; appends for different
 *       aggregates do not wait for each other (unless their 64-bit keys collide, which only
 *       serializes them).
 *   <li>Two transactions can deadlock when each holds a lock the other needs after its insert: one
 *       appends for A, the other for B, and each then waits for the other's aggregate or rows (a
 *       second {@code JdbiOutbox} writing in the same transaction, or a deferred constraint checked
 *       at commit: the locks are taken in the commit's own statement, so nothing else waits in
 *       between). PostgreSQL aborts one of them with SQLSTATE {@code 40P01} (deadlock detected),
 *       which surfaces as {@link PostgresOutboxException} after the rollback; retry that unit of
 *       work, as for a serialization failure.
 *   <li>Rows written into the table by other writers keep commit order only if those writers take
 *       the same lock, with the same key expression, in their transaction before the insert.
 * </ul>
 * The row's {@code seq} becomes the event's aggregate sequence when a store reads it back
 * ({@link OutboxEvent#sequence()}): growing with commit order per aggregate, not contiguous.
 *
 * <p>A JSON event ({@code application/json} or a {@code +json} type) is stored in the
 * {@code payload} jsonb column, which PostgreSQL normalizes; anything else in {@code payload_bytes}.
 * Invalid JSON with a JSON content type fails the commit: the whole transaction rolls back and the
 * unit of work throws {@link PostgresOutboxException}.
 *
 * <p>Defaults: table {@link OutboxTable#DEFAULT}, channel {@link OutboxTable#defaultChannel()}.
 * Immutable and thread-safe.
 */
public final class JdbiOutbox implements Outbox {
    /** Bound parameters of one insert: the nine columns written. */
    private static final int COLUMNS = OutboxStatements.APPEND_COLUMNS;
    /** Parameters of the single-event insert: the columns, then aggregate type and id again for the lock key. */
    private static final int ONE_EVENT_PARAMETERS = COLUMNS + 2;

    private final JdbiUnitOfWork unitOfWork;
    /**
     * The four statements a write sends, built once: index {@code (many ? 2 : 0) + (commit ? 1 : 0)}. The same
     * string instance each time lets the driver find its cached statement without hashing and comparing the
     * text again.
     */
    private final String[] statements;
    /** Whether a {@code ; DELETE ...} follows the insert (log-only mode). */
    private final boolean deleteAfterInsert;

    private JdbiOutbox(Builder builder) {
        this.unitOfWork = builder.unitOfWork;
        this.deleteAfterInsert = builder.logOnly;
        this.statements = new OutboxStatements(builder.table.qualifiedName())
                .append(builder.notifications ? builder.channel : null, builder.logOnly);
    }

    /** Creates an outbox appending to {@code public.outbox_event} with notifications on. */
    public static JdbiOutbox create(JdbiUnitOfWork unitOfWork) {
        return builder(unitOfWork).build();
    }

    /** Creates an outbox appending to {@code table} with notifications on its default channel. */
    public static JdbiOutbox create(JdbiUnitOfWork unitOfWork, OutboxTable table) {
        return builder(unitOfWork).table(table).build();
    }

    /** Returns a builder for an outbox writing through {@code unitOfWork}. */
    public static Builder builder(JdbiUnitOfWork unitOfWork) {
        return new Builder(unitOfWork);
    }

    /**
     * Writes {@code events} on {@code handle} now, in the transaction its connection is in, without committing: one
     * insert as a commit of this outbox's unit of work sends, for a framework adapter that runs the transaction itself
     * and buffers the events until right before its own commit (outbox-spring does so for Spring's transactions). The
     * caller owns the transaction and the order per aggregate holds as for {@link #append}; an empty list writes nothing.
     *
     * @throws PostgresOutboxException when the insert fails; the caller's transaction must then roll back
     * @throws IllegalArgumentException when an event carries {@value OutboxEvent#SEQUENCE_HEADER}
     */
    public void writeInTransaction(Handle handle, List<OutboxEvent> events) {
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(events, "events");
        events.forEach(e -> Objects.requireNonNull(e, "events must not contain null").requireNoSequence());
        write(handle, events, false);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The event is buffered in the unit of work and written when it commits (see the class comment);
     * a write failure then surfaces from the unit of work as {@link PostgresOutboxException}, after the
     * rollback.
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work; nothing is written
     * @throws IllegalArgumentException when the event carries {@value OutboxEvent#SEQUENCE_HEADER}, which the
     *     table's {@code seq} column supplies
     */
    @Override
    public void append(OutboxEvent event) {
        Objects.requireNonNull(event, "event").requireNoSequence();
        unitOfWork.beforeCommit(this, PendingAppends::new).events.add(event);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The events are buffered in the unit of work and written when it commits, in one statement with
     * every other event of the transaction. An empty list writes nothing (but still requires a unit of work).
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work; nothing is written
     * @throws IllegalArgumentException when an event carries {@value OutboxEvent#SEQUENCE_HEADER}; nothing is
     *     buffered
     */
    @Override
    public void appendAll(List<OutboxEvent> events) {
        Objects.requireNonNull(events, "events");
        events.forEach(e -> Objects.requireNonNull(e, "events must not contain null").requireNoSequence());
        if (events.isEmpty()) {
            unitOfWork.currentHandle(); // throws outside a unit of work
            return;
        }
        unitOfWork.beforeCommit(this, PendingAppends::new).events.addAll(events);
    }

    /** Writes {@code events} on {@code handle} in one statement, followed by COMMIT in the same round trip when asked. */
    void write(Handle handle, List<OutboxEvent> events, boolean commit) {
        if (events.isEmpty()) {
            return; // JDBI's own commit follows
        }
        String sql = statements[(events.size() == 1 ? 0 : 2) + (commit ? 1 : 0)];
        Connection connection = handle.getConnection();
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            if (events.size() == 1) {
                bindOne(insert, events.get(0));
            } else {
                bindMany(connection, insert, events);
            }
            if (deleteAfterInsert) {
                insert.setArray((events.size() == 1 ? ONE_EVENT_PARAMETERS : COLUMNS) + 1, connection.createArrayOf("text",
                        events.stream().map(e -> e.id().toString()).toArray()));
            }
            insert.execute();
        } catch (SQLException e) {
            throw new PostgresOutboxException(events.size() == 1 ? "append of event " + events.get(0).id()
                    : "append of " + events.size() + " events", e);
        }
    }

    private static void bindOne(PreparedStatement insert, OutboxEvent event) throws SQLException {
        insert.setObject(1, event.id());
        insert.setString(2, event.aggregateType());
        insert.setString(3, event.aggregateId());
        insert.setString(4, event.eventType());
        String json = OutboxEventMapper.jsonPayload(event);
        if (json != null) {
            insert.setString(5, json);
            insert.setNull(6, Types.BINARY);
        } else {
            insert.setNull(5, Types.VARCHAR);
            insert.setBytes(6, event.payload());
        }
        insert.setString(7, event.contentType());
        insert.setString(8, HeadersJson.write(event.headers()));
        insert.setString(9, OutboxEventMapper.timestamptz(event.occurredAt()));
        insert.setString(10, event.aggregateType());
        insert.setString(11, event.aggregateId());
    }

    private static void bindMany(Connection connection, PreparedStatement insert, List<OutboxEvent> events)
            throws SQLException {
        int n = events.size();
        String[][] columns = new String[COLUMNS][n];
        Base64.Encoder base64 = Base64.getEncoder();
        for (int i = 0; i < n; i++) {
            OutboxEvent event = events.get(i);
            columns[0][i] = event.id().toString();
            columns[1][i] = event.aggregateType();
            columns[2][i] = event.aggregateId();
            columns[3][i] = event.eventType();
            String json = OutboxEventMapper.jsonPayload(event);
            columns[4][i] = json;
            columns[5][i] = json == null ? base64.encodeToString(event.payload()) : null;
            columns[6][i] = event.contentType();
            columns[7][i] = HeadersJson.write(event.headers());
            columns[8][i] = OutboxEventMapper.timestamptz(event.occurredAt());
        }
        for (int c = 0; c < columns.length; c++) {
            Array array = connection.createArrayOf("text", columns[c]);
            insert.setArray(c + 1, array);
        }
    }

    /**
     * This outbox's events of one transaction, written by one statement right before the commit; run last, the
     * statement carries the {@code COMMIT} too.
     */
    private final class PendingAppends implements JdbiUnitOfWork.CommitsInSameRoundTrip {
        private final List<OutboxEvent> events = new ArrayList<>(2);

        @Override
        public void run(Handle handle) {
            write(handle, events, false);
        }

        @Override
        public void runAndCommit(Handle handle) {
            write(handle, events, true);
        }
    }

    /** Configures a {@link JdbiOutbox}; not thread-safe, meant for one use. */
    public static final class Builder {
        private final JdbiUnitOfWork unitOfWork;
        private OutboxTable table = OutboxTable.DEFAULT;
        private String channel;
        private boolean notifications = true;
        private boolean logOnly;

        private Builder(JdbiUnitOfWork unitOfWork) {
            this.unitOfWork = Objects.requireNonNull(unitOfWork, "unitOfWork");
        }

        /** Sets the outbox table; default {@link OutboxTable#DEFAULT}. */
        public Builder table(OutboxTable table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /**
         * Sets the LISTEN/NOTIFY channel, which must match the store's; default
         * {@link OutboxTable#defaultChannel()} of the table.
         *
         * @throws IllegalArgumentException when not a lower-case SQL identifier
         */
        public Builder notifyChannel(String channel) {
            this.channel = OutboxTable.requireIdentifier("notifyChannel", channel, 63);
            return this;
        }

        /** Turns the commit notification off or on; default on. Relays then find events by polling alone. */
        public Builder notifications(boolean enabled) {
            this.notifications = enabled;
            return this;
        }

        /**
         * Turns log-only mode on or off; default off. In log-only mode each transaction's rows are
         * deleted again right after their insert, in the same round trip and transaction: the table
         * stays empty and only the write-ahead log carries the events, for the log-tailing relay
         * (outbox-jdbc-replication) or Debezium. The polling relay never sees such events, so the
         * commit notification is turned off too.
         */
        public Builder logOnly(boolean enabled) {
            this.logOnly = enabled;
            return this;
        }

        /** Builds the outbox. */
        public JdbiOutbox build() {
            if (logOnly) {
                notifications = false;
            }
            if (channel == null) {
                channel = table.defaultChannel();
            }
            return new JdbiOutbox(this);
        }
    }
}

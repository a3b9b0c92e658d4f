package dev.outbox.jdbc;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;

/**
 * The append port on PostgreSQL: writes event rows through the current {@link JdbiUnitOfWork}
 * transaction, so they commit or roll back with the business writes.
 *
 * <p>Each append also calls {@code pg_notify(channel, '')} in the same statement; PostgreSQL
 * delivers it on commit only and folds repeats within one transaction into one notification,
 * so relays subscribed through {@link PostgresOutboxStore#subscribe} wake up at once.
 * {@link #appendAll} writes all events with one multi-row {@code INSERT} (one round trip),
 * keeping list order in the append sequence.
 *
 * <p>A JSON event ({@code application/json} or a {@code +json} type) is stored in the
 * {@code payload} jsonb column, which PostgreSQL normalizes; anything else in {@code payload_bytes}.
 * Invalid JSON with a JSON content type fails the append (and so the transaction).
 *
 * <p>Defaults: table {@link OutboxTable#DEFAULT}, channel {@link OutboxTable#defaultChannel()}.
 * Immutable and thread-safe.
 */
public final class JdbiOutbox implements Outbox {
    private final JdbiUnitOfWork unitOfWork;
    private final String insertOne;
    private final String insertMany;

    private JdbiOutbox(Builder builder) {
        this.unitOfWork = builder.unitOfWork;
        String table = builder.table.qualifiedName();
        String columns = "INSERT INTO " + table
                + " (id, aggregatetype, aggregateid, type, payload, payload_bytes, content_type, headers, occurred_at) ";
        String notify = builder.notifications ? " FROM (SELECT pg_notify('" + builder.channel + "', '')) n" : "";
        this.insertOne = columns + "SELECT ?::uuid, ?, ?, ?, ?::jsonb, ?::bytea, ?, ?::jsonb, ?::timestamptz" + notify;
        this.insertMany = columns
                + "SELECT u.id::uuid, u.aggregatetype, u.aggregateid, u.type, u.payload::jsonb, decode(u.payload_bytes, 'base64'), "
                + "u.content_type, u.headers::jsonb, u.occurred_at::timestamptz "
                + "FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) "
                + "WITH ORDINALITY AS u(id, aggregatetype, aggregateid, type, payload, payload_bytes, content_type, headers, "
                + "occurred_at, ord)"
                + (builder.notifications ? " CROSS JOIN (SELECT pg_notify('" + builder.channel + "', '')) n" : "")
                + " ORDER BY u.ord";
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
     * {@inheritDoc}
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work; nothing is written
     * @throws PostgresOutboxException when the insert fails (invalid JSON, duplicate id, ...)
     */
    @Override
    public void append(OutboxEvent event) {
        Objects.requireNonNull(event, "event");
        Handle handle = unitOfWork.currentHandle();
        try (PreparedStatement insert = handle.getConnection().prepareStatement(insertOne)) {
            insert.setObject(1, event.id());
            insert.setString(2, event.aggregateType());
            insert.setString(3, event.aggregateId());
            insert.setString(4, event.eventType());
            String json = EventRows.jsonPayload(event);
            if (json != null) {
                insert.setString(5, json);
                insert.setNull(6, Types.BINARY);
            } else {
                insert.setNull(5, Types.VARCHAR);
                insert.setBytes(6, event.payload());
            }
            insert.setString(7, event.contentType());
            insert.setString(8, HeadersJson.write(event.headers()));
            insert.setObject(9, event.occurredAt().atOffset(ZoneOffset.UTC));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new PostgresOutboxException("append of event " + event.id(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code INSERT} statement for the whole list; an empty list writes nothing (but still
     * requires a unit of work).
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work; nothing is written
     * @throws PostgresOutboxException when the insert fails; then no event of the list is written
     */
    @Override
    public void appendAll(List<OutboxEvent> events) {
        Objects.requireNonNull(events, "events");
        events.forEach(e -> Objects.requireNonNull(e, "events must not contain null"));
        Handle handle = unitOfWork.currentHandle();
        if (events.isEmpty()) {
            return;
        }
        if (events.size() == 1) {
            append(events.get(0));
            return;
        }
        int n = events.size();
        String[][] columns = new String[9][n];
        Base64.Encoder base64 = Base64.getEncoder();
        for (int i = 0; i < n; i++) {
            OutboxEvent event = events.get(i);
            columns[0][i] = event.id().toString();
            columns[1][i] = event.aggregateType();
            columns[2][i] = event.aggregateId();
            columns[3][i] = event.eventType();
            columns[4][i] = EventRows.jsonPayload(event);
            byte[] bytes = EventRows.bytesPayload(event);
            columns[5][i] = bytes == null ? null : base64.encodeToString(bytes);
            columns[6][i] = event.contentType();
            columns[7][i] = HeadersJson.write(event.headers());
            columns[8][i] = event.occurredAt().toString();
        }
        Connection connection = handle.getConnection();
        try (PreparedStatement insert = connection.prepareStatement(insertMany)) {
            for (int c = 0; c < columns.length; c++) {
                Array array = connection.createArrayOf("text", columns[c]);
                insert.setArray(c + 1, array);
            }
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new PostgresOutboxException("append of " + n + " events", e);
        }
    }

    /** Configures a {@link JdbiOutbox}; not thread-safe, meant for one use. */
    public static final class Builder {
        private final JdbiUnitOfWork unitOfWork;
        private OutboxTable table = OutboxTable.DEFAULT;
        private String channel;
        private boolean notifications = true;

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

        /** Builds the outbox. */
        public JdbiOutbox build() {
            if (channel == null) {
                channel = table.defaultChannel();
            }
            return new JdbiOutbox(this);
        }
    }
}

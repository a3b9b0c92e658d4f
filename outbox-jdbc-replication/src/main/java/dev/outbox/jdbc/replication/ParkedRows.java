package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.AggregateKey;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.jdbc.internal.ContentTypes;
import dev.outbox.jdbc.internal.OneShotStatements;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The outbox table's parked rows: events that failed on their own and wait there, out of the
 * replication stream, so that only their aggregate waits for them.
 *
 * <p>A parked row is a {@code pending} row with {@code next_attempt_at > '-infinity'}: the very
 * marker of the polling relay's scheduled retries (and of outbox-jdbc's retry index), so no schema
 * change, and a polling relay, the store's {@code backlog()}, {@code deadLetters()} and
 * {@code requeueDeadLetters()} all read a parked row as what it is, a pending event due at
 * {@code next_attempt_at}. A row written by an appender and not yet confirmed keeps the default
 * {@code '-infinity'}. The head of an aggregate (lowest {@code seq}) is due at its
 * {@code next_attempt_at}; a row parked behind it carries the time it was parked, with its
 * attempts unchanged. In {@link TableMode#LOG_ONLY} parking inserts the row again (with its
 * original {@code seq}); the publication sees that insert and {@link OutboxRowMapper#isPending}
 * skips it by the marker.
 *
 * <p>All writes go over the leader's work connection, which is cut when its lease is lost, so a
 * stale leader changes nothing, like its marks and dead letters. Confined to the session thread.
 */
final class ParkedRows {
    private static final int MAX_ERROR_LENGTH = 2000;
    private static final String PARKED = "status = 'pending' AND next_attempt_at > '-infinity'";

    /** The head of one parked aggregate. */
    record Head(AggregateKey key, Instant due) {
    }

    /** A parked row read back: the event (null when no event can hold the row) and its attempts. */
    record Row(UUID id, OutboxEvent event, int attempts, String invalidReason) {
    }

    private final String park;
    private final String heads;
    private final String due;
    private final String reschedule;
    private final String delete;
    private final String deadInvalid;
    private final Map<AggregateKey, Instant> aggregates = new HashMap<>();

    ParkedRows(OutboxTable table) {
        String name = table.qualifiedName();
        String literal = name.replace("'", "''");
        // An upsert: in KEEP_ROWS the row is there (or still becoming visible: ON CONFLICT waits for its
        // inserting transaction), in LOG_ONLY it was deleted by its writer and comes back with its seq.
        // A row already parked, published or dead is left as it is: a re-sent stream event changes nothing.
        this.park = "INSERT INTO " + name + " AS e (seq, id, aggregatetype, aggregateid, type, payload, payload_bytes, "
                + "content_type, headers, occurred_at, attempts, next_attempt_at, last_error) OVERRIDING SYSTEM VALUE "
                + "VALUES (coalesce(?::bigint, nextval(pg_get_serial_sequence('" + literal + "', 'seq'))), ?::uuid, ?, ?, "
                + "?, ?::jsonb, ?::bytea, ?, ?::jsonb, ?::timestamptz, ?, ?::timestamptz, ?) "
                + "ON CONFLICT (id) DO UPDATE SET attempts = EXCLUDED.attempts, next_attempt_at = EXCLUDED.next_attempt_at, "
                + "last_error = EXCLUDED.last_error, claimed_by = NULL, claimed_until = NULL "
                + "WHERE e.status = 'pending' AND e.next_attempt_at = '-infinity'";
        // One row per aggregate, walking outbox-jdbc's retry index (aggregatetype, aggregateid, seq) WHERE parked.
        this.heads = "SELECT DISTINCT ON (aggregatetype, aggregateid) aggregatetype, aggregateid, next_attempt_at FROM "
                + name + " WHERE " + PARKED + " ORDER BY aggregatetype, aggregateid, seq";
        // The parked rows of the aggregates whose head is due, in seq order: a prefix of each aggregate's rows.
        this.due = "SELECT e.id, e.aggregatetype, e.aggregateid, e.type, e.payload::text AS payload_text, e.payload_bytes, "
                + "e.content_type, e.headers::text AS headers_text, e.occurred_at, e.seq, e.attempts FROM " + name + " e "
                + "WHERE e." + PARKED.replace("AND ", "AND e.") + " AND (e.aggregatetype, e.aggregateid) IN ("
                + "SELECT h.aggregatetype, h.aggregateid FROM (" + heads + ") h WHERE h.next_attempt_at <= ?::timestamptz) "
                + "ORDER BY e.seq LIMIT ?";
        this.reschedule = "UPDATE " + name + " SET attempts = ?, next_attempt_at = ?::timestamptz, last_error = ? "
                + "WHERE id = ?::uuid AND " + PARKED;
        this.delete = "DELETE FROM " + name + " WHERE id = ANY (?) AND " + PARKED;
        this.deadInvalid = "UPDATE " + name + " SET status = 'dead', dead_lettered_at = now(), last_error = ? "
                + "WHERE id = ?::uuid AND " + PARKED;
    }

    /** Returns whether the aggregate of {@code event} has parked rows (as last read or written). */
    boolean holds(OutboxEvent event) {
        return !aggregates.isEmpty() && aggregates.containsKey(AggregateKey.of(event));
    }

    /** Returns how many aggregates have parked rows. */
    int aggregateCount() {
        return aggregates.size();
    }

    /**
     * Parks {@code event}: keeps (or puts) its row in the table, undelivered, with {@code attempts},
     * due at {@code next}, and {@code error}. Returns whether its aggregate had no parked rows before.
     */
    boolean park(Connection connection, OutboxEvent event, int attempts, Instant next, Throwable error)
            throws SQLException {
        Map<String, String> headers = new LinkedHashMap<>(event.headers());
        String seq = headers.remove(OutboxEvent.SEQUENCE_HEADER);
        String json = ContentTypes.isJson(event.contentType()) ? event.payloadAsString() : null;
        try (PreparedStatement insert = OneShotStatements.prepare(connection, park)) {
            insert.setString(1, seq);
            insert.setString(2, event.id().toString());
            insert.setString(3, event.aggregateType());
            insert.setString(4, event.aggregateId());
            insert.setString(5, event.eventType());
            insert.setString(6, json);
            insert.setString(7, json == null ? TextValues.byteaLiteral(event.payload()) : null);
            insert.setString(8, event.contentType());
            insert.setString(9, TextValues.headersJson(headers));
            insert.setString(10, event.occurredAt().toString());
            insert.setInt(11, attempts);
            insert.setString(12, next.toString());
            insert.setString(13, describe(error));
            insert.executeUpdate();
        }
        AggregateKey key = AggregateKey.of(event);
        boolean first = !aggregates.containsKey(key);
        aggregates.merge(key, next, (a, b) -> a);
        return first;
    }

    /**
     * Reads the parked aggregates from the table (the truth: other writers may requeue rows) and
     * returns them with their heads' due times.
     */
    List<Head> load(Connection connection) throws SQLException {
        List<Head> result = new ArrayList<>();
        try (PreparedStatement query = OneShotStatements.prepare(connection, heads);
             ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                result.add(new Head(new AggregateKey(rows.getString(1), rows.getString(2)),
                        rows.getObject(3, OffsetDateTime.class).toInstant()));
            }
        }
        aggregates.clear();
        result.forEach(head -> aggregates.put(head.key(), head.due()));
        return result;
    }

    /** Returns up to {@code limit} parked rows of the aggregates whose head is due at {@code now}, in seq order. */
    List<Row> due(Connection connection, Instant now, int limit) throws SQLException {
        List<Row> result = new ArrayList<>();
        try (PreparedStatement query = OneShotStatements.prepare(connection, due)) {
            query.setString(1, now.toString());
            query.setInt(2, limit);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    result.add(read(rows));
                }
            }
        }
        return result;
    }

    /** After an own failure of a parked row: its attempts, when it is due again, and why. */
    void reschedule(Connection connection, UUID id, int attempts, Instant next, Throwable error) throws SQLException {
        try (PreparedStatement update = OneShotStatements.prepare(connection, reschedule)) {
            update.setInt(1, attempts);
            update.setString(2, next.toString());
            update.setString(3, describe(error));
            update.setString(4, id.toString());
            update.executeUpdate();
        }
    }

    /** Removes delivered parked rows ({@link TableMode#LOG_ONLY}, whose table holds no delivered rows). */
    void delete(Connection connection, Collection<UUID> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement update = OneShotStatements.prepare(connection, delete)) {
            update.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            update.executeUpdate();
        }
    }

    /** Dead-letters a parked row that no event can hold (written around the append port), attempts as they are. */
    void deadLetterInvalid(Connection connection, UUID id, String reason) throws SQLException {
        try (PreparedStatement update = OneShotStatements.prepare(connection, deadInvalid)) {
            update.setString(1, reason);
            update.setString(2, id.toString());
            update.executeUpdate();
        }
    }

    private static Row read(ResultSet rs) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        int attempts = rs.getInt("attempts");
        try {
            String json = rs.getString("payload_text");
            byte[] payload = json != null ? json.getBytes(StandardCharsets.UTF_8) : rs.getBytes("payload_bytes");
            Map<String, String> headers = new LinkedHashMap<>(TextValues.headers(rs.getString("headers_text")));
            headers.put(OutboxEvent.SEQUENCE_HEADER, Long.toString(rs.getLong("seq")));
            OutboxEvent event = new OutboxEvent(id, rs.getString("aggregatetype"), rs.getString("aggregateid"),
                    rs.getString("type"), payload == null ? new byte[0] : payload, rs.getString("content_type"), headers,
                    rs.getObject("occurred_at", OffsetDateTime.class).toInstant());
            return new Row(id, event, attempts, null);
        } catch (RuntimeException e) {
            return new Row(id, null, attempts, describe(e));
        }
    }

    private static String describe(Throwable error) {
        if (error == null) {
            return null;
        }
        String text = error.getClass().getName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
        return text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH) : text;
    }
}

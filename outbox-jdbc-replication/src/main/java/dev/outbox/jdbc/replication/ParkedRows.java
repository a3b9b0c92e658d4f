package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.AggregateKey;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.jdbc.internal.OneShotStatements;
import dev.outbox.jdbc.internal.OutboxEventMapper;
import dev.outbox.jdbc.internal.OutboxEventMapper.RowRead;
import dev.outbox.jdbc.internal.OutboxStatements;
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
import java.util.function.ToIntFunction;
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
 * original {@code seq}); the publication sees that insert and {@link RelationColumns#isPending}
 * skips it by the marker.
 *
 * <p>All writes go over the leader's work connection, which is cut when its lease is lost, so a
 * stale leader changes nothing, like its marks and dead letters. Confined to the session thread.
 */
final class ParkedRows {
    /** The head of one parked aggregate. */
    record Head(AggregateKey key, Instant due) {
    }

    private final String park;
    private final String heads;
    private final String due;
    private final String reschedule;
    private final String delete;
    private final String deadInvalid;
    private final Map<AggregateKey, Instant> aggregates = new HashMap<>();

    ParkedRows(OutboxTable table) {
        OutboxStatements sql = new OutboxStatements(table.qualifiedName());
        this.park = sql.park;
        this.heads = sql.parkedHeads;
        this.due = sql.parkedDue;
        this.reschedule = sql.parkedReschedule;
        this.delete = sql.parkedDelete;
        this.deadInvalid = sql.parkedDeadLetterInvalid;
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
        try (PreparedStatement insert = OneShotStatements.prepare(connection, park)) {
            bind(insert, event, attempts, next, error);
            insert.executeUpdate();
        }
        AggregateKey key = AggregateKey.of(event);
        boolean first = !aggregates.containsKey(key);
        aggregates.merge(key, next, (a, b) -> a);
        return first;
    }

    /**
     * Parks {@code events} of aggregates that already have parked rows, behind those rows, in one
     * batch of statements (one round trip), with their attempts unchanged and the same reason.
     */
    void parkBehind(Connection connection, List<OutboxEvent> events, ToIntFunction<OutboxEvent> attempts,
            Instant next, Throwable reason) throws SQLException {
        try (PreparedStatement insert = OneShotStatements.prepare(connection, park)) {
            for (OutboxEvent event : events) {
                bind(insert, event, attempts.applyAsInt(event), next, reason);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void bind(PreparedStatement insert, OutboxEvent event, int attempts, Instant next, Throwable error)
            throws SQLException {
        Map<String, String> headers = new LinkedHashMap<>(event.headers());
        String seq = headers.remove(OutboxEvent.SEQUENCE_HEADER);
        String json = OutboxEventMapper.jsonPayload(event);
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
    List<RowRead> due(Connection connection, Instant now, int limit) throws SQLException {
        List<RowRead> result = new ArrayList<>();
        try (PreparedStatement query = OneShotStatements.prepare(connection, due)) {
            query.setString(1, now.toString());
            query.setInt(2, limit);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    result.add(OutboxEventMapper.read(rows));
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

    /** The {@code last_error} text: {@link FailedDelivery#describe}, as the polling relay writes; null for none. */
    private static String describe(Throwable error) {
        return error == null ? null : FailedDelivery.describe(error);
    }
}

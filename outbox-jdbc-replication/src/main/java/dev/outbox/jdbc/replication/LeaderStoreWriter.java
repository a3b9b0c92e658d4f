package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.jdbc.internal.OneShotStatements;
import dev.outbox.jdbc.internal.OutboxEventMapper;
import dev.outbox.jdbc.internal.OutboxStatements;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The replication leader's store writer: its writes to the outbox table (statements from outbox-jdbc's
 * {@link OutboxStatements}), all on a plain auto-commit connection:
 * <ul>
 *   <li>dead letters, kept in the outbox table itself as {@code status = 'dead'} rows (an upsert:
 *       in {@link TableMode#LOG_ONLY} the row is gone and is inserted again, in
 *       {@link TableMode#KEEP_ROWS} it is updated). The publication sees the insert, and the
 *       relay skips it because its status is not {@code pending};
 *   <li>in {@link TableMode#KEEP_ROWS}: marking rows published and purging them after retention;
 *   <li>requeueing dead letters as fresh inserts, so the log carries them again.
 * </ul>
 * Parking events that failed on their own is {@link ParkedRows}' job.
 * Immutable; the connection passed in must not be used by another thread at the same time.
 */
final class LeaderStoreWriter {

    /** A row's raw text values, for a row that could not even become an {@link OutboxEvent}. */
    record RawRow(String id, String aggregateType, String aggregateId, String type, String payload,
                  String payloadBytes, String contentType, String headers, String occurredAt) {
    }

    private final String upsertDead;
    private final String markPublished;
    private final String purge;
    private final String requeue;
    private final String deleteRequeued;

    LeaderStoreWriter(OutboxTable table) {
        OutboxStatements sql = new OutboxStatements(table.qualifiedName());
        this.upsertDead = sql.leaderDeadLetter;
        this.markPublished = sql.leaderMarkPublished;
        this.purge = sql.leaderPurge;
        this.requeue = sql.leaderRequeue;
        this.deleteRequeued = sql.leaderDeleteRequeued;
    }

    /**
     * Replaces dead rows by fresh pending inserts (in their original order) so the log carries
     * them again; in {@link TableMode#LOG_ONLY} deletes them again in the same transaction.
     * Returns how many were requeued.
     */
    int requeue(Connection connection, Collection<UUID> ids, TableMode mode) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            Array array = connection.createArrayOf("uuid", ids.toArray());
            int requeued;
            try (PreparedStatement insert = OneShotStatements.prepare(connection, requeue)) {
                insert.setArray(1, array);
                requeued = insert.executeUpdate();
            }
            if (mode == TableMode.LOG_ONLY && requeued > 0) {
                try (PreparedStatement delete = OneShotStatements.prepare(connection, deleteRequeued)) {
                    delete.setArray(1, array);
                    delete.executeUpdate();
                }
            }
            connection.commit();
            return requeued;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    void deadLetter(Connection connection, OutboxEvent event, int attempts, Throwable error) throws SQLException {
        String json = OutboxEventMapper.jsonPayload(event);
        deadLetter(connection, new RawRow(event.id().toString(), event.aggregateType(), event.aggregateId(), event.eventType(),
                json, json == null ? TextValues.byteaLiteral(event.payload()) : null, event.contentType(),
                TextValues.headersJson(event.headers()), event.occurredAt().toString()), attempts, error);
    }

    void deadLetter(Connection connection, RawRow row, int attempts, Throwable error) throws SQLException {
        try (PreparedStatement insert = OneShotStatements.prepare(connection, upsertDead)) {
            insert.setString(1, row.id());
            insert.setString(2, row.aggregateType());
            insert.setString(3, row.aggregateId());
            insert.setString(4, row.type());
            insert.setString(5, row.payload());
            insert.setString(6, row.payloadBytes());
            insert.setString(7, row.contentType());
            insert.setString(8, row.headers());
            insert.setString(9, row.occurredAt());
            insert.setInt(10, attempts);
            insert.setString(11, describe(error));
            insert.executeUpdate();
        }
    }

    /**
     * Marks the pending rows among {@code ids} published and returns the ids it marked. A row is
     * not marked when it is already published or dead, gone (a log-only writer, deleted), or
     * inserted by a transaction not yet visible to this session: {@link PublishedMarks} tells
     * these apart.
     */
    Set<UUID> markPublished(Connection connection, Collection<UUID> ids) throws SQLException {
        Set<UUID> marked = new HashSet<>();
        if (ids.isEmpty()) {
            return marked;
        }
        try (PreparedStatement update = OneShotStatements.prepare(connection, markPublished)) {
            update.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rows = update.executeQuery()) {
                while (rows.next()) {
                    marked.add(rows.getObject(1, UUID.class));
                }
            }
        }
        return marked;
    }

    /** Deletes published rows older than {@code retention}, at most {@code limit}; returns how many. */
    int purge(Connection connection, Duration retention, int limit) throws SQLException {
        try (PreparedStatement delete = OneShotStatements.prepare(connection, purge)) {
            delete.setDouble(1, retention.toMillis() / 1000.0);
            delete.setInt(2, limit);
            return delete.executeUpdate();
        }
    }

    /** The {@code last_error} text: {@link FailedDelivery#describe}, as the polling relay writes; null for none. */
    private static String describe(Throwable error) {
        return error == null ? null : FailedDelivery.describe(error);
    }
}

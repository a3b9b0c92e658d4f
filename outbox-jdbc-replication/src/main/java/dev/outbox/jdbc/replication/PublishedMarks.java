package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.internal.OneShotStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Marks the rows of delivered events published ({@link TableMode#KEEP_ROWS}), completely, before the
 * session confirms the slot past them.
 *
 * <p>Why more than one {@code UPDATE}: logical decoding sends a commit once its WAL is flushed, and the
 * committing backend becomes visible to other sessions only afterwards (normally at once; later behind a
 * synchronous-replication wait or a descheduled backend). A mark in that window updates nothing, and once
 * the slot is confirmed past the event nothing would ever mark it. So a row the {@code UPDATE} missed is
 * classified by its inserting transaction: still in progress for everyone else means wait and try again
 * (bounded: {@link #VISIBILITY_TIMEOUT}, then a failure, so the session ends unconfirmed and the events
 * are sent again); finished means one more {@code UPDATE} marks it if it is there and pending, and
 * otherwise it is already published or dead (a re-send) or gone (a log-only writer, deleted).
 *
 * <p>Immutable; the connection passed in must not be used by another thread at the same time.
 */
final class PublishedMarks {
    /** How long a delivered event's inserting transaction may stay invisible before the session gives up. */
    static final Duration VISIBILITY_TIMEOUT = Duration.ofSeconds(30);
    private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(1).toNanos();
    private static final long MAX_PAUSE_NANOS = Duration.ofMillis(50).toNanos();

    /**
     * The 32-bit xids (as pgoutput sends them) still in progress: each gets the epoch of the next xid,
     * or the one before when its low bits are above the next's, which holds for any recent transaction.
     * txid_* rather than pg_xact_status so that PostgreSQL 10 to 12 work too.
     */
    private static final String IN_PROGRESS = "SELECT x FROM unnest(?::bigint[]) AS x, "
            + "(SELECT txid_snapshot_xmax(txid_current_snapshot()) AS n) AS next "
            + "WHERE txid_status(n - ((n % 4294967296 - x + 4294967296) % 4294967296)) = 'in progress'";

    /** Waits between attempts; may keep the replication stream alive, and throws to give up (the relay stops). */
    @FunctionalInterface
    interface Pause {
        void pause(long nanos) throws SQLException;
    }

    private final LeaderStoreWriter writer;
    private final Duration timeout;

    PublishedMarks(LeaderStoreWriter writer, Duration timeout) {
        this.writer = writer;
        this.timeout = timeout;
    }

    /**
     * Returns once every row of {@code events} is marked published or known not to need it.
     *
     * @param xids each event's inserting transaction, by event id
     * @throws SQLException when the database fails, or an inserting transaction is still invisible after
     *     the timeout (nothing past these events may be confirmed then)
     */
    void mark(Connection connection, List<OutboxEvent> events, Map<UUID, Integer> xids, Pause pause)
            throws SQLException {
        Set<UUID> unmarked = new LinkedHashSet<>();
        events.forEach(event -> unmarked.add(event.id()));
        unmarked.removeAll(writer.markPublished(connection, unmarked));
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseNanos = FIRST_PAUSE_NANOS;
        while (!unmarked.isEmpty()) {
            Set<Integer> running = inProgress(connection, unmarked, xids);
            List<UUID> visible = new ArrayList<>();
            for (UUID id : unmarked) {
                if (!running.contains(xids.get(id))) {
                    visible.add(id);
                }
            }
            // Their transactions are visible now: this marks those that were not yet at the first UPDATE.
            writer.markPublished(connection, visible);
            visible.forEach(unmarked::remove);
            if (unmarked.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new SQLException(unmarked.size() + " delivered outbox event(s), among them " + unmarked.iterator().next()
                        + ", were inserted by transactions still not visible after " + timeout.toSeconds()
                        + " s (a synchronous-replication wait?); the slot is not confirmed past them and they are "
                        + "sent again after reconnecting");
            }
            pause.pause(pauseNanos);
            pauseNanos = Math.min(pauseNanos * 2, MAX_PAUSE_NANOS);
        }
    }

    private static Set<Integer> inProgress(Connection connection, Set<UUID> ids, Map<UUID, Integer> xids)
            throws SQLException {
        Set<Long> distinct = new HashSet<>();
        for (UUID id : ids) {
            distinct.add(Integer.toUnsignedLong(xids.get(id)));
        }
        Set<Integer> running = new HashSet<>();
        try (PreparedStatement query = OneShotStatements.prepare(connection, IN_PROGRESS)) {
            query.setArray(1, connection.createArrayOf("int8", distinct.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    running.add((int) rows.getLong(1));
                }
            }
        }
        return running;
    }
}

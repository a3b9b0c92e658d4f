package dev.outbox.jdbc.replication;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL of leadership, all on the connection it is given: the slot's session advisory lock
 * ({@code pg_try_advisory_lock(key)}, which {@code pg_locks} shows as {@code classid} = high 32
 * bits, {@code objid} = low 32 bits, {@code objsubid} = 1), the shared lock a leader's work
 * session takes on the same two halves ({@code objsubid} = 2) so that a standby can find it, the
 * lease renewal, and what a standby needs to judge and end a silent leader. Stateless.
 */
final class LeaderSessions {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderSessions.class);
    /** A granted {@code pg_locks} row ({@code l}) of the slot's key in this database; binds the key's two halves. */
    private static final String KEY_ROW = "l.locktype = 'advisory' AND l.granted AND l.database = "
            + "(SELECT oid FROM pg_database WHERE datname = current_database()) "
            + "AND l.classid = ?::bigint::oid AND l.objid = ?::bigint::oid";

    /** The leader's lock session as a standby sees it; {@code silentSeconds} is null when it cannot tell. */
    record Holder(int pid, Double silentSeconds) {
    }

    private LeaderSessions() {
    }

    static boolean tryLock(Connection connection, long key) throws SQLException {
        return bool(connection, "SELECT pg_try_advisory_lock(?)", key);
    }

    /** Releases the lock, taken once: a pooled connection must not keep it when it goes back to the pool. */
    static void unlock(Connection connection, long key) throws SQLException {
        bool(connection, "SELECT pg_advisory_unlock(?)", key);
    }

    /**
     * Renews the lease: one round trip on the lock session (which moves its
     * {@code pg_stat_activity.state_change}, what a standby watches) that also checks the lock is
     * still held by this session.
     */
    static boolean holdsLock(Connection lock, long key) throws SQLException {
        try (PreparedStatement query = lock.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE "
                + KEY_ROW + " AND l.objsubid = 1 AND l.pid = pg_backend_pid())")) {
            bindKey(query, 1, key);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Marks {@code work} as one of the leader's sessions, so a standby that takes over ends it too. */
    static void joinLeaderSessions(Connection work, long key) throws SQLException {
        halves(work, "SELECT pg_try_advisory_lock_shared(?, ?)", key);
    }

    /** Undoes {@link #joinLeaderSessions} before a pooled work connection goes back to the pool. */
    static void leaveLeaderSessions(Connection work, long key) throws SQLException {
        halves(work, "SELECT pg_advisory_unlock_shared(?, ?)", key);
    }

    /**
     * Asks the server to drop the lock session of a leader whose host vanished by itself, with
     * TCP keepalives and {@code tcp_user_timeout} (PostgreSQL 12+) of about {@code leaderTimeout}:
     * the fall-back when no standby may end it. Best effort: a setting the server refuses is skipped.
     * Ignored by the server on Unix-domain sockets.
     */
    static void keepAlive(Connection lock, Duration leaderTimeout) {
        long seconds = Math.max(2, leaderTimeout.toSeconds());
        set(lock, "tcp_keepalives_idle", Long.toString((seconds + 1) / 2));
        set(lock, "tcp_keepalives_interval", Long.toString(Math.max(1, seconds / 6)));
        set(lock, "tcp_keepalives_count", "3");
        set(lock, "tcp_user_timeout", Long.toString(leaderTimeout.toMillis()));
    }

    /** The session holding the slot's lock, or null when nobody holds it. */
    static Holder holder(Connection connection, long key) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT l.pid, CASE WHEN a.state IS NULL "
                // hidden from this role (null) or not tracked (track_activities off): cannot tell
                + "OR a.state = 'disabled' THEN NULL ELSE extract(epoch FROM clock_timestamp() - a.state_change) END "
                + "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE " + KEY_ROW
                + " AND l.objsubid = 1")) {
            bindKey(query, 1, key);
            try (ResultSet rs = query.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                int pid = rs.getInt(1);
                double silent = rs.getDouble(2);
                return new Holder(pid, rs.wasNull() ? null : silent);
            }
        }
    }

    /** The leader's sessions: the lock session, its work sessions and the slot's walsender, if any. */
    static List<Integer> sessionsOf(Connection connection, Holder holder, long key, String slot) throws SQLException {
        List<Integer> pids = new ArrayList<>(List.of(holder.pid()));
        try (PreparedStatement query = connection.prepareStatement("SELECT l.pid FROM pg_locks l WHERE " + KEY_ROW
                + " AND l.objsubid = 2 UNION SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? "
                + "AND active_pid IS NOT NULL")) {
            bindKey(query, 1, key);
            query.setString(3, slot);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    if (!pids.contains(rs.getInt(1))) {
                        pids.add(rs.getInt(1));
                    }
                }
            }
        }
        return pids;
    }

    /**
     * Ends a backend with {@code pg_terminate_backend}.
     *
     * @throws SQLException with SQL state 42501 when this role may not (neither the same role nor
     *         a member of {@code pg_signal_backend}, or the target is a superuser's)
     */
    static void terminate(Connection connection, int pid) throws SQLException {
        try (PreparedStatement terminate = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
            terminate.setInt(1, pid);
            terminate.execute();
        }
    }

    private static void bindKey(PreparedStatement statement, int first, long key) throws SQLException {
        statement.setLong(first, key >>> 32);
        statement.setLong(first + 1, key & 0xffffffffL);
    }

    private static void set(Connection connection, String name, String value) {
        try (PreparedStatement set = connection.prepareStatement("SELECT set_config(?, ?, false)")) {
            set.setString(1, name);
            set.setString(2, value);
            set.execute();
        } catch (SQLException e) {
            LOG.debug("PostgreSQL refused {} = {} on the leader lock session: {}", name, value, e.getMessage());
        }
    }

    private static void halves(Connection connection, String sql, long key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setInt(1, (int) (key >>> 32));
            statement.setInt(2, (int) key);
            statement.execute();
        }
    }

    private static boolean bool(Connection connection, String sql, long key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, key);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}

package dev.outbox.jdbc.replication;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standby's answer to a leader that went silent without closing its connections (its host
 * dropped off the network): when the session holding the slot's lock has done nothing for longer
 * than {@code leaderTimeout} (by the server's clock, {@code pg_stat_activity.state_change}; a
 * live leader renews every {@code leaderTimeout / 6} and gives up by itself after
 * {@code leaderTimeout / 2}), it ends that session, the leader's work sessions and the slot's
 * walsender with {@code pg_terminate_backend}, which releases the lock.
 *
 * <p>Needs to see the leader's {@code pg_stat_activity} row (the same role, or
 * {@code pg_read_all_stats}) and to signal its backends (the same role, or
 * {@code pg_signal_backend}; never a superuser's). Without, it logs why once per leader and
 * keeps waiting: the server then drops the session by itself through the TCP keepalives the
 * leader set ({@link LeaderSessions#keepAlive}). One instance per relay thread; not thread-safe.
 */
final class LeaderTakeover {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderTakeover.class);
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private final String slot;
    private final long key;
    private final Duration leaderTimeout;
    private int warnedPid;

    LeaderTakeover(String slot, long key, Duration leaderTimeout) {
        this.slot = slot;
        this.key = key;
        this.leaderTimeout = leaderTimeout;
    }

    /** Ends the leader's sessions when it has been silent too long; returns whether it did. */
    boolean endSilentLeader(Connection connection) throws SQLException {
        LeaderSessions.Holder holder = LeaderSessions.holder(connection, key);
        if (holder == null) {
            return false;
        }
        if (holder.silentSeconds() == null) {
            warnOnce(holder.pid(), "Cannot tell whether the leader of slot {} (backend {}) is alive: its "
                    + "pg_stat_activity row is hidden from this role or not tracked; run every relay as the same role "
                    + "or grant pg_read_all_stats. Until then a vanished leader is replaced only once the server drops "
                    + "its session (TCP keepalive)", slot, holder.pid());
            return false;
        }
        if (holder.silentSeconds() * 1000 <= leaderTimeout.toMillis()) {
            return false;
        }
        List<Integer> pids = LeaderSessions.sessionsOf(connection, holder, key, slot);
        try {
            for (int pid : pids) {
                LeaderSessions.terminate(connection, pid);
            }
        } catch (SQLException e) {
            if (!INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                throw e;
            }
            warnOnce(holder.pid(), "The leader of slot {} (backend {}) has been silent for {} s, longer than "
                    + "leaderTimeout, but this role may not end its sessions ({}): grant pg_signal_backend or run every "
                    + "relay as the same role. Waiting for the server to drop the session (TCP keepalive)", slot,
                    holder.pid(), Math.round(holder.silentSeconds()), e.getMessage());
            return false;
        }
        LOG.warn("The leader of slot {} has been silent for {} s, longer than leaderTimeout {} s: ended its sessions "
                + "(backends {}) to take over", slot, String.format("%.1f", holder.silentSeconds()),
                leaderTimeout.toMillis() / 1000.0, pids);
        return true;
    }

    private void warnOnce(int pid, String message, Object... arguments) {
        if (warnedPid != pid) {
            warnedPid = pid;
            LOG.warn(message, arguments);
        }
    }
}

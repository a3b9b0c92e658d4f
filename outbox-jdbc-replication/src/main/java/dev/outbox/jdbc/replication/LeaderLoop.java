package dev.outbox.jdbc.replication;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay thread: competes for the slot's session-level advisory lock on a dedicated
 * connection, streams while it holds it, and retries as a standby every
 * {@code standbyRetryInterval}. Closing the lock connection (stop, crash, lost connection)
 * releases the lock, so a standby takes over; a leader that went silent without closing it is
 * ended by a standby after {@code leaderTimeout} ({@link LeaderTakeover}).
 *
 * <p>While it leads it holds three connections: the lock connection (only the {@link LeaderLease}
 * uses it), a work connection for marks and dead letters, and the replication connection. When
 * the lease is lost the session stops publishing and the other two are cut at once, so the
 * leader confirms and marks nothing more.
 */
final class LeaderLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderLoop.class);
    private static final Duration LOCK_FREED_WAIT = Duration.ofSeconds(2);

    private final RelaySettings settings;
    private final LogTailingRelayConfig config;
    private final RelayState state;
    private final long lockKey;
    private final LeaderTakeover takeover;

    LeaderLoop(RelaySettings settings, RelayState state) {
        this.settings = settings;
        this.config = settings.config();
        this.state = state;
        this.lockKey = SlotAdmin.lockKey(config.slotName());
        this.takeover = new LeaderTakeover(config.slotName(), lockKey, config.leaderTimeout());
    }

    @Override
    public void run() {
        boolean standbyLogged = false;
        while (state.running()) {
            Throwable failure = null;
            try (Connection lock = settings.connections().plain()) {
                if (LeaderSessions.tryLock(lock, lockKey)
                        || takeover.endSilentLeader(lock) && awaitFreedLock(lock)) {
                    standbyLogged = false;
                    lead(lock);
                } else if (!standbyLogged) {
                    LOG.info("Slot {} is led by another instance; standing by", config.slotName());
                    standbyLogged = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception | Error e) {
                failure = e;
            }
            if (failure != null && state.running()) {
                LOG.warn("Log-tailing relay on slot {} failed; retrying in {} ms: {}", config.slotName(),
                        config.standbyRetryInterval().toMillis(), String.valueOf(failure));
                settings.listener().onError(failure);
            }
            try {
                state.sleep(config.standbyRetryInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** After ending a silent leader's sessions: its backend releases the lock as it exits, within moments. */
    private boolean awaitFreedLock(Connection lock) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + LOCK_FREED_WAIT.toNanos();
        while (state.running() && System.nanoTime() < deadline) {
            if (LeaderSessions.tryLock(lock, lockKey)) {
                return true;
            }
            state.sleep(Duration.ofMillis(20));
        }
        return false;
    }

    private void lead(Connection lock) throws Exception {
        LeaderSessions.keepAlive(lock, config.leaderTimeout());
        try (Connection work = settings.connections().plain()) {
            LeaderSessions.joinLeaderSessions(work, lockKey);
            LeaderLease lease = LeaderLease.start(lock, lockKey, config.slotName(), config.leaderTimeout(),
                    () -> cut(work));
            state.leader(true);
            LOG.info("Became leader of slot {}", config.slotName());
            settings.listener().onLeadershipAcquired(config.slotName());
            Throwable cause = null;
            try {
                new StreamSession(settings, work, () -> state.running() && lease.held(), state).run();
                cause = lease.failure();
            } catch (Exception | Error e) {
                cause = e;
                if (lease.failure() != null) {
                    // What broke the session is the lost lease (its cut connections), not the symptom.
                    lease.failure().addSuppressed(e);
                    cause = lease.failure();
                }
            } finally {
                lease.close();
                state.leader(false);
                LOG.info("Gave up leadership of slot {}", config.slotName());
                settings.listener().onLeadershipLost(config.slotName(), cause);
            }
            release(lock, cause == null ? work : null);
            if (cause instanceof Exception exception) {
                throw exception;
            } else if (cause != null) {
                throw (Error) cause;
            }
        }
    }

    /**
     * A pooled connection goes back to its pool: it must not keep the locks. Best effort (the lock
     * connection's network timeout bounds it); a connection that cannot be reached is dropped.
     */
    private void release(Connection lock, Connection work) {
        try {
            if (work != null) {
                LeaderSessions.leaveLeaderSessions(work, lockKey);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Releasing the work session of slot {} failed: {}", config.slotName(), String.valueOf(e));
        }
        try {
            if (!lock.isClosed()) {
                LeaderSessions.unlock(lock, lockKey);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Releasing the leader lock of slot {} failed: {}", config.slotName(), String.valueOf(e));
        }
    }

    /** Cuts the work and replication connections of a lost leadership, from whichever thread noticed. */
    private void cut(Connection work) {
        try {
            work.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Aborting the work connection failed", e);
        }
        settings.connections().abortReplication();
    }
}

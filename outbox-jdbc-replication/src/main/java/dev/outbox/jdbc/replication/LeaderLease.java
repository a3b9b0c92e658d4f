package dev.outbox.jdbc.replication;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's lease on its lock session: a thread of its own renews it every
 * {@code leaderTimeout / 6} with one query on the lock connection (network timeout
 * {@code leaderTimeout / 4}), which is what standbys watch. When no renewal has completed for
 * {@code leaderTimeout / 2}, or one fails, the lease is lost for good: {@link #held()} turns false
 * and {@code onLost} runs once (it cuts the leader's other connections), well before a standby,
 * which waits for a full {@code leaderTimeout} of silence, may end the sessions and take over.
 * Timing is measured from the start of each renewal, which the server sees at or after it.
 * Thread-safe; the lock connection belongs to the lease until {@link #close()}.
 */
final class LeaderLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderLease.class);

    private final Connection lock;
    private final long key;
    private final String slot;
    private final Duration leaderTimeout;
    private final long renewEveryNanos;
    private final long expiresAfterNanos;
    private final Runnable onLost;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile long renewedAtNanos = System.nanoTime();
    private volatile boolean closed;

    private LeaderLease(Connection lock, long key, String slot, Duration leaderTimeout, Runnable onLost) {
        this.lock = lock;
        this.key = key;
        this.slot = slot;
        this.leaderTimeout = leaderTimeout;
        this.renewEveryNanos = leaderTimeout.toNanos() / 6;
        this.expiresAfterNanos = leaderTimeout.toNanos() / 2;
        this.onLost = onLost;
        this.thread = new Thread(this::renewUntilClosed, "outbox-log-relay-lease-" + slot);
        thread.setDaemon(true);
    }

    /**
     * Starts renewing the lease on {@code lock}, a connection that just took the slot's lock;
     * from now on only the lease uses it, until {@link #close()}.
     *
     * @throws SQLException when the connection's network timeout cannot be set
     */
    static LeaderLease start(Connection lock, long key, String slot, Duration leaderTimeout, Runnable onLost)
            throws SQLException {
        lock.setNetworkTimeout(Runnable::run, (int) Math.max(1, leaderTimeout.toMillis() / 4));
        LeaderLease lease = new LeaderLease(lock, key, slot, leaderTimeout, onLost);
        lease.thread.start();
        return lease;
    }

    /** Whether the lease still holds; once false, false for good. Cheap: no I/O. */
    boolean held() {
        if (failure.get() != null) {
            return false;
        }
        long silent = System.nanoTime() - renewedAtNanos;
        if (silent >= expiresAfterNanos) {
            lose(new LeaderLeaseLostException("the leader lease of slot " + slot + " was not renewed for "
                    + silent / 1_000_000 + " ms (leaderTimeout " + leaderTimeout.toMillis() + " ms): the database "
                    + "is unreachable or too slow; standing down so that a standby can take over", null));
            return false;
        }
        return true;
    }

    /** Why the lease was lost, or null while it holds. */
    Throwable failure() {
        return failure.get();
    }

    private void renewUntilClosed() {
        while (!closed && held()) {
            try {
                Thread.sleep(Math.max(1, renewEveryNanos / 1_000_000));
            } catch (InterruptedException e) {
                return;
            }
            long started = System.nanoTime();
            try {
                if (closed) {
                    return;
                }
                if (!LeaderSessions.holdsLock(lock, key)) {
                    lose(new LeaderLeaseLostException("the lock session of slot " + slot
                            + " no longer holds the leader lock", null));
                } else if (held()) {
                    renewedAtNanos = started;
                }
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    lose(new LeaderLeaseLostException("cannot renew the leader lease of slot " + slot + " ("
                            + e.getMessage() + "); standing down so that a standby can take over", e));
                }
            }
        }
    }

    private void lose(Throwable why) {
        if (failure.compareAndSet(null, why)) {
            LOG.warn("Lost the leadership of slot {}: {}", slot, why.getMessage());
            try {
                onLost.run();
            } catch (RuntimeException e) {
                LOG.warn("Cutting the connections of the lost leadership of slot {} failed: {}", slot, String.valueOf(e));
            }
        }
    }

    /** Stops renewing (waiting for a renewal in progress) and hands the lock connection back. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Math.max(1000, leaderTimeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The leader's lease ran out or could not be renewed; the session ends without confirming anything more. */
    static final class LeaderLeaseLostException extends SQLException {
        LeaderLeaseLostException(String message, Throwable cause) {
            super(message, "08006", cause);
        }
    }
}

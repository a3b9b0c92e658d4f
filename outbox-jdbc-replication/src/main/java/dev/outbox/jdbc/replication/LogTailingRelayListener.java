package dev.outbox.jdbc.replication;

import dev.outbox.core.relay.RelayListener;

/**
 * Observes a {@link LogTailingRelay}: the {@link RelayListener} callbacks of the polling relay
 * ({@code onPublished}, {@code onRetryScheduled}, {@code onDeadLettered}, {@code onBatch};
 * {@code onBacklog} is never called) plus parked events, leadership, lag and errors. Every method
 * has a no-op default.
 *
 * <p>Methods run on the relay's threads; they must be quick and should not throw. An exception
 * thrown by a listener is logged and otherwise ignored.
 */
public interface LogTailingRelayListener extends RelayListener {

    /** A listener that does nothing; the default. */
    LogTailingRelayListener NO_OP = new LogTailingRelayListener() { };

    /** Called when this instance took the slot's leader lock and starts streaming. */
    default void onLeadershipAcquired(String slotName) {
    }

    /**
     * Called when this instance stopped being the leader: stopped, or a failure ended the session.
     *
     * @param cause the failure, {@code null} on a normal stop
     */
    default void onLeadershipLost(String slotName, Throwable cause) {
    }

    /**
     * Called after the slot's confirmed position advanced to {@code lsn}: everything before it is
     * acknowledged by the broker (or dead-lettered).
     *
     * @param lsn the confirmed position, e.g. {@code 0/16B3748}
     */
    default void onConfirmed(String lsn) {
    }

    /** Called by the leader with a lag sample once per heartbeat interval. */
    default void onLag(ReplicationLag lag) {
    }

    /**
     * Called when an event is parked in the outbox table instead of being retried in the stream:
     * after a failure of its own ({@code attempts} counted so far, due again at
     * {@code nextAttemptAt}), or behind an earlier parked event of its aggregate (its attempts
     * unchanged, {@code error} says which). Only its aggregate waits for it; the leader delivers
     * parked rows in order later. A parked event is not delivered: it still counts as pending.
     */
    default void onParked(dev.outbox.core.OutboxEvent event, int attempts, java.time.Instant nextAttemptAt,
                          Throwable error) {
    }

    /** Called when a leader session or a maintenance task failed; the relay retries by itself. */
    default void onError(Throwable error) {
    }
}

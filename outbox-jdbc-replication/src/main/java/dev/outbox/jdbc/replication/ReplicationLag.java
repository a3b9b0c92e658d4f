package dev.outbox.jdbc.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How far the log-tailing relay trails the database: a snapshot for health checks and metrics.
 *
 * <p>Immutable and thread-safe.
 *
 * @param bytes             WAL the slot still retains: {@code pg_wal_lsn_diff(pg_current_wal_lsn(),
 *                          confirmed_flush_lsn)}; {@code -1} when the slot does not exist
 * @param age               now minus the commit time of the oldest transaction read but not yet
 *                          acknowledged by the broker; {@link Duration#ZERO} when nothing is in
 *                          flight or this instance is not the leader (only the leader knows)
 * @param confirmedFlushLsn the slot's confirmed position, e.g. {@code 0/16B3748}; {@code null}
 *                          when the slot does not exist
 * @param slotActive        whether a walsender currently streams from the slot
 * @param measuredAt        when the snapshot was taken
 */
public record ReplicationLag(long bytes, Duration age, String confirmedFlushLsn, boolean slotActive,
                             Instant measuredAt) {

    /** Validates the fields. */
    public ReplicationLag {
        Objects.requireNonNull(age, "age");
        Objects.requireNonNull(measuredAt, "measuredAt");
    }

    /** Returns whether the slot exists. */
    public boolean slotExists() {
        return confirmedFlushLsn != null;
    }

    /** Returns {@link #age()} in whole seconds. */
    public long seconds() {
        return age.toSeconds();
    }
}

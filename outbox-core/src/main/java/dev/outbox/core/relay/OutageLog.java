package dev.outbox.core.relay;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts consecutive batches the broker could not take and logs the outage: once when it
 * starts, at most once a minute while it lasts, once when it ends. Used by one relay cycle at a
 * time; the count may be read from any thread.
 */
final class OutageLog {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final long REPORT_EVERY_NANOS = 60_000_000_000L;

    private final String claimant;
    private volatile int consecutive;
    private long startedNanos;
    private long reportedNanos;

    OutageLog(String claimant) {
        this.claimant = claimant;
    }

    /** Records a batch: whether it was an outage, its size and the first failure. */
    void batch(boolean outage, int events, Throwable error) {
        long now = System.nanoTime();
        if (!outage) {
            if (consecutive > 0) {
                LOG.info("outbox relay {}: broker reachable again after {} unpublished batches in {} s",
                        claimant, consecutive, (now - startedNanos) / 1_000_000_000L);
                consecutive = 0;
            }
            return;
        }
        if (consecutive == 0) {
            startedNanos = now;
            reportedNanos = now;
            LOG.warn("outbox relay {}: broker unavailable, {} events given back without counting an attempt; "
                    + "backing off: {}", claimant, events, describe(error));
        } else if (now - reportedNanos >= REPORT_EVERY_NANOS) {
            reportedNanos = now;
            LOG.warn("outbox relay {}: broker still unavailable after {} batches in {} s; nothing is dead-lettered "
                    + "for it: {}", claimant, consecutive + 1, (now - startedNanos) / 1_000_000_000L,
                    describe(error));
        }
        consecutive++;
    }

    private static String describe(Throwable error) {
        return error == null ? "no error given" : OutcomeApplier.describe(error);
    }

    /** Returns the number of outage batches in a row; 0 when the last batch was not one. */
    int consecutive() {
        return consecutive;
    }
}

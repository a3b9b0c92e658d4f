package dev.outbox.core.relay;

import dev.outbox.core.spi.FailedDelivery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts consecutive failures of one dependency (the broker or the store) and logs the outage at
 * a bounded rate: once when it starts, at most once a minute while it lasts (with the count of
 * failures and the time since the first) and once when it ends. One instance per dependency per
 * relay, fed by one thread at a time; the count may be read from any thread.
 */
final class OutageLog {
    /** Least time between two "still failing" lines. */
    static final Duration REPORT_EVERY = Duration.ofMinutes(1);

    private final Logger log;
    private final String claimant;
    private final String dependency;
    private final String consequence;
    private final Clock clock;
    private volatile int consecutive;
    private Instant started;
    private Instant reported;

    OutageLog(Logger log, String claimant, String dependency, String consequence, Clock clock) {
        this.log = log;
        this.claimant = claimant;
        this.dependency = dependency;
        this.consequence = consequence;
        this.clock = clock;
    }

    /** The log of broker outages: batches the broker could not take. */
    static OutageLog broker(String claimant, Clock clock) {
        return new OutageLog(LoggerFactory.getLogger(OutboxRelay.class), claimant, "broker",
                "nothing is dead-lettered for it", clock);
    }

    /** The log of store failures: claims and writes that failed. */
    static OutageLog store(String claimant, Clock clock) {
        return new OutageLog(LoggerFactory.getLogger(OutboxRelay.class), claimant, "store",
                "events wait in the store; backing off and retrying", clock);
    }

    /** Records a broker batch: whether it was an outage, its size and the first failure. */
    void batch(boolean outage, int events, Throwable error) {
        if (outage) {
            failed(events + " events given back without counting an attempt; backing off", error, false);
        } else {
            succeeded();
        }
    }

    /**
     * Records a failure: the first of a row is logged at WARN with {@code firstLine} (and the stack
     * trace when {@code withStackTrace}); later ones at most once per {@link #REPORT_EVERY}.
     */
    void failed(String firstLine, Throwable error, boolean withStackTrace) {
        Instant now = clock.instant();
        int failures = consecutive + 1;
        if (failures == 1) {
            started = now;
            reported = now;
            if (withStackTrace && error != null) {
                log.warn("outbox relay {}: {} unavailable, {}: {}", claimant, dependency, firstLine, describe(error),
                        error);
            } else {
                log.warn("outbox relay {}: {} unavailable, {}: {}", claimant, dependency, firstLine, describe(error));
            }
        } else if (!now.isBefore(reported.plus(REPORT_EVERY))) {
            reported = now;
            log.warn("outbox relay {}: {} still unavailable after {} failures in {} s; {}: {}", claimant, dependency,
                    failures, seconds(now), consequence, describe(error));
        }
        consecutive = failures;
    }

    /** Records a success; logs the recovery once if an outage was going on. */
    void succeeded() {
        if (consecutive > 0) {
            log.info("outbox relay {}: {} reachable again after {} failures in {} s", claimant, dependency,
                    consecutive, seconds(clock.instant()));
            consecutive = 0;
        }
    }

    private long seconds(Instant now) {
        return Duration.between(started, now).toSeconds();
    }

    private static String describe(Throwable error) {
        return error == null ? "no error given" : FailedDelivery.describe(error);
    }

    /** Returns the number of failures in a row; 0 when the last call succeeded. */
    int consecutive() {
        return consecutive;
    }
}

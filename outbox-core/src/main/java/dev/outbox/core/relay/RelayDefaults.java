package dev.outbox.core.relay;

import java.time.Duration;

/**
 * The relays' defaults, each in one place: the delivery defaults both relays share (the polling
 * {@link OutboxRelay} and outbox-jdbc-replication's log-tailing relay), so they cannot drift apart,
 * and the polling relay's own. Not instantiable.
 */
public final class RelayDefaults {
    /** Most events a relay publishes per batch (the polling relay claims that many): 500. */
    public static final int BATCH_SIZE = 500;
    /** How long an idle polling relay sleeps when nothing is due and no wake-up came: 1 s. */
    public static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
    /** How long {@code stop()} waits for the batch in flight: 30 s. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Least time between two backlog samples of the polling relay: 5 s. */
    public static final Duration BACKLOG_SAMPLE_INTERVAL = Duration.ofSeconds(5);
    /** Counted (own) failures after which an event is dead-lettered: 10. Outages count none. */
    public static final int MAX_ATTEMPTS = 10;
    /**
     * How long a relay waits for one publish call, timed from the call: 60 s. Covers the default
     * Kafka publisher's own bound ({@code max.block.ms} 10 s + {@code delivery.timeout.ms} 30 s + 5 s).
     */
    public static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(60);
    /**
     * How long a polling relay's claim lasts unless renewed: 15 s. A live relay renews its claims
     * every third of the lease while it waits for the broker, so a claim outlives the publish while
     * the relay lives; a relay that dies loses its claims within one lease, and another relay
     * takes its events over within seconds.
     */
    public static final Duration LEASE = Duration.ofSeconds(15);
    /** The shortest lease a relay accepts: 1 s, so a renewal every third of it leaves room for a store round trip. */
    public static final Duration MIN_LEASE = Duration.ofSeconds(1);
    /** How long published rows are kept before they are purged: zero, deleted at once. */
    public static final Duration RETENTION = Duration.ZERO;
    /** First delay of {@link #outageBackoff()}: 500 ms. */
    public static final Duration OUTAGE_BACKOFF_INITIAL = Duration.ofMillis(500);
    /** Longest delay of {@link #outageBackoff()}: 30 s, so delivery resumes soon after an outage. */
    public static final Duration OUTAGE_BACKOFF_MAX = Duration.ofSeconds(30);

    private RelayDefaults() {
    }

    /** Returns the retry backoff after an event's own failure: {@link BackoffPolicy#defaults()} (1 s, x2, up to 5 min). */
    public static BackoffPolicy backoff() {
        return BackoffPolicy.defaults();
    }

    /**
     * Returns how long a relay pauses as a whole after consecutive batches that the broker could
     * not take: 500 ms doubling up to 30 s, jitter 0.2.
     */
    public static BackoffPolicy outageBackoff() {
        return BackoffPolicy.exponential(OUTAGE_BACKOFF_INITIAL, 2.0, OUTAGE_BACKOFF_MAX, 0.2);
    }
}

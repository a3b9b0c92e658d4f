package dev.outbox.order.app;

import dev.outbox.core.spi.OutboxBacklog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether delivery is progressing, from what the relay tells {@link RelayMetrics} and from the
 * backlog samples: stalled when the oldest pending event waited longer than the threshold
 * ({@code HEALTH_DELIVERY_STALL}), when events wait and the relay of this process delivered
 * (published or dead-lettered) none for that long, or when its last
 * {@value #STORE_FAILURES} store calls in a row failed. Thread-safe.
 */
final class DeliveryProgress {
    /** Store calls failing in a row that make the relay stalled: a blip is retried, an outage is not one call. */
    static final int STORE_FAILURES = 3;

    private final Clock clock;
    private Instant lastDeliveryAt;
    private Instant waitingSince;
    private int storeFailures;
    private String lastStoreError = "";

    DeliveryProgress(Clock clock) {
        this.clock = clock;
        this.lastDeliveryAt = clock.instant();
    }

    /** Events left the backlog: published, or dead-lettered. */
    synchronized void delivered() {
        lastDeliveryAt = clock.instant();
        storeFailures = 0;
    }

    /** A store call of the relay succeeded. */
    synchronized void storeAnswered() {
        storeFailures = 0;
    }

    /** A store call of the relay failed. */
    synchronized void storeFailed(Throwable error) {
        storeFailures++;
        lastStoreError = error.getClass().getSimpleName();
    }

    /** Notes a backlog sample: when events began to wait. */
    synchronized void sampled(OutboxBacklog backlog) {
        if (backlog.pending() == 0) {
            waitingSince = null;
        } else if (waitingSince == null) {
            waitingSince = clock.instant();
        }
    }

    /**
     * Returns why delivery is stalled; empty when it progresses (or {@code threshold} is zero).
     *
     * @param backlog       a fresh backlog sample, also {@link #sampled noted}
     * @param relayHere     whether a relay delivers from this process (the polling relay, or the
     *                      log-tailing relay's leader); without one only the oldest event's age counts
     * @param threshold     {@code HEALTH_DELIVERY_STALL}
     */
    synchronized List<String> stalls(OutboxBacklog backlog, boolean relayHere, Duration threshold) {
        sampled(backlog);
        List<String> reasons = new ArrayList<>();
        if (threshold.isZero()) {
            return reasons;
        }
        Instant now = clock.instant();
        String limit = "HEALTH_DELIVERY_STALL=" + AppConfig.label(threshold);
        Duration oldest = backlog.oldestPendingAge(now);
        if (backlog.pending() > 0 && oldest.compareTo(threshold) > 0) {
            reasons.add("oldest pending event waited " + seconds(oldest) + ", over " + limit);
        }
        if (relayHere && waitingSince != null) {
            Instant since = lastDeliveryAt.isAfter(waitingSince) ? lastDeliveryAt : waitingSince;
            Duration idle = Duration.between(since, now);
            if (idle.compareTo(threshold) > 0) {
                reasons.add("no event delivered for " + seconds(idle) + " while " + backlog.pending()
                        + " wait, over " + limit);
            }
        }
        if (relayHere && storeFailures >= STORE_FAILURES) {
            reasons.add("the relay's last " + storeFailures + " store calls failed (last: " + lastStoreError + ")");
        }
        return reasons;
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }
}

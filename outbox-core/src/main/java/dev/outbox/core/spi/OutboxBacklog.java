package dev.outbox.core.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of what waits in the store, for metrics and health checks.
 *
 * @param pending           events not yet published and not dead-lettered
 * @param oldestPendingAt   {@code occurredAt} of the oldest pending event, empty when none
 * @param deadLetters       dead-lettered events
 */
public record OutboxBacklog(long pending, Optional<Instant> oldestPendingAt, long deadLetters) {

    /** An empty backlog. */
    public static final OutboxBacklog EMPTY = new OutboxBacklog(0, Optional.empty(), 0);

    /** Returns how long the oldest pending event has waited at {@code now}; zero when none. */
    public Duration oldestPendingAge(Instant now) {
        return oldestPendingAt.map(t -> Duration.between(t, now)).filter(d -> !d.isNegative()).orElse(Duration.ZERO);
    }
}

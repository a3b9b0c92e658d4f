package dev.outbox.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until a test moves it, for code under test that takes a
 * clock (relays, delivery progress, leases): time-dependent behaviour is then tested without
 * sleeping. Always in UTC; {@link #withZone} returns this same clock.
 *
 * <p>Thread-safe: the code under test may read it from its own threads while the test
 * advances it.
 */
public final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    private MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /**
     * Returns a clock standing at {@code start}.
     *
     * @throws NullPointerException if {@code start} is null
     */
    public static MutableClock at(Instant start) {
        return new MutableClock(Objects.requireNonNull(start, "start"));
    }

    /**
     * Moves this clock by {@code duration} (backwards if it is negative).
     *
     * @throws NullPointerException if {@code duration} is null
     */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        now.updateAndGet(instant -> instant.plus(duration));
    }

    /** Returns the instant the clock stands at. */
    @Override
    public Instant instant() {
        return now.get();
    }

    /** Returns {@link ZoneOffset#UTC}. */
    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** Returns this clock: a test clock has one zone, and a copy would not move with it. */
    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}

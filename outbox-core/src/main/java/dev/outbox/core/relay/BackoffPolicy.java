package dev.outbox.core.relay;

import dev.outbox.core.internal.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * How long a relay waits before retrying an event that failed: exponential backoff with a cap
 * and random jitter, so that many failing events do not come back in lock step.
 *
 * <p>The delay after the {@code n}-th failed attempt ({@code n >= 1}) is
 * {@code base = min(max, initial * multiplier^(n-1))}, then jittered uniformly within
 * {@code base * (1 - jitter)} and {@code base * (1 + jitter)}, and finally capped at
 * {@code max} again. With the defaults (initial 1 s, multiplier 2, max 5 min, jitter 0.2) the
 * delays are about 1 s, 2 s, 4 s, ... up to 5 minutes.
 *
 * <p>Immutable and thread-safe (the {@link Random} it holds is thread-safe).
 */
public final class BackoffPolicy {
    /** Default first delay: 1 second. */
    public static final Duration DEFAULT_INITIAL = Duration.ofSeconds(1);
    /** Default growth factor: 2. */
    public static final double DEFAULT_MULTIPLIER = 2.0;
    /** Default cap: 5 minutes. */
    public static final Duration DEFAULT_MAX = Duration.ofMinutes(5);
    /** Default jitter fraction: 0.2, i.e. plus or minus 20 %. */
    public static final double DEFAULT_JITTER = 0.2;

    private final Duration initial;
    private final double multiplier;
    private final Duration max;
    private final double jitter;
    private final Random random;

    private BackoffPolicy(Duration initial, double multiplier, Duration max, double jitter, Random random) {
        this.initial = Checks.positive(initial, "backoff initial delay");
        this.max = Checks.positive(max, "backoff max delay");
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("backoff multiplier must be a finite number >= 1, got " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter < 1.0)) {
            throw new IllegalArgumentException("backoff jitter must be in [0, 1), got " + jitter);
        }
        if (initial.compareTo(max) > 0) {
            throw new IllegalArgumentException("backoff initial delay (" + initial + ") must not exceed max delay ("
                    + max + ")");
        }
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Returns the default policy: 1 s initial, multiplier 2, max 5 min, jitter 0.2. */
    public static BackoffPolicy defaults() {
        return exponential(DEFAULT_INITIAL, DEFAULT_MULTIPLIER, DEFAULT_MAX, DEFAULT_JITTER);
    }

    /**
     * Returns an exponential policy.
     *
     * @param initial    the delay after the first failure, positive
     * @param multiplier the growth factor per failure, at least 1
     * @param max        the longest delay, at least {@code initial}
     * @param jitter     the random spread as a fraction of the delay, in [0, 1)
     * @throws IllegalArgumentException naming the invalid setting
     */
    public static BackoffPolicy exponential(Duration initial, double multiplier, Duration max, double jitter) {
        return new BackoffPolicy(initial, multiplier, max, jitter, new Random());
    }

    /** Returns a copy with the given jitter fraction; 0 makes delays exact. */
    public BackoffPolicy withJitter(double jitterFraction) {
        return new BackoffPolicy(initial, multiplier, max, jitterFraction, random);
    }

    /** Returns a copy that draws its jitter from {@code random}, for reproducible tests. */
    public BackoffPolicy withRandom(Random random) {
        return new BackoffPolicy(initial, multiplier, max, jitter, random);
    }

    /** Returns a copy whose jitter comes from a {@link Random} seeded with {@code seed}. */
    public BackoffPolicy withSeed(long seed) {
        return withRandom(new Random(seed));
    }

    /**
     * Returns the delay before the next attempt after {@code failedAttempts} failed attempts.
     *
     * @param failedAttempts failed attempts so far including the latest, at least 1
     * @throws IllegalArgumentException when {@code failedAttempts < 1}
     */
    public Duration delay(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("failedAttempts must be >= 1, got " + failedAttempts);
        }
        double maxMillis = max.toMillis();
        double base = Math.min(maxMillis, initial.toMillis() * Math.pow(multiplier, failedAttempts - 1));
        double spread = jitter == 0.0 ? 0.0 : jitter * (2.0 * random.nextDouble() - 1.0);
        return Duration.ofMillis(Math.round(Math.min(maxMillis, base * (1.0 + spread))));
    }

    /** Returns the delay after the first failure. */
    public Duration initial() {
        return initial;
    }

    /** Returns the growth factor. */
    public double multiplier() {
        return multiplier;
    }

    /** Returns the cap. */
    public Duration max() {
        return max;
    }

    /** Returns the jitter fraction. */
    public double jitter() {
        return jitter;
    }

    @Override
    public String toString() {
        return "BackoffPolicy[initial=" + initial + ", multiplier=" + multiplier + ", max=" + max + ", jitter="
                + jitter + "]";
    }
}

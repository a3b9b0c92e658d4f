package dev.outbox.core.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Waits in a test until a condition holds, for state another thread settles (a relay delivering,
 * a replication stream catching up). It polls every 10 ms and fails the test with an
 * {@link AssertionError} naming what it waited for once the timeout has passed; the default
 * timeout is generous because test machines are shared and noisy. A timeout here says that
 * something never happened, never that it was slow.
 *
 * <pre>{@code
 * relay.start();
 * Await.until("both events are published", () -> publisher.published().size() == 2);
 * }</pre>
 *
 * <p>Thread-safe: it holds no state.
 */
public final class Await {
    /** The timeout of {@link #until(String, BooleanSupplier)}: 60 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /**
     * Returns once {@code condition} holds, waiting at most {@link #DEFAULT_TIMEOUT}.
     *
     * @throws AssertionError naming {@code what} when it still does not hold after the timeout, or
     *     when the waiting thread is interrupted (its interrupt flag is set again)
     */
    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT_TIMEOUT, condition);
    }

    /**
     * Returns once {@code condition} holds, waiting at most {@code timeout}. The condition is
     * checked once more after the deadline, so a condition that holds by then passes.
     *
     * @throws AssertionError naming {@code what} when it still does not hold after {@code timeout},
     *     or when the waiting thread is interrupted (its interrupt flag is set again)
     * @throws NullPointerException if an argument is null
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(condition, "condition");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                if (condition.getAsBoolean()) {
                    return;
                }
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what, e);
            }
        }
    }
}

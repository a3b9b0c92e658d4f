package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a timeout passes; for state that settles asynchronously. */
final class Eventually {
    private Eventually() {
    }

    /**
     * Waits until {@code condition} holds, polling every 20 ms.
     *
     * @throws AssertionError naming {@code what} when it still does not hold after {@code timeout}
     */
    static void assertEventually(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                assertThat(condition.getAsBoolean()).as(what + " within " + timeout).isTrue();
                return;
            }
            Thread.sleep(20);
        }
    }
}

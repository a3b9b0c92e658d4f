package dev.outbox.faults;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A bounded wait: polls a condition every 200 ms until it holds or the time is up. */
record Deadline(long endNanos, Duration timeout) {
    static Deadline of(Duration timeout) {
        return new Deadline(System.nanoTime() + timeout.toNanos(), timeout);
    }

    boolean passed() {
        return System.nanoTime() - endNanos >= 0;
    }

    /** Polls until {@code condition} holds; throws naming {@code what} when the timeout passes. */
    void await(String what, BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            if (passed()) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            sleep(Duration.ofMillis(200));
        }
    }

    /** Polls until {@code condition} holds or the time is up; returns whether it held. */
    boolean tryAwait(BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            if (passed()) {
                return false;
            }
            sleep(Duration.ofMillis(200));
        }
        return true;
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

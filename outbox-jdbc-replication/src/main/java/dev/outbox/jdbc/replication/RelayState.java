package dev.outbox.jdbc.replication;

import java.time.Duration;
import java.time.Instant;

/** What the relay's threads share: leadership, lag inputs and the stop signal. Thread-safe. */
final class RelayState {
    private volatile boolean running;
    private volatile boolean leader;
    private volatile Instant oldestUnacknowledged;
    private final Object signal = new Object();

    boolean running() {
        return running;
    }

    void running(boolean value) {
        running = value;
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    boolean leader() {
        return leader;
    }

    void leader(boolean value) {
        leader = value;
    }

    void oldestUnacknowledged(Instant value) {
        oldestUnacknowledged = value;
    }

    /** The age of the oldest unacknowledged transaction, zero when there is none. */
    Duration age() {
        Instant oldest = oldestUnacknowledged;
        if (oldest == null) {
            return Duration.ZERO;
        }
        Duration age = Duration.between(oldest, Instant.now());
        return age.isNegative() ? Duration.ZERO : age;
    }

    /** Sleeps up to {@code duration}, waking early when the relay stops. */
    void sleep(Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        synchronized (signal) {
            long left;
            while (running && (left = deadline - System.nanoTime()) > 0) {
                signal.wait(Math.max(1, left / 1_000_000));
            }
        }
    }
}

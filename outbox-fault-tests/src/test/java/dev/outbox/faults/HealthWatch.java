package dev.outbox.faults;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Polls a scenario's {@code GET /health} every second on a thread of its own and notes when it
 * first answered DOWN for a delivery stall (a reason naming {@code HEALTH_DELIVERY_STALL}) after
 * {@link #armed() arming}. {@link #awaitUp(Duration)} then waits for UP again. Thread-safe.
 */
final class HealthWatch implements AutoCloseable {
    private final FaultRig rig;
    private final Thread thread;
    private final AtomicLong stalledAtNanos = new AtomicLong();
    private volatile long armedAtNanos;
    private volatile boolean closed;

    private HealthWatch(FaultRig rig) {
        this.rig = rig;
        this.thread = new Thread(this::watch, "health-watch-" + rig.name);
        thread.setDaemon(true);
    }

    static HealthWatch of(FaultRig rig) {
        HealthWatch watch = new HealthWatch(rig);
        watch.thread.start();
        return watch;
    }

    /** From now on a DOWN for a delivery stall counts (call it when the fault begins). */
    HealthWatch armed() {
        armedAtNanos = System.nanoTime();
        return this;
    }

    /** How long after arming /health first said DOWN for a delivery stall; null if it never did. */
    Duration stalledAfter() {
        long at = stalledAtNanos.get();
        return at == 0 ? null : Duration.ofNanos(at - armedAtNanos);
    }

    /** Waits until /health answers UP; returns how long that took, or null if it did not within {@code timeout}. */
    Duration awaitUp(Duration timeout) {
        long from = System.nanoTime();
        boolean up = Deadline.of(timeout).tryAwait(() -> rig.health().up());
        return up ? Duration.ofNanos(System.nanoTime() - from) : null;
    }

    private void watch() {
        while (!closed) {
            if (armedAtNanos != 0 && stalledAtNanos.get() == 0 && rig.health().deliveryStalled()) {
                stalledAtNanos.compareAndSet(0, System.nanoTime());
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}

package dev.outbox.benchmarks.relays;

import java.lang.management.ManagementFactory;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Progress lines on standard output, prefixed with the time and the leg. */
final class Progress {

    private Progress() {
    }

    /** Returns the system load average of the last minute, or NaN where the platform has none. */
    static double loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? Double.NaN : load;
    }

    static void line(String label, String format, Object... args) {
        System.out.printf("%s [%s] %s%n", LocalTime.now().truncatedTo(ChronoUnit.MILLIS), label,
                String.format(format, args));
        System.out.flush();
    }

    /** Prints {@code status} every {@code seconds} until {@code done} holds (checked every 50 ms). */
    static void every(String label, int seconds, Supplier<String> status, BooleanSupplier done)
            throws InterruptedException {
        long next = System.nanoTime() + seconds * 1_000_000_000L;
        while (!done.getAsBoolean()) {
            Thread.sleep(50);
            if (System.nanoTime() >= next) {
                line(label, "%s", status.get());
                next += seconds * 1_000_000_000L;
            }
        }
    }
}

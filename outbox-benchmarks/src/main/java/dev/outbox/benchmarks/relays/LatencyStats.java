package dev.outbox.benchmarks.relays;

import java.util.Arrays;

/** Percentiles of a set of latencies in nanoseconds. */
record LatencyStats(int count, double p50Millis, double p99Millis, double maxMillis) {

    static final LatencyStats NONE = new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN);

    static LatencyStats of(long[] nanos) {
        if (nanos.length == 0) {
            return NONE;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new LatencyStats(sorted.length, millis(percentile(sorted, 50)), millis(percentile(sorted, 99)),
                millis(sorted[sorted.length - 1]));
    }

    private static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }
}

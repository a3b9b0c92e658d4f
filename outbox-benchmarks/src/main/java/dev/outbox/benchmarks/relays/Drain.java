package dev.outbox.benchmarks.relays;

import java.util.Collection;

/** Drain rate as a consumer saw it: distinct records over the time from the first to the last arrival. */
final class Drain {

    private Drain() {
    }

    static double rate(TopicWatcher watcher, int count) {
        Collection<Long> arrivals = watcher.receivedNanos().values();
        long first = arrivals.stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = arrivals.stream().mapToLong(Long::longValue).max().orElseThrow();
        return last == first ? Double.NaN : (count - 1) / ((last - first) / 1e9);
    }
}

package dev.outbox.benchmarks.relays;

import dev.outbox.core.relay.RelayListener;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/** Counts the polling relay's batches, to explain its numbers: how many, how big, how long. */
final class BatchStats implements RelayListener {

    private final LongAdder batches = new LongAdder();
    private final LongAdder events = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    @Override
    public void onBatch(int size, Duration duration) {
        batches.increment();
        events.add(size);
        nanos.add(duration.toNanos());
    }

    /** Returns a summary since the last call and starts counting afresh. */
    String summarizeAndReset() {
        long b = batches.sumThenReset();
        long e = events.sumThenReset();
        long n = nanos.sumThenReset();
        return b == 0 ? "no batches" : String.format("%,d batches, %.0f events and %.1f ms (claim to outcomes stored) "
                + "per batch on average", b, (double) e / b, n / 1e6 / b);
    }
}

package dev.outbox.benchmarks.relays;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/** Measures how long a relay waits for the broker per batch, to tell publishing time from database time. */
final class TimedPublisher implements OutboxEventPublisher {

    private final OutboxEventPublisher delegate;
    private final LongAdder batches = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    TimedPublisher(OutboxEventPublisher delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
        long begin = System.nanoTime();
        return delegate.publish(events).whenComplete((outcomes, error) -> {
            batches.increment();
            nanos.add(System.nanoTime() - begin);
        });
    }

    /** Returns the mean publish time since the last call and starts counting afresh. */
    String summarizeAndReset() {
        long b = batches.sumThenReset();
        long n = nanos.sumThenReset();
        return b == 0 ? "no publishes" : String.format("%,d publishes, %.1f ms each until acknowledged", b, n / 1e6 / b);
    }

    @Override
    public void close() {
        delegate.close();
    }
}

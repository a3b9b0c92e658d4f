package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delegates, and on one chosen call kills the relay's database sessions (its walsender and its
 * leader-lock connection) after the delegate acknowledged the batch and before the relay can
 * confirm it: the relay dies between the broker's ack and the LSN confirmation.
 */
final class CrashAfterAckPublisher implements OutboxEventPublisher {
    private final OutboxEventPublisher delegate;
    private final int crashOnCall;
    private final String slot;
    private final AtomicInteger calls = new AtomicInteger();
    final List<OutboxEvent> crashedBatch = new CopyOnWriteArrayList<>();

    CrashAfterAckPublisher(OutboxEventPublisher delegate, int crashOnCall, String slot) {
        this.delegate = delegate;
        this.crashOnCall = crashOnCall;
        this.slot = slot;
    }

    @Override
    public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
        int call = calls.incrementAndGet();
        CompletionStage<List<PublishOutcome>> outcomes = delegate.publish(events);
        if (call != crashOnCall) {
            return outcomes;
        }
        return outcomes.thenApply(acknowledged -> {
            crashedBatch.addAll(events);
            killRelaySessions();
            return acknowledged;
        });
    }

    private void killRelaySessions() {
        SlotFixture.killRelaySessions(slot);
    }
}

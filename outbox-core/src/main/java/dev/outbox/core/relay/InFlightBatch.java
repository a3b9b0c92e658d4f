package dev.outbox.core.relay;

import dev.outbox.core.OutboxEvent;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A claimed batch being published. Exactly one party decides its fate: the relay thread that
 * applies its outcomes, or a stop that gave up waiting and releases its claims.
 */
final class InFlightBatch {
    private static final int PUBLISHING = 0;
    private static final int APPLYING = 1;
    private static final int ABANDONED = 2;

    private final List<OutboxEvent> events;
    private final AtomicInteger state = new AtomicInteger(PUBLISHING);
    private volatile boolean takeOverReported;

    /** Takes the claimed events, an unmodifiable list shared with the cycle. */
    InFlightBatch(List<OutboxEvent> events) {
        this.events = events;
    }

    /** Returns the ids of the claimed events; needed only to release them. */
    List<UUID> eventIds() {
        return events.stream().map(OutboxEvent::id).toList();
    }

    /** Returns whether the caller may apply the outcomes (nobody abandoned the batch). */
    boolean startApplying() {
        return state.compareAndSet(PUBLISHING, APPLYING);
    }

    /** Returns whether the batch is still being published (neither applied nor abandoned). */
    boolean isPublishing() {
        return state.get() == PUBLISHING;
    }

    /** Returns true the first time it is called, so a take-over is logged once per batch; relay thread only. */
    boolean reportTakeOver() {
        boolean first = !takeOverReported;
        takeOverReported = true;
        return first;
    }

    /** Returns whether the caller may release the claims (outcomes are not being applied). */
    boolean abandon() {
        return state.compareAndSet(PUBLISHING, ABANDONED);
    }
}

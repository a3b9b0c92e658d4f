package dev.outbox.rabbitmq;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One publish call's state: an outcome slot per event, filled once each (by the sending thread, a
 * confirm, a return, a lost channel or the deadline), and the stage completed when the last slot
 * is filled, after {@link DeliveryPolicy#holdBackSuccessors} (a later event of an aggregate
 * confirmed after an earlier one failed is reported {@code NOT_ATTEMPTED}). Thread-safe.
 */
final class RabbitBatch {

    private final List<OutboxEvent> events;
    private final Duration timeout;
    private final AtomicReferenceArray<PublishOutcome> outcomes;
    /** 1 once the event was handed to the channel: at the deadline it is in doubt, not unsent. */
    private final AtomicIntegerArray sent;
    private final AtomicInteger pending;
    private final CompletableFuture<List<PublishOutcome>> done = new CompletableFuture<>();

    RabbitBatch(List<OutboxEvent> events, Duration timeout) {
        this.events = List.copyOf(events);
        this.timeout = timeout;
        this.outcomes = new AtomicReferenceArray<>(events.size());
        this.sent = new AtomicIntegerArray(events.size());
        this.pending = new AtomicInteger(events.size());
    }

    List<OutboxEvent> events() {
        return events;
    }

    OutboxEvent event(int index) {
        return events.get(index);
    }

    CompletableFuture<List<PublishOutcome>> stage() {
        return done;
    }

    boolean isDone() {
        return done.isDone();
    }

    void markSent(int index) {
        sent.set(index, 1);
    }

    /** Fills the event's slot unless it already has an outcome. */
    void complete(int index, PublishOutcome outcome) {
        if (outcomes.compareAndSet(index, null, outcome) && pending.decrementAndGet() == 0) {
            List<PublishOutcome> all = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                all.add(outcomes.get(i));
            }
            done.complete(DeliveryPolicy.holdBackSuccessors(events, all));
        }
    }

    /** Reports every event from {@code from} on that has no outcome yet as not attempted, for {@code reason}. */
    void notAttemptedFrom(int from, Throwable reason) {
        for (int i = from; i < events.size(); i++) {
            complete(i, PublishOutcome.notAttempted(events.get(i).id(), reason));
        }
    }

    /**
     * The deadline: events sent without a confirm are {@code UNAVAILABLE}, events not sent yet
     * {@code NOT_ATTEMPTED}.
     *
     * @return whether some sent event had no confirm (the channel is then suspect)
     */
    boolean expire() {
        boolean unconfirmed = false;
        for (int i = 0; i < events.size(); i++) {
            if (outcomes.get(i) != null) {
                continue;
            }
            UUID id = events.get(i).id();
            if (sent.get(i) == 1) {
                unconfirmed = true;
                complete(i, PublishOutcome.unavailable(id, new TimeoutException("no publisher confirm from RabbitMQ "
                        + "within the publishTimeout of " + timeout)));
            } else {
                complete(i, PublishOutcome.notAttempted(id, new OutboxException("not sent: the publish call reached "
                        + "its publishTimeout of " + timeout + " first")));
            }
        }
        return unconfirmed;
    }
}

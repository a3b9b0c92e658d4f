package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * A publisher whose events matching a rule fail on their own ({@code RETRIABLE_FAILURE}, as a topic
 * authorization error) while the rule is switched on; the rest is published and recorded in order.
 * Applies {@link DeliveryPolicy#holdBackSuccessors} as real publishers do. Thread-safe.
 */
final class SwitchablePublisher implements OutboxEventPublisher {
    private final List<OutboxEvent> published = new ArrayList<>();
    private final List<OutboxEvent> sent = new ArrayList<>();
    private volatile Predicate<OutboxEvent> failing = e -> false;

    /** Makes matching events fail retriably from now on, until {@link #heal()}. */
    SwitchablePublisher fail(Predicate<OutboxEvent> rule) {
        failing = rule;
        return this;
    }

    /** Stops failing. */
    void heal() {
        failing = e -> false;
    }

    @Override
    public synchronized CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
        Predicate<OutboxEvent> rule = failing;
        List<PublishOutcome> outcomes = new ArrayList<>();
        for (OutboxEvent event : events) {
            sent.add(event);
            outcomes.add(rule.test(event)
                    ? PublishOutcome.retriable(event.id(), new IllegalStateException("not authorized: " + event.id()))
                    : PublishOutcome.published(event.id()));
        }
        outcomes = DeliveryPolicy.holdBackSuccessors(events, outcomes);
        for (int i = 0; i < events.size(); i++) {
            if (outcomes.get(i).isPublished()) {
                published.add(events.get(i));
            }
        }
        return CompletableFuture.completedFuture(outcomes);
    }

    synchronized List<UUID> publishedIds() {
        return published.stream().map(OutboxEvent::id).toList();
    }

    /** The ids published of one aggregate, in order (duplicates kept). */
    synchronized List<UUID> publishedOf(String aggregateId) {
        return published.stream().filter(e -> e.aggregateId().equals(aggregateId)).map(OutboxEvent::id).toList();
    }

    synchronized int sentCount(UUID id) {
        return (int) sent.stream().filter(e -> e.id().equals(id)).count();
    }
}

package dev.outbox.jdbc;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.AggregateKey;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A publisher shared by several relays that records, per aggregate, the order in which events
 * arrived, and counts events delivered more than once. Every event succeeds. Thread-safe.
 */
final class OrderCheckingPublisher implements OutboxEventPublisher {
    private final Map<AggregateKey, List<UUID>> perAggregate = new ConcurrentHashMap<>();
    private final Map<UUID, Boolean> seen = new ConcurrentHashMap<>();
    private final AtomicInteger distinct = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();

    @Override
    public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
        List<PublishOutcome> outcomes = new ArrayList<>(events.size());
        for (OutboxEvent event : events) {
            List<UUID> delivered = perAggregate.computeIfAbsent(AggregateKey.of(event), k -> new ArrayList<>());
            synchronized (delivered) {
                delivered.add(event.id());
            }
            if (seen.putIfAbsent(event.id(), Boolean.TRUE) == null) {
                distinct.incrementAndGet();
            } else {
                duplicates.incrementAndGet();
            }
            outcomes.add(PublishOutcome.published(event.id()));
        }
        return CompletableFuture.completedFuture(outcomes);
    }

    int distinct() {
        return distinct.get();
    }

    int duplicates() {
        return duplicates.get();
    }

    /** Returns the delivery order of one aggregate, repeats collapsed to their first delivery. */
    List<UUID> deliveredOnce(String aggregateType, String aggregateId) {
        List<UUID> delivered = perAggregate.getOrDefault(new AggregateKey(aggregateType, aggregateId), List.of());
        synchronized (delivered) {
            return delivered.stream().distinct().toList();
        }
    }

    /** Waits until {@code count} distinct events arrived; false on timeout. */
    boolean awaitDistinct(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (distinct() < count) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}

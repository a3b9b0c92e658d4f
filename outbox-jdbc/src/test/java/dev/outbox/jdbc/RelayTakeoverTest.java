package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A polling relay that dies mid-publish on real PostgreSQL (issue 11): its thread is stuck inside
 * {@code publish()} forever, so it renews nothing, and a second relay takes its batch over once
 * the short lease lapsed, keeping every aggregate's order.
 */
class RelayTakeoverTest {
    private static final Duration LEASE = Duration.ofSeconds(2);

    private final List<OutboxRelay> relays = new ArrayList<>();
    private final Map<String, List<UUID>> appended = new LinkedHashMap<>();
    private final CountDownLatch never = new CountDownLatch(1);
    private final TestDatabase.FreshOutbox db = TestDatabase.freshOutbox("takeover");

    @AfterEach
    void stopRelays() {
        never.countDown();
        relays.forEach(OutboxRelay::close);
    }

    @Test
    void aRelayKilledMidPublish_hasItsBatchDeliveredByAnotherRelayWithinAboutTheLease_inOrderPerAggregate()
            throws Exception {
        // four aggregates, five events each, interleaved over transactions
        for (int t = 0; t < 5; t++) {
            List<OutboxEvent> events = new ArrayList<>();
            for (int a = 0; a < 4; a++) {
                OutboxEvent event = OutboxEvent.json("Order", "agg-" + a, "Changed", "{\"t\": " + t + "}");
                events.add(event);
                appended.computeIfAbsent("agg-" + a, k -> new ArrayList<>()).add(event.id());
            }
            db.unitOfWork().useTransaction(() -> db.outbox().appendAll(events));
        }
        List<OutboxEvent> heldByTheDeadRelay = new CopyOnWriteArrayList<>();
        AtomicLong deadRelayPublished = new AtomicLong();
        OutboxEventPublisher hangsForever = new OutboxEventPublisher() {
            @Override
            public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
                heldByTheDeadRelay.addAll(events);
                deadRelayPublished.set(System.nanoTime());
                try {
                    never.await(); // the relay thread never comes back: no renewal, no outcome, no release
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("killed");
            }
        };
        start(OutboxRelay.builder(db.store(), hangsForever).claimant("killed").batchSize(6));
        Eventually.assertEventually("the first relay claimed a batch", Duration.ofSeconds(30),
                () -> !heldByTheDeadRelay.isEmpty());

        TimedPublisher survivor = new TimedPublisher();
        start(OutboxRelay.builder(db.store(), survivor).claimant("survivor").batchSize(50));

        assertThat(survivor.delegate.awaitDistinct(20, Duration.ofSeconds(60))).as("all delivered").isTrue();
        Set<UUID> held = heldByTheDeadRelay.stream().map(OutboxEvent::id).collect(Collectors.toSet());
        long takeoverNanos = held.stream().mapToLong(survivor::deliveredAtNanos).max().orElseThrow()
                - deadRelayPublished.get();
        System.out.printf("takeover: the killed relay's %d events delivered by the survivor %d ms after the kill"
                + " (lease %s)%n", held.size(), takeoverNanos / 1_000_000, LEASE);
        // not before the dead relay's lease ran out: one aggregate's events are never held by two relays
        assertThat(Duration.ofNanos(takeoverNanos)).isGreaterThan(LEASE.minusMillis(500));
        assertThat(survivor.delegate.duplicates()).isZero();
        appended.forEach((aggregateId, ids) -> assertThat(survivor.delegate.deliveredOnce("Order", aggregateId))
                .as(aggregateId).containsExactlyElementsOf(ids));
        Eventually.assertEventually("all marked published", Duration.ofSeconds(30),
                () -> db.store().backlog().pending() == 0);
    }

    private void start(OutboxRelay.Builder builder) {
        OutboxRelay relay = builder.lease(LEASE).publishTimeout(Duration.ofSeconds(30))
                .shutdownTimeout(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(100)).build();
        relays.add(relay);
        relay.start();
    }

    /** Delivers through an {@link OrderCheckingPublisher} and notes when each event first arrived. */
    private static final class TimedPublisher implements OutboxEventPublisher {
        final OrderCheckingPublisher delegate = new OrderCheckingPublisher();
        private final Map<UUID, Long> firstDelivery = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
            long now = System.nanoTime();
            events.forEach(e -> firstDelivery.putIfAbsent(e.id(), now));
            return delegate.publish(events);
        }

        long deliveredAtNanos(UUID eventId) {
            return firstDelivery.get(eventId);
        }
    }
}

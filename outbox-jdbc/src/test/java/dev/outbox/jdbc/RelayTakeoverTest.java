package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Claim takeover on real PostgreSQL (issue 11): a relay whose thread hangs inside {@code publish()}
 * renews its claims only until its publish timeout, so a second relay takes its batch over after
 * {@code publishTimeout + lease}, keeping every aggregate's order; a relay that merely blocks in
 * {@code publish()} longer than the lease (as Kafka's metadata waits can) keeps its claims.
 */
class RelayTakeoverTest {
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration HUNG_PUBLISH_TIMEOUT = Duration.ofSeconds(1);

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
    void aRelayHungInPublish_hasItsBatchDeliveredByAnotherRelayAfterItsPublishTimeoutAndLease_inOrderPerAggregate()
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
        start(hangsForever, RelayConfig.builder().claimant("killed").batchSize(6)
                .publishTimeout(HUNG_PUBLISH_TIMEOUT));
        Eventually.assertEventually("the first relay claimed a batch", Duration.ofSeconds(30),
                () -> !heldByTheDeadRelay.isEmpty());

        TimedPublisher survivor = new TimedPublisher();
        start(survivor, RelayConfig.builder().claimant("survivor").batchSize(50));

        assertThat(survivor.delegate.awaitDistinct(20, Duration.ofSeconds(60))).as("all delivered").isTrue();
        Set<UUID> held = heldByTheDeadRelay.stream().map(OutboxEvent::id).collect(Collectors.toSet());
        long takeoverNanos = held.stream().mapToLong(survivor::deliveredAtNanos).max().orElseThrow()
                - deadRelayPublished.get();
        System.out.printf("takeover: the killed relay's %d events delivered by the survivor %d ms after the kill"
                + " (lease %s)%n", held.size(), takeoverNanos / 1_000_000, LEASE);
        // not before the dead relay's lease ran out: one aggregate's events are never held by two relays
        assertThat(Duration.ofNanos(takeoverNanos)).isGreaterThan(HUNG_PUBLISH_TIMEOUT.plus(LEASE).minusMillis(500));
        assertThat(survivor.delegate.duplicates()).isZero();
        appended.forEach((aggregateId, ids) -> assertThat(survivor.delegate.deliveredOnce("Order", aggregateId))
                .as(aggregateId).containsExactlyElementsOf(ids));
        Eventually.assertEventually("all marked published", Duration.ofSeconds(30),
                () -> db.store().backlog().pending() == 0);
    }

    @Test
    void aRelayBlockedInPublishLongerThanTheLease_keepsItsClaims_soNoOtherRelaySendsItsBatch() throws Exception {
        List<OutboxEvent> events = new ArrayList<>();
        for (int a = 0; a < 4; a++) {
            events.add(OutboxEvent.json("Order", "slow-" + a, "Changed", "{}"));
        }
        db.unitOfWork().useTransaction(() -> db.outbox().appendAll(events));
        List<OutboxEvent> heldBySlowRelay = new CopyOnWriteArrayList<>();
        OutboxEventPublisher blocksThreeLeases = new OutboxEventPublisher() {
            @Override
            public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> batch) {
                heldBySlowRelay.addAll(batch);
                try {
                    Thread.sleep(LEASE.multipliedBy(3).toMillis()); // a publish() that blocks, as a metadata wait does
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return CompletableFuture.completedFuture(batch.stream().map(e -> PublishOutcome.published(e.id())).toList());
            }
        };
        start(blocksThreeLeases, RelayConfig.builder().claimant("slow").batchSize(10));
        Eventually.assertEventually("the slow relay claimed the batch", Duration.ofSeconds(30),
                () -> heldBySlowRelay.size() == events.size());
        TimedPublisher other = new TimedPublisher();
        start(other, RelayConfig.builder().claimant("other").batchSize(10));

        Eventually.assertEventually("the slow relay marks its batch published", Duration.ofSeconds(30),
                () -> db.store().backlog().pending() == 0);
        assertThat(other.delegate.duplicates()).isZero();
        events.forEach(e -> assertThat(other.delivered(e.id())).as("sent by the other relay: " + e.id()).isFalse());
    }

    private void start(OutboxEventPublisher publisher, RelayConfig.Builder config) {
        OutboxRelay relay = OutboxRelay.create(db.store(), publisher, config.lease(LEASE).publishTimeout(Duration.ofSeconds(30))
                .stopTimeout(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(100)).build());
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

        boolean delivered(UUID eventId) {
            return firstDelivery.containsKey(eventId);
        }

        long deliveredAtNanos(UUID eventId) {
            return firstDelivery.get(eventId);
        }
    }
}

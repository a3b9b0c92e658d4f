package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MultiRelayTest {

    private final List<OutboxRelay> relays = new ArrayList<>();
    private final Map<String, List<UUID>> appended = new LinkedHashMap<>();
    private final TestDatabase.FreshOutbox db = TestDatabase.freshOutbox("relays");

    @AfterEach
    void stopRelays() {
        relays.forEach(OutboxRelay::close);
    }

    private void startRelays(int count, OrderCheckingPublisher publisher) {
        for (int i = 0; i < count; i++) {
            OutboxRelay relay = OutboxRelay.create(db.store(), publisher, RelayConfig.builder().claimant("relay-" + i).batchSize(50)
                    .pollInterval(Duration.ofMillis(200)).lease(Duration.ofSeconds(30)).publishTimeout(Duration.ofSeconds(10)).build());
            relays.add(relay);
            relay.start();
        }
    }

    /** Appends {@code transactions} transactions of {@code perTransaction} events over {@code aggregates} aggregates. */
    private void append(int transactions, int perTransaction, int aggregates) {
        for (int t = 0; t < transactions; t++) {
            List<OutboxEvent> events = new ArrayList<>(perTransaction);
            for (int i = 0; i < perTransaction; i++) {
                String aggregateId = "agg-" + ((t * 7 + i) % aggregates);
                OutboxEvent event = OutboxEvent.json("Order", aggregateId, "Changed", "{\"t\": " + t + ", \"i\": " + i + "}");
                events.add(event);
                appended.computeIfAbsent(aggregateId, k -> new ArrayList<>()).add(event.id());
            }
            db.unitOfWork().useTransaction(() -> db.outbox().appendAll(events));
        }
    }

    private void assertEachAggregateInAppendOrder(OrderCheckingPublisher publisher) {
        appended.forEach((aggregateId, ids) ->
                assertThat(publisher.deliveredOnce("Order", aggregateId)).as(aggregateId).containsExactlyElementsOf(ids));
    }

    @Test
    void threeRelaysPublishTenThousandEventsOnceEachInOrderPerAggregate() throws Exception {
        OrderCheckingPublisher publisher = new OrderCheckingPublisher();
        append(50, 100, 100);
        startRelays(3, publisher);
        append(50, 100, 100);

        assertThat(publisher.awaitDistinct(10_000, Duration.ofSeconds(120))).as("all delivered").isTrue();

        assertThat(publisher.duplicates()).isZero();
        assertEachAggregateInAppendOrder(publisher);
        // The publisher sees a batch before the relay marks it published: wait for the marks.
        Eventually.assertEventually("no pending events", Duration.ofSeconds(30), () -> db.store().backlog().pending() == 0);
    }

    @Test
    void eventsOfARelayKilledMidBatchArePublishedByAnotherAfterTheLease() throws Exception {
        OrderCheckingPublisher publisher = new OrderCheckingPublisher();
        append(10, 50, 20);
        // The killed relay claims part of the backlog and never marks it: its process is gone.
        assertThat(db.store().claim("killed-relay", 120, Instant.now(), Duration.ofSeconds(3))).hasSize(120);

        startRelays(2, publisher);

        assertThat(publisher.awaitDistinct(500, Duration.ofSeconds(60))).as("all delivered").isTrue();
        assertThat(publisher.duplicates()).isZero();
        assertEachAggregateInAppendOrder(publisher);
        // The publisher sees a batch before the relay marks it published: wait for the marks.
        Eventually.assertEventually("no pending events", Duration.ofSeconds(30), () -> db.store().backlog().pending() == 0);
    }
}

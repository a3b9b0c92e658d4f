package dev.outbox.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.DeadLetter;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Holding back successors of a failed event: keyed by aggregate type and id, and free of charge
 * for the held-back events (issue 10, item 3).
 */
class OutboxRelayHoldBackTest {
    private static final BackoffPolicy EXACT = BackoffPolicy.defaults().withJitter(0);

    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();
    private final MutableClock clock = MutableClock.startingNow();
    private final RecordingListener listener = new RecordingListener();

    private OutboxRelay relay(ScriptedPublisher publisher, int maxAttempts) {
        return OutboxRelay.create(store, publisher, RelayConfig.builder().claimant("hold-relay").clock(clock).backoff(EXACT)
                .maxAttempts(maxAttempts).listener(listener).build());
    }

    private static OutboxEvent event(String type, String id) {
        return OutboxEvent.json(type, id, type + "Updated", "{}");
    }

    private static PublishOutcome ownFailure(OutboxEvent event) {
        return PublishOutcome.retriable(event.id(), new IllegalStateException("not authorized for its topic"));
    }

    @Test
    void aFailingOrder42_doesNotHoldBackCustomer42() {
        OutboxEvent order1 = event("Order", "42");
        OutboxEvent customer = event("Customer", "42");
        OutboxEvent order2 = event("Order", "42");
        store.append(List.of(order1, customer, order2));
        ScriptedPublisher publisher = ScriptedPublisher.perEvent((call, e) ->
                e.equals(order1) ? ownFailure(e) : PublishOutcome.published(e.id()));

        relay(publisher, 10).runOnce();

        assertThat(listener.published).containsExactly(customer.id());
        assertThat(store.pending()).containsExactly(order1, order2);
    }

    @Test
    void eventsHeldBackBehindAFailingEvent_keepZeroAttemptsAndAreDeliveredAfterItIsDeadLettered() {
        OutboxEvent poison = event("Order", "7");
        OutboxEvent second = event("Order", "7");
        OutboxEvent third = event("Order", "7");
        store.append(List.of(poison, second, third));
        // the publisher reports the successors as a publisher without an order guard might: the second
        // one failing too (the guard's old "retriable" report), the third not attempted
        ScriptedPublisher publisher = ScriptedPublisher.perEvent((call, e) -> {
            if (e.equals(poison)) {
                return ownFailure(e);
            }
            if (e.equals(second) && call <= 3) {
                return PublishOutcome.retriable(e.id(), new IllegalStateException("not sent: earlier event failed"));
            }
            if (e.equals(third) && call <= 3) {
                return PublishOutcome.notAttempted(e.id(), new IllegalStateException("held back behind " + poison.id()));
            }
            return PublishOutcome.published(e.id());
        });
        OutboxRelay relay = relay(publisher, 3);

        for (int cycle = 0; cycle < 5 && !store.pending().isEmpty(); cycle++) {
            relay.runOnce();
            List<ClaimedEvent> probe = store.claim("probe", 10, clock.instant().plus(Duration.ofDays(1)),
                    Duration.ofMillis(1));
            assertThat(probe).filteredOn(c -> !c.event().equals(poison))
                    .as("held-back events never gain attempts").allSatisfy(c -> assertThat(c.attempts()).isZero());
            clock.advance(Duration.ofDays(1).plusMillis(2));
        }

        assertThat(store.deadLetters(10)).extracting(DeadLetter::eventId).containsExactly(poison.id());
        assertThat(listener.published).containsExactly(second.id(), third.id());
        assertThat(listener.retries).filteredOn(r -> !r.eventId().equals(poison.id()))
                .allSatisfy(r -> assertThat(r.attempts()).isZero());
    }

    @Test
    void successorsReleasedBehindARescheduledEvent_areNotClaimedBeforeIt() {
        OutboxEvent first = event("Order", "9");
        OutboxEvent next = event("Order", "9");
        OutboxEvent other = event("Order", "10");
        store.append(List.of(first, next, other));
        ScriptedPublisher publisher = ScriptedPublisher.perEvent((call, e) ->
                e.equals(first) && call == 1 ? ownFailure(e) : PublishOutcome.published(e.id()));
        OutboxRelay relay = relay(publisher, 10);

        relay.runOnce();
        assertThat(store.claim("probe", 10, clock.instant().plusMillis(999), Duration.ofMillis(1)))
                .as("the successor waits for the rescheduled event even though its own claim was given back")
                .isEmpty();
        clock.advance(Duration.ofSeconds(1));
        relay.runOnce();

        assertThat(publisher.calls.get(1)).containsExactly(first, next);
        assertThat(listener.published).containsExactly(other.id(), first.id(), next.id());
        assertThat(listener.retries).filteredOn(r -> r.eventId().equals(next.id()))
                .extracting(RecordingListener.Retry::attempts).containsOnly(0);
    }
}

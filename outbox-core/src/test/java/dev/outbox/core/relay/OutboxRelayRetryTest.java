package dev.outbox.core.relay;

import static dev.outbox.core.relay.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.DeadLetter;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Retries, backoff, dead letters and per-aggregate order, driven cycle by cycle with {@code runOnce}. */
class OutboxRelayRetryTest {
    private static final BackoffPolicy EXACT = BackoffPolicy.defaults().withJitter(0);

    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();
    private final RecordingPublisher publisher = RecordingPublisher.create();
    private final MutableClock clock = MutableClock.startingNow();
    private final RecordingListener listener = new RecordingListener();

    private OutboxRelay relay(int maxAttempts) {
        return relay(publisher, maxAttempts);
    }

    private OutboxRelay relay(OutboxEventPublisher publisher, int maxAttempts) {
        return OutboxRelay.create(store, publisher, RelayConfig.builder().claimant("test-relay").clock(clock).backoff(EXACT)
                .maxAttempts(maxAttempts).listener(listener).build());
    }

    @Test
    void eventsOfAnAggregateArriveInOrderThroughRetriesWhileOtherAggregatesFlow() {
        OutboxEvent a1 = event("A");
        OutboxEvent a2 = event("A");
        OutboxEvent a3 = event("A");
        OutboxEvent b1 = event("B");
        OutboxEvent b2 = event("B");
        store.append(List.of(a1, b1, a2, b2, a3));
        publisher.failRetriably(a1.id(), 2);
        OutboxRelay relay = relay(10);

        assertThat(relay.runOnce()).isEqualTo(5);
        assertThat(listener.published).containsExactly(b1.id(), b2.id());
        clock.advance(Duration.ofSeconds(1));
        assertThat(relay.runOnce()).isEqualTo(3);
        clock.advance(Duration.ofSeconds(2));
        assertThat(relay.runOnce()).isEqualTo(3);

        assertThat(listener.published).containsExactly(b1.id(), b2.id(), a1.id(), a2.id(), a3.id());
        // a2 and a3 are held back behind the failed a1 (NOT_ATTEMPTED) and sent again after it
        List<OutboxEvent> deliveredOfA = publisher.publishedFor("Order", "A");
        assertThat(deliveredOfA.subList(deliveredOfA.size() - 3, deliveredOfA.size())).containsExactly(a1, a2, a3);
        assertThat(publisher.publishedFor("Order", "B")).containsExactly(b1, b2);
        List<OutboxEvent> sentOfA = publisher.sent().stream().filter(e -> e.aggregateId().equals("A")).toList();
        assertThat(sentOfA).containsExactly(a1, a2, a3, a1, a2, a3, a1, a2, a3);
        assertThat(store.pending()).isEmpty();
    }

    @Test
    void successorsHeldBackBehindAFailedEventKeepTheirAttemptCountAndAreClaimedOnlyAfterIt() {
        OutboxEvent a1 = event("A");
        OutboxEvent a2 = event("A");
        store.append(List.of(a1, a2));
        publisher.failRetriably(a1.id(), 1);

        relay(10).runOnce();

        // a2 is given back at once with its attempts unchanged; the store keeps it behind a1's retry
        assertThat(listener.retries).extracting(RecordingListener.Retry::eventId, RecordingListener.Retry::attempts,
                RecordingListener.Retry::nextAttemptAt).containsExactly(
                        tuple(a1.id(), 1, clock.instant().plusSeconds(1)),
                        tuple(a2.id(), 0, clock.instant()));
        assertThat(listener.published).isEmpty();
        assertThat(store.claim("probe", 10, clock.instant().plusMillis(999), Duration.ofSeconds(1))).isEmpty();
        List<ClaimedEvent> due = store.claim("probe", 10, clock.instant().plusSeconds(1), Duration.ofSeconds(1));
        assertThat(due).extracting(c -> c.event().id(), ClaimedEvent::attempts)
                .containsExactly(tuple(a1.id(), 1),
                        tuple(a2.id(), 0));
    }

    @Test
    void retriesFollowTheBackoffSchedule() {
        OutboxEvent event = event("A");
        store.append(event);
        publisher.failRetriably(event.id(), 4);
        OutboxRelay relay = relay(10);

        for (int i = 0; i < 4; i++) {
            assertThat(relay.runOnce()).isEqualTo(1);
            clock.advance(Duration.between(clock.instant(), listener.retries.get(i).nextAttemptAt()));
        }

        assertThat(listener.retries).extracting(RecordingListener.Retry::attempts).containsExactly(1, 2, 3, 4);
        List<Duration> delays = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8));
        Instant expected = MutableClock.startingNow().instant();
        for (int i = 0; i < 4; i++) {
            expected = expected.plus(delays.get(i));
            assertThat(listener.retries.get(i).nextAttemptAt()).isEqualTo(expected);
        }
        assertThat(relay.runOnce()).isEqualTo(1);
        assertThat(publisher.publishedIds()).containsExactly(event.id());
    }

    @Test
    void anEventIsNotRetriedBeforeItsBackoffHasPassed() {
        OutboxEvent event = event("A");
        store.append(event);
        publisher.failRetriably(event.id(), 1);
        OutboxRelay relay = relay(10);
        relay.runOnce();

        clock.advance(Duration.ofMillis(999));
        assertThat(relay.runOnce()).isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(relay.runOnce()).isEqualTo(1);
    }

    @Test
    void anEventIsDeadLetteredAfterMaxAttemptsWithoutBlockingOthers() {
        OutboxEvent poison = event("A");
        OutboxEvent successor = event("A");
        OutboxEvent other = event("B");
        store.append(List.of(poison, successor, other));
        publisher.failRetriably(poison.id(), Integer.MAX_VALUE - 1);
        OutboxRelay relay = relay(3);

        relay.runOnce();
        clock.advance(Duration.ofSeconds(1));
        relay.runOnce();
        assertThat(store.deadLetters(10)).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        relay.runOnce();

        List<DeadLetter> dead = store.deadLetters(10);
        assertThat(dead).extracting(DeadLetter::eventId).containsExactly(poison.id());
        assertThat(dead.get(0).attempts()).isEqualTo(3);
        assertThat(dead.get(0).lastError()).contains("simulated RETRIABLE_FAILURE");
        assertThat(listener.deadLetters).extracting(RecordingListener.Dead::eventId, RecordingListener.Dead::attempts)
                .containsExactly(tuple(poison.id(), 3));
        // the successor was held back behind the poison in that batch too: given back, sent in the next one
        relay.runOnce();
        assertThat(listener.published).containsExactly(other.id(), successor.id());
        assertThat(store.pending()).isEmpty();
    }

    @Test
    void aPermanentFailureIsDeadLetteredAtOnceAndItsSuccessorIsPublished() {
        OutboxEvent poison = event("A");
        OutboxEvent successor = event("A");
        OutboxEvent other = event("B");
        store.append(List.of(poison, successor, other));
        publisher.failPermanently(poison.id());

        relay(10).runOnce();

        assertThat(store.deadLetters(10)).singleElement().satisfies(d -> {
            assertThat(d.eventId()).isEqualTo(poison.id());
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.deadLetteredAt()).isEqualTo(clock.instant());
        });
        assertThat(publisher.publishedIds()).containsExactly(successor.id(), other.id());
        assertThat(listener.retries).isEmpty();
        assertThat(store.pending()).isEmpty();
    }

    @Test
    void aFailedPublishCallMakesTheWholeBatchUnavailableWithoutCountingAnAttempt() {
        OutboxEvent a = event("A");
        OutboxEvent b = event("B");
        store.append(List.of(a, b));
        publisher.failNextCalls(1);

        assertThat(relay(10).runOnce()).isEqualTo(2);

        assertThat(listener.retries).extracting(RecordingListener.Retry::attempts).containsExactly(0, 0);
        assertThat(listener.retries.get(0).error()).hasMessage("simulated broker outage");
        assertThat(store.claim("probe", 10, clock.instant(), Duration.ofSeconds(1)))
                .extracting(ClaimedEvent::attempts).containsExactly(0, 0);
        assertThat(store.pending()).containsExactly(a, b);
        assertThat(listener.published).isEmpty();
    }

    @Test
    void aPublisherThatThrowsOrOmitsOutcomesNeverGetsEventsMarkedPublished() {
        OutboxEvent a = event("A");
        OutboxEvent b = event("B");
        store.append(List.of(a, b));
        OutboxEventPublisher throwing = events -> {
            throw new IllegalStateException("boom");
        };
        OutboxEventPublisher partial = events -> CompletableFuture.completedFuture(
                List.of(PublishOutcome.published(events.get(0).id())));

        relay(throwing, 10).runOnce();
        assertThat(store.pending()).containsExactly(a, b);
        clock.advance(Duration.ofSeconds(1));
        relay(partial, 10).runOnce();

        assertThat(store.pending()).containsExactly(b);
        assertThat(listener.retries).extracting(RecordingListener.Retry::eventId)
                .containsExactly(a.id(), b.id(), b.id());
        assertThat(listener.retries.get(2).error()).hasMessageContaining("no outcome");
    }

    @Test
    void aPublisherThatNeverCompletesTimesOutAsUnavailableWithoutCountingAnAttempt() {
        OutboxEvent event = event("A");
        store.append(event);
        OutboxEventPublisher silent = events -> new CompletableFuture<>();
        OutboxRelay relay = OutboxRelay.create(store, silent, RelayConfig.builder().clock(clock).backoff(EXACT)
                .publishTimeout(Duration.ofMillis(50)).listener(listener).build());

        assertThat(relay.runOnce()).isEqualTo(1);

        assertThat(store.isPending(event.id())).isTrue();
        assertThat(listener.retries).singleElement().satisfies(r -> {
            assertThat(r.attempts()).isZero();
            assertThat(r.error()).hasMessageContaining("publishTimeout");
        });
    }

    @Test
    void outcomesAreWrittenWithOneStoreCallPerKind() {
        CountingStore counting = new CountingStore(store);
        List<OutboxEvent> events = List.of(event("A"), event("B"), event("C"), event("D"), event("E"));
        store.append(events);
        publisher.failRetriably(events.get(1).id(), 1).failRetriably(events.get(2).id(), 1)
                .failPermanently(events.get(3).id());

        OutboxRelay.create(counting, publisher, RelayConfig.builder().clock(clock).build()).runOnce();

        assertThat(counting.calls).containsExactly("claim", "markPublished", "reschedule", "deadLetter");
    }

    @Test
    void listenerHearsOfEachBatchAndAThrowingListenerDoesNotBreakTheRelay() {
        store.append(List.of(event("A"), event("B")));
        RelayListener throwing = new RelayListener() {
            @Override
            public void onPublished(List<OutboxEvent> events) {
                throw new IllegalStateException("listener bug");
            }
        };
        OutboxRelay relay = OutboxRelay.create(store, publisher, RelayConfig.builder().clock(clock).listener(throwing).build());

        assertThat(relay.runOnce()).isEqualTo(2);
        assertThat(store.pending()).isEmpty();

        store.append(event("C"));
        relay(10).runOnce();
        assertThat(listener.batches).containsExactly(1);
    }
}

package dev.outbox.core.relay;

import static dev.outbox.core.relay.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.PublishOutcome;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Broker outages cost events no attempts: only an event's own failures count (issue 10, item 2). */
class OutboxRelayOutageTest {
    private static final BackoffPolicy EXACT = BackoffPolicy.defaults().withJitter(0);
    private static final int MAX_ATTEMPTS = 3;
    private static final int OUTAGE_CALLS = 4 * MAX_ATTEMPTS;

    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();
    private final MutableClock clock = MutableClock.startingNow();
    private final RecordingListener listener = new RecordingListener();

    private OutboxRelay relay(ScriptedPublisher publisher) {
        return OutboxRelay.create(store, publisher, RelayConfig.builder().claimant("outage-relay").clock(clock).backoff(EXACT)
                .maxAttempts(MAX_ATTEMPTS).listener(listener).build());
    }

    @Test
    void givenAnOutageOfMoreCyclesThanMaxAttempts_nothingIsDeadLetteredAndEverythingIsDeliveredInOrderAfterRecovery() {
        OutboxEvent a1 = event("A");
        OutboxEvent b1 = event("B");
        OutboxEvent a2 = event("A");
        OutboxEvent a3 = event("A");
        store.append(List.of(a1, b1, a2, a3));
        // the broker is down for OUTAGE_CALLS publish calls: stages failing as a whole, alternating with
        // calls in which every event is reported UNAVAILABLE
        ScriptedPublisher publisher = ScriptedPublisher.of((call, events) -> {
            if (call > OUTAGE_CALLS) {
                return CompletableFuture.completedFuture(
                        events.stream().map(e -> PublishOutcome.published(e.id())).toList());
            }
            if (call % 2 == 1) {
                return CompletableFuture.failedFuture(new ConnectException("broker down"));
            }
            return CompletableFuture.completedFuture(events.stream().map(e -> PublishOutcome.unavailable(e.id(),
                    new TimeoutException("Expiring 1 record(s)"))).toList());
        });
        OutboxRelay relay = relay(publisher);

        for (int i = 0; i < OUTAGE_CALLS; i++) {
            relay.runOnce();
            assertThat(store.deadLetters(10)).as("dead letters after outage call %d", i + 1).isEmpty();
            clock.advance(Duration.ofMinutes(10));
        }
        assertThat(store.claim("probe", 10, clock.instant(), Duration.ofMillis(1)))
                .as("no attempt counted during the outage").extracting(ClaimedEvent::attempts).containsOnly(0);
        clock.advance(Duration.ofSeconds(1));
        while (!store.pending().isEmpty() && publisher.calls.size() < OUTAGE_CALLS + 10) {
            relay.runOnce();
        }

        assertThat(store.pending()).isEmpty();
        assertThat(store.deadLetters(10)).isEmpty();
        assertThat(publisher.published).containsExactly(a1, b1, a2, a3);
        assertThat(listener.retries).allSatisfy(r -> assertThat(r.attempts()).isZero());
    }

    @Test
    void givenTheBrokerUnavailable_theRelayThreadPausesBetweenBatchesInsteadOfSpinning() throws Exception {
        store.append(List.of(event("A"), event("B")));
        ScriptedPublisher down = ScriptedPublisher.of((call, events) ->
                CompletableFuture.failedFuture(new ConnectException("broker down")));
        OutboxRelay relay = OutboxRelay.create(store, down, RelayConfig.builder().claimant("outage-loop").pollInterval(Duration.ofMillis(10))
                .outageBackoff(BackoffPolicy.exponential(Duration.ofMillis(200), 2.0, Duration.ofMillis(200), 0.0)).build());

        relay.start();
        try {
            Thread.sleep(1_000);
        } finally {
            relay.close();
        }

        // released claims are due at once: without the relay-wide pause this would be thousands of calls
        assertThat(down.calls.size()).isBetween(1, 10);
        assertThat(store.deadLetters(10)).isEmpty();
    }
}

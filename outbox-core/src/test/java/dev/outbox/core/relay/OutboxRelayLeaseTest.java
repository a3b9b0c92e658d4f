package dev.outbox.core.relay;

import static dev.outbox.core.relay.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A short lease that a live relay renews while it waits for the broker (issue 11): a slow publish
 * keeps its claims, a dead relay's events are taken over within one lease. The store's time is a
 * test clock; only the renewal rhythm (lease / 3) runs in real time.
 */
class OutboxRelayLeaseTest {
    private static final Duration LEASE = Duration.ofSeconds(1);

    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();
    private final CountingStore relayAsView = new CountingStore(store);
    private final MutableClock clock = MutableClock.startingNow();
    private final CompletableFuture<List<PublishOutcome>> brokerAnswer = new CompletableFuture<>();
    private final ScriptedPublisher slowBroker = ScriptedPublisher.of((call, events) -> brokerAnswer);
    private final AtomicInteger handledByA = new AtomicInteger(-1);
    private Thread relayAThread;

    @AfterEach
    void letRelayAFinish() throws InterruptedException {
        CountDownLatch frozen = relayAsView.renewalsFrozen;
        if (frozen != null) {
            frozen.countDown();
        }
        brokerAnswer.complete(List.of());
        if (relayAThread != null) {
            relayAThread.join(10_000);
        }
    }

    @Test
    void aRelayWhosePublishOutlastsTheLease_keepsItsClaimsBecauseItRenewsThem() throws Exception {
        List<OutboxEvent> events = List.of(event("A"), event("A"), event("B"));
        events.forEach(store::append);
        OutboxRelay relayA = OutboxRelay.create(relayAsView, slowBroker, RelayConfig.builder().claimant("a").lease(LEASE)
                .publishTimeout(Duration.ofSeconds(60)).clock(clock).build());
        startCycle(relayA);
        Await.until("relay a publishes", () -> slowBroker.calls.size() == 1);

        clock.advance(LEASE.multipliedBy(10)); // ten leases pass while the broker is slow
        Instant renewedPast = clock.instant().plus(LEASE);
        Await.until("relay a renews its claims after the clock moved",
                () -> relayAsView.extendedUntil.stream().anyMatch(until -> !until.isBefore(renewedPast)));

        RecordingPublisher brokerOfB = RecordingPublisher.create();
        OutboxRelay relayB = OutboxRelay.create(store, brokerOfB, RelayConfig.builder().claimant("b").lease(LEASE).clock(clock).build());
        assertThat(relayB.runOnce()).as("relay b finds nothing it may claim").isZero();
        assertThat(brokerOfB.published()).isEmpty();

        brokerAnswer.complete(events.stream().map(e -> PublishOutcome.published(e.id())).toList());
        relayAThread.join(10_000);
        assertThat(handledByA).hasValue(3);
        assertThat(store.backlog().pending()).as("relay a's outcomes were written").isZero();
    }

    @Test
    void aRelayThatDies_hasItsEventsClaimableByAnotherRelayAfterTheDefaultShortLease() throws Exception {
        List<OutboxEvent> events = List.of(event("A"), event("A"), event("B"));
        events.forEach(store::append);
        relayAsView.renewalsFrozen = new CountDownLatch(1); // relay a is frozen (killed) mid-publish
        OutboxRelay relayA = OutboxRelay.create(relayAsView, slowBroker, RelayConfig.builder().claimant("a").clock(clock).build());
        startCycle(relayA);
        Await.until("relay a publishes", () -> slowBroker.calls.size() == 1);
        RecordingPublisher brokerOfB = RecordingPublisher.create();
        OutboxRelay relayB = OutboxRelay.create(store, brokerOfB, RelayConfig.builder().claimant("b").clock(clock).build());

        clock.advance(Duration.ofSeconds(14));
        assertThat(relayB.runOnce()).as("within relay a's lease").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(relayB.runOnce()).as("15 s after relay a claimed").isEqualTo(3);

        assertThat(brokerOfB.published()).extracting(OutboxEvent::id)
                .containsExactlyElementsOf(events.stream().map(OutboxEvent::id).toList());
        assertThat(store.backlog().pending()).isZero();
    }

    @Test
    void theDefaultLeaseIsShortAndRenewedEveryThirdOfIt() {
        assertThat(RelayDefaults.LEASE).isEqualTo(Duration.ofSeconds(15));
        assertThat(RelayCycle.renewalInterval(RelayDefaults.LEASE)).isEqualTo(Duration.ofSeconds(5));
    }

    private void startCycle(OutboxRelay relay) {
        relayAThread = new Thread(() -> handledByA.set(relay.runOnce()), "relay-a-cycle");
        relayAThread.setDaemon(true);
        relayAThread.start();
    }
}

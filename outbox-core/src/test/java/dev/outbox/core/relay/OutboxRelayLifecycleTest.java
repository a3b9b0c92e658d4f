package dev.outbox.core.relay;

import static dev.outbox.core.relay.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.spi.OutboxBacklog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay thread: start and stop, wake-ups, in-flight batches and store failures. */
class OutboxRelayLifecycleTest {
    private static final Duration ONE_HOUR = Duration.ofHours(1);

    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();
    private final RecordingPublisher publisher = RecordingPublisher.create();
    private final RecordingListener listener = new RecordingListener();
    private OutboxRelay relay;

    @AfterEach
    void stopRelay() {
        publisher.releaseHeldCalls();
        if (relay != null) {
            relay.close();
        }
    }

    private RelayConfig.Builder builder() {
        return RelayConfig.builder().claimant("lifecycle-" + System.nanoTime()).listener(listener);
    }

    @Test
    void nothingIsMarkedPublishedBeforeThePublishersStageCompletes() throws Exception {
        OutboxEvent event = event("A");
        store.append(event);
        publisher.holdCalls();
        relay = OutboxRelay.create(store, publisher, builder().pollInterval(ONE_HOUR).build());

        CompletableFuture<Integer> cycle = CompletableFuture.supplyAsync(relay::runOnce);
        Await.until("the publisher holds the batch", () -> publisher.heldCallCount() == 1);

        assertThat(store.isPending(event.id())).isTrue();
        assertThat(listener.published).isEmpty();
        publisher.releaseHeldCalls();
        assertThat(cycle.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(store.isPending(event.id())).isFalse();
        assertThat(listener.published).containsExactly(event.id());
    }

    @Test
    void stopWaitsForTheInFlightBatchAndRecordsItsOutcomes() throws Exception {
        relay = OutboxRelay.create(store, publisher, builder().pollInterval(ONE_HOUR).stopTimeout(Duration.ofSeconds(60)).build());
        publisher.holdCalls();
        relay.start();
        OutboxEvent event = event("A");
        store.append(event);
        Await.until("the publisher holds the batch", () -> publisher.heldCallCount() == 1);

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(relay::stop);
        Thread.sleep(200);
        assertThat(stopping).isNotDone();
        publisher.releaseHeldCalls();
        stopping.get(30, TimeUnit.SECONDS);

        assertThat(store.isPending(event.id())).isFalse();
        assertThat(listener.published).containsExactly(event.id());
        assertThat(relay.isRunning()).isFalse();
    }

    @Test
    void stopGivesUpOnABatchThatNeverCompletesAndReleasesItsClaims() throws Exception {
        relay = OutboxRelay.create(store, publisher, builder().pollInterval(ONE_HOUR).stopTimeout(Duration.ofMillis(200)).build());
        publisher.holdCalls();
        relay.start();
        List<OutboxEvent> events = List.of(event("A"), event("B"));
        store.append(events);
        Await.until("the publisher holds the batch", () -> publisher.heldCallCount() == 1);
        assertThat(store.claimantOf(events.get(0).id())).contains(relay.config().claimant());

        CompletableFuture.runAsync(relay::stop).get(30, TimeUnit.SECONDS);

        assertThat(store.pending()).containsExactlyElementsOf(events);
        assertThat(store.claimantOf(events.get(0).id())).isEmpty();
        assertThat(store.claim("other-relay", 10, Instant.now(), Duration.ofMinutes(1)))
                .extracting(c -> c.event().id()).containsExactly(events.get(0).id(), events.get(1).id());
        publisher.releaseHeldCalls();
        assertThat(listener.published).isEmpty();
        assertThat(listener.batches).isEmpty();
    }

    @Test
    void anIdleRelayDeliversPromptlyWhenWokenUp() throws Exception {
        CountingStore unsubscribable = new CountingStore(store);
        relay = OutboxRelay.create(unsubscribable, publisher, RelayConfig.builder().pollInterval(ONE_HOUR).build());
        relay.start();
        awaitIdle(relay);

        OutboxEvent event = event("A");
        store.append(event);
        relay.wakeUp();

        assertThat(publisher.awaitPublished(1, Await.TIMEOUT)).isTrue();
        assertThat(publisher.publishedIds()).containsExactly(event.id());
    }

    @Test
    void anIdleRelayIsWokenByTheStoresSubscriptionOnCommit() throws Exception {
        relay = OutboxRelay.create(store, publisher, builder().pollInterval(ONE_HOUR).build());
        relay.start();
        awaitIdle(relay);

        store.append(event("A"));

        assertThat(publisher.awaitPublished(1, Await.TIMEOUT)).isTrue();
    }

    @Test
    void aWakeUpArrivingBetweenAnEmptyClaimAndTheIdleWaitIsNotLost() throws Exception {
        // the backlog sample runs after the first (empty) claim and before the idle wait; the event
        // committed there wakes the relay before it sleeps, and with a one-hour poll only that
        // kept wake-up gets the event delivered
        OutboxEvent event = event("A");
        AtomicBoolean committed = new AtomicBoolean();
        relay = OutboxRelay.create(store, publisher, builder().pollInterval(ONE_HOUR).listener(new RelayListener() {
            @Override
            public void onBacklog(OutboxBacklog backlog, Duration oldestPendingAge) {
                if (committed.compareAndSet(false, true)) {
                    store.append(event);
                }
            }
        }).build());

        relay.start();

        assertThat(publisher.awaitPublished(1, Await.TIMEOUT)).isTrue();
    }

    @Test
    void fullBatchesAreFollowedAtOnceWithoutWaitingForThePollInterval() throws Exception {
        relay = OutboxRelay.create(store, publisher, builder().pollInterval(ONE_HOUR).batchSize(2).build());
        store.append(List.of(event("A"), event("B"), event("C"), event("D"), event("E")));

        relay.start();

        assertThat(publisher.awaitPublished(5, Await.TIMEOUT)).isTrue();
        // the publisher sees the last batch before the relay reports it to the listener
        Await.until("three batches reported", () -> listener.batches.size() >= 3);
        assertThat(listener.batches).startsWith(2, 2, 1);
    }

    @Test
    void aPartialBatchIsFollowedByAnotherClaimWithoutWaitingForAWakeUp() throws Exception {
        // no subscription and a one-hour poll: only the relay's own follow-up claim can find event B
        CountingStore unsubscribable = new CountingStore(store);
        relay = OutboxRelay.create(unsubscribable, publisher, RelayConfig.builder().pollInterval(ONE_HOUR).batchSize(10).build());
        store.append(event("A"));
        publisher.holdCalls();
        relay.start();
        Await.until("the publisher holds the batch", () -> publisher.heldCallCount() == 1);

        store.append(event("B"));
        publisher.releaseHeldCalls();

        assertThat(publisher.awaitPublished(2, Await.TIMEOUT)).isTrue();
    }

    @Test
    void rightAfterABusySpellTheRelayLooksAgainSoonWithoutAWakeUp() throws Exception {
        // no subscription and a one-hour poll: event B, committed after the relay found nothing,
        // is found only because idle waits start short after the relay was busy
        CountingStore unsubscribable = new CountingStore(store);
        relay = OutboxRelay.create(unsubscribable, publisher, RelayConfig.builder().pollInterval(ONE_HOUR).batchSize(10).build());
        store.append(event("A"));
        relay.start();
        assertThat(publisher.awaitPublished(1, Await.TIMEOUT)).isTrue();
        // claim 2 finds nothing; a third claim comes only from a short idle wait, never from a wake-up
        Await.until("the relay claimed again after an empty claim",
                () -> unsubscribable.calls.stream().filter("claim"::equals).count() >= 3);

        store.append(event("B"));

        assertThat(publisher.awaitPublished(2, Await.TIMEOUT)).isTrue();
    }

    @Test
    void aFailingStoreDoesNotKillTheRelay() throws Exception {
        relay = OutboxRelay.create(store, publisher, builder().pollInterval(Duration.ofMillis(10)).build());
        store.simulateOutage(true);
        relay.start();
        Await.until("the relay reported two store failures", () -> listener.errors.size() >= 2);

        store.simulateOutage(false);
        OutboxEvent event = event("A");
        store.append(event);

        assertThat(publisher.awaitPublished(1, Await.TIMEOUT)).isTrue();
        assertThat(relay.isRunning()).isTrue();
        assertThat(listener.errors.get(0)).hasMessageContaining("simulated outage");
    }

    @Test
    void theRelaySamplesTheBacklogForItsListener() throws Exception {
        relay = OutboxRelay.create(store, publisher, builder().pollInterval(Duration.ofMillis(10)).backlogSampleInterval(Duration.ofMillis(1)).build());
        relay.start();

        Await.until("a backlog sample arrived", () -> !listener.backlogs.isEmpty());
    }

    @Test
    void startAndStopAreIdempotentAndAStoppedRelayCannotRestart() {
        relay = OutboxRelay.create(store, publisher, builder().pollInterval(ONE_HOUR).build());
        String threadName = "outbox-relay-" + relay.config().claimant();

        relay.start();
        relay.start();
        assertThat(relay.isRunning()).isTrue();
        assertThat(threadsNamed(threadName)).hasSize(1).allSatisfy(t -> assertThat(t.isDaemon()).isTrue());

        relay.stop();
        relay.stop();
        relay.close();
        assertThat(relay.isRunning()).isFalse();
        assertThatThrownBy(relay::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was stopped");
        assertThat(relay.runOnce()).isZero();
    }

    @Test
    void aListenerMayStopTheRelayFromTheRelayThread() throws Exception {
        AtomicReference<OutboxRelay> self = new AtomicReference<>();
        relay = OutboxRelay.create(store, publisher, builder().pollInterval(ONE_HOUR).stopTimeout(Duration.ofMinutes(5)).listener(new RelayListener() {
            @Override
            public void onBatch(int size, Duration duration) {
                self.get().stop();
            }
        }).build());
        self.set(relay);
        String threadName = "outbox-relay-" + relay.config().claimant();
        store.append(event("A"));

        relay.start();

        Await.until("the relay thread ended", () -> threadsNamed(threadName).isEmpty());
        assertThat(relay.isRunning()).isFalse();
        assertThat(store.pending()).isEmpty();
    }

    @Test
    void stoppingARelayThatNeverStartedIsAllowed() {
        relay = OutboxRelay.create(store, publisher, builder().build());

        relay.stop();

        assertThat(relay.isRunning()).isFalse();
    }

    @Test
    void concurrentStartsAndStopsLeaveNoThreadBehind() throws Exception {
        relay = OutboxRelay.create(store, publisher, builder().pollInterval(ONE_HOUR).build());
        String threadName = "outbox-relay-" + relay.config().claimant();
        List<CompletableFuture<Void>> starts = IntStream.range(0, 8)
                .mapToObj(i -> CompletableFuture.runAsync(relay::start)).toList();
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(threadsNamed(threadName)).hasSize(1);

        List<CompletableFuture<Void>> stops = IntStream.range(0, 8)
                .mapToObj(i -> CompletableFuture.runAsync(relay::stop)).toList();
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        Await.until("the relay thread ended", () -> threadsNamed(threadName).isEmpty());
    }

    /** Waits until the relay thread sleeps for its poll interval after finding nothing to do. */
    private static void awaitIdle(OutboxRelay relay) throws InterruptedException {
        String name = "outbox-relay-" + relay.config().claimant();
        Await.until("the relay is idle", () -> threadsNamed(name).stream()
                .anyMatch(t -> t.getState() == Thread.State.TIMED_WAITING));
    }

    private static List<Thread> threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive())
                .toList();
    }
}

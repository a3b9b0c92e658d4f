package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.DeadLetter;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.core.spi.OutboxBacklog;
import dev.outbox.core.spi.OutboxStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link OutboxStore} adapter must pass. Subclass it once per adapter in the
 * adapter's test sources and implement the two hooks; JUnit 5 runs the inherited tests:
 * <pre>{@code
 * class PostgresOutboxStoreContractTest extends OutboxStoreContract {
 *     protected OutboxStore store() { return store; }
 *     protected void appendCommitted(List<OutboxEvent> events) {
 *         unitOfWork.useTransaction(() -> outbox.appendAll(events));
 *     }
 * }
 * }</pre>
 *
 * <p>The tests pass explicit {@code now} instants to the store, a little after the real time
 * (so events appended with a database default timestamp are due), and move time forward by
 * passing later instants; nothing sleeps. Before each test, {@link #clearStore()} empties the
 * store through its own API, so one store (one database) can serve every test.
 *
 * <p>Payloads are JSON in PostgreSQL {@code jsonb}'s output form ({@code {"n": 1}}), so stores
 * that normalize JSON return the same text; timestamps are compared at microsecond precision.
 */
public abstract class OutboxStoreContract {
    /** A lease long enough never to expire within a test unless the test moves time past it. */
    protected static final Duration LEASE = Duration.ofMinutes(5);
    private static final String ME = "contract-relay-a";
    private static final String OTHER = "contract-relay-b";

    private OutboxStore store;
    private Instant now;
    private int sequence;

    /** Returns the store under test; called once per test, may return the same instance. */
    protected abstract OutboxStore store();

    /**
     * Appends {@code events} in one committed transaction, in list order, so that they are
     * visible to {@link OutboxStore#claim} when this method returns.
     */
    protected abstract void appendCommitted(List<OutboxEvent> events);

    /**
     * Empties the store before each test using only the {@link OutboxStore} API: claims and
     * publishes everything (far in the future, so leases and backoffs have passed), purges, and
     * deletes dead letters. Override to truncate tables directly if that is faster.
     */
    protected void clearStore() {
        Instant future = Instant.now().plus(Duration.ofDays(3650));
        List<ClaimedEvent> claimed;
        do {
            claimed = store.claim("contract-cleaner", 1000, future, Duration.ofSeconds(1));
            store.markPublished("contract-cleaner", ids(claimed), future);
        } while (!claimed.isEmpty());
        List<DeadLetter> dead;
        do {
            dead = store.deadLetters(1000);
            store.deleteDeadLetters(dead.stream().map(DeadLetter::eventId).toList());
        } while (!dead.isEmpty());
        while (store.purgePublished(future.plus(Duration.ofDays(1)), 1000) > 0) {
            // keep purging until nothing published is left
        }
    }

    @BeforeEach
    final void setUpContract() {
        store = store();
        clearStore();
        now = Instant.now().truncatedTo(ChronoUnit.MICROS).plusSeconds(1);
    }

    @Test
    void claimReturnsAnAppendedEventWithAllItsFields() {
        OutboxEvent event = OutboxEvent.builder().aggregateType("Order").aggregateId("order-1")
                .eventType("OrderCreated").payload("{\"n\": 1, \"name\": \"x\"}")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .occurredAt(Instant.parse("2026-01-02T03:04:05.123456Z")).build();
        appendCommitted(List.of(event));

        List<ClaimedEvent> claimed = store.claim(ME, 10, now, LEASE);

        assertThat(claimed).hasSize(1);
        OutboxEvent got = claimed.get(0).event();
        assertThat(got.id()).isEqualTo(event.id());
        assertThat(got.aggregateType()).isEqualTo("Order");
        assertThat(got.aggregateId()).isEqualTo("order-1");
        assertThat(got.eventType()).isEqualTo("OrderCreated");
        assertThat(got.payloadAsString()).isEqualTo(event.payloadAsString());
        assertThat(got.contentType()).isEqualTo(OutboxEvent.JSON);
        assertThat(got.headers()).containsAllEntriesOf(event.headers())
                .containsOnlyKeys("traceparent", OutboxEvent.SEQUENCE_HEADER);
        assertThat(got.occurredAt()).isEqualTo(event.occurredAt());
        assertThat(claimed.get(0).attempts()).isZero();
    }

    @Test
    void claimedEventsCarryAnAggregateSequenceThatGrowsInAppendOrderPerAggregate() {
        OutboxEvent a1 = event("a");
        OutboxEvent b1 = event("b");
        OutboxEvent a2 = event("a");
        OutboxEvent b2 = event("b");
        OutboxEvent a3 = event("a");
        appendCommitted(List.of(a1, b1));
        appendCommitted(List.of(a2));
        appendCommitted(List.of(b2, a3));

        Map<UUID, Long> sequences = new HashMap<>();
        for (ClaimedEvent claimed : store.claim(ME, 10, now, LEASE)) {
            assertThat(claimed.event().sequence()).as("sequence of %s", claimed.event().id()).isPresent();
            sequences.put(claimed.event().id(), claimed.event().sequence().getAsLong());
        }

        assertThat(sequences).hasSize(5);
        assertThat(sequences.get(a1.id())).isLessThan(sequences.get(a2.id()));
        assertThat(sequences.get(a2.id())).isLessThan(sequences.get(a3.id()));
        assertThat(sequences.get(b1.id())).isLessThan(sequences.get(b2.id()));
    }

    @Test
    void claimReturnsNothingWhenTheStoreIsEmpty() {
        assertThat(store.claim(ME, 10, now, LEASE)).isEmpty();
        assertThat(store.backlog()).isEqualTo(OutboxBacklog.EMPTY);
    }

    @Test
    void claimReturnsOldestFirstAndAtMostTheLimit() {
        List<OutboxEvent> events = List.of(event("a"), event("b"), event("c"), event("d"));
        appendCommitted(events);

        List<ClaimedEvent> first = store.claim(ME, 3, now, LEASE);
        List<ClaimedEvent> second = store.claim(ME, 3, now, LEASE);

        assertThat(ids(first)).containsExactly(events.get(0).id(), events.get(1).id(), events.get(2).id());
        assertThat(ids(second)).containsExactly(events.get(3).id());
    }

    @Test
    void claimsAreExclusiveBetweenClaimants() {
        List<OutboxEvent> events = List.of(event("a"), event("b"));
        appendCommitted(events);

        List<ClaimedEvent> mine = store.claim(ME, 10, now, LEASE);
        List<ClaimedEvent> theirs = store.claim(OTHER, 10, now.plusSeconds(1), LEASE);

        assertThat(ids(mine)).containsExactlyElementsOf(eventIds(events));
        assertThat(theirs).isEmpty();
    }

    @Test
    void anExpiredLeaseLetsAnotherClaimantTakeTheEvents() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        store.claim(ME, 10, now, Duration.ofSeconds(30));

        List<ClaimedEvent> beforeExpiry = store.claim(OTHER, 10, now.plusSeconds(29), LEASE);
        List<ClaimedEvent> afterExpiry = store.claim(OTHER, 10, now.plusSeconds(31), LEASE);

        assertThat(beforeExpiry).isEmpty();
        assertThat(ids(afterExpiry)).containsExactly(event.id());
        assertThat(afterExpiry.get(0).attempts()).isZero();
    }

    @Test
    void bothEventsOfAnAggregateMayComeInOneClaimEarlierFirst() {
        OutboxEvent first = event("agg");
        OutboxEvent second = event("agg");
        appendCommitted(List.of(first, second));

        assertThat(ids(store.claim(ME, 10, now, LEASE))).containsExactly(first.id(), second.id());
    }

    @Test
    void aLaterEventIsNotClaimableWhileTheEarlierIsClaimedBySomeoneElse() {
        OutboxEvent first = event("agg");
        OutboxEvent second = event("agg");
        OutboxEvent unrelated = event("other");
        appendCommitted(List.of(first));
        store.claim(OTHER, 10, now, LEASE);
        appendCommitted(List.of(second, unrelated));

        List<ClaimedEvent> claimed = store.claim(ME, 10, now.plusSeconds(1), LEASE);

        assertThat(ids(claimed)).containsExactly(unrelated.id());
    }

    @Test
    void aLaterEventIsNotClaimableWhileTheEarlierIsClaimedEvenByTheSameClaimant() {
        OutboxEvent first = event("agg");
        OutboxEvent second = event("agg");
        appendCommitted(List.of(first, second));

        List<ClaimedEvent> one = store.claim(ME, 1, now, LEASE);
        List<ClaimedEvent> next = store.claim(ME, 10, now, LEASE);

        assertThat(ids(one)).containsExactly(first.id());
        assertThat(next).isEmpty();
    }

    @Test
    void anAggregateIsItsTypeAndIdSoTheSameIdOfAnotherTypeIsNotHeldUp() {
        OutboxEvent order = event("42");
        OutboxEvent customer = event("Customer", "42");
        appendCommitted(List.of(order, customer));
        store.claim(OTHER, 1, now, LEASE);

        assertThat(ids(store.claim(ME, 10, now.plusSeconds(1), LEASE))).containsExactly(customer.id());
    }

    @Test
    void aLaterEventWaitsWhileTheEarlierIsRescheduledIntoTheFuture() {
        OutboxEvent first = event("agg");
        OutboxEvent second = event("agg");
        OutboxEvent unrelated = event("other");
        appendCommitted(List.of(first));
        store.claim(ME, 10, now, LEASE);
        store.reschedule(ME, List.of(new FailedDelivery(first.id(), 1, now.plusSeconds(60), "broker down")));
        appendCommitted(List.of(second, unrelated));

        List<ClaimedEvent> early = store.claim(OTHER, 10, now.plusSeconds(30), LEASE);
        List<ClaimedEvent> due = store.claim(OTHER, 10, now.plusSeconds(61), LEASE);

        assertThat(ids(early)).containsExactly(unrelated.id());
        assertThat(ids(due)).containsExactly(first.id(), second.id());
    }

    @Test
    void concurrentClaimantsNeverShareAnEventAndKeepEachAggregatesOrder() throws Exception {
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            events.add(event("agg-" + (i % 12)));
        }
        appendCommitted(events);
        List<UUID> claimedInOrder = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String claimant = "contract-worker-" + w;
                workers.add(pool.submit(() -> drain(claimant, claimedInOrder)));
            }
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(claimedInOrder).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(eventIds(events));
        for (int a = 0; a < 12; a++) {
            String aggregate = "agg-" + a;
            List<UUID> expected = events.stream().filter(e -> e.aggregateId().equals(aggregate))
                    .map(OutboxEvent::id).toList();
            assertThat(claimedInOrder.stream().filter(expected::contains).toList())
                    .as("claim order of %s", aggregate).containsExactlyElementsOf(expected);
        }
    }

    private void drain(String claimant, List<UUID> claimedInOrder) {
        int idleRounds = 0;
        while (idleRounds < 50) {
            List<UUID> claimed = ids(store.claim(claimant, 7, now, LEASE));
            // recorded before markPublished, which is what unblocks an aggregate's next event, so
            // the recorded order per aggregate is the order in which the store handed events out
            claimedInOrder.addAll(claimed);
            if (claimed.isEmpty()) {
                idleRounds++;
                Thread.onSpinWait();
            } else {
                idleRounds = 0;
                store.markPublished(claimant, claimed, now);
            }
        }
    }

    @Test
    void markPublishedRemovesEventsFromPending() {
        OutboxEvent published = event("a");
        OutboxEvent kept = event("b");
        appendCommitted(List.of(published, kept));
        store.claim(ME, 10, now, LEASE);

        store.markPublished(ME, List.of(published.id()), now.plusSeconds(1));

        assertThat(store.backlog().pending()).isEqualTo(1);
        List<ClaimedEvent> afterLease = store.claim(OTHER, 10, now.plus(LEASE).plusSeconds(1), LEASE);
        assertThat(ids(afterLease)).containsExactly(kept.id());
    }

    @Test
    void markPublishedUnblocksTheNextEventOfTheAggregate() {
        OutboxEvent first = event("agg");
        OutboxEvent second = event("agg");
        appendCommitted(List.of(first, second));
        store.claim(ME, 1, now, LEASE);

        store.markPublished(ME, List.of(first.id()), now);

        assertThat(ids(store.claim(OTHER, 10, now.plusSeconds(1), LEASE))).containsExactly(second.id());
    }

    @Test
    void rescheduleHidesTheEventUntilDueAndRecordsTheAttempts() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        store.claim(ME, 10, now, LEASE);

        store.reschedule(ME, List.of(new FailedDelivery(event.id(), 3, now.plusSeconds(60), "timeout")));

        assertThat(store.claim(ME, 10, now.plusSeconds(59), LEASE)).isEmpty();
        List<ClaimedEvent> due = store.claim(OTHER, 10, now.plusSeconds(60), LEASE);
        assertThat(ids(due)).containsExactly(event.id());
        assertThat(due.get(0).attempts()).isEqualTo(3);
        assertThat(store.backlog().pending()).isEqualTo(1);
    }

    @Test
    void deadLettersAreListedAndLeavePending() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        store.claim(ME, 10, now, LEASE);
        Instant deadAt = now.plusMillis(1500).plusNanos(1000);

        store.deadLetter(ME, List.of(new FailedDelivery(event.id(), 4, deadAt, "RecordTooLargeException: too big")));

        List<DeadLetter> dead = store.deadLetters(10);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).eventId()).isEqualTo(event.id());
        assertThat(dead.get(0).event()).hasValueSatisfying(
                got -> assertThat(got.payloadAsString()).isEqualTo(event.payloadAsString()));
        assertThat(dead.get(0).aggregateType()).isEqualTo(event.aggregateType());
        assertThat(dead.get(0).aggregateId()).isEqualTo(event.aggregateId());
        assertThat(dead.get(0).eventType()).isEqualTo(event.eventType());
        assertThat(dead.get(0).payloadSize()).isEqualTo(event.payloadSize());
        assertThat(dead.get(0).attempts()).isEqualTo(4);
        assertThat(dead.get(0).lastError()).isEqualTo("RecordTooLargeException: too big");
        assertThat(dead.get(0).deadLetteredAt()).isEqualTo(deadAt);
        assertThat(store.backlog().pending()).isZero();
        assertThat(store.backlog().deadLetters()).isEqualTo(1);
        assertThat(store.claim(OTHER, 10, now.plus(Duration.ofDays(1)), LEASE)).isEmpty();
    }

    @Test
    void deadLettersAreListedOldestFirstUpToTheLimit() {
        List<OutboxEvent> events = List.of(event("a"), event("b"), event("c"));
        appendCommitted(events);
        store.claim(ME, 10, now, LEASE);
        store.deadLetter(ME, List.of(
                new FailedDelivery(events.get(0).id(), 1, now.plusSeconds(3), "e"),
                new FailedDelivery(events.get(1).id(), 1, now.plusSeconds(1), "e"),
                new FailedDelivery(events.get(2).id(), 1, now.plusSeconds(2), "e")));

        List<DeadLetter> dead = store.deadLetters(2);

        assertThat(dead).extracting(DeadLetter::eventId).containsExactly(events.get(1).id(), events.get(2).id());
    }

    @Test
    void aDeadLetterDoesNotBlockItsAggregate() {
        OutboxEvent first = event("agg");
        OutboxEvent second = event("agg");
        appendCommitted(List.of(first, second));
        store.claim(ME, 1, now, LEASE);

        store.deadLetter(ME, List.of(new FailedDelivery(first.id(), 1, now, "poison")));

        assertThat(ids(store.claim(OTHER, 10, now.plusSeconds(1), LEASE))).containsExactly(second.id());
    }

    @Test
    void requeueReturnsADeadLetterToPendingWithAttemptsReset() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        store.claim(ME, 10, now, LEASE);
        store.deadLetter(ME, List.of(new FailedDelivery(event.id(), 10, now, "gave up")));

        int requeued = store.requeueDeadLetters(List.of(event.id()), now.plusSeconds(10));

        assertThat(requeued).isEqualTo(1);
        assertThat(store.deadLetters(10)).isEmpty();
        assertThat(store.backlog().pending()).isEqualTo(1);
        assertThat(store.backlog().deadLetters()).isZero();
        List<ClaimedEvent> claimed = store.claim(OTHER, 10, now.plusSeconds(10), LEASE);
        assertThat(ids(claimed)).containsExactly(event.id());
        assertThat(claimed.get(0).attempts()).isZero();
    }

    @Test
    void requeueIgnoresEventsThatAreNotDeadLetters() {
        OutboxEvent pending = event("a");
        appendCommitted(List.of(pending));

        assertThat(store.requeueDeadLetters(List.of(pending.id(), UUID.randomUUID()), now)).isZero();
        assertThat(store.backlog().pending()).isEqualTo(1);
    }

    @Test
    void deleteDeadLettersRemovesOnlyDeadLetters() {
        OutboxEvent dead = event("a");
        OutboxEvent pending = event("b");
        appendCommitted(List.of(dead, pending));
        store.claim(ME, 1, now, LEASE);
        store.deadLetter(ME, List.of(new FailedDelivery(dead.id(), 1, now, "poison")));

        int deleted = store.deleteDeadLetters(List.of(dead.id(), pending.id()));

        assertThat(deleted).isEqualTo(1);
        assertThat(store.deadLetters(10)).isEmpty();
        assertThat(store.backlog()).extracting(OutboxBacklog::pending, OutboxBacklog::deadLetters)
                .containsExactly(1L, 0L);
    }

    @Test
    void releaseMakesEventsClaimableAtOnceByOthersWithoutCountingAnAttempt() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        store.claim(ME, 10, now, LEASE);

        store.release(ME, List.of(event.id()));

        List<ClaimedEvent> claimed = store.claim(OTHER, 10, now, LEASE);
        assertThat(ids(claimed)).containsExactly(event.id());
        assertThat(claimed.get(0).attempts()).isZero();
    }

    @Test
    void releaseOnlyReleasesTheCallersOwnClaims() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        store.claim(OTHER, 10, now, LEASE);

        store.release(ME, List.of(event.id()));

        assertThat(store.claim(ME, 10, now.plusSeconds(1), LEASE)).isEmpty();
    }

    @Test
    void aStaleClaimantCannotMarkPublishedAnEventAnotherClaimantTookOver() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        takenOverAfterMyLeaseExpired(event);

        assertThat(store.markPublished(ME, List.of(event.id()), now.plusSeconds(32))).isZero();

        assertThat(store.backlog().pending()).isEqualTo(1);
        assertThat(takeAfterTheNewLease(event).attempts()).isZero();
    }

    @Test
    void aStaleClaimantCannotRescheduleAnEventAnotherClaimantTookOver() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        takenOverAfterMyLeaseExpired(event);

        assertThat(store.reschedule(ME, List.of(new FailedDelivery(event.id(), 3, now.plus(Duration.ofDays(1)),
                "late timeout")))).isZero();

        assertThat(takeAfterTheNewLease(event).attempts()).isZero();
    }

    @Test
    void aStaleClaimantCannotDeadLetterAnEventAnotherClaimantTookOver() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        takenOverAfterMyLeaseExpired(event);

        assertThat(store.deadLetter(ME, List.of(new FailedDelivery(event.id(), 3, now.plusSeconds(32), "late failure"))))
                .isZero();

        assertThat(store.deadLetters(10)).isEmpty();
        assertThat(takeAfterTheNewLease(event).attempts()).isZero();
    }

    @Test
    void aStaleClaimantCannotReleaseAnEventAnotherClaimantTookOver() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        takenOverAfterMyLeaseExpired(event);

        store.release(ME, List.of(event.id()));

        assertThat(store.claim("contract-relay-c", 10, now.plusSeconds(33), LEASE)).isEmpty();
    }

    @Test
    void aClaimantWhoseLeaseRanOutMayStillWriteWhileNobodyTookTheEvents() {
        OutboxEvent published = event("a");
        OutboxEvent failed = event("b");
        appendCommitted(List.of(published, failed));
        store.claim(ME, 10, now, Duration.ofSeconds(30));

        assertThat(store.markPublished(ME, List.of(published.id()), now.plusSeconds(60))).isEqualTo(1);
        assertThat(store.reschedule(ME, List.of(new FailedDelivery(failed.id(), 2, now.plusSeconds(120), "timeout"))))
                .isEqualTo(1);

        assertThat(store.backlog().pending()).isEqualTo(1);
        assertThat(store.claim(OTHER, 10, now.plusSeconds(119), LEASE)).isEmpty();
        List<ClaimedEvent> due = store.claim(OTHER, 10, now.plusSeconds(120), LEASE);
        assertThat(ids(due)).containsExactly(failed.id());
        assertThat(due.get(0).attempts()).isEqualTo(2);
    }

    @Test
    void aWriteChangesOnlyTheEventsTheWriterStillHoldsAndCountsThem() {
        OutboxEvent takenOver = event("a");
        OutboxEvent mine = event("b");
        appendCommitted(List.of(takenOver));
        takenOverAfterMyLeaseExpired(takenOver);
        appendCommitted(List.of(mine));
        assertThat(ids(store.claim(ME, 10, now.plusSeconds(31), LEASE))).containsExactly(mine.id());

        int marked = store.markPublished(ME, List.of(takenOver.id(), mine.id(), UUID.randomUUID()), now.plusSeconds(32));

        assertThat(marked).isEqualTo(1);
        assertThat(store.backlog().pending()).isEqualTo(1);
        assertThat(takeAfterTheNewLease(takenOver).attempts()).isZero();
    }

    @Test
    void extendClaimsKeepsHeldClaimsPastTheirFirstLeaseAndCountsThem() {
        OutboxEvent first = event("a");
        OutboxEvent second = event("b");
        appendCommitted(List.of(first, second));
        store.claim(ME, 10, now, Duration.ofSeconds(30));

        int extended = store.extendClaims(ME, List.of(first.id(), second.id(), UUID.randomUUID()), now.plusSeconds(50));

        assertThat(extended).isEqualTo(2);
        assertThat(store.claim(OTHER, 10, now.plusSeconds(31), LEASE)).as("past the first lease, within the extension")
                .isEmpty();
        assertThat(store.claim(OTHER, 10, now.plusSeconds(49), LEASE)).isEmpty();
        assertThat(ids(store.claim(OTHER, 10, now.plusSeconds(51), LEASE))).as("after the extension ran out")
                .containsExactly(first.id(), second.id());
    }

    @Test
    void aClaimantMayExtendALapsedClaimNobodyTook() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        store.claim(ME, 10, now, Duration.ofSeconds(30));

        assertThat(store.extendClaims(ME, List.of(event.id()), now.plusSeconds(90))).isEqualTo(1);

        assertThat(store.claim(OTHER, 10, now.plusSeconds(60), LEASE)).isEmpty();
    }

    @Test
    void aStaleClaimantCannotExtendClaimsAnotherClaimantTookOver() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        takenOverAfterMyLeaseExpired(event);

        assertThat(store.extendClaims(ME, List.of(event.id()), now.plus(Duration.ofDays(1)))).isZero();

        // OTHER's claim still ends where OTHER's lease said, not where the stale claimant wanted
        assertThat(takeAfterTheNewLease(event).attempts()).isZero();
    }

    @Test
    void extendClaimsIgnoresEventsNoLongerPendingOrNeverClaimed() {
        OutboxEvent published = event("a");
        OutboxEvent unclaimed = event("b");
        appendCommitted(List.of(published));
        store.markPublished(ME, ids(store.claim(ME, 10, now, LEASE)), now);
        appendCommitted(List.of(unclaimed));

        assertThat(store.extendClaims(ME, List.of(published.id(), unclaimed.id()), now.plusSeconds(60))).isZero();

        assertThat(ids(store.claim(OTHER, 10, now.plusSeconds(1), LEASE))).containsExactly(unclaimed.id());
    }

    /** I claim {@code event} with a 30 s lease; {@link #OTHER} claims it at 31 s, after my lease ran out. */
    private void takenOverAfterMyLeaseExpired(OutboxEvent event) {
        assertThat(ids(store.claim(ME, 10, now, Duration.ofSeconds(30)))).containsExactly(event.id());
        assertThat(ids(store.claim(OTHER, 10, now.plusSeconds(31), LEASE))).containsExactly(event.id());
    }

    /** Claims {@code event} once {@link #OTHER}'s lease (taken at 31 s) has run out: it must still be pending and due. */
    private ClaimedEvent takeAfterTheNewLease(OutboxEvent event) {
        List<ClaimedEvent> claimed = store.claim("contract-relay-c", 10, now.plusSeconds(32).plus(LEASE), LEASE);
        assertThat(ids(claimed)).as("still pending and due after the stale write").containsExactly(event.id());
        return claimed.get(0);
    }

    @Test
    void backlogCountsPendingTheOldestPendingAndDeadLetters() {
        Instant oldest = now.minusSeconds(120).plusNanos(123_000);
        OutboxEvent old = OutboxEvent.builder().aggregateType("Order").aggregateId("x").eventType("OrderCreated")
                .payload("{\"n\": 1}").occurredAt(oldest).build();
        OutboxEvent recent = OutboxEvent.builder().aggregateType("Order").aggregateId("y").eventType("OrderCreated")
                .payload("{\"n\": 2}").occurredAt(now.minusSeconds(10)).build();
        OutboxEvent doomed = event("z");
        appendCommitted(List.of(old, recent, doomed));
        store.claim(ME, 10, now, LEASE);
        store.deadLetter(ME, List.of(new FailedDelivery(doomed.id(), 1, now, "poison")));

        OutboxBacklog backlog = store.backlog();

        assertThat(backlog.pending()).isEqualTo(2);
        assertThat(backlog.oldestPendingAt()).contains(oldest);
        assertThat(backlog.deadLetters()).isEqualTo(1);
    }

    @Test
    void purgePublishedDeletesAtMostTheLimitAndNeverPendingEvents() {
        List<OutboxEvent> published = List.of(event("a"), event("b"), event("c"));
        OutboxEvent pending = event("d");
        appendCommitted(published);
        appendCommitted(List.of(pending));
        store.claim(ME, 3, now, LEASE);
        store.markPublished(ME, eventIds(published), now);

        assertThat(store.purgePublished(now.minus(Duration.ofHours(1)), 10)).isZero();
        Instant later = now.plus(Duration.ofDays(1));
        int first = store.purgePublished(later, 2);
        int total = first;
        int round;
        while ((round = store.purgePublished(later, 2)) > 0) {
            assertThat(round).isLessThanOrEqualTo(2);
            total += round;
        }

        assertThat(first).isLessThanOrEqualTo(2);
        assertThat(total).isIn(0, 3);
        assertThat(store.backlog().pending()).isEqualTo(1);
        assertThat(ids(store.claim(OTHER, 10, now.plus(LEASE).plusSeconds(1), LEASE))).containsExactly(pending.id());
    }

    @Test
    void unknownIdsAreIgnored() {
        OutboxEvent event = event("a");
        appendCommitted(List.of(event));
        List<UUID> unknown = List.of(UUID.randomUUID(), UUID.randomUUID());

        assertThatCode(() -> {
            store.markPublished(ME, unknown, now);
            store.release(ME, unknown);
        }).doesNotThrowAnyException();
        assertThat(store.requeueDeadLetters(unknown, now)).isZero();
        assertThat(store.deleteDeadLetters(unknown)).isZero();
        assertThat(store.backlog().pending()).isEqualTo(1);
    }

    @Test
    void rescheduleAndDeadLetterOfUnknownIdsAreIgnored() {
        List<FailedDelivery> unknown = List.of(new FailedDelivery(UUID.randomUUID(), 1, now, "x"));

        assertThatCode(() -> {
            store.reschedule(ME, unknown);
            store.deadLetter(ME, unknown);
        }).doesNotThrowAnyException();
        assertThat(store.backlog()).isEqualTo(OutboxBacklog.EMPTY);
    }

    @Test
    void emptyCollectionsAreAccepted() {
        assertThatCode(() -> {
            store.markPublished(ME, List.of(), now);
            store.reschedule(ME, List.of());
            store.deadLetter(ME, List.of());
            store.release(ME, List.of());
        }).doesNotThrowAnyException();
        assertThat(store.requeueDeadLetters(List.of(), now)).isZero();
        assertThat(store.deleteDeadLetters(List.of())).isZero();
    }

    /** Returns a JSON event of aggregate {@code Order/<aggregateId>} with a jsonb-normal payload. */
    protected OutboxEvent event(String aggregateId) {
        return event("Order", aggregateId);
    }

    private OutboxEvent event(String aggregateType, String aggregateId) {
        sequence++;
        return OutboxEvent.builder().aggregateType(aggregateType).aggregateId(aggregateId)
                .eventType(aggregateType + "Updated").payload("{\"n\": " + sequence + "}").build();
    }

    private static List<UUID> ids(List<ClaimedEvent> claimed) {
        return claimed.stream().map(c -> c.event().id()).toList();
    }

    private static List<UUID> eventIds(List<OutboxEvent> events) {
        return events.stream().map(OutboxEvent::id).toList();
    }
}

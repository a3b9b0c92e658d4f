package dev.outbox.jdbc.replication;

import dev.outbox.testkit.postgres.TestDatabase;
import dev.outbox.core.testing.TestEvents;
import dev.outbox.core.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.relay.BackoffPolicy;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An event failing on its own is parked in the outbox table and holds up only its own aggregate: the
 * stream, the slot and every other aggregate go on, the aggregate's later events wait behind it, and the
 * leader (this one or the next) delivers the parked rows in order, or dead-letters them after maxAttempts.
 */
class ParkedEventsTest {
    /** Far longer than the waits below: a relay that retried in the stream would hold every aggregate this long. */
    private static final BackoffPolicy SLOW = BackoffPolicy.exponential(Duration.ofSeconds(2), 2.0,
            Duration.ofMinutes(5), 0.0);

    @RegisterExtension
    final SlotFixture fixture = SlotFixture.create();

    private LogTailingRelayConfig.Builder config(TableMode mode) {
        return fixture.config(mode)
                .backoff(SLOW)
                .outageBackoff(BackoffPolicy.exponential(Duration.ofMillis(50), 2.0, Duration.ofMillis(500), 0.0))
                .maxAttempts(1000);
    }

    private OutboxEvent append(TableMode mode, String aggregateId, int sequence) {
        OutboxEvent event = TestEvents.sequenced(aggregateId, sequence);
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        dev.outbox.core.Outbox outbox = mode == TableMode.LOG_ONLY ? LogOnlyOutbox.create(unitOfWork, fixture.table())
                : JdbiOutbox.create(unitOfWork, fixture.table());
        unitOfWork.useTransaction(() -> outbox.append(event));
        return event;
    }

    private long parked(UUID id) {
        return TestDatabase.embedded().count("SELECT count(*) FROM " + fixture.table().qualifiedName() + " WHERE id = '" + id
                + "' AND status = 'pending' AND next_attempt_at > '-infinity'");
    }

    private long parkedRows() {
        return TestDatabase.embedded().count("SELECT count(*) FROM " + fixture.table().qualifiedName()
                + " WHERE status = 'pending' AND next_attempt_at > '-infinity'");
    }

    private boolean confirmedPast(String lsn) {
        return TestDatabase.embedded().count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + fixture.slot()
                + "' AND confirmed_flush_lsn >= '" + lsn + "'::pg_lsn") == 1;
    }

    private static String currentLsn() {
        return TestDatabase.embedded().text("SELECT pg_current_wal_lsn()::text");
    }

    @ParameterizedTest
    @EnumSource(TableMode.class)
    void givenAnEventFailingOnItsOwn_otherAggregatesAndTheSlotGoOn_itsAggregateWaits_andThenArrivesInOrder(TableMode mode) {
        SwitchablePublisher publisher = new SwitchablePublisher();
        List<OutboxEvent> parkedCalls = new CopyOnWriteArrayList<>();
        fixture.started(publisher, config(mode).listener(new LogTailingRelayListener() {
            @Override
            public void onParked(OutboxEvent event, int attempts, java.time.Instant nextAttemptAt, Throwable error) {
                parkedCalls.add(event);
            }
        }));
        OutboxEvent a0 = TestEvents.sequenced("A", 0);
        publisher.fail(e -> e.id().equals(a0.id()));
        appendEvent(mode, a0);
        String afterA0 = currentLsn();
        Await.until("A's event sent once", Duration.ofSeconds(20), () -> publisher.sentCount(a0.id()) >= 1);
        List<OutboxEvent> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            others.add(append(mode, "B" + i, 0));
        }
        OutboxEvent a1 = append(mode, "A", 1);

        Await.until("the other aggregates' events published", Duration.ofSeconds(20),
                () -> publisher.publishedIds().containsAll(others.stream().map(OutboxEvent::id).toList()));
        Await.until("the slot confirmed past the failing event", Duration.ofSeconds(20), () -> confirmedPast(afterA0));
        Await.until("both of A's events parked", Duration.ofSeconds(20), () -> parked(a0.id()) == 1 && parked(a1.id()) == 1);
        assertThat(TestDatabase.embedded().count("SELECT count(*) FROM " + fixture.table().qualifiedName() + " WHERE id = '"
                + a0.id() + "' AND attempts >= 1 AND last_error LIKE '%not authorized%'")).isEqualTo(1);
        assertThat(TestDatabase.embedded().count("SELECT count(*) FROM " + fixture.table().qualifiedName() + " WHERE id = '"
                + a1.id() + "' AND attempts = 0")).as("parked behind, no attempt charged").isEqualTo(1);
        assertThat(publisher.publishedOf("A")).as("A's later event waits behind the parked one").isEmpty();
        assertThat(parkedCalls).extracting(OutboxEvent::id).contains(a0.id(), a1.id());

        publisher.heal();
        OutboxEvent a2 = append(mode, "A", 2);

        Await.until("A's events delivered", Duration.ofSeconds(30),
                () -> publisher.publishedOf("A").containsAll(List.of(a0.id(), a1.id(), a2.id())));
        assertThat(publisher.publishedOf("A")).containsExactly(a0.id(), a1.id(), a2.id());
        Await.until("no parked row left", () -> parkedRows() == 0);
        if (mode == TableMode.LOG_ONLY) {
            assertThat(fixture.rows()).as("the log-only table ends empty").isZero();
        } else {
            Await.until("every row marked published", () -> fixture.rows("published") == fixture.rows());
        }
        assertThat(fixture.rows("dead")).isZero();
    }

    private void appendEvent(TableMode mode, OutboxEvent event) {
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        dev.outbox.core.Outbox outbox = mode == TableMode.LOG_ONLY ? LogOnlyOutbox.create(unitOfWork, fixture.table())
                : JdbiOutbox.create(unitOfWork, fixture.table());
        unitOfWork.useTransaction(() -> outbox.append(event));
    }

    @ParameterizedTest
    @EnumSource(TableMode.class)
    void givenAParkedEventThatNeverSucceeds_itIsDeadLetteredAfterMaxAttempts_andItsSuccessorsFollow(TableMode mode) {
        SwitchablePublisher publisher = new SwitchablePublisher();
        List<Boolean> otherPublishedWhenDead = new CopyOnWriteArrayList<>();
        List<OutboxEvent> others = new CopyOnWriteArrayList<>();
        fixture.started(publisher, fixture.config(mode)
                .backoff(BackoffPolicy.exponential(Duration.ofSeconds(1), 1.0, Duration.ofSeconds(1), 0.0))
                .maxAttempts(4)
                .listener(new LogTailingRelayListener() {
                    @Override
                    public void onDeadLettered(OutboxEvent event, int attempts, Throwable error) {
                        otherPublishedWhenDead.add(publisher.publishedIds().contains(others.get(0).id()));
                    }
                }));
        OutboxEvent poison = TestEvents.sequenced("P", 0);
        publisher.fail(e -> e.id().equals(poison.id()));
        appendEvent(mode, poison);
        OutboxEvent p1 = append(mode, "P", 1);
        Await.until("the poison sent once", Duration.ofSeconds(20), () -> publisher.sentCount(poison.id()) >= 1);
        OutboxEvent other = append(mode, "Q", 0);
        others.add(other);

        Await.until("the poison dead-lettered", Duration.ofSeconds(30), () -> fixture.rows("dead") == 1);
        Await.until("its successor delivered after it", Duration.ofSeconds(30),
                () -> publisher.publishedIds().contains(p1.id()));
        assertThat(TestDatabase.embedded().count("SELECT count(*) FROM " + fixture.table().qualifiedName() + " WHERE id = '"
                + poison.id() + "' AND status = 'dead' AND attempts = 4 AND last_error LIKE '%not authorized%'"))
                .isEqualTo(1);
        assertThat(publisher.sentCount(poison.id())).isEqualTo(4);
        assertThat(publisher.publishedIds()).contains(other.id()).doesNotContain(poison.id());
        assertThat(otherPublishedWhenDead).as("another aggregate's later event did not wait for the dead letter")
                .containsExactly(true);
        Await.until("no parked row left", () -> parkedRows() == 0);
        OutboxEvent p2 = append(mode, "P", 2);
        Await.until("a later event of the aggregate flows directly", () -> publisher.publishedIds().contains(p2.id()));
        assertThat(publisher.publishedOf("P")).containsExactly(p1.id(), p2.id());
        assertThat(fixture.rows("dead")).as("the successor is not dead for the poison's failures").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(TableMode.class)
    void givenParkedRows_aNewLeaderDeliversThemInOrderAndHoldsTheAggregatesStreamEventsBehindThem(TableMode mode) {
        SwitchablePublisher firstPublisher = new SwitchablePublisher();
        LogTailingRelay first = fixture.started(firstPublisher, config(mode));
        Await.until("first relay leads", first::isLeader);
        OutboxEvent a0 = TestEvents.sequenced("A", 0);
        firstPublisher.fail(e -> e.aggregateId().equals("A"));
        appendEvent(mode, a0);
        OutboxEvent a1 = append(mode, "A", 1);
        OutboxEvent b0 = append(mode, "B", 0);
        Await.until("A's events parked", Duration.ofSeconds(20), () -> parked(a0.id()) == 1 && parked(a1.id()) == 1);
        Await.until("B published", Duration.ofSeconds(20), () -> firstPublisher.publishedIds().contains(b0.id()));
        first.close();

        // The next leader's publisher still refuses A's first event only: were A's later stream events not held
        // behind the parked rows, they would get through before it.
        SwitchablePublisher next = new SwitchablePublisher().fail(e -> e.id().equals(a0.id()));
        LogTailingRelay second = fixture.started(next, config(mode)
                .backoff(BackoffPolicy.exponential(Duration.ofMillis(300), 1.0, Duration.ofMillis(300), 0.0)));
        Await.until("second relay leads", second::isLeader);
        OutboxEvent a2 = append(mode, "A", 2);
        OutboxEvent b1 = append(mode, "B", 1);
        Await.until("B's new event published by the new leader", Duration.ofSeconds(20),
                () -> next.publishedIds().contains(b1.id()));
        Await.until("A's stream event parked behind", Duration.ofSeconds(20), () -> parked(a2.id()) == 1);
        Await.until("a few attempts of the parked head", Duration.ofSeconds(20), () -> next.sentCount(a0.id()) >= 2);
        assertThat(next.publishedOf("A")).isEmpty();

        next.heal();

        Await.until("A's events delivered", Duration.ofSeconds(30),
                () -> next.publishedOf("A").containsAll(List.of(a0.id(), a1.id(), a2.id())));
        assertThat(next.publishedOf("A")).containsExactly(a0.id(), a1.id(), a2.id());
        Await.until("no parked row left", () -> parkedRows() == 0);
        assertThat(fixture.rows("dead")).isZero();
    }

    @Test
    void givenABrokerOutage_nothingIsParkedAndNoAttemptIsCharged() {
        RecordingPublisher publisher = RecordingPublisher.create().failNextCalls(Integer.MAX_VALUE);
        LogTailingRelay relay = fixture.started(publisher, config(TableMode.KEEP_ROWS).maxAttempts(2));
        Await.until("relay leads", relay::isLeader);
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(append(TableMode.KEEP_ROWS, "O" + i, 0));
        }
        Await.until("several unavailable rounds", () -> publisher.callCount() >= 6);

        assertThat(parkedRows()).as("an outage parks nothing").isZero();
        assertThat(TestDatabase.embedded().count("SELECT count(*) FROM " + fixture.table().qualifiedName()
                + " WHERE attempts > 0 OR last_error IS NOT NULL")).as("an outage charges nothing").isZero();
        assertThat(fixture.rows("pending")).isEqualTo(3);
        relay.close();
        RecordingPublisher healthy = RecordingPublisher.create();
        fixture.started(healthy, config(TableMode.KEEP_ROWS));
        Await.until("delivered after the outage", () -> healthy.publishedIds().containsAll(
                events.stream().map(OutboxEvent::id).toList()));
        assertThat(fixture.rows("dead")).isZero();
    }

    @Test
    void givenParkedRows_aPollingStoreSeesThemAsScheduledRetriesInOrder() {
        SwitchablePublisher publisher = new SwitchablePublisher();
        LogTailingRelay relay = fixture.started(publisher, config(TableMode.KEEP_ROWS));
        OutboxEvent a0 = TestEvents.sequenced("A", 0);
        publisher.fail(e -> e.id().equals(a0.id()));
        appendEvent(TableMode.KEEP_ROWS, a0);
        OutboxEvent a1 = append(TableMode.KEEP_ROWS, "A", 1);
        Await.until("A's events parked", Duration.ofSeconds(20), () -> parked(a0.id()) == 1 && parked(a1.id()) == 1);
        relay.close();
        dev.outbox.jdbc.PostgresOutboxStore store = dev.outbox.jdbc.PostgresOutboxStore.builder()
                .dataSource(TestDatabase.embedded().dataSource()).table(fixture.table()).build();
        java.time.Instant now = java.time.Instant.now();

        assertThat(store.claim("poller", 10, now, Duration.ofSeconds(30)))
                .as("the head is not due yet, and the row behind it waits for it").isEmpty();
        assertThat(store.backlog().pending()).isEqualTo(2);
        assertThat(store.claim("poller", 10, now.plus(Duration.ofHours(1)), Duration.ofSeconds(30)))
                .extracting(c -> c.event().id()).containsExactly(a0.id(), a1.id());
    }

    @ParameterizedTest
    @EnumSource(TableMode.class)
    void givenADeadLetterRequeuedThroughTheStore_theLeaderFindsItAndDeliversIt(TableMode mode) {
        SwitchablePublisher publisher = new SwitchablePublisher();
        fixture.started(publisher, config(mode).maxAttempts(1).heartbeatInterval(Duration.ofMillis(300)));
        OutboxEvent poison = TestEvents.sequenced("R", 0);
        publisher.fail(e -> e.id().equals(poison.id()));
        appendEvent(mode, poison);
        Await.until("dead-lettered", () -> fixture.rows("dead") == 1);
        publisher.heal();
        dev.outbox.jdbc.PostgresOutboxStore store = dev.outbox.jdbc.PostgresOutboxStore.builder()
                .dataSource(TestDatabase.embedded().dataSource()).table(fixture.table()).build();

        assertThat(store.requeueDeadLetters(List.of(poison.id()), java.time.Instant.now())).isEqualTo(1);

        Await.until("the requeued event delivered", () -> publisher.publishedIds().contains(poison.id()));
        Await.until("no parked row left", () -> parkedRows() == 0);
        assertThat(fixture.rows("dead")).isZero();
        if (mode == TableMode.LOG_ONLY) {
            assertThat(fixture.rows()).isZero();
        }
    }
}

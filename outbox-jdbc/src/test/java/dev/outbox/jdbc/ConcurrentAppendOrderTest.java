package dev.outbox.jdbc;

import static dev.outbox.jdbc.Eventually.assertEventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Two writers append for one aggregate, and the one that inserted first commits last: its commit
 * waits on a deferred constraint trigger that the test holds up (as a deferred foreign key check
 * waits on a row another transaction locked). The polling relay must still deliver the aggregate's
 * events in commit order.
 */
class ConcurrentAppendOrderTest {
    /** Advisory lock the test holds to keep the first writer's commit waiting. */
    private static final long GATE = 7_000_001L;

    @Test
    void secondAppendForAnAggregateWaitsForTheFirstToCommit_andThePollingRelayDeliversInCommitOrder() throws Exception {
        OutboxEvent first = OutboxEvent.json("Order", "42", "OrderCreated", "{}");
        OutboxEvent second = OutboxEvent.json("Order", "42", "OrderConfirmed", "{}");
        assertSecondWaitsAndDeliveryFollowsCommitOrder(List.of(first), second);
    }

    @Test
    void anAppendOfSeveralAggregatesLocksEachOfThem() throws Exception {
        OutboxEvent other = OutboxEvent.json("Customer", "7", "CustomerRenamed", "{}");
        OutboxEvent first = OutboxEvent.json("Order", "42", "OrderCreated", "{}");
        OutboxEvent second = OutboxEvent.json("Order", "42", "OrderConfirmed", "{}");
        assertSecondWaitsAndDeliveryFollowsCommitOrder(List.of(other, first), second);
    }

    @Test
    void appendsOfTheSameAggregatesInOppositeOrdersDoNotDeadlock() throws Exception {
        OutboxTable table = TestDatabase.createFreshTable("append_pairs");
        JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(TestDatabase.jdbi());
        JdbiOutbox outbox = JdbiOutbox.create(unitOfWork, table);
        Runnable ab = () -> unitOfWork.useTransaction(() -> outbox.appendAll(List.of(
                OutboxEvent.json("Order", "a", "E", "{}"), OutboxEvent.json("Order", "b", "E", "{}"))));
        Runnable ba = () -> unitOfWork.useTransaction(() -> outbox.appendAll(List.of(
                OutboxEvent.json("Order", "b", "E", "{}"), OutboxEvent.json("Order", "a", "E", "{}"))));
        CompletableFuture<Void> one = CompletableFuture.runAsync(() -> repeat(ab, 300));
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> repeat(ba, 300));
        one.get(60, TimeUnit.SECONDS); // a deadlock would abort one of them with 40P01
        other.get(60, TimeUnit.SECONDS);
        int rows = TestDatabase.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM " + table)
                .mapTo(Integer.class).one());
        assertThat(rows).isEqualTo(4 * 300);
    }

    private static void repeat(Runnable work, int times) {
        for (int i = 0; i < times; i++) {
            work.run();
        }
    }

    /**
     * The first writer appends {@code firstEvents} and is held at its commit; the second then appends
     * {@code second}, an event of the last first event's aggregate.
     */
    private static void assertSecondWaitsAndDeliveryFollowsCommitOrder(List<OutboxEvent> firstEvents, OutboxEvent second)
            throws Exception {
        OutboxTable table = TestDatabase.createFreshTable("append_order");
        String gated = table.table() + "_gated";
        Jdbi jdbi = TestDatabase.jdbi();
        jdbi.useHandle(h -> h.execute("""
                CREATE TABLE %1$s (id int);
                CREATE FUNCTION %1$s_wait() RETURNS trigger LANGUAGE plpgsql AS
                  $$ BEGIN PERFORM pg_advisory_xact_lock_shared(%2$d); RETURN NULL; END $$;
                CREATE CONSTRAINT TRIGGER %1$s_commit_gate AFTER INSERT ON %1$s
                  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION %1$s_wait();
                """.formatted(gated, GATE)));
        JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(jdbi);
        JdbiOutbox outbox = JdbiOutbox.create(unitOfWork, table);
        OutboxEvent first = firstEvents.get(firstEvents.size() - 1);
        boolean secondWaited;

        try (Connection gate = TestDatabase.dataSource().getConnection(); Statement sql = gate.createStatement()) {
            sql.execute("SELECT pg_advisory_lock(" + GATE + ")");
            CompletableFuture<Void> firstWriter = CompletableFuture.runAsync(() -> {
                unitOfWork.useTransaction(() -> {
                    unitOfWork.currentHandle().execute("INSERT INTO " + gated + " VALUES (1)");
                    outbox.appendAll(firstEvents);
                });
            });
            // the first writer has inserted its event and waits in COMMIT on the gate
            assertEventually("first writer waiting at commit", Duration.ofSeconds(10), () -> waitingOnGate() == 1);

            CompletableFuture<Void> secondWriter = CompletableFuture.runAsync(
                    () -> unitOfWork.useTransaction(() -> outbox.append(second)));
            // with the aggregate lock the second writer waits for the first; without it, it commits at once
            assertEventually("second writer blocked or committed", Duration.ofSeconds(10),
                    () -> secondWriter.isDone() || waitingOnOtherAdvisoryLocks() == 1);
            // Done: it committed while the first was still held, so it committed first. Still running: it
            // waits for a lock of the first's transaction, which PostgreSQL releases only after that commit.
            secondWaited = !secondWriter.isDone();

            sql.execute("SELECT pg_advisory_unlock(" + GATE + ")");
            firstWriter.get(10, TimeUnit.SECONDS);
            secondWriter.get(10, TimeUnit.SECONDS);
        }
        RecordingPublisher publisher = RecordingPublisher.create();
        PostgresOutboxStore store = PostgresOutboxStore.builder().jdbi(jdbi).table(table).build();
        try (OutboxRelay relay = OutboxRelay.create(store, publisher, RelayConfig.builder().claimant("relay").build())) {
            while (relay.runOnce() > 0) {
                // drain
            }
        }
        List<UUID> aggregateCommitOrder = secondWaited ? List.of(first.id(), second.id()) : List.of(second.id(), first.id());
        assertThat(publisher.publishedFor("Order", "42")).extracting(OutboxEvent::id)
                .as("delivered in commit order").containsExactlyElementsOf(aggregateCommitOrder);
        assertThat(secondWaited).as("the second append waited until the first committed").isTrue();
    }

    private static int waitingOnGate() {
        return waitingAdvisoryLocks("objid = " + GATE);
    }

    private static int waitingOnOtherAdvisoryLocks() {
        return waitingAdvisoryLocks("objid <> " + GATE);
    }

    /** Counts the advisory locks waited for (not granted) matching {@code condition}; small keys only. */
    private static int waitingAdvisoryLocks(String condition) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM pg_locks "
                + "WHERE locktype = 'advisory' AND NOT granted AND " + condition).mapTo(Integer.class).one());
    }
}

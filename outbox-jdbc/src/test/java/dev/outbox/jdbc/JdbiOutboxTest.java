package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.OutboxEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdbiOutboxTest {
    private static final Jdbi JDBI = TestOutboxes.jdbi();
    private static OutboxTable table;
    private static JdbiUnitOfWork unitOfWork;
    private static JdbiOutbox outbox;

    @BeforeAll
    static void createTable() {
        table = TestOutboxes.createFreshTable("append");
        unitOfWork = JdbiUnitOfWork.create(JDBI);
        outbox = JdbiOutbox.create(unitOfWork, table);
    }

    private static OutboxEvent event(String aggregateId) {
        return OutboxEvent.json("Order", aggregateId, "OrderCreated", "{\"id\":\"" + aggregateId + "\"}");
    }

    private static int rowsFor(String aggregateId) {
        return JDBI.withHandle(h -> h.createQuery("SELECT count(*) FROM " + table.qualifiedName() + " WHERE aggregateid = ?")
                .bind(0, aggregateId).mapTo(Integer.class).one());
    }

    @Test
    void anEventAppendedInACommittedUnitOfWorkIsStoredWithDebeziumColumns() {
        OutboxEvent event = OutboxEvent.builder().aggregateType("Order").aggregateId("committed-1").eventType("OrderCreated")
                .payload("{ \"b\" : 2, \"a\" : 1 }").header("traceparent", "00-abc-01").header("quote", "a\"b\\c\n")
                .occurredAt(Instant.parse("2026-01-02T03:04:05.123456Z")).build();

        unitOfWork.useTransaction(() -> outbox.append(event));

        Map<String, Object> row = JDBI.withHandle(h -> h.createQuery("SELECT id, aggregatetype, aggregateid, type, "
                        + "payload::text AS payload, payload_bytes, content_type, headers->>'quote' AS quote, occurred_at, "
                        + "status, attempts FROM " + table.qualifiedName() + " WHERE aggregateid = 'committed-1'")
                .mapToMap().one());
        assertThat(row).containsEntry("id", event.id()).containsEntry("aggregatetype", "Order")
                .containsEntry("type", "OrderCreated").containsEntry("payload", "{\"a\": 1, \"b\": 2}")
                .containsEntry("content_type", OutboxEvent.JSON).containsEntry("quote", "a\"b\\c\n")
                .containsEntry("status", "pending").containsEntry("attempts", 0);
        assertThat(row.get("payload_bytes")).isNull();
    }

    @Test
    void eventsAreWrittenWithTheCommitAndAfterEveryBusinessWriteOfTheTransaction() {
        unitOfWork.useTransaction(() -> {
            outbox.append(event("deferred-1"));
            outbox.appendAll(List.of(event("deferred-1"), event("deferred-1")));
            long visibleInside = unitOfWork.currentHandle().createQuery("SELECT count(*) FROM " + table.qualifiedName()
                    + " WHERE aggregateid = 'deferred-1'").mapTo(Long.class).one();
            assertThat(visibleInside).isZero();
        });

        assertThat(rowsFor("deferred-1")).isEqualTo(3);
        unitOfWork.useTransaction(() -> unitOfWork.currentHandle().execute("SELECT 1"));
        assertThat(unitOfWork.findCurrentHandle()).isEmpty();
    }

    @Test
    void anEventCarryingAnAggregateSequenceIsRefused_andNothingOfTheUnitOfWorkIsWritten() {
        OutboxEvent sequenced = event("sequenced-1").withSequence(1);

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            outbox.append(event("sequenced-1"));
            outbox.appendAll(java.util.List.of(event("sequenced-1"), sequenced));
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(OutboxEvent.SEQUENCE_HEADER);
        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> outbox.append(sequenced)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(rowsFor("sequenced-1")).isZero();
    }

    @Test
    void aRolledBackUnitOfWorkLeavesNoEvent() {
        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            outbox.append(event("rolled-back-1"));
            throw new IllegalStateException("business rule failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("business rule failed");

        assertThat(rowsFor("rolled-back-1")).isZero();
    }

    @Test
    void appendingOutsideAUnitOfWorkFailsAndWritesNothing() {
        assertThatThrownBy(() -> outbox.append(event("outside-1"))).isInstanceOf(NoActiveUnitOfWorkException.class);
        assertThatThrownBy(() -> outbox.appendAll(List.of(event("outside-1"), event("outside-1"))))
                .isInstanceOf(NoActiveUnitOfWorkException.class);

        assertThat(rowsFor("outside-1")).isZero();
    }

    @Test
    void appendAllWritesEveryEventInListOrder() {
        List<OutboxEvent> events = List.of(event("many-1"), event("many-1"), event("many-1"),
                OutboxEvent.builder().aggregateType("Order").aggregateId("many-1").eventType("Binary")
                        .contentType("application/octet-stream").payload(new byte[] {0, 1, 2, (byte) 255}).build());

        unitOfWork.useTransaction(() -> outbox.appendAll(events));

        List<String> ids = JDBI.withHandle(h -> h.createQuery("SELECT id::text FROM " + table.qualifiedName()
                + " WHERE aggregateid = 'many-1' ORDER BY seq").mapTo(String.class).list());
        assertThat(ids).containsExactlyElementsOf(events.stream().map(e -> e.id().toString()).toList());
        Map<String, Object> binary = JDBI.withHandle(h -> h.createQuery("SELECT payload, payload_bytes FROM "
                + table.qualifiedName() + " WHERE type = 'Binary'").mapToMap().one());
        assertThat(binary.get("payload")).isNull();
        assertThat((byte[]) binary.get("payload_bytes")).containsExactly(0, 1, 2, 255);
    }

    @Test
    void invalidJsonIsRefusedAndTheWholeUnitOfWorkRollsBack() {
        OutboxEvent bad = OutboxEvent.json("Order", "bad-json-1", "OrderCreated", "{not json");

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> outbox.appendAll(List.of(event("bad-json-1"), bad))))
                .isInstanceOf(PostgresOutboxException.class).hasCauseInstanceOf(java.sql.SQLException.class);

        assertThat(rowsFor("bad-json-1")).isZero();
    }

    @Test
    void nestedUnitsOfWorkJoinTheOuterTransaction() {
        unitOfWork.useTransaction(() -> {
            outbox.append(event("nested-1"));
            unitOfWork.useTransaction(() -> outbox.append(event("nested-1")));
            assertThat(unitOfWork.currentHandle()).isSameAs(unitOfWork.findCurrentHandle().orElseThrow());
        });
        assertThat(rowsFor("nested-1")).isEqualTo(2);

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            outbox.append(event("nested-2"));
            unitOfWork.useTransaction(() -> {
                outbox.append(event("nested-2"));
                throw new IllegalArgumentException("inner failure");
            });
        })).isInstanceOf(IllegalArgumentException.class);
        assertThat(rowsFor("nested-2")).isZero();
    }

    @Test
    void aCaughtNestedFailureStillRollsTheTransactionBack() {
        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            outbox.append(event("nested-3"));
            try {
                unitOfWork.useTransaction(() -> {
                    throw new IllegalArgumentException("inner failure");
                });
            } catch (IllegalArgumentException expected) {
                // the outer work goes on as if nothing happened
            }
        })).isInstanceOf(dev.outbox.core.OutboxException.class).hasMessageContaining("nested unit of work failed");
        assertThat(rowsFor("nested-3")).isZero();
        assertThat(unitOfWork.findCurrentHandle()).isEmpty();
    }

    @Test
    void occurrenceTimesOfAnyYearPostgresqlCanHoldAreStoredExactly_aloneAndInAMultiRowAppend() {
        List<Instant> times = List.of(Instant.parse("2026-01-02T03:04:05.123456Z"), Instant.parse("1970-01-01T00:00:00Z"),
                Instant.parse("0001-01-01T00:00:00.000001Z"), Instant.parse("0000-12-31T23:59:59Z"),
                Instant.parse("-0100-03-01T12:00:00.5Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("+100000-06-15T12:34:56.789012Z"));
        List<OutboxEvent> alone = times.stream().map(t -> timed("time-alone", t)).toList();
        List<OutboxEvent> together = times.stream().map(t -> timed("time-together", t)).toList();

        for (OutboxEvent event : alone) {
            unitOfWork.useTransaction(() -> outbox.append(event));
        }
        unitOfWork.useTransaction(() -> outbox.appendAll(together));

        for (List<OutboxEvent> events : List.of(alone, together)) {
            for (OutboxEvent event : events) {
                // Seconds since 1970 as PostgreSQL counts them, free of any calendar conversion in the driver.
                java.math.BigDecimal stored = JDBI.withHandle(h -> h.createQuery("SELECT extract(epoch FROM occurred_at) FROM "
                        + table.qualifiedName() + " WHERE id = ?").bind(0, event.id()).mapTo(java.math.BigDecimal.class).one());
                Instant time = event.occurredAt();
                assertThat(stored).as(event.aggregateId() + " " + time).isEqualByComparingTo(
                        java.math.BigDecimal.valueOf(time.getEpochSecond()).add(java.math.BigDecimal.valueOf(time.getNano(), 9)));
            }
        }
    }

    private static OutboxEvent timed(String aggregateId, Instant occurredAt) {
        return OutboxEvent.builder().aggregateType("Order").aggregateId(aggregateId).eventType("OrderCreated")
                .payload("{}").occurredAt(occurredAt).build();
    }

    @Test
    void theCommitWakesASubscribedStore() throws Exception {
        PostgresOutboxStore store = PostgresOutboxStore.builder().jdbi(JDBI).table(table).build();
        java.util.concurrent.Semaphore wakeUps = new java.util.concurrent.Semaphore(0);
        try (var subscription = store.subscribe(wakeUps::release)) {
            assertThat(wakeUps.tryAcquire(30, java.util.concurrent.TimeUnit.SECONDS)).as("wake-up on connect").isTrue();
            wakeUps.drainPermits();
            unitOfWork.useTransaction(() -> {
                outbox.append(event("notify-1"));
                outbox.append(event("notify-1"));
                assertThat(wakeUps.tryAcquire(200, java.util.concurrent.TimeUnit.MILLISECONDS))
                        .as("no wake-up before the commit").isFalse();
            });
            assertThat(wakeUps.tryAcquire(Duration.ofSeconds(30).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
                    .isTrue();
        }
    }
}

package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.DeadLetter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rows written straight into the table by another writer (the Debezium layout is a public contract) that no
 * {@link OutboxEvent} can hold: the claim dead-letters them with the reason and goes on with the rest.
 */
class RowsNoEventCanHoldTest {
    private static final Jdbi JDBI = TestDatabase.jdbi();
    private static final Duration LEASE = Duration.ofMinutes(1);
    private static final int THREE_MB = 3 * 1024 * 1024;

    private final TestDatabase.FreshOutbox db = TestDatabase.freshOutbox("badrows");
    private Instant now;

    @BeforeEach
    void setUp() {
        now = Instant.now().truncatedTo(ChronoUnit.MICROS).plusSeconds(1);
    }

    @Test
    void aClaimDeadLettersARowWithAThreeMegabytePayloadAndReturnsTheRestIncludingItsAggregatesLaterEvents() {
        OutboxEvent before = append("Order", "a");
        UUID bad = insertRaw("Order", "a", "OrderCreated", THREE_MB);
        OutboxEvent laterSameAggregate = append("Order", "a");
        OutboxEvent otherAggregate = append("Order", "b");
        OutboxEvent evenLaterSameAggregate = append("Order", "a");

        List<ClaimedEvent> claimed = db.store().claim("r1", 10, now, LEASE);

        assertThat(ids(claimed)).containsExactly(before.id(), laterSameAggregate.id(), otherAggregate.id(),
                evenLaterSameAggregate.id());
        Map<String, Object> row = row(bad);
        assertThat(row.get("status")).isEqualTo("dead");
        assertThat((String) row.get("last_error")).contains("payload must be at most " + OutboxEvent.MAX_PAYLOAD_BYTES);
        assertThat(row.get("attempts")).isEqualTo(0);
        assertThat(((java.sql.Timestamp) row.get("dead_lettered_at")).toInstant()).isEqualTo(now);
        assertThat(row.get("claimed_by")).isNull();
        assertThat(db.store().backlog().deadLetters()).isEqualTo(1);
    }

    @Test
    void aRowWithAnAggregateTypeTheEventRefusesOrABlankTypeIsDeadLetteredWithItsReasonAndAttemptsKept() {
        UUID spaces = insertRaw("Order Lines!", "a", "OrderCreated", 10);
        UUID blankType = insertRaw("Order", "b", "   ", 10);
        JDBI.useHandle(h -> h.execute("UPDATE " + db.table().qualifiedName() + " SET attempts = 3 WHERE id = ?", blankType));
        OutboxEvent good = append("Order", "c");

        List<ClaimedEvent> claimed = db.store().claim("r1", 10, now, LEASE);

        assertThat(ids(claimed)).containsExactly(good.id());
        assertThat(row(spaces)).containsEntry("status", "dead").containsEntry("attempts", 0);
        assertThat((String) row(spaces).get("last_error")).contains("aggregateType must contain only letters");
        assertThat(row(blankType)).containsEntry("status", "dead").containsEntry("attempts", 3);
        assertThat((String) row(blankType).get("last_error")).contains("eventType must not be blank");
    }

    @Test
    void deadLettersListsARowNoEventCanHold() {
        // as the log-tailing relay leaves such a row: dead, with the reason
        UUID bad = insertRaw("Order", "a", "OrderCreated", THREE_MB);
        JDBI.useHandle(h -> h.execute("UPDATE " + db.table().qualifiedName() + " SET status = 'dead', attempts = 2,"
                + " last_error = 'too big', dead_lettered_at = ? WHERE id = ?", now.atOffset(java.time.ZoneOffset.UTC), bad));

        List<DeadLetter> dead = db.store().deadLetters(10);

        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.eventId()).isEqualTo(bad);
            assertThat(d.aggregateType()).isEqualTo("Order");
            assertThat(d.aggregateId()).isEqualTo("a");
            assertThat(d.eventType()).isEqualTo("OrderCreated");
            assertThat(d.payloadSize()).isGreaterThan(THREE_MB);
            assertThat(d.attempts()).isEqualTo(2);
            assertThat(d.lastError()).isEqualTo("too big");
            assertThat(d.deadLetteredAt()).isEqualTo(now);
            assertThat(d.event()).isEmpty();
        });
    }

    @Test
    void aRowDeadLetteredByTheClaimIsListedWithItsReasonAndCanBeRequeuedOnceFixed() {
        UUID bad = insertRaw("Order", "a", "OrderCreated", THREE_MB);
        db.store().claim("r1", 10, now, LEASE);

        assertThat(db.store().deadLetters(10)).singleElement().satisfies(d -> {
            assertThat(d.eventId()).isEqualTo(bad);
            assertThat(d.lastError()).startsWith("payload must be at most " + OutboxEvent.MAX_PAYLOAD_BYTES + " bytes");
            assertThat(d.event()).isEmpty();
        });

        // the operator fixes the row in the table, then requeues it: it is delivered like any event
        JDBI.useHandle(h -> h.execute("UPDATE " + db.table().qualifiedName() + " SET payload = '{}' WHERE id = ?", bad));
        assertThat(db.store().requeueDeadLetters(List.of(bad), now)).isEqualTo(1);
        assertThat(ids(db.store().claim("r1", 10, now, LEASE))).containsExactly(bad);
    }

    @Test
    void aPollingRelayKeepsDeliveringAfterARowNoEventCanHold() throws Exception {
        List<OutboxEvent> expected = new ArrayList<>();
        expected.add(append("Order", "a"));
        UUID bad = insertRaw("Order", "a", "OrderCreated", THREE_MB);
        for (int i = 0; i < 5; i++) {
            expected.add(append("Order", "a"));
            expected.add(append("Order", "b" + i));
        }
        RecordingPublisher publisher = RecordingPublisher.create();

        try (OutboxRelay relay = OutboxRelay.create(db.store(), publisher, RelayConfig.builder().claimant("relay-1").batchSize(4)
                .pollInterval(Duration.ofMillis(100)).lease(Duration.ofSeconds(30))
                .publishTimeout(Duration.ofSeconds(10)).build())) {
            relay.start();
            assertThat(publisher.awaitPublished(expected.size(), Duration.ofSeconds(30))).as("all delivered").isTrue();
        }

        assertThat(publisher.publishedIds()).containsExactlyInAnyOrderElementsOf(expected.stream().map(OutboxEvent::id).toList());
        assertThat(publisher.publishedFor("Order", "a")).extracting(OutboxEvent::id)
                .containsExactlyElementsOf(expected.stream().filter(e -> e.aggregateId().equals("a")).map(OutboxEvent::id).toList());
        assertThat(row(bad)).containsEntry("status", "dead");
    }

    private OutboxEvent append(String aggregateType, String aggregateId) {
        OutboxEvent event = OutboxEvent.json(aggregateType, aggregateId, "Changed", "{\"n\": 1}");
        db.unitOfWork().useTransaction(() -> db.outbox().append(event));
        return event;
    }

    /** Inserts a row as another writer would, around the append port: plain SQL, a JSON payload of about {@code bytes}. */
    private UUID insertRaw(String aggregateType, String aggregateId, String type, int bytes) {
        UUID id = UUID.randomUUID();
        JDBI.useHandle(h -> h.execute("INSERT INTO " + db.table().qualifiedName()
                        + " (id, aggregatetype, aggregateid, type, payload, occurred_at)"
                        + " VALUES (?, ?, ?, ?, ('{\"blob\": \"' || repeat('x', ?) || '\"}')::jsonb, now())",
                id, aggregateType, aggregateId, type, bytes));
        return id;
    }

    private Map<String, Object> row(UUID id) {
        return JDBI.withHandle(h -> h.createQuery("SELECT status, attempts, last_error, dead_lettered_at, claimed_by FROM "
                + db.table().qualifiedName() + " WHERE id = :id").bind("id", id).mapToMap().one());
    }

    private static List<UUID> ids(List<ClaimedEvent> claimed) {
        return claimed.stream().map(c -> c.event().id()).toList();
    }
}

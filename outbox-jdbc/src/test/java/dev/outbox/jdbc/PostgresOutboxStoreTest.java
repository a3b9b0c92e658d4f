package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.core.spi.OutboxBacklog;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresOutboxStoreTest {
    private static final Jdbi JDBI = TestDatabase.jdbi();
    private static final Duration LEASE = Duration.ofMinutes(1);

    private final TestDatabase.FreshOutbox db = TestDatabase.freshOutbox("store");
    private Instant now;

    @BeforeEach
    void setUp() {
        now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private List<OutboxEvent> append(String aggregateId, int count) {
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(OutboxEvent.json("Order", aggregateId, "E" + i, "{\"i\": " + i + "}"));
        }
        db.unitOfWork().useTransaction(() -> db.outbox().appendAll(events));
        return events;
    }

    private static List<UUID> ids(List<ClaimedEvent> claimed) {
        return claimed.stream().map(c -> c.event().id()).toList();
    }

    private static List<UUID> eventIds(List<OutboxEvent> events) {
        return events.stream().map(OutboxEvent::id).toList();
    }

    private long rows(String where) {
        return JDBI.withHandle(h -> h.createQuery("SELECT count(*) FROM " + db.table().qualifiedName() + " WHERE " + where)
                .mapTo(Long.class).one());
    }

    @Test
    void oneClaimReturnsSeveralEventsOfAnAggregateInAppendOrder() {
        List<OutboxEvent> a = append("a", 3);
        List<OutboxEvent> b = append("b", 2);

        List<ClaimedEvent> claimed = db.store().claim("r1", 10, now, LEASE);

        assertThat(ids(claimed)).containsExactly(a.get(0).id(), a.get(1).id(), a.get(2).id(), b.get(0).id(), b.get(1).id());
        assertThat(rows("claimed_by = 'r1' AND claimed_until > now()")).isEqualTo(5);
    }

    @Test
    void aLaterEventIsNotClaimedWhileAnEarlierOneIsClaimedByAnotherRelay() {
        List<OutboxEvent> a = append("a", 1);
        List<OutboxEvent> b = append("b", 1);
        assertThat(ids(db.store().claim("r1", 2, now, LEASE))).containsExactly(a.get(0).id(), b.get(0).id());
        List<OutboxEvent> laterA = append("a", 1);
        List<OutboxEvent> c = append("c", 1);

        assertThat(ids(db.store().claim("r2", 10, now, LEASE))).containsExactly(c.get(0).id());

        db.store().markPublished("r1", List.of(a.get(0).id()), now);
        assertThat(ids(db.store().claim("r2", 10, now, LEASE))).containsExactly(laterA.get(0).id());
    }

    @Test
    void aRescheduledEventHoldsUpItsAggregateUntilItIsDueAndThenComesFirst() {
        List<OutboxEvent> a = append("a", 3);
        List<ClaimedEvent> first = db.store().claim("r1", 1, now, LEASE);
        db.store().reschedule("r1", List.of(new FailedDelivery(a.get(0).id(), 1, now.plusSeconds(30), "broker down")));

        assertThat(db.store().claim("r2", 10, now.plusSeconds(10), LEASE)).isEmpty();
        List<ClaimedEvent> retried = db.store().claim("r2", 10, now.plusSeconds(31), LEASE);

        assertThat(ids(first)).containsExactly(a.get(0).id());
        assertThat(ids(retried)).containsExactlyElementsOf(eventIds(a));
        assertThat(retried.get(0).attempts()).isEqualTo(1);
        assertThat(rows("last_error = 'broker down'")).isEqualTo(1);
    }

    @Test
    void aDeadLetterDoesNotHoldUpItsAggregateAndCanBeRequeued() {
        List<OutboxEvent> a = append("a", 2);
        db.store().claim("r1", 1, now, LEASE);
        db.store().deadLetter("r1", List.of(new FailedDelivery(a.get(0).id(), 5, now, "poison")));

        assertThat(ids(db.store().claim("r1", 10, now, LEASE))).containsExactly(a.get(1).id());
        assertThat(db.store().deadLetters(10)).singleElement().satisfies(d -> {
            assertThat(d.event()).contains(a.get(0).toBuilder().payload("{\"i\": 0}").build());
            assertThat(d.attempts()).isEqualTo(5);
            assertThat(d.lastError()).isEqualTo("poison");
            assertThat(d.deadLetteredAt()).isEqualTo(now);
        });
        assertThat(db.store().backlog()).isEqualTo(new OutboxBacklog(1, java.util.Optional.of(a.get(1).occurredAt()), 1));

        db.store().markPublished("r1", List.of(a.get(1).id()), now);
        assertThat(db.store().requeueDeadLetters(List.of(a.get(0).id(), UUID.randomUUID()), now)).isEqualTo(1);
        List<ClaimedEvent> again = db.store().claim("r1", 10, now, LEASE);
        assertThat(ids(again)).containsExactly(a.get(0).id());
        assertThat(again.get(0).attempts()).isZero();
        assertThat(db.store().deleteDeadLetters(List.of(a.get(0).id()))).isZero();
    }

    @Test
    void aReleasedClaimIsFreeAtOnceButOnlyForItsOwnClaimant() {
        List<OutboxEvent> a = append("a", 1);
        db.store().claim("r1", 10, now, LEASE);

        db.store().release("r2", eventIds(a));
        assertThat(db.store().claim("r3", 10, now, LEASE)).isEmpty();
        db.store().release("r1", eventIds(a));

        assertThat(ids(db.store().claim("r3", 10, now, LEASE))).containsExactlyElementsOf(eventIds(a));
    }

    @Test
    void anExpiredLeaseHandsTheEventsOfADeadRelayToAnother() {
        List<OutboxEvent> a = append("a", 2);
        db.store().claim("dead-relay", 10, now, Duration.ofSeconds(30));

        assertThat(db.store().claim("r2", 10, now.plusSeconds(29), LEASE)).isEmpty();
        assertThat(ids(db.store().claim("r2", 10, now.plusSeconds(30), LEASE))).containsExactlyElementsOf(eventIds(a));
    }

    @Test
    void publishedRowsAreDeletedByDefault() {
        append("a", 3);
        List<ClaimedEvent> claimed = db.store().claim("r1", 10, now, LEASE);
        assertThat(claimed).hasSize(3);
        db.store().markPublished("r1", ids(claimed), now);

        assertThat(rows("true")).isZero();
        assertThat(db.store().purgePublished(now.plusSeconds(1), 10)).isZero();
    }

    @Test
    void retainedPublishedRowsArePurgedInBoundedBatchesAndNeverClaimedAgain() {
        PostgresOutboxStore retaining = PostgresOutboxStore.builder().jdbi(JDBI).table(db.table())
                .retention(Duration.ofHours(1)).build();
        append("a", 5);
        retaining.markPublished("r1", ids(retaining.claim("r1", 10, now, LEASE)), now);

        assertThat(rows("status = 'published' AND published_at IS NOT NULL AND claimed_by IS NULL")).isEqualTo(5);
        assertThat(retaining.claim("r1", 10, now.plus(Duration.ofDays(1)), LEASE)).isEmpty();
        assertThat(retaining.purgeExpired(now.plus(Duration.ofMinutes(59)))).isZero();
        assertThat(retaining.purgePublished(now.plusSeconds(1), 2)).isEqualTo(2);
        assertThat(retaining.purgeExpired(now.plus(Duration.ofHours(2)))).isEqualTo(3);
        assertThat(rows("true")).isZero();
    }

    @Test
    void nonJsonPayloadsAndHeadersComeBackUnchanged() {
        OutboxEvent binary = OutboxEvent.builder().aggregateType("Doc").aggregateId("d1").eventType("Uploaded")
                .contentType("application/octet-stream").payload(new byte[] {1, 0, (byte) 200})
                .header("k\"1", "v\\\u0001é").header("traceparent", "00-1-2-01").build();
        db.unitOfWork().useTransaction(() -> db.outbox().append(binary));

        assertThat(db.store().claim("r1", 10, now, LEASE)).singleElement().satisfies(c -> assertThat(c.event()).isEqualTo(binary));
    }

    @Test
    void failuresOfTheDatabaseBecomeOutboxExceptionsWithTheCause() {
        PostgresOutboxStore missing = PostgresOutboxStore.builder().jdbi(JDBI).table(OutboxTable.of("no_such_table")).build();

        assertThatThrownBy(() -> missing.claim("r1", 10, now, LEASE)).isInstanceOf(PostgresOutboxException.class)
                .hasMessageContaining("claim").hasCauseInstanceOf(SQLException.class);
        assertThatThrownBy(missing::backlog).isInstanceOf(PostgresOutboxException.class);
        assertThatThrownBy(() -> missing.markPublished("r1", List.of(UUID.randomUUID()), now))
                .isInstanceOf(PostgresOutboxException.class);
    }

    @Test
    void theBuilderAndTableNamesAreValidated() {
        assertThatThrownBy(() -> PostgresOutboxStore.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jdbi");
        assertThatThrownBy(() -> OutboxTable.of("public", "Outbox; DROP TABLE x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table must be a lower-case SQL identifier");
        assertThatThrownBy(() -> OutboxTable.of("bad-schema", "outbox")).hasMessageContaining("schema");
        assertThatThrownBy(() -> PostgresOutboxStore.builder().retention(Duration.ofSeconds(-1)))
                .hasMessageContaining("retention must not be negative");
        assertThat(OutboxTable.DEFAULT.qualifiedName()).isEqualTo("public.outbox_event");
        assertThat(OutboxTable.of("sales", "outbox").defaultChannel()).isEqualTo("sales_outbox");
    }

    @Test
    void theSchemaIsIdempotentAndWorksInItsOwnSchema() {
        OutboxTable custom = OutboxTable.of("outbox_test_schema", db.table().table());
        OutboxSchema.create(JDBI, custom);
        OutboxSchema.create(JDBI, custom);
        JDBI.useHandle(h -> OutboxSchema.create(h, custom));

        PostgresOutboxStore customStore = PostgresOutboxStore.builder().jdbi(JDBI).table(custom).build();
        JdbiOutbox customOutbox = JdbiOutbox.create(db.unitOfWork(), custom);
        db.unitOfWork().useTransaction(() -> customOutbox.append(OutboxEvent.json("Order", "x", "E", "{}")));
        assertThat(customStore.backlog().pending()).isEqualTo(1);
        assertThat(OutboxSchema.template()).contains("${outbox_schema}.${outbox_table}");
        assertThat(OutboxSchema.sql(custom)).contains("outbox_test_schema." + db.table().table()).doesNotContain("${");
    }

    @Test
    void theStatusCheckAllowsTheThreeStatusesOnly_andIsStoredAsOneConstantThatNoAppendEvaluatesAgain() {
        // PostgreSQL reads and simplifies a table's check expressions at every INSERT: "status IN (...)" on the
        // varchar column would be stored as an ARRAY[...] cast to text[] that each append evaluates again.
        String definition = JDBI.withHandle(h -> h.createQuery("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                + "WHERE conrelid = CAST(:table AS regclass) AND conname = :name")
                .bind("table", db.table().qualifiedName()).bind("name", db.table().table() + "_status_check")
                .mapTo(String.class).one());
        assertThat(definition).contains("'{pending,published,dead}'::text[]").doesNotContain("ARRAY[");

        append("check", 1);
        for (String status : List.of("published", "dead", "pending")) {
            JDBI.useHandle(h -> h.execute("UPDATE " + db.table().qualifiedName() + " SET status = ?", status));
        }
        assertThatThrownBy(() -> JDBI.useHandle(h -> h.execute("UPDATE " + db.table().qualifiedName() + " SET status = 'other'")))
                .hasMessageContaining(db.table().table() + "_status_check");
    }
}

package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.FailedDelivery;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import dev.outbox.jdbc.internal.OutboxStatements;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.junit.jupiter.api.Test;

/**
 * The store's batch statements must be planned for the ids of each batch. On a pooled connection
 * the driver would otherwise turn them into named server-side statements whose generic plan,
 * chosen while the table was small, scans the whole table once a backlog has built up.
 */
class StatementPlanningTest {

    @Test
    void batchStatementsStayUnnamedOnAReusedConnection_soEachBatchIsPlannedWithItsOwnIds() throws Exception {
        OutboxTable table = TestDatabase.createFreshTable("planning");
        try (Connection connection = TestDatabase.dataSource().getConnection()) {
            Jdbi oneConnection = TestDatabase.jdbiOn(connection);
            PostgresOutboxStore store = PostgresOutboxStore.builder().jdbi(oneConnection).table(table).build();
            JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(oneConnection);
            JdbiOutbox outbox = JdbiOutbox.create(unitOfWork, table);

            // More rounds than the driver's prepare threshold (5) for every statement the relay repeats.
            for (int round = 0; round < 8; round++) {
                unitOfWork.useTransaction(() -> outbox.appendAll(List.of(
                        OutboxEvent.json("Order", "a", "E", "{\"n\": 1}"), OutboxEvent.json("Order", "b", "E", "{\"n\": 2}"))));
                List<ClaimedEvent> claimed = store.claim("relay", 10, Instant.now(), Duration.ofMinutes(1));
                assertThat(claimed).hasSize(2);
                store.reschedule("relay", List.of(new FailedDelivery(claimed.get(1).event().id(), 1, Instant.now(), "retry")));
                // the retried event is claimed again before it is marked: marks are fenced by the claim
                List<ClaimedEvent> retried = store.claim("relay", 10, Instant.now(), Duration.ofMinutes(1));
                assertThat(retried).hasSize(1);
                store.markPublished("relay", List.of(claimed.get(0).event().id(), retried.get(0).event().id()), Instant.now());
                store.backlog();
            }

            try (Statement query = connection.createStatement();
                 ResultSet rs = query.executeQuery("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%"
                         + table.table() + "%'")) {
                List<String> named = new java.util.ArrayList<>();
                while (rs.next()) {
                    named.add(rs.getString(1));
                }
                // The append (an INSERT from arrays, planned the same for any values) may stay prepared.
                assertThat(named).as("server-side prepared statements on the outbox table")
                        .allSatisfy(sql -> assertThat(sql).contains("INSERT INTO " + table.qualifiedName() + " ("));
            }
        }
    }

    @Test
    void theSingleEventAppendIsAServerSidePreparedStatementOnAReusedConnection() throws Exception {
        // Unlike the batch statements, the append plans the same for any values: once the driver has named it,
        // PostgreSQL neither parses nor plans it again, which is part of what keeps an append cheap.
        OutboxTable table = TestDatabase.createFreshTable("prepared");
        try (Connection connection = TestDatabase.dataSource().getConnection()) {
            Jdbi oneConnection = TestDatabase.jdbiOn(connection);
            JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(oneConnection);
            JdbiOutbox outbox = JdbiOutbox.create(unitOfWork, table);
            for (int round = 0; round < 8; round++) {
                unitOfWork.useTransaction(() -> outbox.append(OutboxEvent.json("Order", "a", "E", "{\"n\": 1}")));
            }

            try (Statement query = connection.createStatement();
                 ResultSet rs = query.executeQuery("SELECT generic_plans + custom_plans FROM pg_prepared_statements "
                         + "WHERE statement LIKE 'INSERT INTO " + table.qualifiedName() + " %'")) {
                assertThat(rs.next()).as("a named server-side statement for the append").isTrue();
                assertThat(rs.getLong(1)).as("executions of the named statement").isGreaterThanOrEqualTo(3);
            }
        }
    }

    @Test
    void publishedRowsAreFoundByPrimaryKey_evenInABacklogTableNeverAnalyzed() throws Exception {
        OutboxTable table = TestDatabase.createFreshTable("unanalyzed");
        OutboxStatements statements = new OutboxStatements(table.qualifiedName());
        try (Connection connection = TestDatabase.dataSource().getConnection()) {
            try (Statement setup = connection.createStatement()) {
                // no statistics at all, as on a fresh or just truncated table that meets a backlog
                setup.execute("ALTER TABLE " + table.qualifiedName() + " SET (autovacuum_enabled = false)");
                setup.execute("INSERT INTO " + table.qualifiedName() + " (id, aggregatetype, aggregateid, type, payload, "
                        + "occurred_at) SELECT gen_random_uuid(), 'Order', 'o-' || (n % 1000), 'E', '{}', now() "
                        + "FROM generate_series(1, 50000) AS n");
            }
            List<UUID> batch = new ArrayList<>();
            try (Statement query = connection.createStatement();
                 ResultSet rs = query.executeQuery("SELECT id FROM " + table.qualifiedName() + " ORDER BY seq LIMIT 500")) {
                while (rs.next()) {
                    batch.add(rs.getObject(1, UUID.class));
                }
            }
            Jdbi oneConnection = TestDatabase.jdbiOn(connection);
            assertThat(plan(oneConnection, statements.deletePublished, batch, null))
                    .contains(table.table() + "_pkey").doesNotContain("pending_seq_idx").doesNotContain("Seq Scan");
            assertThat(plan(oneConnection, statements.markPublished, batch, Instant.now().atOffset(java.time.ZoneOffset.UTC)))
                    .contains(table.table() + "_pkey").doesNotContain("pending_seq_idx").doesNotContain("Seq Scan");
        }
    }

    /** The plan of {@code sql} for the ids {@code ids}, claimant "relay", and {@code now} when not null. */
    private static String plan(Jdbi jdbi, String sql, List<UUID> ids, java.time.OffsetDateTime now) {
        return jdbi.withHandle(h -> {
            Query explain = h.createQuery("EXPLAIN " + sql).bindArray("ids", UUID.class, ids).bind("claimant", "relay");
            if (now != null) {
                explain.bind("now", now);
            }
            return String.join("\n", explain.mapTo(String.class).list());
        });
    }
}

package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Schema creation at start on a database that already has the schema takes no table lock, so it
 * neither waits for nor blocks the writers of a running service (issue #11: a restarting relay's
 * {@code CREATE INDEX IF NOT EXISTS} took a SHARE lock on the live table and deadlocked inserts).
 */
class OutboxSchemaLockTest {
    private static final Jdbi JDBI = TestDatabase.jdbi();

    @Test
    void givenAWriterHoldsAnOpenInsert_creatingTheExistingSchemaNeitherWaitsNorLocksTheTable() throws SQLException {
        OutboxTable table = TestDatabase.createFreshTable("schema_lock");
        try (Connection writer = TestDatabase.dataSource().getConnection();
             Connection creator = TestDatabase.dataSource().getConnection()) {
            writer.setAutoCommit(false);
            insertRow(writer, table);
            try (Handle handle = TestDatabase.jdbiOn(creator).open()) {
                // a lock wait ends in an error after 2 s instead of hanging the test
                handle.execute("SET lock_timeout = '2s'");
                handle.useTransaction(h -> {
                    assertThatCode(() -> OutboxSchema.create(h, table)).doesNotThrowAnyException();
                    assertThat(tableLocksHeld(h, table)).isEmpty();
                });
            } finally {
                writer.rollback();
            }
        }
    }

    @Test
    void onAnEmptySchema_createsTheTableItsConstraintsAndIndexes_andRunningAgainChangesNothing() {
        OutboxTable table = OutboxTable.of("schema_fresh_" + Long.toHexString(System.nanoTime()), "events");
        OutboxSchema.create(JDBI, table);
        List<String> first = objects(table);
        OutboxSchema.create(JDBI, table);
        JDBI.useHandle(h -> OutboxSchema.create(h, table));

        assertThat(first).containsExactlyInAnyOrder("events", "events_pkey", "events_pending_seq_idx",
                "events_retry_idx", "events_dead_idx", "events_published_idx",
                "events_status_check", "events_one_payload_check");
        assertThat(objects(table)).containsExactlyInAnyOrderElementsOf(first);
    }

    @Test
    void twoCreatorsAtOnceOnAnEmptySchema_bothSucceedAndCreateEverythingOnce() throws Exception {
        OutboxTable table = OutboxTable.of("schema_race_" + Long.toHexString(System.nanoTime()), "events");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Void>> creators = List.of(
                    CompletableFuture.runAsync(() -> awaitThenCreate(start, table), pool),
                    CompletableFuture.runAsync(() -> awaitThenCreate(start, table), pool));
            start.countDown();
            CompletableFuture.allOf(creators.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(objects(table)).hasSize(8);
    }

    private static void awaitThenCreate(CountDownLatch start, OutboxTable table) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        OutboxSchema.create(JDBI, table);
    }

    private static void insertRow(Connection connection, OutboxTable table) throws SQLException {
        try (var insert = connection.prepareStatement("INSERT INTO " + table.qualifiedName()
                + " (id, aggregatetype, aggregateid, type, payload, occurred_at) VALUES (?, 'Order', 'a', 'E', '{}', ?)")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setTimestamp(2, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
    }

    /** The locks this session holds on the table or any of its indexes. */
    private static List<String> tableLocksHeld(Handle handle, OutboxTable table) {
        return handle.createQuery("SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                        + "WHERE l.pid = pg_backend_pid() AND (c.oid = to_regclass(:table) "
                        + "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = to_regclass(:table)))")
                .bind("table", table.qualifiedName()).mapTo(String.class).list();
    }

    /** The table's relation, index and constraint names. */
    private static List<String> objects(OutboxTable table) {
        return JDBI.withHandle(h -> h.createQuery("SELECT relname FROM pg_class WHERE oid = to_regclass(:table) "
                        + "UNION ALL SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        + "WHERE i.indrelid = to_regclass(:table) "
                        + "UNION ALL SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(:table) AND contype = 'c'")
                .bind("table", table.qualifiedName()).mapTo(String.class).list());
    }
}

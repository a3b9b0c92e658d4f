package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.outbox.jdbc.OutboxTable;
import dev.outbox.order.app.jdbi.OrderSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The migrations run at every {@code serve} start take no table lock on a database that has the
 * schema, so a restart under load neither waits for nor deadlocks with live writers (issue #11);
 * {@code relay} does not run the order tables' migrations at all.
 */
class OrderSchemaLockTest {
    private static final String DATABASE = "schema_lock_test";
    private static final Map<String, String> INSERTS = Map.of(
            "orders", "INSERT INTO orders (id, customer_id, status, created_at, updated_at, version) "
                    + "VALUES (gen_random_uuid(), gen_random_uuid(), 'PENDING', now(), now(), 0)",
            "idempotency_key", "INSERT INTO idempotency_key (key, request_method, request_path, request_hash, created_at) "
                    + "VALUES (gen_random_uuid()::text, 'POST', '/orders', repeat('a', 64), now())",
            "outbox_event", "INSERT INTO outbox_event (id, aggregatetype, aggregateid, type, payload, occurred_at) "
                    + "VALUES (gen_random_uuid(), 'Order', 'a', 'E', '{}', now())");
    private static TestService shared;

    @BeforeAll
    static void createSchema() {
        shared = TestService.get();
        shared.postgres.createDatabase(DATABASE);
        OrderSchema.migrate(Jdbi.create(shared.postgres.dataSource(DATABASE)), OutboxTable.DEFAULT);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"orders", "idempotency_key", "outbox_event"})
    void givenAWriterHoldsAnOpenInsert_migratingTheExistingSchemaDoesNotWaitForIt(String table) throws SQLException {
        try (Connection writer = shared.postgres.dataSource(DATABASE).getConnection();
             Connection migrator = shared.postgres.dataSource(DATABASE).getConnection()) {
            writer.setAutoCommit(false);
            try (Statement insert = writer.createStatement()) {
                insert.executeUpdate(INSERTS.get(table));
            }
            try (Statement set = migrator.createStatement()) {
                // a lock wait ends in an error after 2 s instead of hanging the test
                set.execute("SET lock_timeout = '2s'");
            }
            try {
                assertThatCode(() -> OrderSchema.migrate(on(migrator), OutboxTable.DEFAULT)).doesNotThrowAnyException();
            } finally {
                writer.rollback();
            }
        }
    }

    @Test
    void onAnEmptyDatabase_twoMigratorsAtOnceCreateEveryTableAndIndex() throws Exception {
        shared.postgres.createDatabase("schema_race_test");
        Jdbi jdbi = Jdbi.create(shared.postgres.dataSource("schema_race_test"));
        CountDownLatch start = new CountDownLatch(1);
        Runnable migrate = () -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            OrderSchema.migrate(jdbi, OutboxTable.DEFAULT);
        };
        CompletableFuture<Void> first = CompletableFuture.runAsync(migrate);
        CompletableFuture<Void> second = CompletableFuture.runAsync(migrate);
        start.countDown();
        CompletableFuture.allOf(first, second).get();
        OrderSchema.migrate(jdbi, OutboxTable.DEFAULT); // and again: idempotent

        List<String> relations = jdbi.withHandle(h -> h.createQuery("SELECT relname FROM pg_class WHERE relnamespace = "
                + "'public'::regnamespace AND relkind IN ('r', 'i') AND relname NOT LIKE 'outbox_event%'")
                .mapTo(String.class).list());
        assertThat(relations).containsExactlyInAnyOrder("orders", "orders_pkey",
                "orders_customer_id_idx", "orders_status_id_idx", "order_lines", "order_lines_pkey",
                "order_lines_order_line_no_key", "idempotency_key", "idempotency_key_pkey",
                "idempotency_key_created_at_idx");
    }

    @Test
    void theRelayCommandCreatesTheOutboxTableOnly() {
        shared.postgres.createDatabase("relay_schema_test");
        Map<String, String> env = shared.env();
        env.put("DATABASE_URL", shared.postgres.jdbcUrl("relay_schema_test"));
        env.put("PUBLISHER", "log");
        try (OrderService relay = OrderService.start(AppConfig.from(env), OrderService.Mode.RELAY)) {
            List<Boolean> present = relay.jdbi().withHandle(h -> h.createQuery("SELECT to_regclass(name) IS NOT NULL "
                    + "FROM unnest(ARRAY['outbox_event', 'orders', 'order_lines', 'idempotency_key']) "
                    + "WITH ORDINALITY AS t(name, n) ORDER BY n").mapTo(Boolean.class).list());
            assertThat(present).containsExactly(true, false, false, false);
        }
    }

    /** A Jdbi on {@code connection} (and its session settings) that leaves it open. */
    private static Jdbi on(Connection connection) {
        return Jdbi.create(new ConnectionFactory() {
            @Override
            public Connection openConnection() {
                return connection;
            }

            @Override
            public void closeConnection(Connection toClose) {
                // kept open: the test owns it
            }
        });
    }
}

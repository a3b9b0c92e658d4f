package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.embedded.EmbeddedPostgresServer;
import dev.outbox.jdbc.replication.ReplicationSetupException;
import dev.outbox.kafka.DecodedOutboxEvent;
import dev.outbox.kafka.OutboxRecordDecoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code RELAY_MODE=log-tailing}: the service on its own database of the shared PostgreSQL (so the
 * polling tests are unaffected) with its own replication slot, publishing to the shared broker.
 */
class LogTailingServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestService shared = TestService.get();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void keepRows_orderCreatedReachesTheBrokerLagIsReportedAndDropSlotRemovesTheSlotOnceStopped() throws Exception {
        AppConfig config = config("lt_keep_rows", "lt_keep_rows_slot", "keep-rows");
        String id;
        try (OrderService service = OrderService.start(config, OrderService.Mode.SERVE)) {
            id = placeOrder(service);

            ConsumerRecord<byte[], byte[]> record = consumeFirst(id);
            UUID rowId = service.jdbi().withHandle(h -> h.createQuery(
                    "SELECT id FROM outbox_event WHERE aggregateid = :id AND type = 'OrderCreated'")
                    .bind("id", id).mapTo(UUID.class).one());
            assertDelivered(record, id, rowId);
            TestService.await("row marked published by the log-tailing relay", () -> service.jdbi().withHandle(h ->
                    h.createQuery("SELECT count(*) FROM outbox_event WHERE aggregateid = :id AND status = 'published'")
                            .bind("id", id).mapTo(Integer.class).one()) == 1);

            TestService.await("leader in /health", () -> get(service, "/health").contains("\"role\":\"leader\""));
            JsonNode relay = JSON.readTree(get(service, "/health")).get("checks").get("relay");
            assertThat(relay.get("mode").asText()).isEqualTo("log-tailing");
            assertThat(relay.get("table_mode").asText()).isEqualTo("keep-rows");
            assertThat(relay.get("status").asText()).isEqualTo("UP");
            assertThat(relay.get("replication_lag").get("bytes").asLong()).isNotNegative();
            assertThat(relay.get("replication_lag").has("seconds")).isTrue();
            assertThat(relay.get("replication_lag").get("slot_active").asBoolean()).isTrue();
            String metrics = get(service, "/metrics");
            assertThat(metrics.lines()).anyMatch(l -> l.matches("outbox_replication_lag_bytes(\\{.*\\})? \\d.*"))
                    .anyMatch(l -> l.startsWith("outbox_replication_lag_seconds"))
                    .anyMatch(l -> l.matches("outbox_replication_leader(\\{.*\\})? 1.*"))
                    .anyMatch(l -> l.matches("outbox_events_published_total(\\{.*\\})? [1-9].*"));

            assertThat(DropSlotCommand.run(service.dataSource(), config, List.of(), out, out)).isEqualTo(1);
            assertThat(output()).contains("Refused", "lt_keep_rows_slot", "in use");
            assertThat(slotExists(service, "lt_keep_rows_slot")).isTrue();
        }
        try (OrderService tool = OrderService.start(config, OrderService.Mode.TOOL)) {
            TestService.await("walsender gone", () -> !slotActive(tool, "lt_keep_rows_slot"));

            assertThat(DropSlotCommand.run(tool.dataSource(), config, List.of(), out, out)).isZero();

            assertThat(output()).contains("Dropped replication slot lt_keep_rows_slot.", "Dropped publication outbox_pub.");
            assertThat(slotExists(tool, "lt_keep_rows_slot")).isFalse();
            assertThat(DropSlotCommand.run(tool.dataSource(), config, List.of(), out, out)).isZero();
            assertThat(output()).contains("Replication slot lt_keep_rows_slot did not exist.");
        }
    }

    @Test
    void logOnly_eventIsDeliveredTheTableStaysEmptyAndRequeuedDeadLettersAreDeliveredAgain() throws Exception {
        AppConfig config = config("lt_log_only", "lt_log_only_slot", "log-only");
        try (OrderService service = OrderService.start(config, OrderService.Mode.SERVE)) {
            String id = placeOrder(service);

            ConsumerRecord<byte[], byte[]> record = consumeFirst(id);

            assertDelivered(record, id, null);
            long rows = service.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM outbox_event")
                    .mapTo(Long.class).one());
            assertThat(rows).isZero();
            TestService.await("log-only leader healthy", () -> get(service, "/health").contains("\"role\":\"leader\""));
            assertThat(get(service, "/health")).contains("\"table_mode\":\"log-only\"", "\"replication_lag\"");

            UUID deadId = UUID.randomUUID();
            String aggregate = UUID.randomUUID().toString();
            service.jdbi().useHandle(h -> h.createUpdate("""
                    INSERT INTO outbox_event (id, aggregatetype, aggregateid, type, payload, content_type, headers,
                                              occurred_at, status, attempts, last_error, dead_lettered_at)
                    VALUES (:id, 'Order', :aggregate, 'OrderCreated', '{"order_id": "x"}'::jsonb, 'application/json',
                            '{}'::jsonb, now(), 'dead', 3, 'broker said no', now())""")
                    .bind("id", deadId).bind("aggregate", aggregate).execute());

            assertThat(Main.deadLetters(service, config, List.of("requeue", "--all"), out)).isZero();

            assertThat(output()).contains("Requeued 1 dead letter(s)");
            ConsumerRecord<byte[], byte[]> requeued = consumeFirst(aggregate);
            assertThat(new String(requeued.headers().lastHeader("id").value(), StandardCharsets.UTF_8))
                    .isEqualTo(deadId.toString());
            long left = service.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM outbox_event")
                    .mapTo(Long.class).one());
            assertThat(left).isZero();
        } finally {
            dropSlotWhenInactive(config);
        }
    }

    @Test
    void serverWithoutLogicalWalLevelIsRefusedWithTheRelaysMessage() {
        try (EmbeddedPostgresServer replica = EmbeddedPostgresServer.builder().serverConfig("wal_level", "replica").start()) {
            Map<String, String> env = shared.env();
            env.put("DATABASE_URL", replica.jdbcUrl());
            env.put("RELAY_MODE", "log-tailing");
            env.put("PUBLISHER", "log");

            assertThatThrownBy(() -> OrderService.start(AppConfig.from(env), OrderService.Mode.RELAY))
                    .isInstanceOf(ReplicationSetupException.class).hasMessageContaining("wal_level");
        }
    }

    private AppConfig config(String database, String slot, String tableMode) {
        shared.postgres.createDatabase(database);
        Map<String, String> env = shared.env();
        env.put("DATABASE_URL", shared.postgres.jdbcUrl(database));
        env.put("RELAY_MODE", "log-tailing");
        env.put("OUTBOX_TABLE_MODE", tableMode);
        env.put("REPLICATION_SLOT", slot);
        return AppConfig.from(env);
    }

    private static String placeOrder(OrderService service) throws Exception {
        HttpResponse<String> created = TestService.send(service, "POST", "/orders", """
                {"customer_id": "0190a000-0000-7000-8000-000000000001", "lines": [
                  {"product_id": "0190a000-0000-7000-8000-0000000000aa", "quantity": 1, "unit_price": "1"}]}
                """);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).get("id").asText();
    }

    private static void assertDelivered(ConsumerRecord<byte[], byte[]> record, String orderId, UUID rowId) throws Exception {
        DecodedOutboxEvent event = OutboxRecordDecoder.create().decode(record);
        String headerId = new String(record.headers().lastHeader("id").value(), StandardCharsets.UTF_8);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(orderId);
        assertThat(headerId).isEqualTo(event.id().toString());
        if (rowId != null) {
            assertThat(event.id()).isEqualTo(rowId);
        }
        assertThat(event.eventType()).isEqualTo("OrderCreated");
        assertThat(JSON.readTree(event.payloadAsString()).get("order_id").asText()).isEqualTo(orderId);
    }

    private static String get(OrderService service, String path) {
        return TestService.send(service, "GET", path, null).body();
    }

    private static boolean slotExists(OrderService service, String slot) {
        return service.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = :s")
                .bind("s", slot).mapTo(Integer.class).one()) == 1;
    }

    private static boolean slotActive(OrderService service, String slot) {
        return service.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = :s AND active")
                .bind("s", slot).mapTo(Integer.class).one()) == 1;
    }

    private void dropSlotWhenInactive(AppConfig config) {
        try (OrderService tool = OrderService.start(config, OrderService.Mode.TOOL)) {
            TestService.await("walsender gone", () -> !slotActive(tool, config.replicationSlot()));
            DropSlotCommand.run(tool.dataSource(), config, List.of(), out, out);
        }
    }

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private ConsumerRecord<byte[], byte[]> consumeFirst(String key) {
        return TopicRecords.firstWithKey(shared.broker.bootstrapServers(), "Order", key);
    }
}

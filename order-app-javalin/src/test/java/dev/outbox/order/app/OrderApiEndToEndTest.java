package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.kafka.DecodedOutboxEvent;
import dev.outbox.kafka.OutboxRecordDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class OrderApiEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestService app = TestService.get();

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private String placeOrder(String customer) throws Exception {
        HttpResponse<String> created = app.send("POST", "/orders", """
                {"customer_id": "%s",
                 "lines": [{"product_id": "0190a000-0000-7000-8000-0000000000aa", "quantity": 2, "unit_price": "19.99"},
                           {"product_id": "0190a000-0000-7000-8000-0000000000bb", "quantity": 1, "unit_price": "5"}]}
                """.formatted(customer));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json(created).get("id").asText();
        assertThat(created.headers().firstValue("Location")).contains("/orders/" + id);
        return id;
    }

    @Test
    void postedOrderIsReadableAndItsOrderCreatedEventReachesTopicOrder() throws Exception {
        String customer = UUID.randomUUID().toString();
        String id = placeOrder(customer);

        JsonNode order = json(app.send("GET", "/orders/" + id, null));
        assertThat(order.get("id").asText()).isEqualTo(id);
        assertThat(order.get("customer_id").asText()).isEqualTo(customer);
        assertThat(order.get("status").asText()).isEqualTo("PENDING");
        assertThat(order.get("version").asLong()).isZero();
        assertThat(order.get("total").asText()).isEqualTo("44.98");
        assertThat(order.get("created_at").asText()).endsWith("Z");
        assertThat(order.get("lines")).hasSize(2);
        assertThat(order.get("lines").get(0).get("unit_price").asText()).isEqualTo("19.99");
        assertThat(order.get("lines").get(1).get("unit_price").asText()).isEqualTo("5.00");
        assertThat(order.get("lines").get(0).get("quantity").asInt()).isEqualTo(2);

        ConsumerRecord<byte[], byte[]> record = consumeFirst("Order", id);
        DecodedOutboxEvent event = OutboxRecordDecoder.create().decode(record);
        String eventId = new String(record.headers().lastHeader("id").value(), StandardCharsets.UTF_8);
        UUID rowId = app.service.jdbi().withHandle(h -> h.createQuery(
                "SELECT id FROM outbox_event WHERE aggregateid = :id AND type = 'OrderCreated'")
                .bind("id", id).mapTo(UUID.class).one());
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(id);
        assertThat(eventId).isEqualTo(rowId.toString());
        assertThat(event.id()).isEqualTo(rowId);
        assertThat(event.eventType()).isEqualTo("OrderCreated");
        JsonNode payload = JSON.readTree(event.payloadAsString());
        assertThat(payload.get("order_id").asText()).isEqualTo(id);
        assertThat(payload.get("customer_id").asText()).isEqualTo(customer);
        assertThat(payload.get("status").asText()).isEqualTo("PENDING");
        assertThat(payload.get("total").asText()).isEqualTo("44.98");
        assertThat(payload.get("lines")).hasSize(2);
        assertThat(payload.get("lines").get(0).get("product_id").asText()).isEqualTo("0190a000-0000-7000-8000-0000000000aa");
    }

    @Test
    void confirmThenCancelChangesStatusVersionAndRefusesIllegalMoves() throws Exception {
        String id = placeOrder(UUID.randomUUID().toString());

        HttpResponse<String> confirmed = app.send("POST", "/orders/" + id + "/confirm", null);
        assertThat(confirmed.statusCode()).isEqualTo(200);
        assertThat(json(confirmed).get("status").asText()).isEqualTo("CONFIRMED");
        assertThat(confirmed.headers().firstValue("ETag")).contains("\"1\"");

        HttpResponse<String> again = app.send("POST", "/orders/" + id + "/confirm", null);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));

        HttpResponse<String> stale = app.send("POST", "/orders/" + id + "/cancel", "{\"reason\": \"too late\"}",
                "If-Match", "\"0\"");
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(json(stale).get("type").asText()).endsWith("stale-version");

        HttpResponse<String> cancelled = app.send("POST", "/orders/" + id + "/cancel",
                "{\"reason\": \"customer changed their mind\"}", "If-Match", "\"1\"");
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(json(cancelled).get("status").asText()).isEqualTo("CANCELLED");
        assertThat(json(cancelled).get("cancellation_reason").asText()).isEqualTo("customer changed their mind");

        List<String> types = app.service.jdbi().withHandle(h -> h.createQuery(
                "SELECT type FROM outbox_event WHERE aggregateid = :id ORDER BY seq").bind("id", id)
                .mapTo(String.class).list());
        assertThat(types).containsExactly("OrderCreated", "OrderConfirmed", "OrderCancelled");
    }

    @Test
    void concurrentConfirmsLetOneWinAndRefuseTheOtherWith409() throws Exception {
        String id = placeOrder(UUID.randomUUID().toString());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Integer>> results = pool.invokeAll(List.of(
                    () -> app.send("POST", "/orders/" + id + "/confirm", null).statusCode(),
                    () -> app.send("POST", "/orders/" + id + "/confirm", null).statusCode()));
            List<Integer> statuses = new ArrayList<>();
            for (java.util.concurrent.Future<Integer> result : results) {
                statuses.add(result.get());
            }
            assertThat(statuses).containsExactlyInAnyOrder(200, 409);
        } finally {
            pool.shutdownNow();
        }
        long confirmations = app.service.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM outbox_event WHERE aggregateid = :id AND type = 'OrderConfirmed'")
                .bind("id", id).mapTo(Long.class).one());
        assertThat(confirmations).isEqualTo(1);
    }

    @Test
    void unknownRouteIsAProblemToo() throws Exception {
        HttpResponse<String> response = app.send("GET", "/nowhere", null);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("status").asInt()).isEqualTo(404);
    }

    @Test
    void listingPagesByCustomerWithAnOpaqueCursor() throws Exception {
        String customer = UUID.randomUUID().toString();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(placeOrder(customer));
        }
        JsonNode first = json(app.send("GET", "/orders?customer_id=" + customer + "&limit=2", null));
        JsonNode second = json(app.send("GET", "/orders?customer_id=" + customer + "&limit=2&after="
                + first.get("next").asText(), null));
        JsonNode pending = json(app.send("GET", "/orders?customer_id=" + customer + "&status=CONFIRMED", null));
        JsonNode blanks = json(app.send("GET", "/orders?customer_id=" + customer + "&status=&limit=&after=", null));

        List<String> seen = new ArrayList<>();
        first.get("items").forEach(o -> seen.add(o.get("id").asText()));
        second.get("items").forEach(o -> seen.add(o.get("id").asText()));
        assertThat(seen).containsExactlyElementsOf(ids);
        assertThat(second.get("next").isNull()).isTrue();
        assertThat(pending.get("items")).isEmpty();
        assertThat(blanks.get("items")).hasSize(3);
    }

    @Test
    void unknownOrderIs404ProblemAndMalformedIdIs400() throws Exception {
        HttpResponse<String> missing = app.send("GET", "/orders/" + UUID.randomUUID(), null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("status").asInt()).isEqualTo(404);
        HttpResponse<String> malformed = app.send("GET", "/orders/not-a-uuid", null);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("errors").get(0).get("field").asText()).isEqualTo("id");
    }

    @Test
    void healthReportsDatabaseBrokerAndRelayAndMetricsCountPublishedEvents() throws Exception {
        placeOrder(UUID.randomUUID().toString());
        TestService.await("an event published", () ->
                app.send("GET", "/metrics", null).body().lines().anyMatch(l -> l.startsWith("outbox_events_published_total")
                        && !l.endsWith(" 0.0")));

        HttpResponse<String> health = app.send("GET", "/health", null);
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        JsonNode checks = json(health).get("checks");
        assertThat(checks.get("database").get("status").asText()).isEqualTo("UP");
        assertThat(checks.get("broker").get("status").asText()).isEqualTo("UP");
        assertThat(checks.get("relay").get("running").asBoolean()).isTrue();
        assertThat(checks.get("relay").has("oldest_pending_age_seconds")).isTrue();
        String metrics = app.send("GET", "/metrics", null).body();
        assertThat(metrics).contains("outbox_events_pending", "outbox_oldest_pending_age_seconds",
                "outbox_events_dead_lettered_total", "outbox_events_failed_total", "outbox_relay_batch_seconds");
    }

    private ConsumerRecord<byte[], byte[]> consumeFirst(String topic, String key) {
        return TopicRecords.firstWithKey(app.broker.bootstrapServers(), topic, key);
    }
}

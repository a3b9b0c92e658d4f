package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The {@code Idempotency-Key} header on the writing routes, against the running service. */
class IdempotencyKeyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestService app = TestService.get();

    private static String order(String customer) {
        return """
                {"customer_id": "%s",
                 "lines": [{"product_id": "0190a000-0000-7000-8000-0000000000aa", "quantity": 2, "unit_price": "3.50"}]}
                """.formatted(customer);
    }

    private HttpResponse<String> place(String customer, String key) {
        return app.send("POST", "/orders", order(customer), "Idempotency-Key", key);
    }

    private long ordersOf(String customer) {
        return app.service.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM orders WHERE customer_id = :c")
                .bind("c", UUID.fromString(customer)).mapTo(Long.class).one());
    }

    private long eventsOf(String orderId, String type) {
        return app.service.jdbi().withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM outbox_event WHERE aggregateid = :id AND type = :type")
                .bind("id", orderId).bind("type", type).mapTo(Long.class).one());
    }

    private static String id(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).get("id").asText();
    }

    @Test
    void retriedCreateWithTheSameKeyAnswersTheFirstResultAndWritesOneOrderAndOneEvent() throws Exception {
        String customer = UUID.randomUUID().toString();
        String key = UUID.randomUUID().toString();

        HttpResponse<String> first = place(customer, key);
        HttpResponse<String> retry = place(customer, key);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(ordersOf(customer)).isEqualTo(1);
        assertThat(eventsOf(id(first), "OrderCreated")).isEqualTo(1);
    }

    @Test
    void retriedConfirmAndCancelWithTheirKeysAnswerTheFirstResultAndWriteOneEventEach() throws Exception {
        String id = id(place(UUID.randomUUID().toString(), UUID.randomUUID().toString()));

        HttpResponse<String> confirmedAgain = sentTwiceWithOneKeyAnswersTheSame("/orders/" + id + "/confirm", null);
        assertThat(confirmedAgain.headers().firstValue("ETag")).contains("\"1\"");

        sentTwiceWithOneKeyAnswersTheSame("/orders/" + id + "/cancel", "{\"reason\": \"duplicate\"}");

        assertThat(eventsOf(id, "OrderConfirmed")).isEqualTo(1);
        assertThat(eventsOf(id, "OrderCancelled")).isEqualTo(1);
    }

    /** POSTs {@code body} to {@code path} twice with one new key; asserts both answer 200 with one body; returns the second. */
    private HttpResponse<String> sentTwiceWithOneKeyAnswersTheSame(String path, String body) throws Exception {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> first = app.send("POST", path, body, "Idempotency-Key", key);
        HttpResponse<String> again = app.send("POST", path, body, "Idempotency-Key", key);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        return again;
    }

    @Test
    void sameKeyWithAnotherBodyOrPathIs422NamingTheHeaderAndWritesNothing() throws Exception {
        String customer = UUID.randomUUID().toString();
        String key = UUID.randomUUID().toString();
        String id = id(place(customer, key));

        HttpResponse<String> otherBody = place(UUID.randomUUID().toString(), key);
        HttpResponse<String> otherPath = app.send("POST", "/orders/" + id + "/confirm", null, "Idempotency-Key", key);

        for (HttpResponse<String> response : List.of(otherBody, otherPath)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            JsonNode problem = JSON.readTree(response.body());
            assertThat(problem.get("errors").get(0).get("field").asText()).isEqualTo("Idempotency-Key");
        }
        assertThat(ordersOf(customer)).isEqualTo(1);
        assertThat(eventsOf(id, "OrderConfirmed")).isZero();
    }

    @Test
    void concurrentRequestsWithOneKeyWriteOnceAndAllAnswerTheSameOrder() throws Exception {
        String customer = UUID.randomUUID().toString();
        String key = UUID.randomUUID().toString();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<HttpResponse<String>> responses = new ArrayList<>();
        try {
            List<Callable<HttpResponse<String>>> requests = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                requests.add(() -> place(customer, key));
            }
            for (Future<HttpResponse<String>> response : pool.invokeAll(requests)) {
                responses.add(response.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(201);
        assertThat(responses).extracting(HttpResponse::body).containsOnly(responses.get(0).body());
        assertThat(ordersOf(customer)).isEqualTo(1);
    }

    @Test
    void keysAreForgottenAfterTheirRetentionByThePurge() throws Exception {
        String customer = UUID.randomUUID().toString();
        String key = UUID.randomUUID().toString();
        String first = id(place(customer, key));

        app.service.idempotencyKeys().purgeExpired(Instant.now());
        assertThat(id(place(customer, key))).isEqualTo(first);

        long purged = app.service.idempotencyKeys().purgeExpired(Instant.now().plus(Duration.ofHours(25)));
        assertThat(purged).isPositive();
        HttpResponse<String> afterExpiry = place(customer, key);
        assertThat(afterExpiry.statusCode()).isEqualTo(201);
        assertThat(id(afterExpiry)).isNotEqualTo(first);
        assertThat(ordersOf(customer)).isEqualTo(2);
    }

    @Test
    void invalidKeysAre400NamingTheHeader() throws Exception {
        HttpResponse<String> tooLong = place(UUID.randomUUID().toString(), "k".repeat(256));

        assertThat(tooLong.statusCode()).as(tooLong.body()).isEqualTo(400);
        assertThat(JSON.readTree(tooLong.body()).get("errors").get(0).get("field").asText()).isEqualTo("Idempotency-Key");
    }

    @Test
    void withoutTheHeaderEveryCreateWritesAnOrder() {
        String customer = UUID.randomUUID().toString();

        assertThat(app.send("POST", "/orders", order(customer)).statusCode()).isEqualTo(201);
        assertThat(app.send("POST", "/orders", order(customer)).statusCode()).isEqualTo(201);

        assertThat(ordersOf(customer)).isEqualTo(2);
    }
}

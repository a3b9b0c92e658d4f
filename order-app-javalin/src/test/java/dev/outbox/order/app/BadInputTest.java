package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BadInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRODUCT = "0190a000-0000-7000-8000-0000000000aa";
    private static final String CUSTOMER = "0190a000-0000-7000-8000-000000000001";
    private final TestService app = TestService.get();

    private static String order(String line) {
        return "{\"customer_id\": \"" + CUSTOMER + "\", \"lines\": [" + line + "]}";
    }

    private static String line(String quantity, String unitPrice) {
        return "{\"product_id\": \"" + PRODUCT + "\", \"quantity\": " + quantity + ", \"unit_price\": " + unitPrice + "}";
    }

    static Stream<Arguments> badOrders() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"customer_id\": ", "body"),
                Arguments.of("not an object", "[1, 2]", "body"),
                Arguments.of("trailing data", "{} {}", "body"),
                Arguments.of("duplicate key", "{\"customer_id\": \"" + CUSTOMER + "\", \"customer_id\": \"" + CUSTOMER
                        + "\", \"lines\": [" + line("1", "\"1\"") + "]}", "body"),
                Arguments.of("empty body", "", "body"),
                Arguments.of("nothing in it", "{}", "customer_id"),
                Arguments.of("customer id as number", "{\"customer_id\": 123, \"lines\": [" + line("1", "\"1\"") + "]}",
                        "customer_id"),
                Arguments.of("SQL in a UUID field", "{\"customer_id\": \"'; DROP TABLE orders; --\", \"lines\": ["
                        + line("1", "\"1\"") + "]}", "customer_id"),
                Arguments.of("quantity as string", order(line("\"2\"", "\"1.00\"")), "lines[0].quantity"),
                Arguments.of("fractional quantity", order(line("1.5", "\"1.00\"")), "lines[0].quantity"),
                Arguments.of("huge quantity", order(line("100000000000000000000", "\"1.00\"")), "lines[0].quantity"),
                Arguments.of("negative quantity", order(line("-1", "\"1.00\"")), "lines[0].quantity"),
                Arguments.of("zero quantity", order(line("0", "\"1.00\"")), "lines[0].quantity"),
                Arguments.of("valid line then invalid line", order(line("1", "\"1.00\"") + ", " + line("0", "\"1.00\"")),
                        "lines[1].quantity"),
                Arguments.of("price as number", order(line("1", "19.99")), "lines[0].unit_price"),
                Arguments.of("price with 3 places", order(line("1", "\"1.999\"")), "lines[0].unit_price"),
                Arguments.of("negative price", order(line("1", "\"-1.00\"")), "lines[0].unit_price"),
                Arguments.of("exponent price", order(line("1", "\"1e3\"")), "lines[0].unit_price"),
                Arguments.of("empty lines", order(""), "lines"),
                Arguments.of("lines not an array", "{\"customer_id\": \"" + CUSTOMER + "\", \"lines\": {}}", "lines"),
                Arguments.of("unknown top-level field", "{\"customer_id\": \"" + CUSTOMER + "\", \"coupon\": \"X\", "
                        + "\"lines\": [" + line("1", "\"1\"") + "]}", "coupon"),
                Arguments.of("unknown line field", order("{\"product_id\": \"" + PRODUCT
                        + "\", \"quantity\": 1, \"unit_price\": \"1\", \"color\": \"red\"}"), "lines[0].color"),
                Arguments.of("deep nesting", "[".repeat(5000) + "]".repeat(5000), "body"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOrders")
    void badOrderIsRefusedWith400NamingTheFieldAndNothingIsWritten(String name, String body, String field)
            throws Exception {
        long[] before = counts();

        HttpResponse<String> response = app.send("POST", "/orders", body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertProblem(response, field);
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void oversizedBodyIsRefusedWith413AndNothingIsWritten() throws Exception {
        long[] before = counts();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            lines.add(line("1", "\"1.00\""));
        }
        HttpResponse<String> response = app.send("POST", "/orders", order(String.join(",", lines)));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void oversizedChunkedBodyWithoutContentLengthIsRefusedWith413() throws Exception {
        long[] before = counts();
        byte[] body = order(String.join(",", java.util.Collections.nCopies(2_000, line("1", "\"1.00\""))))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + app.service.httpPort() + "/orders"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .build();

        HttpResponse<String> response = TestService.HTTP.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void nonJsonContentTypeIsRefusedWith415() {
        long[] before = counts();
        HttpResponse<String> response = app.send("POST", "/orders", order(line("1", "\"1\"")),
                "Content-Type", "text/plain");
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void badCancelAndConfirmBodiesAreRefusedAndLeaveTheOrderUnchanged() throws Exception {
        String id = JSON.readTree(app.send("POST", "/orders", order(line("1", "\"1\""))).body()).get("id").asText();
        long[] before = counts();

        assertProblem(app.send("POST", "/orders/" + id + "/cancel", "{}"), "reason");
        assertProblem(app.send("POST", "/orders/" + id + "/cancel", "{\"reason\": 42}"), "reason");
        assertProblem(app.send("POST", "/orders/" + id + "/cancel", "{\"reason\": \"x\", \"force\": true}"), "force");
        assertProblem(app.send("POST", "/orders/" + id + "/cancel", "{\"reason\": \"nul \\u0000 byte\"}"), "reason");
        assertProblem(app.send("POST", "/orders/" + id + "/confirm", "{\"at\": 1}"), "at");
        assertProblem(app.send("POST", "/orders/" + id + "/confirm", "{", "If-Match", "\"0\""), "body");
        assertProblem(app.send("POST", "/orders/" + id + "/confirm", null, "If-Match", "v1"), "If-Match");
        assertProblem(app.send("GET", "/orders?limit=abc", null), "limit");
        assertProblem(app.send("GET", "/orders?status=pending", null), "status");
        assertProblem(app.send("GET", "/orders?after=bogus", null), "after");
        assertProblem(app.send("GET", "/orders?customer_id=1", null), "customer_id");

        assertThat(counts()).isEqualTo(before);
        assertThat(JSON.readTree(app.send("GET", "/orders/" + id, null).body()).get("version").asInt()).isZero();
    }

    @Test
    void sqlLikeReasonIsStoredVerbatimAndNeverExecuted() throws Exception {
        String id = JSON.readTree(app.send("POST", "/orders", order(line("1", "\"1\""))).body()).get("id").asText();
        String reason = "'); DROP TABLE orders; -- \"quoted\" \\ back";

        HttpResponse<String> cancelled = app.send("POST", "/orders/" + id + "/cancel",
                JSON.createObjectNode().put("reason", reason).toString());

        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(JSON.readTree(app.send("GET", "/orders/" + id, null).body()).get("cancellation_reason").asText())
                .isEqualTo(reason);
        String payload = app.service.jdbi().withHandle(h -> h.createQuery(
                "SELECT payload ->> 'reason' FROM outbox_event WHERE aggregateid = :id AND type = 'OrderCancelled'")
                .bind("id", id).mapTo(String.class).one());
        assertThat(payload).isEqualTo(reason);
        assertThat(app.count("orders")).isPositive();
    }

    @Test
    void unknownOrderOnConfirmIs404AndWritesNothing() {
        long[] before = counts();
        assertThat(app.send("POST", "/orders/" + UUID.randomUUID() + "/confirm", null).statusCode()).isEqualTo(404);
        assertThat(counts()).isEqualTo(before);
    }

    private static void assertProblem(HttpResponse<String> response, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        problem.get("errors").forEach(e -> fields.add(e.get("field").asText()));
        assertThat(fields).as(response.body()).contains(field);
    }

    private long[] counts() {
        return new long[] {app.count("orders"), app.count("order_lines"), app.count("outbox_event")};
    }
}

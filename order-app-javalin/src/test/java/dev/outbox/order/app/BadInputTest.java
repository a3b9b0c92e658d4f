package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

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
    void oversizedChunkedBodyWithoutContentLengthIsRefusedWith413AndNothingIsWritten() throws Exception {
        long[] before = counts();
        String body = order(String.join(",", Collections.nCopies(2_000, line("1", "\"1.00\""))));

        HttpResponse<String> response = postChunked("/orders", body, "Content-Type", "application/json");

        assertProblem(response, 413, "body");
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void chunkedBodyOverTheLimitIsRefusedWith413BeforeItEnds() throws Exception {
        long[] before = counts();
        // A raw socket: JDK 17's HttpClient reads no response before it has sent the whole body.
        try (Socket socket = new Socket("127.0.0.1", app.service.httpPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // 1 MiB in chunks and then no last chunk: a server that reads the body whole before
            // checking its size waits for the end forever, and this read times out.
            Thread writer = new Thread(() -> {
                byte[] spaces = ("2000\r\n" + " ".repeat(0x2000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    out.write("1\r\n[\r\n".getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 128; i++) {
                        out.write(spaces);
                    }
                } catch (IOException refused) {
                    // the server closed the connection after its 413: what this test expects
                }
            }, "chunked-writer");
            writer.setDaemon(true);
            writer.start();

            String head = responseHead(socket.getInputStream());

            assertThat(head).startsWith("HTTP/1.1 413").containsIgnoringCase("Content-Type: application/problem+json");
        }
        assertThat(counts()).isEqualTo(before);
    }

    /** Reads a response's status line and headers, up to the blank line. */
    private static String responseHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) != -1) {
            head.append((char) b);
        }
        return head.toString();
    }

    @Test
    void chunkedJsonOrderIsCreatedWithItsOutboxEvent() throws Exception {
        long[] before = counts();

        HttpResponse<String> response = postChunked("/orders", order(line("2", "\"1.50\"")),
                "Content-Type", "application/json");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(counts()).containsExactly(before[0] + 1, before[1] + 1, before[2] + 1);
    }

    @Test
    void chunkedTextPlainOrderIsRefusedWith415NamingContentTypeAndNothingIsWritten() throws Exception {
        long[] before = counts();

        HttpResponse<String> response = postChunked("/orders", order(line("1", "\"1\"")), "Content-Type", "text/plain");

        assertProblem(response, 415, "Content-Type");
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void orderWithoutContentTypeIsRefusedWith415NamingContentTypeAndNothingIsWritten() throws Exception {
        long[] before = counts();
        HttpRequest.Builder sized = HttpRequest.newBuilder(uri("/orders"))
                .POST(HttpRequest.BodyPublishers.ofString(order(line("1", "\"1\""))));

        assertProblem(TestService.HTTP.send(sized.build(), HttpResponse.BodyHandlers.ofString()), 415, "Content-Type");
        assertProblem(postChunked("/orders", order(line("1", "\"1\""))), 415, "Content-Type");
        assertThat(counts()).isEqualTo(before);
    }

    static Stream<String> refusedContentTypes() {
        return Stream.of("text/plain", "application/x-www-form-urlencoded", "application/jsonp", "text/json", "");
    }

    @ParameterizedTest(name = "Content-Type \"{0}\"")
    @MethodSource("refusedContentTypes")
    void nonJsonContentTypeIsRefusedWith415NamingContentTypeAndNothingIsWritten(String contentType) throws Exception {
        long[] before = counts();

        HttpResponse<String> response = app.send("POST", "/orders", order(line("1", "\"1\"")),
                "Content-Type", contentType);

        assertProblem(response, 415, "Content-Type");
        assertThat(counts()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"})
    void jsonContentTypeIsAcceptedWhateverItsCaseAndParameters(String contentType) {
        HttpResponse<String> response = app.send("POST", "/orders", order(line("1", "\"1\"")),
                "Content-Type", contentType);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    @Test
    void chunkedTextPlainCancelOrConfirmIsRefusedWith415AndLeavesTheOrderUnchanged() throws Exception {
        String id = JSON.readTree(app.send("POST", "/orders", order(line("1", "\"1\""))).body()).get("id").asText();
        long[] before = counts();

        assertProblem(postChunked("/orders/" + id + "/cancel", "{\"reason\": \"x\"}", "Content-Type", "text/plain"),
                415, "Content-Type");
        assertProblem(postChunked("/orders/" + id + "/cancel", "{\"reason\": \"x\"}"), 415, "Content-Type");
        assertProblem(postChunked("/orders/" + id + "/confirm", "{}", "Content-Type", "text/plain"), 415, "Content-Type");
        assertProblem(app.send("POST", "/orders/" + id + "/confirm", "{}", "Content-Type", "text/plain"),
                415, "Content-Type");

        assertThat(counts()).isEqualTo(before);
        assertThat(JSON.readTree(app.send("GET", "/orders/" + id, null).body()).get("version").asInt()).isZero();
        assertThat(app.send("POST", "/orders/" + id + "/confirm", null).statusCode())
                .as("confirm without a body needs no Content-Type").isEqualTo(200);
    }

    @Test
    void aRefusedUnreadBody_closesTheConnection_sayingSoSoThatClientsDoNotReuseIt() throws Exception {
        HttpResponse<String> refused = postChunked("/orders", "{\"reason\": \"x\"}", "Content-Type", "text/plain");

        assertProblem(refused, 415, "Content-Type");
        assertThat(refused.headers().firstValue("Connection")).as("the refused body was not read").hasValue("close");
        for (int i = 0; i < 20; i++) {
            assertProblem(postChunked("/orders", "x", "Content-Type", "text/plain"), 415, "Content-Type");
            assertThat(app.send("GET", "/orders", null).statusCode()).as("request %d after a refused body", i)
                    .isEqualTo(200);
        }
    }

    @Test
    void chunkedTextPlainBodyIsRefusedWith415EvenWhereNoBodyIsRead() throws Exception {
        assertProblem(sendChunked("GET", "/orders", "x", "Content-Type", "text/plain"), 415, "Content-Type");
        assertProblem(postChunked("/orders/" + UUID.randomUUID() + "/confirm", "", "Content-Type", "text/plain"),
                415, "Content-Type");
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
        assertProblem(response, 400, field);
    }

    private static void assertProblem(HttpResponse<String> response, int status, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        List<String> fields = new ArrayList<>();
        problem.get("errors").forEach(e -> fields.add(e.get("field").asText()));
        assertThat(fields).as(response.body()).contains(field);
    }

    /** POSTs {@code body} chunked; see {@link #sendChunked(String, String, String, String...)}. */
    private HttpResponse<String> postChunked(String path, String body, String... headers) throws Exception {
        return sendChunked("POST", path, body, headers);
    }

    /**
     * Sends {@code body} with unknown length, which HttpClient frames with Transfer-Encoding:
     * chunked (no Content-Length), over HTTP/1.1, with only the given headers (name, value...).
     */
    private HttpResponse<String> sendChunked(String method, String path, String body, String... headers)
            throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return TestService.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + app.service.httpPort() + path);
    }

    private long[] counts() {
        return new long[] {app.count("orders"), app.count("order_lines"), app.count("outbox_event")};
    }
}

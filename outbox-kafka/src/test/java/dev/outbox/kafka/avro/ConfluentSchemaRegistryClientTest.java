package dev.outbox.kafka.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exercises the HTTP and JSON handling against a tiny local HTTP server speaking the Confluent API. */
class ConfluentSchemaRegistryClientTest {

    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private volatile int status = 200;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/subjects/", exchange -> answer(exchange, "{\"id\":7}"));
        server.createContext("/api/schemas/ids/", exchange -> answer(exchange, "{\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}"));
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange, String body) throws IOException {
        String requestBody = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + requestBody);
        byte[] bytes = (status == 200 ? body : "{\"error_code\":50001,\"message\":\"boom\"}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private SchemaRegistryClient client() {
        return SchemaRegistryClient.confluent(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/"),
                Duration.ofSeconds(5));
    }

    @Test
    void register_postsTheSchemaAsJsonUnderTheSubjectAndCachesTheId() {
        SchemaRegistryClient client = client();

        assertThat(client.register("outbox.event.Order-value", "{\"type\":\"string\"}")).isEqualTo(7);
        assertThat(client.register("outbox.event.Order-value", "{\"type\":\"string\"}")).isEqualTo(7);

        assertThat(requests).containsExactly(
                "POST /api/subjects/outbox.event.Order-value/versions {\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}");
    }

    @Test
    void schemaById_getsAndCachesTheSchemaText() {
        SchemaRegistryClient client = client();

        assertThat(client.schemaById(3)).isEqualTo("{\"type\":\"string\"}");
        assertThat(client.schemaById(3)).isEqualTo("{\"type\":\"string\"}");

        assertThat(requests).containsExactly("GET /api/schemas/ids/3 ");
    }

    @Test
    void errorAnswer_becomesSchemaRegistryExceptionWithTheStatus() {
        status = 500;

        assertThatThrownBy(() -> client().register("t-value", "\"string\""))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.statusCode()).isEqualTo(500))
                .hasMessageContaining("HTTP 500").hasMessageContaining("t-value");
    }

    @Test
    void unreachableRegistry_becomesSchemaRegistryExceptionWithoutStatus() {
        SchemaRegistryClient client = client();
        server.stop(0);

        assertThatThrownBy(() -> client.register("t-value", "\"string\""))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.statusCode()).isEqualTo(-1));
    }

    @Test
    void nonHttpUrl_isRefused() {
        assertThatThrownBy(() -> SchemaRegistryClient.confluent(URI.create("ftp://x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http");
    }
}

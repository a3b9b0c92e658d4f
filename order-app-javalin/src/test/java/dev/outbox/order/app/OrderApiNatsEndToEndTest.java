package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.testkit.RequiredService;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code PUBLISHER=nats} end to end on the machine's NATS server (127.0.0.1:4222, JetStream): serve
 * with the polling relay, create an order over HTTP, read its event from the stream with the
 * {@code consume} command. A stream of its own per run, deleted afterwards. Without the server the
 * test is skipped, and fails under {@code CI=true}.
 */
class OrderApiNatsEndToEndTest {
    private static final String URL = "nats://127.0.0.1:4222";

    @Test
    void servePublishesTheOrderCreatedEventToTheStream_andConsumeReadsIt() throws Exception {
        RequiredService.check("NATS", "127.0.0.1", 4222);
        String run = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 41), 36);
        String stream = "order_e2e_" + run;
        TestService shared = TestService.get();
        shared.postgres.createDatabase("nats_orders");
        Map<String, String> env = shared.env();
        env.put("DATABASE_URL", shared.postgres.jdbcUrl("nats_orders"));
        env.remove("KAFKA_BOOTSTRAP_SERVERS");
        env.put("PUBLISHER", "nats");
        env.put("NATS_URL", URL);
        env.put("NATS_STREAM", stream);
        env.put("NATS_SUBJECT", "e2e_" + run + ".${aggregateType}.${aggregateId}");
        AppConfig config = AppConfig.from(env);
        try (OrderService service = OrderService.start(config, OrderService.Mode.SERVE)) {
            HttpResponse<String> created = TestService.send(service, "POST", "/orders", """
                    {"customer_id": "0190a000-0000-7000-8000-000000000001", "lines": [
                      {"product_id": "0190a000-0000-7000-8000-0000000000aa", "quantity": 2, "unit_price": "19.99"}]}
                    """);
            assertThat(created.statusCode()).isEqualTo(201);
            String id = new ObjectMapper().readTree(created.body()).get("id").asText();
            TestService.await("OrderCreated marked published after its PubAck", () -> service.jdbi().withHandle(h ->
                    h.createQuery("SELECT count(*) FROM outbox_event WHERE aggregateid = :id AND status = 'published'")
                            .bind("id", id).mapTo(Integer.class).one()) == 1);

            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            int status = NatsWiring.consume(config.nats().orElseThrow(),
                    List.of("--from-beginning", "--max", "1", "--idle-seconds", "10"),
                    new PrintStream(printed, true, StandardCharsets.UTF_8));

            String output = printed.toString(StandardCharsets.UTF_8);
            assertThat(status).isZero();
            assertThat(output).contains("e2e_" + run + ".Order." + id + "@1 OrderCreated", "key=" + id,
                    "\"total\": \"39.98\"", "1 event(s) consumed.");
        } finally {
            deleteStream(stream);
        }
    }

    private static void deleteStream(String stream) throws Exception {
        try (Connection connection = Nats.connect(URL)) {
            connection.jetStreamManagement().deleteStream(stream);
        } catch (JetStreamApiException | IOException e) {
            // not created
        }
    }
}

package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.outbox.testkit.RequiredService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code PUBLISHER=rabbitmq} end to end against the machine's RabbitMQ (127.0.0.1:5672): the
 * service with the polling relay, an order created over HTTP, its OrderCreated event read from the
 * queue the service bound to the Order exchange, by hand and by the {@code consume} command.
 * Skipped without the broker, failed under {@code CI=true}.
 */
class OrderApiRabbitMqEndToEndTest {
    private static final String URI = "amqp://guest:guest@127.0.0.1:5672";

    @Test
    void createdOrder_reachesTheQueueBoundToTheOrderExchange() throws Exception {
        requireRabbitMq();
        String run = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        TestService shared = TestService.get();
        shared.postgres.createDatabase("rabbit_orders");
        Map<String, String> env = shared.env();
        env.put("DATABASE_URL", shared.postgres.jdbcUrl("rabbit_orders"));
        env.remove("KAFKA_BOOTSTRAP_SERVERS");
        env.put("PUBLISHER", "rabbitmq");
        env.put("RABBITMQ_URI", URI);
        env.put("RABBITMQ_EXCHANGE", run + ".${aggregateType}");
        env.put("RABBITMQ_QUEUE", run);
        AppConfig config = AppConfig.from(env);
        try (OrderService service = OrderService.start(config, OrderService.Mode.SERVE);
             Connection connection = connect(); Channel channel = connection.createChannel()) {
            HttpResponse<String> created = TestService.send(service, "POST", "/orders", """
                    {"customer_id": "0190a000-0000-7000-8000-000000000001", "lines": [
                      {"product_id": "0190a000-0000-7000-8000-0000000000aa", "quantity": 2, "unit_price": "19.99"}]}
                    """, "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            assertThat(created.statusCode()).isEqualTo(201);
            String orderId = new ObjectMapper().readTree(created.body()).get("id").asText();

            GetResponse message = await(channel, run);
            assertThat(message.getEnvelope().getExchange()).isEqualTo(run + ".Order");
            assertThat(message.getEnvelope().getRoutingKey()).isEqualTo(orderId);
            assertThat(message.getProps().getType()).isEqualTo("OrderCreated");
            assertThat(message.getProps().getDeliveryMode()).isEqualTo(2);
            String eventId = service.jdbi().withHandle(h -> h.createQuery(
                    "SELECT id::text FROM outbox_event WHERE aggregateid = :id").bind("id", orderId).mapTo(String.class).one());
            assertThat(message.getProps().getMessageId()).isEqualTo(eventId);
            assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).contains(orderId, "39.98");
            TestService.await("OrderCreated marked published", () -> service.jdbi().withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM outbox_event WHERE aggregateid = :id AND status = 'published'")
                    .bind("id", orderId).mapTo(Integer.class).one()) == 1);
            channel.basicNack(message.getEnvelope().getDeliveryTag(), false, true); // back for the consume command

            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            int status = RabbitMqWiring.consume(config.rabbitMq().orElseThrow(), List.of("--max", "1"),
                    new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertThat(status).isZero();
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("OrderCreated id=" + eventId,
                    "key=" + orderId, "sequence=", "1 event(s) consumed.");
        } finally {
            try (Connection connection = connect(); Channel channel = connection.createChannel()) {
                channel.queueDelete(run);
                channel.exchangeDelete(run + ".Order");
            }
        }
    }

    private static GetResponse await(Channel channel, String queue) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            GetResponse response = channel.basicGet(queue, false);
            if (response != null) {
                return response;
            }
            Thread.sleep(100);
        }
        return fail("no event in queue " + queue + " within 30 s");
    }

    private static Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(URI);
        return factory.newConnection("order-app-test");
    }

    private static void requireRabbitMq() {
        RequiredService.check("RabbitMQ", "127.0.0.1", 5672);
    }
}

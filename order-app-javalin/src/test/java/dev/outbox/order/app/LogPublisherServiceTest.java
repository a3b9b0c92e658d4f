package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code PUBLISHER=log}: the relay delivers through the log-only publisher, no broker involved. */
class LogPublisherServiceTest {
    @Test
    void relayMarksEventsPublishedThroughTheLogPublisherAndHealthIgnoresTheBroker() throws Exception {
        TestService shared = TestService.get();
        shared.postgres.createDatabase("log_orders");
        Map<String, String> env = shared.env();
        env.put("DATABASE_URL", shared.postgres.jdbcUrl("log_orders"));
        env.remove("KAFKA_BOOTSTRAP_SERVERS");
        env.put("PUBLISHER", "log");
        try (OrderService service = OrderService.start(AppConfig.from(env), OrderService.Mode.SERVE)) {
            HttpResponse<String> created = TestService.send(service, "POST", "/orders", """
                    {"customer_id": "0190a000-0000-7000-8000-000000000001", "lines": [
                      {"product_id": "0190a000-0000-7000-8000-0000000000aa", "quantity": 1, "unit_price": "1"}]}
                    """);
            assertThat(created.statusCode()).isEqualTo(201);
            String id = new ObjectMapper().readTree(created.body()).get("id").asText();

            TestService.await("OrderCreated published by the log publisher", () -> service.jdbi().withHandle(h ->
                    h.createQuery("SELECT count(*) FROM outbox_event WHERE aggregateid = :id AND status = 'published'")
                            .bind("id", id).mapTo(Integer.class).one()) == 1);
            String health = TestService.send(service, "GET", "/health", null).body();
            assertThat(health).contains("\"UNUSED\"", "\"status\":\"UP\"");
        }
    }
}

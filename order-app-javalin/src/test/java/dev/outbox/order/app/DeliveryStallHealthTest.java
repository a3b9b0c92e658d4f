package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code /health} when delivery makes no progress: a service without a relay of its own
 * ({@code RELAY_MODE=none}, as behind a separate relay process) on a database of its own, whose
 * backlog nobody drains until the test starts a relay.
 */
class DeliveryStallHealthTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void givenABacklogNobodyDrains_healthIsDownNamingTheReason_andUpAgainOnceARelayDrainsIt() throws Exception {
        TestService shared = TestService.get();
        String database = "stall_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        shared.postgres.createDatabase(database);
        Map<String, String> env = shared.env();
        env.put("DATABASE_URL", shared.postgres.jdbcUrl(database));
        env.put("RELAY_MODE", "none");
        env.put("HEALTH_DELIVERY_STALL", "1s");
        try (OrderService api = OrderService.start(AppConfig.from(env), OrderService.Mode.SERVE)) {
            assertThat(TestService.send(api, "GET", "/health", null).statusCode()).isEqualTo(200);
            for (int i = 0; i < 3; i++) {
                assertThat(TestService.send(api, "POST", "/orders", """
                        {"customer_id": "%s",
                         "lines": [{"product_id": "0190a000-0000-7000-8000-0000000000aa", "quantity": 1, "unit_price": "2"}]}
                        """.formatted(UUID.randomUUID())).statusCode()).isEqualTo(201);
            }

            AtomicReference<HttpResponse<String>> health = new AtomicReference<>();
            TestService.await("/health to report the stalled backlog", () -> {
                health.set(TestService.send(api, "GET", "/health", null));
                return health.get().statusCode() == 503;
            });
            JsonNode relay = json(health.get()).get("checks").get("relay");
            assertThat(json(health.get()).get("status").asText()).isEqualTo("DOWN");
            assertThat(relay.get("status").asText()).isEqualTo("DOWN");
            assertThat(relay.get("pending").asLong()).isEqualTo(3);
            assertThat(relay.get("reasons").get(0).asText()).contains("oldest pending event").contains("HEALTH_DELIVERY_STALL");
            assertThat(json(health.get()).get("checks").get("database").get("status").asText()).isEqualTo("UP");

            env.put("RELAY_MODE", "polling");
            env.put("PUBLISHER", "log");
            try (OrderService relayProcess = OrderService.start(AppConfig.from(env), OrderService.Mode.RELAY)) {
                TestService.await("/health to be UP once the backlog drained", () -> {
                    health.set(TestService.send(api, "GET", "/health", null));
                    return health.get().statusCode() == 200;
                });
                assertThat(json(health.get()).get("checks").get("relay").get("pending").asLong()).isZero();
                assertThat(json(health.get()).get("checks").get("relay").has("reasons")).isFalse();
            }
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

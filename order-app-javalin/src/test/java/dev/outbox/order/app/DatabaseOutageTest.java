package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.embedded.EmbeddedPostgresServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The service while its database is down: on a PostgreSQL server of its own (stopped and started
 * by the test), so that the other tests' shared server is not disturbed.
 */
class DatabaseOutageTest {
    private static final String ORDER = """
            {"customer_id": "%s",
             "lines": [{"product_id": "0190a000-0000-7000-8000-0000000000aa", "quantity": 1, "unit_price": "1.00"}]}
            """;

    @Test
    void givenDatabaseStopped_requestsAnswer503WithRetryAfterWithinThePoolTimeout_and201AgainOnceItIsBack() {
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.builder().start();
             OrderService service = OrderService.start(AppConfig.from(env(postgres)), OrderService.Mode.SERVE)) {
            String order = ORDER.formatted(UUID.randomUUID());
            assertThat(TestService.send(service, "POST", "/orders", order).statusCode()).isEqualTo(201);

            postgres.stop();
            long begin = System.nanoTime();
            HttpResponse<String> refused = TestService.send(service, "POST", "/orders", order);
            Duration waited = Duration.ofNanos(System.nanoTime() - begin);

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                    seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 30));
            assertThat(refused.body()).contains("database-unavailable");
            // DATABASE_CONNECTION_TIMEOUT=1s: generous headroom, yet well below the old fixed 10 s wait
            assertThat(waited).isLessThan(Duration.ofSeconds(7));
            // the first request found its pooled connection broken; these find no connection at all
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> read = TestService.send(service, "GET", "/orders/" + UUID.randomUUID(), null);
                assertThat(read.statusCode()).as(read.body()).isEqualTo(503);
                assertThat(read.headers().firstValue("Retry-After")).isPresent();
            }

            postgres.start();
            TestService.await("a create answered 201 after the restart",
                    () -> TestService.send(service, "POST", "/orders", order).statusCode() == 201);
        }
    }

    private static Map<String, String> env(EmbeddedPostgresServer postgres) {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", postgres.jdbcUrl());
        env.put("RELAY_MODE", "none");
        env.put("HOST", "127.0.0.1");
        env.put("PORT", "0");
        env.put("DATABASE_CONNECTION_TIMEOUT", "1s");
        return env;
    }
}

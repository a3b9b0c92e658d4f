package dev.outbox.order.app;

import dev.outbox.embedded.EmbeddedKafkaBroker;
import dev.outbox.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One embedded PostgreSQL, one in-process broker and one running Order service per test JVM,
 * started on first use (random ports, temporary directories) and stopped at JVM exit.
 */
final class TestService {
    private static TestService instance;

    final EmbeddedPostgresServer postgres;
    final EmbeddedKafkaBroker broker;
    final OrderService service;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private TestService() throws IOException {
        Path dir = Files.createTempDirectory("order-app-test");
        postgres = EmbeddedPostgresServer.builder().start();
        broker = EmbeddedKafkaBroker.builder().logDir(dir.resolve("kafka")).start();
        service = OrderService.start(AppConfig.from(env()), OrderService.Mode.SERVE);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            broker.close();
            postgres.close();
        }));
    }

    /** Returns the shared service, starting it on first use. */
    static synchronized TestService get() {
        if (instance == null) {
            try {
                instance = new TestService();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", postgres.jdbcUrl());
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("HOST", "127.0.0.1");
        env.put("PORT", "0");
        env.put("RELAY_POLL_INTERVAL", "200ms");
        env.put("OUTBOX_RETENTION", "1h");
        return env;
    }

    /** Sends a request to the shared service; see {@link #send(OrderService, String, String, String, String...)}. */
    HttpResponse<String> send(String method, String path, String body, String... headers) {
        return send(service, method, path, body, headers);
    }

    /**
     * Sends a request to {@code service}'s HTTP API; a body goes as {@code application/json} unless
     * {@code headers} (name, value, name, value...) name a Content-Type.
     */
    static HttpResponse<String> send(OrderService service, String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null && !java.util.Arrays.asList(headers).contains("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    long count(String table) {
        return service.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
    }

    /** Polls {@code condition} every 100 ms until it holds, failing after 60 s. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}

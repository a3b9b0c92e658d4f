package dev.outbox.nats;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The NATS server the tests use: {@code NATS_TEST_URL}, default {@code nats://127.0.0.1:4222},
 * with JetStream. When it does not answer, the tests are skipped with a message saying so, except
 * under CI ({@code CI=true}), where they fail: CI must never pass by testing nothing.
 */
final class RequiredNats {
    static final String URL = System.getenv().getOrDefault("NATS_TEST_URL", "nats://127.0.0.1:4222");

    private RequiredNats() {
    }

    /** Returns the server's host. */
    static String host() {
        return URI.create(URL).getHost();
    }

    /** Returns the server's port. */
    static int port() {
        int port = URI.create(URL).getPort();
        return port < 0 ? 4222 : port;
    }

    private static volatile String problem;
    private static volatile boolean checked;

    /**
     * Checks the server once per JVM, for a {@code @BeforeAll}: fails under CI when it does not
     * answer, and returns whether it does, so the class sets up its streams only then.
     */
    static boolean available() {
        if (!checked) {
            problem = problem();
            checked = true;
        }
        if (problem != null && "true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message() + "; under CI=true a missing server fails the build");
        }
        return problem == null;
    }

    /** Skips the current test, saying why, when the server does not answer; for a {@code @BeforeEach}. */
    static void assume() {
        Assumptions.assumeTrue(available(), () -> "skipped: " + message());
    }

    private static String message() {
        return "NATS with JetStream is needed at " + URL + " (set NATS_TEST_URL): " + problem;
    }

    private static String problem() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host(), port()), 2000);
            socket.setSoTimeout(2000);
            byte[] info = new byte[4096];
            int n = socket.getInputStream().read(info);
            String greeting = n <= 0 ? "" : new String(info, 0, n, StandardCharsets.UTF_8);
            if (!greeting.startsWith("INFO")) {
                return "the server did not greet with INFO";
            }
            return greeting.contains("\"jetstream\":true") ? null : "the server runs without JetStream (-js)";
        } catch (IOException e) {
            return e.toString();
        }
    }
}

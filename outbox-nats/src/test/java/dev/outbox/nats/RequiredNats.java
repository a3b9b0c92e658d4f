package dev.outbox.nats;

import dev.outbox.testkit.RequiredService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.TestAbortedException;

/**
 * The NATS server the tests use: {@code NATS_TEST_URL}, default {@code nats://127.0.0.1:4222},
 * with JetStream. {@link RequiredService} decides what a missing server means: each test skipped
 * with a message saying so, or under CI ({@code CI=true}) a failure: CI must never pass by
 * testing nothing. A server without JetStream is treated alike.
 */
final class RequiredNats {
    static final String URL = System.getenv().getOrDefault("NATS_TEST_URL", "nats://127.0.0.1:4222");

    private static volatile String skipped;
    private static volatile boolean checked;

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

    /**
     * Checks the server once per JVM, for a {@code @BeforeAll}: fails under CI when it does not
     * answer with JetStream, and returns whether it does, so the class sets up its streams only then.
     */
    static synchronized boolean available() {
        if (!checked) {
            checked = true;
            try {
                RequiredService.check("NATS", host(), port());
                String noJetStream = jetStreamProblem();
                if (noJetStream != null) {
                    String message = "NATS at " + URL + " " + noJetStream + ": start it with nats-server -js";
                    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                        Assertions.fail("CI=true, so a missing service fails the test instead of skipping it: " + message);
                    }
                    skipped = "skipped: " + message;
                }
            } catch (TestAbortedException e) {
                skipped = e.getMessage();
            }
        }
        return skipped == null;
    }

    /** Skips the current test, saying why, when the server does not answer; for a {@code @BeforeEach}. */
    static void assume() {
        Assumptions.assumeTrue(available(), () -> skipped);
    }

    private static String jetStreamProblem() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host(), port()), 2000);
            socket.setSoTimeout(2000);
            byte[] info = new byte[4096];
            int n = socket.getInputStream().read(info);
            String greeting = n <= 0 ? "" : new String(info, 0, n, StandardCharsets.UTF_8);
            if (!greeting.startsWith("INFO")) {
                return "did not greet with INFO";
            }
            return greeting.contains("\"jetstream\":true") ? null : "runs without JetStream (-js)";
        } catch (IOException e) {
            return "cannot be read: " + e;
        }
    }
}

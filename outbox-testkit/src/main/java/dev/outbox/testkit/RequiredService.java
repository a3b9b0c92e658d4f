package dev.outbox.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A JUnit assumption for tests that need an external service (a RabbitMQ or NATS server the
 * machine runs, as PostgreSQL and Kafka are not: those start embedded). Call it first, e.g. in a
 * {@code @BeforeAll}:
 * <pre>{@code
 * RequiredService.check("RabbitMQ", "127.0.0.1", 5672);
 * }</pre>
 * When nothing accepts a TCP connection at the address within 2 s, the test is skipped with a
 * message naming the service, the address and how to start it; under CI (environment variable
 * {@code CI=true}) it fails instead, since {@code .ci/run} starts these services and a skip
 * there would hide that nothing was tested. Thread-safe; stateless.
 */
public final class RequiredService {

    /** How long the connection attempt may take. */
    static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final Map<String, String> HOW_TO_START = Map.of(
            "rabbitmq", "rabbitmq-server -detached (Debian package rabbitmq-server)",
            "nats", "nats-server -a 127.0.0.1 -p 4222 -js (Debian package nats-server; -js enables JetStream)");

    private RequiredService() {
    }

    /**
     * Skips the test (fails it under {@code CI=true}) unless the service accepts connections.
     * RabbitMQ and NATS get a start command in the message; use
     * {@link #check(String, String, int, String)} to give another.
     *
     * @param name the service, for the message, e.g. {@code RabbitMQ}
     * @param host its host, e.g. {@code 127.0.0.1}
     * @param port its port, e.g. {@code 5672}
     * @throws org.opentest4j.TestAbortedException when it does not answer, outside CI
     * @throws org.opentest4j.AssertionFailedError when it does not answer, under CI
     */
    public static void check(String name, String host, int port) {
        check(name, host, port, howToStart(Objects.requireNonNull(name, "name"), host, port));
    }

    /**
     * As {@link #check(String, String, int)}, with the command or step that starts the service.
     *
     * @param howToStart e.g. {@code "rabbitmq-server -detached"}, shown in the message
     */
    public static void check(String name, String host, int port, String howToStart) {
        check(name, host, port, howToStart, System::getenv);
    }

    static void check(String name, String host, int port, String howToStart, Function<String, String> env) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(howToStart, "howToStart");
        String problem = unreachable(host, port);
        if (problem == null) {
            return;
        }
        String message = name + " is not answering at " + host + ":" + port + " (" + problem + "). The tests that "
                + "need it run against a real server: `.ci/run` starts it, or start it yourself: " + howToStart;
        if ("true".equalsIgnoreCase(env.apply("CI"))) {
            Assertions.fail("CI=true, so a missing service fails the test instead of skipping it: " + message);
        }
        Assumptions.abort("skipped: " + message);
    }

    private static String howToStart(String name, String host, int port) {
        String key = name.toLowerCase(Locale.ROOT);
        return HOW_TO_START.entrySet().stream().filter(e -> key.startsWith(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse("start " + name + " listening on " + host + ":" + port);
    }

    /** Returns why a TCP connection to the address cannot be made, or null when it can. */
    private static String unreachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            return null;
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}

package dev.outbox.rabbitmq;

import static org.assertj.core.api.Assertions.fail;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.outbox.testkit.RequiredService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The RabbitMQ server this machine runs (127.0.0.1:5672, guest/guest; {@code RABBITMQ_URI}
 * overrides it), for the module's tests. Without it the tests are skipped with a message, except
 * under CI ({@code CI=true}), where they fail ({@link RequiredService}): CI must not pass by testing nothing. Outages are made
 * with {@code rabbitmqctl stop_app} / {@code start_app}, which keep durable queues and persistent
 * messages.
 */
final class RabbitMqTestBroker {

    static final String URI_VARIABLE = "RABBITMQ_URI";
    static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672";

    private RabbitMqTestBroker() {
    }

    static String uri() {
        String uri = System.getenv(URI_VARIABLE);
        return uri == null || uri.isBlank() ? DEFAULT_URI : uri;
    }

    /** Skips the calling test (fails it under CI) unless the broker answers: the testkit's {@link RequiredService}. */
    static void assumeRunning() {
        URI uri = URI.create(uri());
        RequiredService.check("RabbitMQ", uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5672);
    }

    /** Skips the calling test (fails it under CI) unless {@code rabbitmqctl} can stop and start the broker here. */
    static void assumeControllable() {
        assumeRunning();
        if (run("status") == 0) {
            return;
        }
        String message = "'rabbitmqctl status' fails here, so the broker cannot be stopped and started";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + "; under CI=true the outage tests must run");
        }
        Assumptions.abort("skipped: " + message);
    }

    static boolean answers(Duration timeout) {
        URI uri = URI.create(uri());
        int port = uri.getPort() > 0 ? uri.getPort() : 5672;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), (int) timeout.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the RabbitMQ application (the Erlang node stays up): clients are disconnected, the port closes. */
    static void stop() {
        if (run("stop_app") != 0) {
            fail("rabbitmqctl stop_app failed");
        }
    }

    /** Starts the RabbitMQ application again and returns once it accepts connections. */
    static void start() {
        int exit = run("start_app");
        Instant deadline = Instant.now().plusSeconds(60);
        while (!answers(Duration.ofSeconds(1))) {
            if (Instant.now().isAfter(deadline)) {
                fail("RabbitMQ did not answer within 60 s of rabbitmqctl start_app (exit " + exit + ")");
            }
            sleep(200);
        }
    }

    /**
     * Raises a memory alarm ({@code rabbitmqctl set_vm_memory_high_watermark 0}): the broker stops
     * reading from publishing connections, so nothing is confirmed, while connections stay open.
     */
    static void blockPublishers() {
        if (run("set_vm_memory_high_watermark", "0") != 0) {
            fail("rabbitmqctl set_vm_memory_high_watermark 0 failed");
        }
    }

    /** Clears the alarm again: the default watermark, 0.4 of the memory. */
    static void unblockPublishers() {
        if (run("set_vm_memory_high_watermark", "0.4") != 0) {
            fail("rabbitmqctl set_vm_memory_high_watermark 0.4 failed: reset it by hand");
        }
    }

    static Connection connect() {
        try {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(uri());
            return factory.newConnection("outbox-rabbitmq-test");
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to RabbitMQ for the test", e);
        }
    }

    /** Declares a durable topic exchange and, when {@code queue} is not null, a durable queue bound to it with {@code #}. */
    static void declare(String exchange, String queue) {
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
            if (queue != null) {
                channel.queueDeclare(queue, true, false, false, null);
                channel.queueBind(queue, exchange, "#");
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot declare " + exchange, e);
        }
    }

    /** Deletes an exchange and a queue of a test; missing ones are fine. */
    static void delete(String exchange, String queue) {
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            if (queue != null) {
                channel.queueDelete(queue);
            }
            channel.exchangeDelete(exchange);
        } catch (Exception e) {
            // cleanup only
        }
    }

    /**
     * Returns every message in the queue, in queue order, leaving them there (fetched without
     * acknowledging, then put back when the channel closes).
     */
    static List<GetResponse> peek(String queue) {
        List<GetResponse> messages = new ArrayList<>();
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            for (GetResponse response = channel.basicGet(queue, false); response != null;
                    response = channel.basicGet(queue, false)) {
                messages.add(response);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read queue " + queue, e);
        }
        return messages;
    }

    private static int run(String... command) {
        try {
            List<String> line = new ArrayList<>(List.of("rabbitmqctl"));
            line.addAll(List.of(command));
            Process process = new ProcessBuilder(line).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

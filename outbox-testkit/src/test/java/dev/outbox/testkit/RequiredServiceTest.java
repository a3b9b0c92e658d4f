package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RequiredServiceTest {

    /** A port nothing listens on: bound once to get a free one, then closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aServiceThatAnswers_passes() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatCode(() -> RequiredService.check("RabbitMQ", "127.0.0.1", socket.getLocalPort(), "start it",
                    Map.of("CI", "true")::get)).doesNotThrowAnyException();
        }
    }

    @Test
    void aMissingService_outsideCi_skipsTheTestSayingWhatIsMissingAndHowToStartIt() throws IOException {
        int port = closedPort();

        assertThatThrownBy(() -> RequiredService.check("RabbitMQ", "127.0.0.1", port, "rabbitmq-server -detached",
                Map.<String, String>of()::get))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("RabbitMQ is not answering at 127.0.0.1:" + port)
                .hasMessageContaining(".ci/run").hasMessageContaining("rabbitmq-server -detached");
    }

    @Test
    void aMissingService_underCi_failsTheTest() throws IOException {
        int port = closedPort();

        assertThatThrownBy(() -> RequiredService.check("NATS", "127.0.0.1", port, "nats-server -js",
                Map.of("CI", "true")::get))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("CI=true").hasMessageContaining("NATS is not answering at 127.0.0.1:" + port);
    }

    @Test
    void knownServicesGetTheirStartCommand() throws IOException {
        int port = closedPort();

        // skipped or failed, depending on this run's CI variable: either way the message says how to start it
        assertThatThrownBy(() -> RequiredService.check("NATS JetStream", "127.0.0.1", port))
                .hasMessageContaining("NATS JetStream is not answering").hasMessageContaining("nats-server -a 127.0.0.1");
    }
}

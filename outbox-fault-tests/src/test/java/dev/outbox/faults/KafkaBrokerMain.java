package dev.outbox.faults;

import dev.outbox.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;

/**
 * The fault suite's broker process: outbox-embedded's {@link EmbeddedKafkaBroker} alone in its
 * own JVM, so that the suite can SIGKILL it and start it again on the same ports and log dir.
 * Usage: {@code KafkaBrokerMain <port> <controller port> <log dir> <message.max.bytes>}; prints
 * {@value #READY} once clients can connect, then runs until killed.
 */
public final class KafkaBrokerMain {
    static final String READY = "FAULT-BROKER-READY";

    private KafkaBrokerMain() {
    }

    /** Starts the broker and blocks forever. */
    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .port(Integer.parseInt(args[0]))
                .controllerPort(Integer.parseInt(args[1]))
                .logDir(Path.of(args[2]))
                .brokerProperty("message.max.bytes", args[3])
                .start();
        System.out.println(READY + " " + broker.bootstrapServers());
        System.out.flush();
        Thread.currentThread().join();
    }
}

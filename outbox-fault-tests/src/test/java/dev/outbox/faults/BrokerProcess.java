package dev.outbox.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The suite's one Kafka broker JVM ({@link KafkaBrokerMain}), shared by every scenario (each has
 * a topic of its own): started once, SIGKILLed and restarted on the same ports and log dir, or
 * SIGSTOPped and resumed, by the scenarios that fault it. Not thread-safe.
 */
final class BrokerProcess implements AutoCloseable {
    static final int DEFAULT_MESSAGE_MAX_BYTES = 1_048_588; // Kafka's default
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final int port = FaultRig.freePort();
    private final ChildProcess process;

    BrokerProcess(Path dir) {
        process = ChildProcess.java("kafka-broker", dir, Map.of(), KafkaBrokerMain.class.getName(),
                List.of(Integer.toString(port), Integer.toString(FaultRig.freePort()),
                        dir.resolve("kafka-logs").toString(), Integer.toString(DEFAULT_MESSAGE_MAX_BYTES)));
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Starts (or restarts, after {@link #kill()}) the broker JVM without waiting. */
    BrokerProcess start() {
        process.start();
        return this;
    }

    /** Waits until the broker of the current run accepts clients. */
    void awaitReady() {
        process.awaitOutput(KafkaBrokerMain.READY, START_TIMEOUT);
    }

    /** SIGKILLs the broker JVM. */
    void kill() {
        process.kill();
    }

    /** SIGSTOPs the broker JVM: its connections stay open and nothing answers. */
    void pause() {
        process.pause();
    }

    void resume() {
        process.resume();
    }

    /** Creates {@code topic} with 3 partitions (so no relay races its auto-creation) and {@code max.message.bytes}. */
    void createTopic(String topic, int maxMessageBytes) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1)
                    .configs(Map.of("max.message.bytes", Integer.toString(maxMessageBytes))))).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.kill();
    }
}

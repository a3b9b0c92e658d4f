package dev.outbox.embedded;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Admin-client operations against the embedded broker. */
final class KafkaReadiness {
    private KafkaReadiness() {
    }

    /** Waits until the broker answers a describe-cluster request with at least one node. */
    static void await(String bootstrapServers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin(bootstrapServers, timeout)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new EmbeddedServerException("Kafka broker on " + bootstrapServers
                                + " did not become ready within " + timeout.toSeconds() + " s", e);
                    }
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedServerException("interrupted while waiting for Kafka on " + bootstrapServers, e);
        }
    }

    /** Creates a topic with replication factor 1; an existing topic is left untouched. */
    static void createTopic(String bootstrapServers, String name, int partitions, Duration timeout) {
        try (Admin admin = admin(bootstrapServers, timeout)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new EmbeddedServerException("cannot create topic " + name + " on " + bootstrapServers, e.getCause());
            }
        } catch (TimeoutException e) {
            throw new EmbeddedServerException("creating topic " + name + " on " + bootstrapServers + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedServerException("interrupted while creating topic " + name, e);
        }
    }

    private static Admin admin(String bootstrapServers, Duration timeout) {
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis));
    }
}

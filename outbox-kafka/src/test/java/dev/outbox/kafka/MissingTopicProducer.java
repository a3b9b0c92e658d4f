package dev.outbox.kafka;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka's MockProducer for a cluster where some topics do not exist (auto-creation off): for
 * those, {@code partitionsFor} and {@code send} fail as the real producer does after blocking
 * {@code max.block.ms}, with "Topic X not present in metadata after N ms". Counts the calls per topic.
 */
final class MissingTopicProducer extends MockProducer<byte[], byte[]> {

    final Set<String> missing = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicInteger> partitionsForCalls = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> sendCalls = new ConcurrentHashMap<>();
    /**
     * When true, {@code send} reports a missing topic as the real KafkaProducer does: it calls the
     * callback with the timeout on the calling thread and returns a failed future; when false it throws.
     */
    volatile boolean reportsThroughCallback;

    MissingTopicProducer(String... missingTopics) {
        super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        missing.addAll(List.of(missingTopics));
    }

    /**
     * A producer whose cluster knows {@code existing} topics, one partition each, so that the
     * publisher warms them with pilot records as it does on a real cluster.
     */
    MissingTopicProducer(Set<String> existing, String... missingTopics) {
        super(cluster(existing), true, null, new ByteArraySerializer(), new ByteArraySerializer());
        missing.addAll(List.of(missingTopics));
    }

    private static Cluster cluster(Set<String> topics) {
        Node node = new Node(1, "localhost", 9092);
        Node[] replicas = {node};
        return new Cluster("mock", List.of(node),
                topics.stream().map(t -> new PartitionInfo(t, 0, node, replicas, replicas)).toList(), Set.of(), Set.of());
    }

    static TimeoutException metadataTimeout(String topic) {
        return new TimeoutException("Topic " + topic + " not present in metadata after 100 ms.");
    }

    int partitionsForCalls(String topic) {
        return partitionsForCalls.getOrDefault(topic, new AtomicInteger()).get();
    }

    int sendCalls(String topic) {
        return sendCalls.getOrDefault(topic, new AtomicInteger()).get();
    }

    /** The calls that block max.block.ms in a real producer: every call for a missing topic. */
    int blockingCalls() {
        return missing.stream().mapToInt(t -> partitionsForCalls(t) + sendCalls(t)).sum();
    }

    @Override
    public synchronized List<PartitionInfo> partitionsFor(String topic) {
        partitionsForCalls.computeIfAbsent(topic, t -> new AtomicInteger()).incrementAndGet();
        if (missing.contains(topic)) {
            throw metadataTimeout(topic);
        }
        return super.partitionsFor(topic);
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        sendCalls.computeIfAbsent(record.topic(), t -> new AtomicInteger()).incrementAndGet();
        if (missing.contains(record.topic())) {
            TimeoutException error = metadataTimeout(record.topic());
            if (!reportsThroughCallback) {
                throw error;
            }
            callback.onCompletion(null, error);
            return CompletableFuture.failedFuture(error);
        }
        return super.send(record, callback);
    }
}

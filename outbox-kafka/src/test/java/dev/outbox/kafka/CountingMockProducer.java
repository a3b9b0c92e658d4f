package dev.outbox.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka's own producer test double, counting every send attempt (MockProducer's history holds only accepted ones). */
final class CountingMockProducer extends MockProducer<byte[], byte[]> {

    final AtomicInteger sendAttempts = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();
    /** Whether {@link #flush()} acknowledges the pending sends, as MockProducer's does; when false it only counts. */
    volatile boolean flushCompletes = true;

    CountingMockProducer(boolean autoComplete) {
        super(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A producer that knows a cluster where {@code topic} has {@code partitions} partitions. */
    CountingMockProducer(boolean autoComplete, String topic, int partitions) {
        super(cluster(topic, partitions), autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static Cluster cluster(String topic, int partitions) {
        Node node = new Node(1, "localhost", 9092);
        List<PartitionInfo> infos = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            infos.add(new PartitionInfo(topic, p, node, new Node[] {node}, new Node[] {node}));
        }
        return new Cluster("test", List.of(node), infos, Set.of(), Set.of());
    }

    @Override
    public void flush() {
        flushes.incrementAndGet();
        if (flushCompletes) {
            super.flush();
        }
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        sendAttempts.incrementAndGet();
        return super.send(record, callback);
    }
}

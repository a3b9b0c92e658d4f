package dev.outbox.benchmarks.relays;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one topic from the beginning on its own thread and notes when each event id first
 * arrived ({@link System#nanoTime()} right after the poll that returned it), so latency and
 * drain rate are measured where a consumer sees the records.
 */
final class TopicWatcher implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Long> receivedNanos = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long firstNanos;
    private volatile long lastNanos;
    private volatile RuntimeException failure;

    private TopicWatcher(String bootstrapServers, String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024));
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        consumer.poll(Duration.ZERO);
        thread = new Thread(this::run, "watcher-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    static TopicWatcher start(String bootstrapServers, String topic) {
        return new TopicWatcher(bootstrapServers, topic);
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                if (records.isEmpty()) {
                    continue;
                }
                if (firstNanos == 0) {
                    firstNanos = now;
                }
                Map<String, Long> batch = new HashMap<>(records.count() * 2);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    Header id = record.headers().lastHeader("id");
                    if (id != null) {
                        batch.putIfAbsent(new String(id.value(), StandardCharsets.UTF_8), now);
                    }
                }
                batch.forEach(receivedNanos::putIfAbsent);
                lastNanos = now;
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close();
        }
    }

    /** Returns how many distinct event ids arrived so far. */
    int distinctReceived() {
        return receivedNanos.size();
    }

    /** Waits until {@code count} distinct ids arrived; false on timeout. */
    boolean awaitDistinct(String label, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Progress.every(label, 2, () -> String.format("received %,d of %,d", distinctReceived(), count),
                () -> distinctReceived() >= count || System.nanoTime() > deadline || failure != null);
        if (failure != null) {
            throw failure;
        }
        return distinctReceived() >= count;
    }

    Map<String, Long> receivedNanos() {
        return receivedNanos;
    }

    long firstNanos() {
        return firstNanos;
    }

    long lastNanos() {
        return lastNanos;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.outbox.benchmarks.relays;

import dev.outbox.core.OutboxEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The ceiling: a bare producer with our publisher's settings sending the records our relays
 * would send for the same events (topic, key, value, {@code id} and {@code eventType} headers),
 * with no database in the way.
 */
final class BareProducerRun {

    private BareProducerRun() {
    }

    /** Sends {@code count} records and returns the drain rate the watcher saw, in records per second. */
    static double run(BenchmarkEnvironment environment, BenchmarkEvents events, String aggregateType, int count)
            throws Exception {
        return send(environment, events, aggregateType, count, "bare producer");
    }

    /**
     * Sends and reads back {@code count} records on a topic of their own, so that whichever leg
     * runs first does not pay for JIT compilation of the broker and the clients (they share this JVM).
     */
    static void warmUp(BenchmarkEnvironment environment, BenchmarkEvents events, int count) throws Exception {
        send(environment, events, "bench_warmup", count, "warm-up");
    }

    private static double send(BenchmarkEnvironment environment, BenchmarkEvents events, String aggregateType,
            int count, String label) throws Exception {
        String topic = "outbox.event." + aggregateType;
        environment.createTopic(topic);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(record(topic, events.next(aggregateType, i)));
        }
        CountDownLatch acked = new CountDownLatch(count);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (TopicWatcher watcher = TopicWatcher.start(environment.bootstrapServers(), topic);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(environment.publisherProducerProperties())) {
            long begin = System.nanoTime();
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record, (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                    acked.countDown();
                });
            }
            if (!acked.await(5, TimeUnit.MINUTES) || failure.get() != null) {
                throw new IllegalStateException("bare producer did not get every acknowledgement", failure.get());
            }
            double ackSeconds = (System.nanoTime() - begin) / 1e9;
            Progress.line(label, "%,d records acknowledged in %.2f s (%,.0f/s)", count, ackSeconds, count / ackSeconds);
            if (!watcher.awaitDistinct(label, count, BenchmarkEnvironment.READY_TIMEOUT)) {
                throw new IllegalStateException("the consumer saw only " + watcher.distinctReceived() + " records");
            }
            return Drain.rate(watcher, count);
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, OutboxEvent event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("id", event.id().toString().getBytes(StandardCharsets.UTF_8));
        headers.add("eventType", event.eventType().getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, null, event.aggregateId().getBytes(StandardCharsets.UTF_8),
                event.payload(), headers);
    }
}

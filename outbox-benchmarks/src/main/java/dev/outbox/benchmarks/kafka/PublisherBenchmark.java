package dev.outbox.benchmarks.kafka;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.embedded.EmbeddedKafkaBroker;
import dev.outbox.kafka.KafkaOutboxEventPublisher;
import dev.outbox.kafka.OutboxHeaders;
import dev.outbox.kafka.TopicNaming;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Throughput of {@link KafkaOutboxEventPublisher} against a bare {@link KafkaProducer} with the
 * very same producer properties (idempotent, {@code acks=all}, five in flight), both sending the
 * same records (~500-byte JSON payloads, 10,000 aggregates, headers {@code id}, {@code eventType},
 * {@code traceparent}) to one in-process KRaft broker.
 *
 * <p>Three sides send the same records: the publisher, driven the way the relay drives it
 * (batches of {@code batch} events per {@code publish} call, each awaited before the next); a
 * bare producer sending a whole segment and flushing once (the ceiling); and a bare producer
 * awaited per batch like the relay ({@code send} {@code batch} records, {@code flush()}), which
 * isolates the cost of the outbox code from the cost of awaiting batches. Each side first runs a
 * warm-up of 200,000 records; then the 1,000,000 records go through in segments ({@code segment},
 * default 100,000), each segment sent by all three sides one after the other in an order that
 * changes every segment, so that all see the same load on a shared machine; the totals give the
 * rates and the ratios (publisher rate / bare rate).
 *
 * <pre>
 * mvn -q -pl outbox-benchmarks compile exec:java -Dexec.mainClass=dev.outbox.benchmarks.kafka.PublisherBenchmark
 *   [-Drecords=1000000] [-Dbatch=5000] [-Dsegment=100000] [-DflushBatchTail=true] [-Dpartitions=6] [-DpayloadBytes=500]
 * </pre>
 *
 * <p>Not thread-safe; a program, not a library class.
 */
public final class PublisherBenchmark {

    private static final int RECORDS = Integer.getInteger("records", 1_000_000);
    private static final int BATCH = Integer.getInteger("batch", 5_000);
    private static final int SEGMENT = Integer.getInteger("segment", 100_000);
    private static final int PARTITIONS = Integer.getInteger("partitions", 6);
    private static final int PAYLOAD_BYTES = Integer.getInteger("payloadBytes", 500);
    private static final int AGGREGATES = 10_000;
    private static final int BARE = 0;
    private static final int BARE_AWAITED = 1;
    private static final int PUBLISHER = 2;
    /** Every order of the three sides, cycled through segment by segment so that load drift hits all alike. */
    private static final List<Long> PUBLISH_CALL_NANOS = new ArrayList<>();
    private static final List<Long> AWAITED_BATCH_NANOS = new ArrayList<>();
    private static final int[][] ORDERS = {{0, 1, 2}, {2, 1, 0}, {1, 2, 0}, {0, 2, 1}, {2, 0, 1}, {1, 0, 2}};
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private PublisherBenchmark() {
    }

    /**
     * Runs the benchmark and prints the numbers.
     *
     * @param args ignored; settings come from system properties (see the class description)
     * @throws Exception if the broker cannot start or a send fails
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "off");
        System.setProperty("org.slf4j.simpleLogger.log.kafka", "off");
        System.setProperty("org.slf4j.simpleLogger.log.state.change.logger", "off");
        System.out.printf("PublisherBenchmark: %,d records of ~%d B, %,d per publish call, %d partitions, "
                + "alternating segments of %,d%n", RECORDS, PAYLOAD_BYTES, BATCH, PARTITIONS, SEGMENT);
        List<OutboxEvent> events = events(RECORDS);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().partitions(PARTITIONS).start();
             KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.builder()
                     .bootstrapServers(broker.bootstrapServers())
                     .topicNaming(TopicNaming.template("bench.publisher.${aggregateType}"))
                     .flushBatchTail(Boolean.parseBoolean(System.getProperty("flushBatchTail", "true")))
                     .build();
             KafkaProducer<byte[], byte[]> bare = new KafkaProducer<>(publisher.config().producerProperties())) {
            broker.createTopic("bench.publisher.Order", PARTITIONS);
            broker.createTopic("bench.bare.Order", PARTITIONS);
            primePartitions(bare, "bench.bare.Order");
            System.out.println("warm-up...");
            int warmUp = Math.min(RECORDS, 200_000);
            runBare(bare, events.subList(0, warmUp));
            runPublisher(publisher, events.subList(0, warmUp));
            runBareAwaited(bare, events.subList(0, warmUp));
            PUBLISH_CALL_NANOS.clear();
            AWAITED_BATCH_NANOS.clear();
            long[] nanos = new long[3];
            int done = 0;
            for (int segment = 0; done < RECORDS; segment++) {
                List<OutboxEvent> chunk = events.subList(done, Math.min(RECORDS, done + SEGMENT));
                long[] segmentNanos = new long[3];
                for (int side : ORDERS[segment % ORDERS.length]) {
                    segmentNanos[side] = switch (side) {
                        case BARE -> runBare(bare, chunk);
                        case BARE_AWAITED -> runBareAwaited(bare, chunk);
                        default -> runPublisher(publisher, chunk);
                    };
                    nanos[side] += segmentNanos[side];
                }
                done += chunk.size();
                System.out.printf("  %,9d / %,d: segment bare %,.0f/s, bare awaited %,.0f/s, publisher %,.0f/s; "
                        + "so far ratio to bare %.2f, to bare awaited %.2f%n", done, RECORDS,
                        rate(chunk.size(), segmentNanos[BARE]), rate(chunk.size(), segmentNanos[BARE_AWAITED]),
                        rate(chunk.size(), segmentNanos[PUBLISHER]), (double) nanos[BARE] / nanos[PUBLISHER],
                        (double) nanos[BARE_AWAITED] / nanos[PUBLISHER]);
            }
            System.out.println("per batch of " + BATCH + ": publish call " + percentiles(PUBLISH_CALL_NANOS)
                    + "; bare send+flush " + percentiles(AWAITED_BATCH_NANOS));
            System.out.printf("RESULT (%,d records each): bare KafkaProducer %,.0f records/s; bare KafkaProducer "
                    + "awaited per %,d (send + flush) %,.0f records/s; KafkaOutboxEventPublisher %,.0f records/s; "
                    + "ratio publisher/bare %.2f, publisher/bare-awaited %.2f%n", RECORDS, rate(RECORDS, nanos[BARE]),
                    BATCH, rate(RECORDS, nanos[BARE_AWAITED]), rate(RECORDS, nanos[PUBLISHER]),
                    (double) nanos[BARE] / nanos[PUBLISHER], (double) nanos[BARE_AWAITED] / nanos[PUBLISHER]);
        }
    }

    private static List<OutboxEvent> events(int count) {
        String filler = "x".repeat(Math.max(0, PAYLOAD_BYTES - 120));
        List<OutboxEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String aggregateId = "order-" + (i % AGGREGATES);
            String json = "{\"order_id\":\"" + aggregateId + "\",\"seq\":" + i + ",\"status\":\"PENDING\","
                    + "\"total\":\"19.99\",\"note\":\"" + filler + "\"}";
            events.add(OutboxEvent.builder().aggregateType("Order").aggregateId(aggregateId).eventType("OrderCreated")
                    .payload(json).header("traceparent", TRACEPARENT).build());
        }
        return events;
    }

    /**
     * Writes one record to each partition of a fresh topic, one at a time: a burst into partitions
     * the broker is still creating can make an idempotent producer reorder and then expire a
     * request (KAFKA-15591). The publisher does the same by itself on first contact with a topic.
     */
    private static void primePartitions(KafkaProducer<byte[], byte[]> producer, String topic) throws Exception {
        for (int partition = 0; partition < PARTITIONS; partition++) {
            producer.send(new ProducerRecord<>(topic, partition, null, "prime".getBytes(StandardCharsets.UTF_8),
                    "{}".getBytes(StandardCharsets.UTF_8))).get(60, TimeUnit.SECONDS);
        }
    }

    /** The ceiling: one producer, every record sent without waiting, one flush at the end. */
    private static long runBare(KafkaProducer<byte[], byte[]> producer, List<OutboxEvent> events) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = System.nanoTime();
        for (OutboxEvent event : events) {
            producer.send(bareRecord(event), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
        }
        producer.flush();
        long nanos = System.nanoTime() - start;
        if (failure.get() != null) {
            throw failure.get();
        }
        return nanos;
    }

    /** A bare producer used the way the relay uses the publisher: a batch sent, flushed and awaited, then the next. */
    private static long runBareAwaited(KafkaProducer<byte[], byte[]> producer, List<OutboxEvent> events)
            throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = System.nanoTime();
        for (int from = 0; from < events.size(); from += BATCH) {
            long batchStart = System.nanoTime();
            for (OutboxEvent event : events.subList(from, Math.min(events.size(), from + BATCH))) {
                producer.send(bareRecord(event), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            AWAITED_BATCH_NANOS.add(System.nanoTime() - batchStart);
        }
        long nanos = System.nanoTime() - start;
        if (failure.get() != null) {
            throw failure.get();
        }
        return nanos;
    }

    private static ProducerRecord<byte[], byte[]> bareRecord(OutboxEvent event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(OutboxHeaders.ID, event.id().toString().getBytes(StandardCharsets.UTF_8));
        headers.add(OutboxHeaders.EVENT_TYPE, event.eventType().getBytes(StandardCharsets.UTF_8));
        headers.add("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>("bench.bare.Order", null, null,
                event.aggregateId().getBytes(StandardCharsets.UTF_8), event.payload(), headers);
    }

    /** The publisher driven like the relay: a batch per publish call, each awaited before the next. */
    private static long runPublisher(KafkaOutboxEventPublisher publisher, List<OutboxEvent> events) throws Exception {
        Map<PublishOutcome.Status, Integer> failures = new HashMap<>();
        long start = System.nanoTime();
        for (int from = 0; from < events.size(); from += BATCH) {
            List<OutboxEvent> batch = events.subList(from, Math.min(events.size(), from + BATCH));
            long callStart = System.nanoTime();
            List<PublishOutcome> outcomes = publisher.publish(batch).toCompletableFuture().get(120, TimeUnit.SECONDS);
            PUBLISH_CALL_NANOS.add(System.nanoTime() - callStart);
            for (PublishOutcome outcome : outcomes) {
                if (!outcome.isPublished()) {
                    failures.merge(outcome.status(), 1, Integer::sum);
                }
            }
        }
        long nanos = System.nanoTime() - start;
        if (!failures.isEmpty()) {
            throw new IllegalStateException("publisher: failed outcomes " + failures);
        }
        return nanos;
    }

    private static String percentiles(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        if (sorted.isEmpty()) {
            return "n/a";
        }
        return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms", sorted.get(sorted.size() / 2) / 1e6,
                sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6);
    }

    private static double rate(long records, long nanos) {
        return records / (nanos / 1e9);
    }
}

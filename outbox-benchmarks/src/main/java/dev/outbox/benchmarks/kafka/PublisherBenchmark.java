package dev.outbox.benchmarks.kafka;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.embedded.EmbeddedKafkaBroker;
import dev.outbox.kafka.KafkaOutboxEventPublisher;
import dev.outbox.kafka.KafkaPublisherConfig;
import dev.outbox.kafka.OutboxHeaders;
import dev.outbox.kafka.TopicNaming;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * <p>Four sides send the same records, two pairs driven alike:
 * <ul>
 *   <li><b>streaming</b>: the bare producer sends every record of a segment without waiting and
 *       flushes once (the ceiling); the publisher gets {@code publish} calls of {@code batch}
 *       events back to back from one thread, at most {@code inFlight} (default 4) outstanding,
 *       the way several relay threads sharing one publisher keep it busy. The ratio of this pair
 *       is the cost of the publisher itself: record building, per-event outcomes, ordering rules.
 *   <li><b>awaited</b>: the bare producer sends {@code batch} records and calls {@code flush()}
 *       before the next batch; the publisher's {@code publish} is awaited before the next call,
 *       as one relay thread does. The ratio of this pair shows the same cost when each batch is
 *       awaited; both sides leave the pipe idle while they wait.
 * </ul>
 * Each side first runs a warm-up of 200,000 records; then the 1,000,000 records go through in
 * segments ({@code segment}, default 100,000), each segment sent by all four sides one after the
 * other in an order that rotates every segment, so that all see the same load on a shared
 * machine; the totals give the rates and the ratios (publisher rate / bare rate). The in-process
 * broker shares the JVM and both cores with the clients: a young-generation pause of 60-100 ms
 * lands in one side's segment of about half a second, so single segments vary by ±20% and even
 * one pass of 1,000,000 records by ±10%. The whole is therefore run {@code passes} times (default
 * 3); each pass's ratios are printed, the totals over all passes are the result, and the median
 * of the ratios within each segment (both sides of a pair sent the same records a moment apart)
 * tells whether a total was swayed by a few long pauses.
 *
 * <pre>
 * mvn -q -pl outbox-benchmarks compile exec:java -Dexec.mainClass=dev.outbox.benchmarks.kafka.PublisherBenchmark
 *   [-Drecords=1000000] [-Dpasses=3] [-Dbatch=5000] [-DinFlight=4] [-Dsegment=100000] [-DflushBatchTail=true] [-Dpartitions=6] [-DpayloadBytes=500]
 * </pre>
 *
 * <p>Not thread-safe; a program, not a library class.
 */
public final class PublisherBenchmark {

    private static final int RECORDS = Integer.getInteger("records", 1_000_000);
    private static final int PASSES = Integer.getInteger("passes", 3);
    private static final int BATCH = Integer.getInteger("batch", 5_000);
    private static final int SEGMENT = Integer.getInteger("segment", 100_000);
    private static final int PARTITIONS = Integer.getInteger("partitions", 6);
    private static final int PAYLOAD_BYTES = Integer.getInteger("payloadBytes", 500);
    private static final int AGGREGATES = 10_000;
    private static final int IN_FLIGHT = Integer.getInteger("inFlight", 4);
    private static final int BARE = 0;
    private static final int PUBLISHER_STREAMING = 1;
    private static final int BARE_AWAITED = 2;
    private static final int PUBLISHER = 3;
    private static final int SIDES = 4;
    private static final String[] SIDE_NAMES = {"bare", "publisher streaming", "bare awaited", "publisher awaited"};
    private static final List<Long> PUBLISH_CALL_NANOS = new ArrayList<>();
    private static final List<Long> AWAITED_BATCH_NANOS = new ArrayList<>();
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
        System.out.printf("PublisherBenchmark: %d passes of %,d records of ~%d B, %,d per publish call, up to %d "
                + "publish calls in flight when streaming, %d partitions, alternating segments of %,d%n", PASSES, RECORDS,
                PAYLOAD_BYTES, BATCH, IN_FLIGHT, PARTITIONS, SEGMENT);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().partitions(PARTITIONS).start();
             KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder()
                     .bootstrapServers(broker.bootstrapServers())
                     .topicNaming(TopicNaming.template("bench.publisher.${aggregateType}"))
                     .flushBatchTail(Boolean.parseBoolean(System.getProperty("flushBatchTail", "true"))).build());
             KafkaProducer<byte[], byte[]> bare = new KafkaProducer<>(publisher.config().producerProperties())) {
            broker.createTopic("bench.publisher.Order", PARTITIONS);
            broker.createTopic("bench.bare.Order", PARTITIONS);
            primePartitions(bare, "bench.bare.Order");
            System.out.println("warm-up...");
            List<OutboxEvent> warmUp = events(0, Math.min(RECORDS, 200_000));
            for (int side = 0; side < SIDES; side++) {
                run(side, bare, publisher, warmUp);
            }
            warmUp = null;
            PUBLISH_CALL_NANOS.clear();
            AWAITED_BATCH_NANOS.clear();
            long[] nanos = new long[SIDES];
            List<String> passRatios = new ArrayList<>();
            List<Double> streamingRatios = new ArrayList<>();
            List<Double> awaitedRatios = new ArrayList<>();
            int segment = 0;
            for (int pass = 1; pass <= PASSES; pass++) {
                long[] passNanos = new long[SIDES];
                for (int done = 0; done < RECORDS; segment++) {
                    List<OutboxEvent> chunk = events(done, Math.min(RECORDS - done, SEGMENT));
                    long[] segmentNanos = new long[SIDES];
                    for (int side : order(segment)) {
                        segmentNanos[side] = run(side, bare, publisher, chunk);
                        passNanos[side] += segmentNanos[side];
                    }
                    done += chunk.size();
                    streamingRatios.add((double) segmentNanos[BARE] / segmentNanos[PUBLISHER_STREAMING]);
                    awaitedRatios.add((double) segmentNanos[BARE_AWAITED] / segmentNanos[PUBLISHER]);
                    StringBuilder line = new StringBuilder(String.format("  pass %d, %,9d / %,d:", pass, done, RECORDS));
                    for (int side = 0; side < SIDES; side++) {
                        line.append(String.format(" %s %,.0f/s;", SIDE_NAMES[side],
                                rate(chunk.size(), segmentNanos[side])));
                    }
                    System.out.println(line);
                }
                for (int side = 0; side < SIDES; side++) {
                    nanos[side] += passNanos[side];
                }
                String ratios = String.format("streaming %.2f, awaited %.2f", (double) passNanos[BARE]
                        / passNanos[PUBLISHER_STREAMING], (double) passNanos[BARE_AWAITED] / passNanos[PUBLISHER]);
                passRatios.add(ratios);
                System.out.printf("pass %d of %d: %,.0f / %,.0f / %,.0f / %,.0f records/s (%s); ratio publisher/bare %s%n",
                        pass, PASSES, rate(RECORDS, passNanos[0]), rate(RECORDS, passNanos[1]),
                        rate(RECORDS, passNanos[2]), rate(RECORDS, passNanos[3]), String.join(" / ", SIDE_NAMES), ratios);
            }
            long total = (long) RECORDS * PASSES;
            System.out.println("per batch of " + BATCH + ": publish call awaited " + percentiles(PUBLISH_CALL_NANOS)
                    + "; bare send+flush " + percentiles(AWAITED_BATCH_NANOS));
            for (int side = 0; side < SIDES; side++) {
                System.out.printf("RESULT %-20s %,11.0f records/s%n", SIDE_NAMES[side], rate(total, nanos[side]));
            }
            System.out.printf("RESULT ratio publisher/bare KafkaProducer over %d passes of %,d records: streaming %.2f "
                    + "(publish calls back to back, up to %d in flight, vs every record sent then one flush); "
                    + "awaited per %,d %.2f (each publish awaited, as one relay thread does, vs send + flush per batch); "
                    + "publisher awaited vs bare streaming %.2f; per pass: %s%n", PASSES, RECORDS,
                    (double) nanos[BARE] / nanos[PUBLISHER_STREAMING], IN_FLIGHT, BATCH,
                    (double) nanos[BARE_AWAITED] / nanos[PUBLISHER], (double) nanos[BARE] / nanos[PUBLISHER],
                    String.join("; ", passRatios));
            System.out.printf("RESULT ratio publisher/bare per segment (%d segments; median, with the middle half "
                    + "in brackets): streaming %s, awaited %s%n", streamingRatios.size(), quartiles(streamingRatios),
                    quartiles(awaitedRatios));
        }
    }

    /** The median and the interquartile range: robust to the segments a long GC pause happened to hit. */
    private static String quartiles(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return String.format("%.2f [%.2f-%.2f]", sorted.get(n / 2), sorted.get(n / 4), sorted.get(Math.min(n - 1, 3 * n / 4)));
    }

    /**
     * The order of the sides in a segment: rotated by one each segment and reversed every other
     * rotation, so that each side runs in each position and after each other side alike.
     */
    private static int[] order(int segment) {
        int[] order = new int[SIDES];
        boolean reversed = (segment / SIDES) % 2 == 1;
        for (int i = 0; i < SIDES; i++) {
            int position = reversed ? SIDES - 1 - i : i;
            order[position] = (segment + i) % SIDES;
        }
        return order;
    }

    private static long run(int side, KafkaProducer<byte[], byte[]> bare, KafkaOutboxEventPublisher publisher,
            List<OutboxEvent> events) throws Exception {
        return switch (side) {
            case BARE -> runBare(bare, events);
            case BARE_AWAITED -> runBareAwaited(bare, events);
            case PUBLISHER_STREAMING -> runPublisherStreaming(publisher, events);
            default -> runPublisher(publisher, events);
        };
    }

    /** The records {@code from} to {@code from + count} of the sequence, the same for every side and pass. */
    private static List<OutboxEvent> events(int from, int count) {
        String filler = "x".repeat(Math.max(0, PAYLOAD_BYTES - 120));
        List<OutboxEvent> events = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
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

    /** The record a hand-written sender would make of the event: the same fields, read from the same event. */
    private static ProducerRecord<byte[], byte[]> bareRecord(OutboxEvent event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(OutboxHeaders.ID, event.id().toString().getBytes(StandardCharsets.UTF_8));
        headers.add(OutboxHeaders.EVENT_TYPE, event.eventType().getBytes(StandardCharsets.UTF_8));
        event.headers().forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
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
            countFailures(outcomes, failures);
        }
        long nanos = System.nanoTime() - start;
        if (!failures.isEmpty()) {
            throw new IllegalStateException("publisher: failed outcomes " + failures);
        }
        return nanos;
    }

    /**
     * The publisher driven like a bare producer: publish calls issued back to back from one thread,
     * at most {@code inFlight} outstanding (as {@code inFlight} relay threads sharing one
     * publisher would keep it busy), every outcome checked.
     */
    private static long runPublisherStreaming(KafkaOutboxEventPublisher publisher, List<OutboxEvent> events)
            throws Exception {
        Map<PublishOutcome.Status, Integer> failures = new HashMap<>();
        ArrayDeque<CompletableFuture<List<PublishOutcome>>> inFlight = new ArrayDeque<>();
        long start = System.nanoTime();
        for (int from = 0; from < events.size(); from += BATCH) {
            if (inFlight.size() == IN_FLIGHT) {
                countFailures(inFlight.poll().get(120, TimeUnit.SECONDS), failures);
            }
            inFlight.add(publisher.publish(events.subList(from, Math.min(events.size(), from + BATCH)))
                    .toCompletableFuture());
        }
        while (!inFlight.isEmpty()) {
            countFailures(inFlight.poll().get(120, TimeUnit.SECONDS), failures);
        }
        long nanos = System.nanoTime() - start;
        if (!failures.isEmpty()) {
            throw new IllegalStateException("publisher: failed outcomes " + failures);
        }
        return nanos;
    }

    private static void countFailures(List<PublishOutcome> outcomes, Map<PublishOutcome.Status, Integer> failures) {
        for (PublishOutcome outcome : outcomes) {
            if (!outcome.isPublished()) {
                failures.merge(outcome.status(), 1, Integer::sum);
            }
        }
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

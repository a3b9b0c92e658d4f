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
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>The publisher is driven the way the relay drives it: batches of {@code batch} events per
 * {@code publish} call, each awaited before the next. The bare producer sends everything and
 * flushes once: the ceiling. Each side first runs a warm-up, then the runs alternate.
 *
 * <pre>
 * mvn -q -pl outbox-benchmarks compile exec:java -Dexec.mainClass=dev.outbox.benchmarks.kafka.PublisherBenchmark
 *   [-Drecords=1000000] [-Dbatch=5000] [-Drounds=2] [-Dpartitions=6] [-DpayloadBytes=500]
 * </pre>
 *
 * <p>Not thread-safe; a program, not a library class.
 */
public final class PublisherBenchmark {

    private static final int RECORDS = Integer.getInteger("records", 1_000_000);
    private static final int BATCH = Integer.getInteger("batch", 5_000);
    private static final int ROUNDS = Integer.getInteger("rounds", 2);
    private static final int PARTITIONS = Integer.getInteger("partitions", 6);
    private static final int PAYLOAD_BYTES = Integer.getInteger("payloadBytes", 500);
    private static final int AGGREGATES = 10_000;
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
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        System.setProperty("org.slf4j.simpleLogger.log.kafka", "error");
        System.setProperty("org.slf4j.simpleLogger.log.state.change.logger", "error");
        System.out.printf("PublisherBenchmark: %,d records of ~%d B, %,d per publish call, %d partitions, %d rounds%n",
                RECORDS, PAYLOAD_BYTES, BATCH, PARTITIONS, ROUNDS);
        List<OutboxEvent> events = events(RECORDS);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().partitions(PARTITIONS).start();
             KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.builder()
                     .bootstrapServers(broker.bootstrapServers())
                     .topicNaming(TopicNaming.template("bench.publisher.${aggregateType}"))
                     .build();
             KafkaProducer<byte[], byte[]> bare = new KafkaProducer<>(publisher.config().producerProperties())) {
            broker.createTopic("bench.publisher.Order", PARTITIONS);
            broker.createTopic("bench.bare.Order", PARTITIONS);
            System.out.println("warm-up...");
            int warmUp = Math.min(RECORDS, 200_000);
            runBare(bare, events.subList(0, warmUp), "warm-up bare");
            runPublisher(publisher, events.subList(0, warmUp), "warm-up publisher");
            double bareTotal = 0;
            double publisherTotal = 0;
            for (int round = 1; round <= ROUNDS; round++) {
                double bareRate = runBare(bare, events, "round " + round + " bare");
                double publisherRate = runPublisher(publisher, events, "round " + round + " publisher");
                bareTotal += bareRate;
                publisherTotal += publisherRate;
                System.out.printf("round %d: bare %,.0f records/s, publisher %,.0f records/s, ratio %.2f%n",
                        round, bareRate, publisherRate, publisherRate / bareRate);
            }
            System.out.printf("RESULT: bare KafkaProducer %,.0f records/s, KafkaOutboxEventPublisher %,.0f records/s, "
                    + "ratio %.2f (mean of %d rounds, %,d records each)%n", bareTotal / ROUNDS,
                    publisherTotal / ROUNDS, publisherTotal / bareTotal, ROUNDS, RECORDS);
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

    /** The ceiling: one producer, every record sent without waiting, one flush at the end. */
    private static double runBare(KafkaProducer<byte[], byte[]> producer, List<OutboxEvent> events, String label)
            throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acknowledged = new AtomicLong();
        Progress progress = new Progress(label, events.size());
        long start = System.nanoTime();
        for (OutboxEvent event : events) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(OutboxHeaders.ID, event.id().toString().getBytes(StandardCharsets.UTF_8));
            headers.add(OutboxHeaders.EVENT_TYPE, event.eventType().getBytes(StandardCharsets.UTF_8));
            headers.add("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8));
            producer.send(new ProducerRecord<>("bench.bare.Order", null, null,
                    event.aggregateId().getBytes(StandardCharsets.UTF_8), event.payload(), headers), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                        progress.tick(acknowledged.incrementAndGet());
                    });
        }
        producer.flush();
        double rate = rate(events.size(), start);
        if (failure.get() != null) {
            throw failure.get();
        }
        System.out.printf("%s: %,d records in %.1f s = %,.0f records/s%n", label, events.size(),
                (System.nanoTime() - start) / 1e9, rate);
        return rate;
    }

    /** The publisher driven like the relay: a batch per publish call, each awaited before the next. */
    private static double runPublisher(KafkaOutboxEventPublisher publisher, List<OutboxEvent> events, String label)
            throws Exception {
        Progress progress = new Progress(label, events.size());
        Map<PublishOutcome.Status, Integer> failures = new HashMap<>();
        long start = System.nanoTime();
        for (int from = 0; from < events.size(); from += BATCH) {
            List<OutboxEvent> batch = events.subList(from, Math.min(events.size(), from + BATCH));
            List<PublishOutcome> outcomes = publisher.publish(batch).toCompletableFuture().get(120, TimeUnit.SECONDS);
            for (PublishOutcome outcome : outcomes) {
                if (!outcome.isPublished()) {
                    failures.merge(outcome.status(), 1, Integer::sum);
                }
            }
            progress.tick(from + batch.size());
        }
        double rate = rate(events.size(), start);
        if (!failures.isEmpty()) {
            throw new IllegalStateException(label + ": failed outcomes " + failures);
        }
        System.out.printf("%s: %,d records in %.1f s = %,.0f records/s%n", label, events.size(),
                (System.nanoTime() - start) / 1e9, rate);
        return rate;
    }

    private static double rate(int records, long startNanos) {
        return records / ((System.nanoTime() - startNanos) / 1e9);
    }

    /** Prints a progress line every tenth of the run. */
    private static final class Progress {
        private final String label;
        private final long total;
        private final long step;
        private final long start = System.nanoTime();
        private final AtomicLong nextReport;

        Progress(String label, long total) {
            this.label = label;
            this.total = total;
            this.step = Math.max(1, total / 10);
            this.nextReport = new AtomicLong(step);
        }

        void tick(long done) {
            long next = nextReport.get();
            if (done >= next && done < total && nextReport.compareAndSet(next, next + step)) {
                System.out.printf("  %s: %,d / %,d (%,.0f records/s)%n", label, done, total,
                        done / ((System.nanoTime() - start) / 1e9));
            }
        }
    }
}

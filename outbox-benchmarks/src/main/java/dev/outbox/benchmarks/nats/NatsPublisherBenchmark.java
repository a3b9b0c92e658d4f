package dev.outbox.benchmarks.nats;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.nats.NatsHeaders;
import dev.outbox.nats.NatsOutboxEventPublisher;
import dev.outbox.nats.NatsPublisherConfig;
import dev.outbox.nats.SubjectTemplate;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of {@link NatsOutboxEventPublisher} against the bare jnats JetStream client, driven
 * alike on one NATS server with JetStream ({@code -Dnats.url}, default {@code nats://127.0.0.1:4222}):
 * both publish the same kind of messages (~500-byte JSON payloads, 10,000 aggregates interleaved,
 * headers {@code Nats-Msg-Id}, {@code id}, {@code eventType}, {@code aggregateType},
 * {@code aggregateId}, {@code Content-Type}, the aggregate sequence and {@code traceparent}) to one
 * file-storage stream, in batches of {@code batch} events, each batch awaited before the next as
 * one relay thread does: the bare side builds each message, calls {@code publishAsync} for the
 * whole batch and waits for every PubAck; the publisher gets {@code publish(batch)} and its stage
 * is awaited. Each side first warms up with {@code warmup} messages; then the {@code records}
 * messages go in segments of {@code segment}, the sides alternating per segment so both see the
 * same load on a shared machine. The totals give both rates and the ratio (publisher / bare); the
 * median of the per-segment ratios (both sides a moment apart) shows whether the total was swayed
 * by the load of a shared machine.
 * The stream (unique name per run) is deleted at the end.
 *
 * <pre>
 * mvn -q -pl outbox-benchmarks exec:java -Dexec.mainClass=dev.outbox.benchmarks.nats.NatsPublisherBenchmark
 *   [-Drecords=200000] [-Dwarmup=20000] [-Dbatch=5000] [-Dsegment=10000] [-DpayloadBytes=500] [-DmaxPendingAcks=4096] [-Dnats.url=nats://127.0.0.1:4222]
 * </pre>
 *
 * <p>Not thread-safe; a program, not a library class.
 */
public final class NatsPublisherBenchmark {
    private static final String URL = System.getProperty("nats.url", "nats://127.0.0.1:4222");
    private static final int RECORDS = Integer.getInteger("records", 200_000);
    private static final int WARMUP = Integer.getInteger("warmup", 20_000);
    private static final int BATCH = Integer.getInteger("batch", 5_000);
    private static final int SEGMENT = Integer.getInteger("segment", 10_000);
    private static final int PAYLOAD_BYTES = Integer.getInteger("payloadBytes", 500);
    private static final int MAX_PENDING_ACKS = Integer.getInteger("maxPendingAcks", 4096);
    private static final int AGGREGATES = 10_000;
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final String RUN = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 41), 36);
    private static final String TEMPLATE = "bench_" + RUN + ".${aggregateType}.${aggregateId}";
    private static long sequence;

    private NatsPublisherBenchmark() {
    }

    /** Runs the benchmark and prints both rates and the ratio. */
    public static void main(String[] args) throws Exception {
        String stream = "bench_" + RUN;
        try (Connection connection = Nats.connect(URL)) {
            JetStreamManagement management = connection.jetStreamManagement();
            management.addStream(StreamConfiguration.builder().name(stream).subjects("bench_" + RUN + ".>")
                    .storageType(StorageType.File).duplicateWindow(Duration.ofMinutes(2)).build());
            JetStream bare = connection.jetStream();
            try (NatsOutboxEventPublisher publisher = NatsOutboxEventPublisher.create(NatsPublisherConfig.builder()
                    .serverUrl(URL)
                    .subjectTemplate(TEMPLATE).publishTimeout(Duration.ofSeconds(30)).maxPendingAcks(MAX_PENDING_ACKS).build())) {
                System.out.printf("NATS publisher benchmark: %,d messages of %d B payload, batch %,d, %,d aggregates, "
                        + "stream %s on %s%n", RECORDS, PAYLOAD_BYTES, BATCH, AGGREGATES, stream, URL);
                runBare(bare, WARMUP);
                runPublisher(publisher, WARMUP);
                List<Double> segmentRatios = new ArrayList<>();
                long bareNanos = 0;
                long publisherNanos = 0;
                for (int done = 0, segment = 0; done < RECORDS; done += SEGMENT, segment++) {
                    int count = Math.min(SEGMENT, RECORDS - done);
                    long b;
                    long p;
                    if (segment % 2 == 0) {
                        b = runBare(bare, count);
                        p = runPublisher(publisher, count);
                    } else {
                        p = runPublisher(publisher, count);
                        b = runBare(bare, count);
                    }
                    bareNanos += b;
                    publisherNanos += p;
                    segmentRatios.add((double) b / p);
                }
                Collections.sort(segmentRatios);
                double bareRate = RECORDS / (bareNanos / 1e9);
                double publisherRate = RECORDS / (publisherNanos / 1e9);
                System.out.printf("bare jnats JetStream (publishAsync + PubAcks): %,.0f msg/s%n", bareRate);
                System.out.printf("NatsOutboxEventPublisher (publish(batch)):     %,.0f msg/s%n", publisherRate);
                System.out.printf("ratio publisher / bare: %.2f (median of the %d segment pairs: %.2f, range %.2f-%.2f)%n",
                        publisherRate / bareRate, segmentRatios.size(), segmentRatios.get(segmentRatios.size() / 2),
                        segmentRatios.get(0), segmentRatios.get(segmentRatios.size() - 1));
            } finally {
                management.deleteStream(stream);
            }
        }
    }

    private static long runBare(JetStream jetStream, int count) throws Exception {
        long start = System.nanoTime();
        for (int sent = 0; sent < count; sent += BATCH) {
            List<OutboxEvent> batch = events(Math.min(BATCH, count - sent));
            List<CompletableFuture<PublishAck>> acks = new ArrayList<>(batch.size());
            for (OutboxEvent event : batch) {
                acks.add(jetStream.publishAsync(message(event)));
            }
            for (CompletableFuture<PublishAck> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        }
        return System.nanoTime() - start;
    }

    private static long runPublisher(NatsOutboxEventPublisher publisher, int count) throws Exception {
        long start = System.nanoTime();
        for (int sent = 0; sent < count; sent += BATCH) {
            List<OutboxEvent> batch = events(Math.min(BATCH, count - sent));
            List<PublishOutcome> outcomes = publisher.publish(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
            if (!outcomes.stream().allMatch(PublishOutcome::isPublished)) {
                throw new IllegalStateException("not all published: " + outcomes.stream()
                        .filter(o -> !o.isPublished()).findFirst().orElseThrow());
            }
        }
        return System.nanoTime() - start;
    }

    /** The bare side's message: what a hand-written JetStream producer of the same events would send. */
    private static NatsMessage message(OutboxEvent event) {
        Headers headers = new Headers();
        event.headers().forEach(headers::put);
        String id = event.id().toString();
        headers.put(NatsHeaders.MSG_ID, id);
        headers.put(NatsHeaders.ID, id);
        headers.put(NatsHeaders.EVENT_TYPE, event.eventType());
        headers.put(NatsHeaders.AGGREGATE_TYPE, event.aggregateType());
        headers.put(NatsHeaders.AGGREGATE_ID, event.aggregateId());
        headers.put(NatsHeaders.CONTENT_TYPE, event.contentType());
        String subject = TEMPLATE.replace(SubjectTemplate.AGGREGATE_TYPE, event.aggregateType())
                .replace(SubjectTemplate.AGGREGATE_ID, event.aggregateId());
        return NatsMessage.builder().subject(subject).headers(headers).data(event.payload()).build();
    }

    private static List<OutboxEvent> events(int count) {
        List<OutboxEvent> events = new ArrayList<>(count);
        StringBuilder filler = new StringBuilder();
        while (filler.length() < PAYLOAD_BYTES - 60) {
            filler.append("x");
        }
        for (int i = 0; i < count; i++) {
            long n = ++sequence;
            String aggregate = "agg-" + (n % AGGREGATES);
            events.add(OutboxEvent.builder().aggregateType("Order").aggregateId(aggregate).eventType("OrderChanged")
                    .payload(("{\"aggregate\":\"" + aggregate + "\",\"n\":" + n + ",\"pad\":\"" + filler + "\"}")
                            .getBytes(StandardCharsets.UTF_8))
                    .header("traceparent", TRACEPARENT).build().withSequence(n));
        }
        return events;
    }

}

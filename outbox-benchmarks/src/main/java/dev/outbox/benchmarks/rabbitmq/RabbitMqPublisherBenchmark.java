package dev.outbox.benchmarks.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.rabbitmq.RabbitMqOutboxEventPublisher;
import dev.outbox.rabbitmq.RabbitMqPublisherConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Throughput of {@link RabbitMqOutboxEventPublisher} against the bare amqp-client driven alike, on
 * the machine's RabbitMQ ({@code RABBITMQ_URI}, default {@code amqp://guest:guest@127.0.0.1:5672}):
 * the same messages (~500-byte JSON payloads, 10,000 aggregates, persistent, mandatory, message id,
 * type, content type, timestamp, headers {@code traceparent} and the aggregate sequence) to a
 * durable topic exchange with one durable queue bound, one channel in confirm mode each.
 *
 * <ul>
 *   <li><b>awaited</b>: the bare client publishes {@code batch} messages and calls
 *       {@code waitForConfirmsOrDie} before the next batch; the publisher's {@code publish} of
 *       {@code batch} events is awaited before the next call, as one relay thread does.
 *   <li><b>streaming</b>: the bare client publishes a whole segment and waits for its confirms once
 *       (the ceiling); the publisher gets calls of {@code batch} events with at most
 *       {@code inFlight} (default 4) outstanding, as several relay threads sharing it would.
 * </ul>
 * After a warm-up, the messages go through in segments, each sent by the four sides in an order
 * that rotates every segment; queues are purged between sides (untimed). The totals give the
 * rates and the ratios (publisher rate / bare rate).
 *
 * <pre>
 * mvn -q -pl outbox-benchmarks exec:java -Dexec.mainClass=dev.outbox.benchmarks.rabbitmq.RabbitMqPublisherBenchmark
 *   [-Drecords=200000] [-Dbatch=1000] [-DinFlight=4] [-Dsegment=20000] [-DpayloadBytes=500]
 * </pre>
 *
 * <p>Not thread-safe; a program, not a library class.
 */
public final class RabbitMqPublisherBenchmark {

    private static final int RECORDS = Integer.getInteger("records", 200_000);
    private static final int BATCH = Integer.getInteger("batch", 1_000);
    private static final int IN_FLIGHT = Integer.getInteger("inFlight", 4);
    private static final int SEGMENT = Integer.getInteger("segment", 20_000);
    private static final int PAYLOAD_BYTES = Integer.getInteger("payloadBytes", 500);
    private static final int AGGREGATES = 10_000;
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final String[] SIDES = {"bare streaming", "publisher streaming", "bare awaited", "publisher awaited"};
    private static final String BARE_EXCHANGE = "bench.bare.Order";
    private static final String PUBLISHER_EXCHANGE = "bench.publisher.Order";

    private RabbitMqPublisherBenchmark() {
    }

    /**
     * Runs the benchmark and prints the numbers.
     *
     * @param args ignored; settings come from system properties (see the class description)
     * @throws Exception if the broker cannot be reached or a publish fails
     */
    public static void main(String[] args) throws Exception {
        String uri = System.getenv().getOrDefault("RABBITMQ_URI", "amqp://guest:guest@127.0.0.1:5672");
        System.out.printf("RabbitMqPublisherBenchmark: %,d messages of ~%d B, %,d per publish call / confirm wait, up to "
                + "%d calls in flight when streaming, alternating segments of %,d%n", RECORDS, PAYLOAD_BYTES, BATCH,
                IN_FLIGHT, SEGMENT);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
        try (Connection connection = factory.newConnection("bench-bare");
             Channel admin = connection.createChannel();
             Channel bare = connection.createChannel();
             RabbitMqOutboxEventPublisher publisher = RabbitMqOutboxEventPublisher.create(RabbitMqPublisherConfig.builder()
                     .uri(uri)
                     .exchangeTemplate("bench.publisher.${aggregateType}").publishTimeout(Duration.ofSeconds(60))
                     .build())) {
            for (String exchange : new String[] {BARE_EXCHANGE, PUBLISHER_EXCHANGE}) {
                admin.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
                admin.queueDeclare(exchange, true, false, false, null);
                admin.queueBind(exchange, exchange, "#");
                admin.queuePurge(exchange);
            }
            bare.confirmSelect();
            bare.addReturnListener(r -> {
                throw new IllegalStateException("bare message returned: " + r.getReplyText());
            });
            System.out.println("warm-up...");
            List<OutboxEvent> warmUp = events(0, Math.min(RECORDS, 2 * SEGMENT));
            for (int side = 0; side < SIDES.length; side++) {
                run(side, bare, publisher, warmUp);
                purge(admin);
            }
            long[] nanos = new long[SIDES.length];
            int segment = 0;
            for (int done = 0; done < RECORDS; segment++) {
                List<OutboxEvent> chunk = events(done, Math.min(RECORDS - done, SEGMENT));
                for (int i = 0; i < SIDES.length; i++) {
                    int side = (i + segment) % SIDES.length;
                    nanos[side] += run(side, bare, publisher, chunk);
                    purge(admin);
                }
                done += chunk.size();
            }
            for (int side = 0; side < SIDES.length; side++) {
                System.out.printf("  %-20s %,10.0f messages/s%n", SIDES[side], RECORDS * 1e9 / nanos[side]);
            }
            System.out.printf("ratio publisher / bare: streaming %.2f, awaited %.2f (target >= 0.9)%n",
                    (double) nanos[0] / nanos[1], (double) nanos[2] / nanos[3]);
            for (String exchange : new String[] {BARE_EXCHANGE, PUBLISHER_EXCHANGE}) {
                admin.queueDelete(exchange);
                admin.exchangeDelete(exchange);
            }
        }
    }

    private static long run(int side, Channel bare, RabbitMqOutboxEventPublisher publisher, List<OutboxEvent> events)
            throws Exception {
        long start = System.nanoTime();
        switch (side) {
            case 0 -> {
                for (OutboxEvent event : events) {
                    send(bare, event);
                }
                bare.waitForConfirmsOrDie(60_000);
            }
            case 1 -> {
                ArrayDeque<CompletableFuture<List<PublishOutcome>>> inFlight = new ArrayDeque<>();
                for (int from = 0; from < events.size(); from += BATCH) {
                    if (inFlight.size() == IN_FLIGHT) {
                        check(inFlight.poll().join());
                    }
                    inFlight.add(publisher.publish(events.subList(from, Math.min(events.size(), from + BATCH)))
                            .toCompletableFuture());
                }
                inFlight.forEach(f -> check(f.join()));
            }
            case 2 -> {
                for (int from = 0; from < events.size(); from += BATCH) {
                    for (OutboxEvent event : events.subList(from, Math.min(events.size(), from + BATCH))) {
                        send(bare, event);
                    }
                    bare.waitForConfirmsOrDie(60_000);
                }
            }
            default -> {
                for (int from = 0; from < events.size(); from += BATCH) {
                    check(publisher.publish(events.subList(from, Math.min(events.size(), from + BATCH)))
                            .toCompletableFuture().join());
                }
            }
        }
        return System.nanoTime() - start;
    }

    /** The bare side builds the very message the publisher does. */
    private static void send(Channel channel, OutboxEvent event) throws Exception {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().deliveryMode(2)
                .messageId(event.id().toString()).type(event.eventType()).contentType(event.contentType())
                .timestamp(Date.from(event.occurredAt())).headers(new LinkedHashMap<>(event.headers())).build();
        channel.basicPublish(BARE_EXCHANGE, event.aggregateId(), true, properties, event.payload());
    }

    private static void check(List<PublishOutcome> outcomes) {
        for (PublishOutcome outcome : outcomes) {
            if (!outcome.isPublished()) {
                throw new IllegalStateException("not published: " + outcome);
            }
        }
    }

    private static void purge(Channel admin) throws Exception {
        admin.queuePurge(BARE_EXCHANGE);
        admin.queuePurge(PUBLISHER_EXCHANGE);
    }

    private static List<OutboxEvent> events(int from, int count) {
        String padding = "x".repeat(Math.max(0, PAYLOAD_BYTES - 80));
        List<OutboxEvent> events = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            String aggregate = "order-" + (i % AGGREGATES);
            events.add(OutboxEvent.builder().aggregateType("Order").aggregateId(aggregate).eventType("OrderChanged")
                    .payload(("{\"order_id\":\"" + aggregate + "\",\"n\":" + i + ",\"pad\":\"" + padding + "\"}")
                            .getBytes(StandardCharsets.UTF_8))
                    .header("traceparent", TRACEPARENT).build().withSequence(i));
        }
        return events;
    }
}

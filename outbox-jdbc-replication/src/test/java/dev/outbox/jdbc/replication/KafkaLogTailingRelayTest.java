package dev.outbox.jdbc.replication;

import dev.outbox.testkit.postgres.TestDatabase;
import dev.outbox.core.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.embedded.EmbeddedKafkaBroker;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.kafka.KafkaOutboxEventPublisher;
import dev.outbox.kafka.KafkaPublisherConfig;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KafkaLogTailingRelayTest {
    private static EmbeddedKafkaBroker broker;
    private SlotFixture fixture;
    private KafkaOutboxEventPublisher publisher;
    private LogTailingRelay relay;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.builder().start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void setUp() {
        fixture = SlotFixture.create();
        publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder()
                .bootstrapServers(broker.bootstrapServers())
                .maxBlock(Duration.ofSeconds(3))
                .requestTimeout(Duration.ofSeconds(3))
                .deliveryTimeout(Duration.ofSeconds(8))
                .build());
    }

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.close();
        }
        publisher.close();
        fixture.drop();
    }

    @Test
    void givenBrokerOutage_theRelayWaitsAndDeliversEverythingAfterRecovery() {
        AtomicInteger published = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        relay = LogTailingRelay.create(TestDatabase.embedded().dataSource(), publisher, LogTailingRelayConfig.builder()
                .table(fixture.table()).slotName(fixture.slot()).publicationName(fixture.publication())
                .mode(TableMode.LOG_ONLY)
                .listener(new LogTailingRelayListener() {
                    @Override
                    public void onPublished(List<OutboxEvent> events) {
                        published.addAndGet(events.size());
                    }

                    @Override
                    public void onRetryScheduled(OutboxEvent event, int attempts, java.time.Instant next, Throwable error) {
                        retries.incrementAndGet();
                    }
                })
                .build());
        relay.start();
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        LogOnlyOutbox outbox = LogOnlyOutbox.create(unitOfWork, fixture.table());
        String type = "Outage" + fixture.slot().replace("_", "");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            OutboxEvent event = OutboxEvent.json(type, "o" + (i % 4), "Changed", "{\"n\":" + i + "}");
            ids.add(event.id().toString());
            unitOfWork.useTransaction(() -> outbox.append(event));
        }
        Await.until("first events acknowledged", () -> published.get() >= 20);

        broker.stop();
        for (int i = 20; i < 40; i++) {
            OutboxEvent event = OutboxEvent.json(type, "o" + (i % 4), "Changed", "{\"n\":" + i + "}");
            ids.add(event.id().toString());
            unitOfWork.useTransaction(() -> outbox.append(event));
        }
        Await.until("the relay reports unacknowledged events as lag", () -> relay.lag().age().toMillis() > 0);
        Await.until("a failed delivery was scheduled for retry", Duration.ofSeconds(60), () -> retries.get() > 0);
        assertThat(published.get()).isEqualTo(20);
        broker.start();

        Await.until("all events acknowledged after recovery", Duration.ofSeconds(90), () -> published.get() >= 40);
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : readTopic("outbox.event." + type, ids.size())) {
            Header id = record.headers().lastHeader("id");
            seen.add(new String(id.value(), StandardCharsets.UTF_8));
        }
        assertThat(seen).containsAll(ids);
    }

    /** Measures a committed backlog's delivery rate; prints it, asserts only completeness. */
    @Test
    void committedBacklog_isDeliveredCompletely_andTheRateIsPrinted() throws Exception {
        AtomicInteger published = new AtomicInteger();
        relay = LogTailingRelay.create(TestDatabase.embedded().dataSource(), publisher, LogTailingRelayConfig.builder()
                .table(fixture.table()).slotName(fixture.slot()).publicationName(fixture.publication())
                .mode(TableMode.LOG_ONLY).batchSize(2000)
                .listener(new LogTailingRelayListener() {
                    @Override
                    public void onPublished(List<OutboxEvent> events) {
                        published.addAndGet(events.size());
                    }
                })
                .build());
        relay.start();
        relay.stop();
        int total = 20_000;
        String type = "Backlog" + fixture.slot().replace("_", "");
        String padding = "x".repeat(400);
        try (Connection connection = TestDatabase.embedded().dataSource().getConnection()) {
            JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(Jdbi.create(connection));
            LogOnlyOutbox outbox = LogOnlyOutbox.create(unitOfWork, fixture.table());
            for (int t = 0; t < total / 100; t++) {
                List<OutboxEvent> events = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    events.add(OutboxEvent.json(type, "b" + (i % 50), "Changed",
                            "{\"n\":" + (t * 100 + i) + ",\"pad\":\"" + padding + "\"}"));
                }
                unitOfWork.useTransaction(() -> outbox.appendAll(events));
            }
        }

        // Topic creation and producer metadata are not the relay's cost: warm them up first.
        broker.createTopic("outbox.event." + type, EmbeddedKafkaBroker.DEFAULT_PARTITIONS);
        publisher.publish(List.of(OutboxEvent.json(type, "warm-up", "WarmUp", "{}"))).toCompletableFuture().get();
        long started = System.nanoTime();
        relay.start();
        Await.until("backlog delivered", Duration.ofSeconds(120), () -> published.get() >= total);
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("LOG-TAILING RELAY THROUGHPUT: %d committed events (~500 B) to Kafka in %d ms = %.0f events/s%n",
                total, millis, total * 1000.0 / Math.max(1, millis));
        assertThat(published.get()).isEqualTo(total);

        // The same events straight through the publisher, one 2000-event call at a time: the relay's ceiling here.
        List<OutboxEvent> direct = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            direct.add(OutboxEvent.json(type, "b" + (i % 50), "Changed", "{\"n\":" + i + ",\"pad\":\"" + padding + "\"}"));
        }
        long directStarted = System.nanoTime();
        for (int i = 0; i < total; i += 2000) {
            publisher.publish(direct.subList(i, i + 2000)).toCompletableFuture().get();
        }
        long directMillis = (System.nanoTime() - directStarted) / 1_000_000;
        System.out.printf("PUBLISHER ALONE THROUGHPUT: %d events in %d ms = %.0f events/s%n",
                total, directMillis, total * 1000.0 / Math.max(1, directMillis));
    }

    private static List<ConsumerRecord<byte[], byte[]>> readTopic(String topic, int atLeast) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}

package dev.outbox.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import dev.outbox.embedded.EmbeddedKafkaBroker;
import dev.outbox.embedded.EmbeddedPostgresServer;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxSchema;
import dev.outbox.jdbc.PostgresOutboxStore;
import dev.outbox.kafka.KafkaOutboxEventPublisher;
import dev.outbox.kafka.KafkaPublisherConfig;
import dev.outbox.kafka.OutboxHeaders;
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.source.SourceRecord;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs Debezium's embedded engine with the shipped connector configuration (only connection
 * settings and offset storage overridden) next to our polling relay over the same committed
 * rows, and proves that both put the same records on the broker.
 */
class DebeziumOutboxCompatibilityTest {

    private static final Duration AWAIT = Duration.ofSeconds(60);
    private static final int EVENTS = 40;

    private static EmbeddedPostgresServer postgres;
    private static EmbeddedKafkaBroker kafka;
    private static Jdbi jdbi;

    @BeforeAll
    static void startServers() {
        postgres = EmbeddedPostgresServer.builder().start();
        kafka = EmbeddedKafkaBroker.builder().start();
        jdbi = Jdbi.create(postgres.dataSource());
        OutboxSchema.create(jdbi);
    }

    @AfterAll
    static void stopServers() {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void debeziumWithTheShippedConfigurationProducesTheSameRecordsAsOurRelay_andSkipsUpdatesAndDeletes()
            throws Exception {
        ShippedConnectorConfig shipped = ShippedConnectorConfig.load();
        ConnectWorkerConversion worker = ConnectWorkerConversion.of(shipped.config());
        ConcurrentLinkedQueue<ProducerRecord<byte[], byte[]>> debeziumRecords = new ConcurrentLinkedQueue<>();
        AtomicReference<Throwable> engineFailure = new AtomicReference<>();
        ExecutorService engineThread = Executors.newSingleThreadExecutor();
        JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(jdbi);
        JdbiOutbox outbox = JdbiOutbox.create(unitOfWork);
        PostgresOutboxStore store = PostgresOutboxStore.builder().jdbi(jdbi).build();
        try (DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class)
                        .using(shipped.engineProperties(connectionAndOffsetOverrides()))
                        .notifying(change -> {
                            SourceRecord routed = change.value();
                            if (routed.topic().startsWith("outbox.event.")) {
                                debeziumRecords.add(worker.toProducerRecord(routed));
                            }
                        })
                        .using((success, message, error) -> {
                            if (!success) {
                                engineFailure.set(error != null ? error : new IllegalStateException(message));
                            }
                        })
                        .build();
                KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder()
                        .bootstrapServers(kafka.bootstrapServers()).build());
                OutboxRelay relay = OutboxRelay.create(store, publisher, RelayConfig.builder().pollInterval(Duration.ofMillis(200)).build());
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig())) {
            engineThread.execute(engine);
            awaitSlotStreaming(shipped.config().get("slot.name"), engineFailure);

            List<OutboxEvent> events = TestEvents.mixed(EVENTS);
            for (int from = 0; from < EVENTS; from += 7) {
                List<OutboxEvent> transaction = events.subList(from, Math.min(EVENTS, from + 7));
                unitOfWork.useTransaction(() -> outbox.appendAll(transaction));
            }
            Set<String> topics = events.stream().map(e -> "outbox.event." + e.aggregateType())
                    .collect(Collectors.toCollection(TreeSet::new));
            createTopics(consumer, topics);
            relay.start();
            awaitNothingPending(store);
            assign(consumer, topics);
            List<ConsumerRecord<byte[], byte[]>> ours = readExactly(consumer, EVENTS);

            // The relay has updated (claimed) and deleted (published) every row by now; one more event,
            // committed after all of that, shows that Debezium emitted nothing for those changes.
            OutboxEvent sentinel = OutboxEvent.json("Order", "sentinel", "OrderCreated", "{\"last\":true}");
            unitOfWork.useTransaction(() -> outbox.append(sentinel));
            awaitNothingPending(store);
            ours.addAll(readExactly(consumer, 1));
            await().atMost(AWAIT).until(() -> engineFailure.get() != null
                    || debeziumRecords.stream().anyMatch(r -> idOf(r.headers()).equals(sentinel.id().toString())));
            assertThat(engineFailure.get()).isNull();
            assertThat(debeziumRecords).hasSize(EVENTS + 1);

            produce(debeziumRecords);
            List<ConsumerRecord<byte[], byte[]>> theirs = readExactly(consumer, EVENTS + 1);

            assertThat(theirs.stream().map(DebeziumOutboxCompatibilityTest::comparable).toList())
                    .containsExactlyInAnyOrderElementsOf(ours.stream().map(DebeziumOutboxCompatibilityTest::comparable).toList());
            assertThat(idsByPartition(theirs)).isEqualTo(idsByPartition(ours));
            assertThat(theirs).allSatisfy(record -> assertThat(headerNames(record)).containsExactly(
                    OutboxHeaders.ID, OutboxHeaders.EVENT_TYPE, OutboxHeaders.SEQUENCE));
            assertThat(ours.stream().filter(r -> headerNames(r).contains("traceparent"))).isNotEmpty();
        } finally {
            engineThread.shutdown();
            engineThread.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /** What both relays must agree on: topic, partition, key, value, and the id, event-type and sequence headers. */
    private static List<String> comparable(ConsumerRecord<byte[], byte[]> record) {
        return List.of(record.topic(), String.valueOf(record.partition()), utf8(record.key()), utf8(record.value()),
                header(record.headers(), OutboxHeaders.ID), header(record.headers(), OutboxHeaders.EVENT_TYPE),
                header(record.headers(), OutboxHeaders.SEQUENCE));
    }

    private static Map<String, List<String>> idsByPartition(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, List<String>> ids = new LinkedHashMap<>();
        records.forEach(r -> ids.computeIfAbsent(r.topic() + "-" + r.partition(), k -> new ArrayList<>())
                .add(idOf(r.headers())));
        return new TreeMap<>(ids);
    }

    private static List<String> headerNames(ConsumerRecord<byte[], byte[]> record) {
        return StreamSupport.stream(record.headers().spliterator(), false).map(Header::key).toList();
    }

    private static String idOf(Iterable<Header> headers) {
        return header(headers, OutboxHeaders.ID);
    }

    private static String header(Iterable<Header> headers, String name) {
        List<String> values = StreamSupport.stream(headers.spliterator(), false)
                .filter(h -> h.key().equals(name)).map(h -> utf8(h.value())).toList();
        assertThat(values).as("header %s", name).hasSize(1);
        return values.get(0);
    }

    private static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static Map<String, String> connectionAndOffsetOverrides() {
        return Map.of(
                "database.hostname", "127.0.0.1",
                "database.port", String.valueOf(postgres.port()),
                "database.user", EmbeddedPostgresServer.USER,
                "database.password", "",
                "database.dbname", EmbeddedPostgresServer.DEFAULT_DATABASE,
                "offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore",
                "offset.flush.interval.ms", "1000");
    }

    private static void awaitSlotStreaming(String slot, AtomicReference<Throwable> engineFailure) {
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(engineFailure.get()).as("Debezium engine failure").isNull();
            return jdbi.withHandle(h -> h.createQuery(
                            "SELECT count(*) FROM pg_replication_slots WHERE slot_name = :slot AND active")
                    .bind("slot", slot).mapTo(Integer.class).one()) == 1;
        });
    }

    private static void awaitNothingPending(PostgresOutboxStore store) {
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> store.backlog().pending() == 0);
    }

    private static Map<String, Object> consumerConfig() {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    }

    /**
     * Creates the topics up front and waits for their leaders: an idempotent producer's first
     * batches to a topic auto-created a moment earlier can be rejected (NOT_LEADER_OR_FOLLOWER,
     * then OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout), which would only add
     * duplicates and half a minute to this test.
     */
    private static void createTopics(KafkaConsumer<byte[], byte[]> consumer, Set<String> topics) {
        topics.forEach(topic -> kafka.createTopic(topic, EmbeddedKafkaBroker.DEFAULT_PARTITIONS));
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> topics.stream()
                .allMatch(topic -> consumer.partitionsFor(topic, AWAIT).stream()
                        .allMatch(p -> p.leader() != null && p.leader().id() >= 0)));
    }

    private static void assign(KafkaConsumer<byte[], byte[]> consumer, Set<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, AWAIT).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readExactly(KafkaConsumer<byte[], byte[]> consumer, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (records.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        // A short extra poll so that duplicates or strays would show up as a wrong count.
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        assertThat(records.size()).as("records read: %s", records.stream()
                .map(r -> r.topic() + "-" + r.partition() + "@" + r.offset() + " id " + idOf(r.headers())).toList())
                .isEqualTo(count);
        return records;
    }

    private static void produce(Iterable<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record).get(30, TimeUnit.SECONDS);
            }
        }
    }
}

package dev.outbox.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.embedded.EmbeddedKafkaBroker;
import dev.outbox.kafka.KafkaOutboxEventPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter with Kafka from {@code spring.kafka.bootstrap-servers}: one application context and one in-process
 * broker for the class, on the shared embedded PostgreSQL.
 */
class OutboxKafkaStarterTest {
    private static final String TOPIC = "spring.Order";
    private static EmbeddedKafkaBroker broker;
    private static ConfigurableApplicationContext context;
    private static KafkaConsumer<byte[], byte[]> consumer;
    private static String table;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.builder().partitions(1).start();
        broker.createTopic(TOPIC, 1);
        table = TestDatabase.freshTable("starter_kafka");
        context = TestApplication.run(new Class<?>[0],
                "spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "outbox.table=" + table,
                "outbox.schema.create=true",
                "outbox.kafka.topic-template=spring.${aggregateType}",
                "outbox.relay.poll-interval=200ms",
                "test.orders-table=" + table + "_orders");
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(new TopicPartition(TOPIC, 0)));
        consumer.seekToBeginning(List.of(new TopicPartition(TOPIC, 0)));
    }

    @AfterAll
    static void stop() {
        if (consumer != null) {
            consumer.close();
        }
        if (context != null) {
            context.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void publisherIsKafkaFromTheSpringKafkaProperties() {
        assertThat(context.getBean(OutboxEventPublisher.class)).isInstanceOf(KafkaOutboxEventPublisher.class);
        assertThat(context.getBean(OutboxRelayLifecycle.class).isRunning()).isTrue();
    }

    @Test
    void transactionalMethodThatCommits_hasItsEventReachKafka() {
        UUID order = UUID.randomUUID();
        context.getBean(OrderService.class).placeOrder(order);
        assertThat(keysUntil(order)).contains(order.toString());
    }

    @Test
    void transactionalMethodThatRollsBack_leavesNeitherRowsNorEvents() {
        OrderService service = context.getBean(OrderService.class);
        UUID failed = UUID.randomUUID();
        assertThatThrownBy(() -> service.placeOrderThenFail(failed)).hasMessage("payment refused");
        assertThat(service.orders(failed)).isZero();
        assertThat(eventRows(failed)).isZero();
        UUID marker = UUID.randomUUID();
        service.placeOrder(marker);
        assertThat(keysUntil(marker)).doesNotContain(failed.toString());
    }

    @Test
    void appendOutsideTransaction_fails() {
        Outbox outbox = context.getBean(Outbox.class);
        OutboxEvent event = OutboxEvent.builder().aggregateType("Order").aggregateId("outside").eventType("OrderPlaced")
                .payload("{}").build();
        assertThatThrownBy(() -> outbox.append(event)).isInstanceOf(NoActiveUnitOfWorkException.class);
        assertThat(eventRows("outside")).isZero();
    }

    private static int eventRows(Object aggregateId) {
        return Jdbi.create(TestDatabase.dataSource()).withHandle(h -> h.createQuery(
                "SELECT count(*) FROM " + table + " WHERE aggregateid = :id").bind("id", aggregateId.toString())
                .mapTo(Integer.class).one());
    }

    /** Reads the topic on until a record keyed {@code last} arrived (30 s at most) and returns the keys read so far. */
    private static synchronized List<String> keysUntil(UUID last) {
        List<String> keys = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(30);
        while (!keys.contains(last.toString()) && Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                keys.add(new String(record.key(), StandardCharsets.UTF_8));
            }
        }
        return keys;
    }
}

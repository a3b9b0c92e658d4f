package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.embedded.EmbeddedKafkaBroker;
import dev.outbox.testkit.OutboxEventPublisherContract;
import dev.outbox.testkit.ReceivedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the publisher contract on the Kafka publisher against an in-process KRaft broker with
 * topic auto-creation off, every capability included: topics are routed by aggregate and event
 * type, so an event given another type lands on a topic that was never created (its own
 * retriable failure); a payload over the producer's {@code max.request.size} is a permanent
 * failure; the outage stops and restarts the broker on the same port and log directory. Short
 * producer timeouts keep the outage checks to seconds.
 */
class KafkaPublisherContractTest extends OutboxEventPublisherContract {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.builder().brokerProperty("auto.create.topics.enable", "false").start();
    }

    @AfterAll
    static void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    protected OutboxEventPublisher newPublisher(String destinationTemplate) {
        return KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers(broker.bootstrapServers())
                .topicTemplate(destinationTemplate)
                .maxBlock(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(2))
                .deliveryTimeout(Duration.ofSeconds(6))
                .producerProperty("reconnect.backoff.max.ms", 500)
                .build());
    }

    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Test
    void kafkaDeclaresEveryCapability_soNoContractCheckIsSkipped() {
        assertThat(capabilities()).containsExactlyInAnyOrder(Capability.values());
    }

    @Override
    protected String destinationTemplate(String prefix) {
        return prefix + "." + AGGREGATE_TYPE + "." + EVENT_TYPE;
    }

    @Override
    protected void prepareDestination(String topic) {
        broker.createTopic(topic, 3);
    }

    @Override
    protected OutboxEvent failRetriably(OutboxEvent event) {
        return event.toBuilder().eventType("NeverCreated").build(); // its topic does not exist
    }

    @Override
    protected OutboxEvent failPermanently(OutboxEvent event) {
        // the largest payload an event may carry, plus key and headers, is over max.request.size (1 MiB)
        byte[] payload = new byte[OutboxEvent.MAX_PAYLOAD_BYTES];
        java.util.Arrays.fill(payload, (byte) 'x');
        return event.toBuilder().payload(payload).build();
    }

    @Override
    protected void makeBrokerUnavailable() {
        broker.stop();
    }

    @Override
    protected void makeBrokerAvailable() {
        broker.start();
    }

    /** Reads every partition of the topic from the beginning up to its end offsets at the time of the call. */
    @Override
    protected List<ReceivedMessage> received(String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ReceivedMessage> messages = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Instant deadline = Instant.now().plusSeconds(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(Instant.now()).as("reading %s up to %s", topic, end).isBefore(deadline);
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end.get(new TopicPartition(topic, record.partition()))) {
                        messages.add(toMessage(record));
                    }
                }
            }
        }
        return messages;
    }

    private static ReceivedMessage toMessage(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return ReceivedMessage.of(UUID.fromString(headers.get(OutboxHeaders.ID)), headers.get(OutboxHeaders.EVENT_TYPE),
                new String(record.key(), StandardCharsets.UTF_8), record.value(), headers);
    }
}

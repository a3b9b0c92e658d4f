package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The publisher against a real single-node KRaft broker running in this JVM. */
class KafkaOutboxEventPublisherBrokerTest {

    @RegisterExtension
    static final BrokerWithPublisher KAFKA = new BrokerWithPublisher("it.${aggregateType}");

    private static List<PublishOutcome> publish(List<OutboxEvent> events) throws Exception {
        return KAFKA.publisher().publish(events).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static OutboxEvent event(String aggregateType, String aggregateId, int sequence) {
        return OutboxEvent.builder().aggregateType(aggregateType).aggregateId(aggregateId).eventType("Step")
                .payload("{\"aggregate\":\"" + aggregateId + "\",\"seq\":" + sequence + "}")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .header("seq", Integer.toString(sequence))
                .build();
    }

    @Test
    void publishedEvents_landWithTopicKeyHeadersAndDecodeToWhatWasSent() throws Exception {
        KAFKA.broker().createTopic("it.Shipment", 6);
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(event("Shipment", "shipment-" + (i % 5), i));
        }

        assertThat(publish(events)).allMatch(PublishOutcome::isPublished);

        List<ConsumerRecord<byte[], byte[]>> records =
                TopicReader.readAtLeast(KAFKA.broker().bootstrapServers(), "it.Shipment", events.size());
        assertThat(records).hasSize(events.size());
        OutboxRecordDecoder decoder = OutboxRecordDecoder.create();
        Map<java.util.UUID, OutboxEvent> sent = new HashMap<>();
        events.forEach(e -> sent.put(e.id(), e));
        Map<String, Integer> partitionByKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            DecodedOutboxEvent decoded = decoder.decode(record);
            OutboxEvent original = sent.get(decoded.id());
            assertThat(original).as("record %s decodes to a sent event", decoded).isNotNull();
            assertThat(decoded.topic()).isEqualTo("it.Shipment");
            assertThat(decoded.aggregateId()).isEqualTo(original.aggregateId());
            assertThat(decoded.eventType()).isEqualTo("Step");
            assertThat(decoded.payloadAsString()).isEqualTo(original.payloadAsString());
            assertThat(decoded.headers()).containsAllEntriesOf(original.headers())
                    .containsEntry("id", original.id().toString());
            Integer previous = partitionByKey.putIfAbsent(decoded.aggregateId(), decoded.partition());
            assertThat(previous == null || previous == decoded.partition())
                    .as("aggregate %s stays in one partition", decoded.aggregateId()).isTrue();
        }
        assertThat(partitionByKey).hasSize(5);
        assertThat(new java.util.HashSet<>(partitionByKey.values())).as("keys spread over partitions")
                .hasSizeGreaterThan(1);
    }

    @Test
    void batchOfTenThousand_keepsPerAggregateOrder() throws Exception {
        int aggregates = 200;
        int total = 10_000;
        List<OutboxEvent> events = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            events.add(event("Ledger", "ledger-" + (i % aggregates), i / aggregates));
        }

        assertThat(publish(events)).hasSize(total).allMatch(PublishOutcome::isPublished);

        List<ConsumerRecord<byte[], byte[]>> records =
                TopicReader.readAtLeast(KAFKA.broker().bootstrapServers(), "it.Ledger", total);
        assertThat(records).hasSize(total);
        Map<String, Integer> lastSequence = new HashMap<>();
        OutboxRecordDecoder decoder = OutboxRecordDecoder.create();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            DecodedOutboxEvent decoded = decoder.decode(record);
            int sequence = Integer.parseInt(decoded.headers().get("seq"));
            int expected = lastSequence.getOrDefault(decoded.aggregateId(), -1) + 1;
            assertThat(sequence).as("next event of %s", decoded.aggregateId()).isEqualTo(expected);
            lastSequence.put(decoded.aggregateId(), sequence);
        }
        assertThat(lastSequence).hasSize(aggregates).allSatisfy((key, last) -> assertThat(last).isEqualTo(49));
    }
}

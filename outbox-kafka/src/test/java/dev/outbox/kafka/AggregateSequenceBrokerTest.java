package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.PublishOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The aggregate sequence from the store to the consumer, through a real broker: every record
 * carries it as a header, and a consumer that follows the rule written on {@link dev.outbox.core.Inbox}
 * recognises a late redelivery that dropping repeats by id alone applies out of order.
 */
class AggregateSequenceBrokerTest {

    @RegisterExtension
    static final BrokerWithPublisher KAFKA = new BrokerWithPublisher("seq.${aggregateType}");

    @Test
    void everyRecordCarriesTheStoresAggregateSequence_increasingPerAggregate() throws Exception {
        KAFKA.broker().createTopic("seq.Order", 3);
        InMemoryOutboxStore store = InMemoryOutboxStore.create();
        List<OutboxEvent> appended = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            OutboxEvent event = OutboxEvent.json("Order", "order-" + (i % 3), "Step", "{\"n\":" + i + "}");
            appended.add(event);
            store.append(event);
        }
        try (OutboxRelay relay = OutboxRelay.create(store, KAFKA.publisher(), RelayConfig.builder().claimant("seq-relay").batchSize(5).build())) {
            while (relay.runOnce() > 0) {
                // drain
            }
        }

        List<ConsumerRecord<byte[], byte[]>> records =
                TopicReader.readAtLeast(KAFKA.broker().bootstrapServers(), "seq.Order", appended.size());
        assertThat(records).hasSize(appended.size());
        OutboxRecordDecoder decoder = OutboxRecordDecoder.create();
        Map<String, List<UUID>> idsInRecordOrder = new HashMap<>();
        Map<String, Long> lastSequence = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            assertThat(record.headers().lastHeader(OutboxHeaders.SEQUENCE)).as("sequence header").isNotNull();
            DecodedOutboxEvent decoded = decoder.decode(record);
            long sequence = decoded.sequence().orElseThrow();
            assertThat(new String(record.headers().lastHeader(OutboxHeaders.SEQUENCE).value(), StandardCharsets.UTF_8))
                    .isEqualTo(Long.toString(sequence));
            Long previous = lastSequence.put(decoded.aggregateId(), sequence);
            assertThat(previous == null || previous < sequence)
                    .as("sequence %d of %s after %s", sequence, decoded.aggregateId(), previous).isTrue();
            idsInRecordOrder.computeIfAbsent(decoded.aggregateId(), k -> new ArrayList<>()).add(decoded.id());
        }
        for (String aggregate : List.of("order-0", "order-1", "order-2")) {
            assertThat(idsInRecordOrder.get(aggregate)).containsExactlyElementsOf(appended.stream()
                    .filter(e -> e.aggregateId().equals(aggregate)).map(OutboxEvent::id).toList());
        }
    }

    @Test
    void aLateRedeliveryIsRecognisedBySequence_whereDroppingRepeatsByIdAloneAppliesItOutOfOrder() throws Exception {
        KAFKA.broker().createTopic("seq.Invoice", 1);
        InMemoryOutboxStore store = InMemoryOutboxStore.create();
        for (int n = 5; n <= 7; n++) {
            store.append(OutboxEvent.json("Invoice", "invoice-1", "Step", "{\"n\":" + n + "}"));
        }
        List<OutboxEvent> stored = store.claim("relay", 10, Instant.now(), Duration.ofMinutes(1)).stream()
                .map(ClaimedEvent::event).toList();
        OutboxEvent five = stored.get(0);
        OutboxEvent six = stored.get(1);
        OutboxEvent seven = stored.get(2);
        // What a relay sends when 5 fails after 6 and 7 were acknowledged: 6, 7, then 5, 6, 7 again.
        publish(List.of(six, seven));
        publish(List.of(five, six, seven));

        List<DecodedOutboxEvent> topic = TopicReader.readAtLeast(KAFKA.broker().bootstrapServers(), "seq.Invoice", 5).stream()
                .map(OutboxRecordDecoder.create()::decode).toList();
        assertThat(topic).extracting(DecodedOutboxEvent::id)
                .containsExactly(six.id(), seven.id(), five.id(), six.id(), seven.id());

        // Dropping repeats by id keeps the first occurrences in arrival order: 5 after 7.
        Set<UUID> seen = new HashSet<>();
        List<UUID> firstOccurrences = topic.stream().map(DecodedOutboxEvent::id).filter(seen::add).toList();
        assertThat(firstOccurrences).containsExactly(six.id(), seven.id(), five.id());

        // The documented rule: drop repeats by id, and a record whose sequence is not greater than the
        // last applied for its aggregate is late.
        SequenceCheckingConsumer consumer = new SequenceCheckingConsumer();
        topic.forEach(consumer::accept);
        assertThat(consumer.applied).containsExactly(six.id(), seven.id());
        assertThat(consumer.late).containsExactly(five.id());
        assertThat(consumer.repeats).containsExactly(six.id(), seven.id());
        assertThat(five.sequence().orElseThrow()).isLessThan(six.sequence().orElseThrow());
    }

    private static void publish(List<OutboxEvent> events) throws Exception {
        assertThat(KAFKA.publisher().publish(events).toCompletableFuture().get(60, TimeUnit.SECONDS))
                .allMatch(PublishOutcome::isPublished);
    }

    /** A consumer following the rule on {@link dev.outbox.core.Inbox}, its state in memory. */
    private static final class SequenceCheckingConsumer {
        private final Set<UUID> processed = new HashSet<>();
        private final Map<String, Long> lastApplied = new HashMap<>();
        final List<UUID> applied = new ArrayList<>();
        final List<UUID> late = new ArrayList<>();
        final List<UUID> repeats = new ArrayList<>();

        void accept(DecodedOutboxEvent event) {
            if (!processed.add(event.id())) {
                repeats.add(event.id());
                return;
            }
            String aggregate = event.topic() + "/" + event.aggregateId();
            long sequence = event.sequence().orElseThrow();
            Long last = lastApplied.get(aggregate);
            if (last != null && sequence <= last) {
                late.add(event.id());
                return;
            }
            lastApplied.put(aggregate, sequence);
            applied.add(event.id());
        }
    }
}

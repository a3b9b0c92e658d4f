package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import dev.outbox.embedded.EmbeddedKafkaBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A broker outage in the middle of a batch: nothing unacknowledged is reported published, and the
 * same events, sent again after the broker is back on the same port and log dir, all arrive.
 * Short producer timeouts keep the test's wall time modest.
 */
class KafkaOutboxEventPublisherOutageTest {

    private static final AtomicInteger RUN = new AtomicInteger();
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.builder().start();
    }

    @AfterAll
    static void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static KafkaOutboxEventPublisher publisher() {
        return KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers(broker.bootstrapServers())
                .maxBlock(Duration.ofSeconds(3))
                .requestTimeout(Duration.ofSeconds(2))
                .deliveryTimeout(Duration.ofSeconds(6))
                .producerProperty("reconnect.backoff.max.ms", 500).build());
    }

    private static List<OutboxEvent> events(String aggregateType, String prefix, int count, int aggregates) {
        List<OutboxEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(OutboxEvent.builder().aggregateType(aggregateType).aggregateId(prefix + (i % aggregates))
                    .eventType("Tick").payload("{\"seq\":" + i + "}").header("seq", Integer.toString(i)).build());
        }
        return events;
    }

    /** What the relay does: sends what is not published yet, again, until everything is. */
    private static void publishUntilAllPublished(KafkaOutboxEventPublisher publisher, List<OutboxEvent> events)
            throws Exception {
        List<OutboxEvent> pending = events;
        Instant deadline = Instant.now().plusSeconds(120);
        while (!pending.isEmpty()) {
            assertThat(Instant.now()).as("all events published before the deadline").isBefore(deadline);
            List<PublishOutcome> outcomes = publisher.publish(pending).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(outcomes).noneMatch(o -> o.status() == Status.PERMANENT_FAILURE);
            List<OutboxEvent> next = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                if (!outcomes.get(i).isPublished()) {
                    next.add(pending.get(i));
                }
            }
            pending = next;
            if (!pending.isEmpty()) {
                Thread.sleep(500);
            }
        }
    }

    @Test
    void givenBrokerStoppedMidBatch_unacknowledgedEventsAreUnavailableAndDeliveredAfterRestart() throws Exception {
        String aggregateType = "Outage" + RUN.incrementAndGet();
        String topic = "outbox.event." + aggregateType;
        try (KafkaOutboxEventPublisher publisher = publisher()) {
            publishUntilAllPublished(publisher, events(aggregateType, "warm-", 10, 10));
            List<OutboxEvent> midBatch = events(aggregateType, "agg-", 10_000, 50);
            List<OutboxEvent> duringOutage = events(aggregateType, "down-", 100, 10);

            CompletableFuture<List<PublishOutcome>> inFlight = publisher.publish(midBatch).toCompletableFuture();
            broker.stop();
            List<PublishOutcome> whileDown = publisher.publish(duringOutage).toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            List<PublishOutcome> interrupted = inFlight.get(60, TimeUnit.SECONDS);

            // the broker is down: not the events' fault, so nothing that would count toward their attempts
            assertThat(whileDown).extracting(PublishOutcome::status)
                    .isSubsetOf(Status.UNAVAILABLE, Status.NOT_ATTEMPTED).contains(Status.UNAVAILABLE);
            assertThat(interrupted).extracting(PublishOutcome::status)
                    .doesNotContain(Status.PERMANENT_FAILURE, Status.RETRIABLE_FAILURE);
            Set<UUID> reportedPublished = new HashSet<>();
            List<OutboxEvent> unpublished = new ArrayList<>();
            for (int i = 0; i < midBatch.size(); i++) {
                if (interrupted.get(i).isPublished()) {
                    reportedPublished.add(midBatch.get(i).id());
                } else {
                    unpublished.add(midBatch.get(i));
                }
            }
            unpublished.addAll(duringOutage);
            System.out.printf("outage run %s: %d of %d mid-batch events acknowledged before the stop%n",
                    aggregateType, reportedPublished.size(), midBatch.size());

            broker.start();
            publishUntilAllPublished(publisher, unpublished);

            Set<UUID> expected = new HashSet<>();
            midBatch.forEach(e -> expected.add(e.id()));
            duringOutage.forEach(e -> expected.add(e.id()));
            OutboxRecordDecoder decoder = OutboxRecordDecoder.create();
            List<DecodedOutboxEvent> onTopic = new ArrayList<>();
            TopicReader.readUntil(broker.bootstrapServers(), topic, records -> {
                onTopic.clear();
                Set<UUID> seen = new HashSet<>();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    DecodedOutboxEvent decoded = decoder.decode(record);
                    onTopic.add(decoded);
                    seen.add(decoded.id());
                }
                return seen.containsAll(expected);
            });
            Set<UUID> seen = new HashSet<>();
            onTopic.forEach(e -> seen.add(e.id()));
            assertThat(seen).as("every event reported published, and every event resent, is on the topic")
                    .containsAll(reportedPublished).containsAll(expected);
            assertLastOccurrencesKeepPerAggregateOrder(onTopic);
        }
    }

    /** With duplicates allowed, the last record of each event per aggregate must follow the send order. */
    private static void assertLastOccurrencesKeepPerAggregateOrder(List<DecodedOutboxEvent> onTopic) {
        Map<String, LinkedHashMap<UUID, Integer>> lastBySeqPerAggregate = new HashMap<>();
        for (DecodedOutboxEvent event : onTopic) {
            LinkedHashMap<UUID, Integer> sequence = lastBySeqPerAggregate.computeIfAbsent(event.aggregateId(),
                    k -> new LinkedHashMap<>());
            sequence.remove(event.id());
            sequence.put(event.id(), Integer.parseInt(event.headers().get("seq")));
        }
        lastBySeqPerAggregate.forEach((aggregate, sequence) ->
                assertThat(new ArrayList<>(sequence.values())).as("order of aggregate %s", aggregate).isSorted());
    }
}

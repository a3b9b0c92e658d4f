package dev.outbox.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away in the middle of a stream of batches ({@code rabbitmqctl stop_app}, which
 * closes every connection from the server side, then {@code start_app}), while a loop publishes
 * as a relay would: unpublished events are sent again, in order, before newer ones.
 */
class RabbitMqOutageTest {

    private static final int AGGREGATES = 10;
    private static final int EVENTS = 2_000;
    private static final int NEW_PER_ROUND = 10;
    private static final int BATCH = 100;
    private static final int UP = 0;
    private static final int DOWN = 1;
    private static final int RESTARTING = 2;

    private final String exchange = "rabbit-outage." + UUID.randomUUID().toString().substring(0, 8);
    private RabbitMqOutboxEventPublisher publisher;

    @BeforeEach
    void setUp() {
        RabbitMqTestBroker.assumeControllable();
        RabbitMqTestBroker.declare(exchange, exchange);
        publisher = RabbitMqOutboxEventPublisher.create(RabbitMqPublisherConfig.builder()
                .uri(RabbitMqTestBroker.uri()).exchangeTemplate(exchange)
                .publishTimeout(Duration.ofSeconds(3)).connectionTimeout(Duration.ofSeconds(1)).build());
    }

    @AfterEach
    void tearDown() {
        if (publisher != null) {
            publisher.close();
        }
        if (!RabbitMqTestBroker.answers(Duration.ofSeconds(1))) {
            RabbitMqTestBroker.start();
        }
        RabbitMqTestBroker.delete(exchange, exchange);
    }

    @Test
    void givenTheBrokerDropsMidStream_nothingIsLost_orderIsKept_andBatchesDuringTheOutageAreUnavailable()
            throws Exception {
        List<OutboxEvent> source = events();
        TreeMap<Integer, OutboxEvent> pending = new TreeMap<>();
        Map<UUID, Integer> position = new HashMap<>();
        for (int i = 0; i < source.size(); i++) {
            position.put(source.get(i).id(), i);
        }
        AtomicInteger phase = new AtomicInteger(UP);
        Set<Status> duringOutage = EnumSet.noneOf(Status.class);
        int outageRounds = 0;
        int fed = 0;
        int round = 0;
        CompletableFuture<Void> outage = null;
        Instant deadline = Instant.now().plusSeconds(120);
        try {
            while (fed < source.size() || !pending.isEmpty()) {
                assertThat(Instant.now()).as("all events published within 120 s").isBefore(deadline);
                for (int n = 0; n < NEW_PER_ROUND && fed < source.size(); n++, fed++) {
                    pending.put(fed, source.get(fed));
                }
                if (++round == 5) {
                    outage = CompletableFuture.runAsync(() -> {
                        RabbitMqTestBroker.stop();
                        phase.set(DOWN);
                        RabbitMqTestBroker.sleep(4_000);
                        phase.set(RESTARTING);
                        RabbitMqTestBroker.start();
                        phase.set(UP);
                    });
                }
                List<OutboxEvent> batch = pending.values().stream().limit(BATCH).toList();
                boolean downAtStart = phase.get() == DOWN;
                List<PublishOutcome> outcomes = publisher.publish(batch).toCompletableFuture()
                        .get(publisher.maxPublishDuration().toMillis() + 5_000, TimeUnit.MILLISECONDS);
                boolean downThroughout = downAtStart && phase.get() == DOWN;
                assertThat(outcomes).extracting(PublishOutcome::eventId)
                        .containsExactlyElementsOf(batch.stream().map(OutboxEvent::id).toList());
                assertThat(outcomes).extracting(PublishOutcome::status).as("never the events' fault")
                        .doesNotContain(Status.RETRIABLE_FAILURE, Status.PERMANENT_FAILURE);
                if (downThroughout) {
                    outageRounds++;
                    outcomes.forEach(o -> duringOutage.add(o.status()));
                }
                for (PublishOutcome outcome : outcomes) {
                    if (outcome.isPublished()) {
                        pending.remove(position.get(outcome.eventId()));
                    }
                }
                // the relay's poll interval, or its backoff after a failed batch; new events keep coming meanwhile
                RabbitMqTestBroker.sleep(outcomes.stream().allMatch(PublishOutcome::isPublished) ? 50 : 100);
            }
            outage.get(90, TimeUnit.SECONDS);
        } finally {
            if (outage != null) {
                outage.handle((ok, error) -> null).get(90, TimeUnit.SECONDS);
            }
        }

        assertThat(outageRounds).as("batches published while the broker was down").isPositive();
        assertThat(duringOutage).as("statuses of batches while the broker was down").contains(Status.UNAVAILABLE)
                .isSubsetOf(Status.UNAVAILABLE, Status.NOT_ATTEMPTED);
        assertNothingLostAndOrderKept(source, RabbitMqTestBroker.peek(exchange));
    }

    /**
     * Per aggregate, the messages with a sequence above every earlier one (a redelivery is
     * recognisable by its sequence) must be exactly the aggregate's events in order.
     */
    private static void assertNothingLostAndOrderKept(List<OutboxEvent> source, List<GetResponse> messages) {
        Map<String, List<UUID>> expected = new LinkedHashMap<>();
        source.forEach(e -> expected.computeIfAbsent(e.aggregateId(), k -> new ArrayList<>()).add(e.id()));
        Map<String, List<UUID>> fresh = new LinkedHashMap<>();
        Map<String, Long> highest = new HashMap<>();
        for (GetResponse message : messages) {
            String key = message.getEnvelope().getRoutingKey();
            long sequence = Long.parseLong(String.valueOf(message.getProps().getHeaders().get(OutboxEvent.SEQUENCE_HEADER)));
            if (sequence > highest.getOrDefault(key, -1L)) {
                highest.put(key, sequence);
                fresh.computeIfAbsent(key, k -> new ArrayList<>()).add(UUID.fromString(message.getProps().getMessageId()));
            }
        }
        assertThat(messages.size()).as("messages held, redeliveries included").isGreaterThanOrEqualTo(source.size());
        expected.forEach((aggregate, ids) -> assertThat(fresh.get(aggregate))
                .as("aggregate %s: every event, in commit order", aggregate).containsExactlyElementsOf(ids));
    }

    private static List<OutboxEvent> events() {
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            events.add(OutboxEvent.builder().aggregateType("Order").aggregateId("order-" + (i % AGGREGATES))
                    .eventType("OrderChanged").payload("{\"n\":" + i + "}").build().withSequence(i));
        }
        return events;
    }
}

package dev.outbox.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A broker that is up but confirms nothing: a memory alarm makes RabbitMQ stop reading from
 * publishing connections, which stay open. Publish must still end within its bound, reporting
 * published only what the queue holds, and deliver everything once the alarm clears.
 */
class RabbitMqBlockedBrokerTest {

    private final String exchange = "rabbit-blocked." + UUID.randomUUID().toString().substring(0, 8);
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
        RabbitMqTestBroker.unblockPublishers();
        if (publisher != null) {
            publisher.close();
        }
        RabbitMqTestBroker.delete(exchange, exchange);
    }

    @Test
    void givenTheBrokerStopsConfirming_publishEndsWithinItsBound_publishedOnlyWhatIsHeld_andDeliversAfterTheAlarm()
            throws Exception {
        assertThat(publish(events(10))).extracting(PublishOutcome::status).containsOnly(Status.PUBLISHED);
        List<OutboxEvent> events = events(500);

        List<PublishOutcome> whileBlocked;
        Set<UUID> heldWhileBlocked;
        RabbitMqTestBroker.blockPublishers();
        try {
            whileBlocked = publish(events);
            // consumers are not blocked: what the queue holds now is what the broker took before it stopped reading
            heldWhileBlocked = RabbitMqTestBroker.peek(exchange).stream()
                    .map(m -> UUID.fromString(m.getProps().getMessageId())).collect(Collectors.toSet());
        } finally {
            RabbitMqTestBroker.unblockPublishers();
        }

        assertThat(whileBlocked).extracting(PublishOutcome::status).as("never the events' fault")
                .doesNotContain(Status.RETRIABLE_FAILURE, Status.PERMANENT_FAILURE).contains(Status.UNAVAILABLE);
        for (PublishOutcome outcome : whileBlocked) {
            if (outcome.isPublished()) {
                // the broker reads what is already on the wire before it blocks the connection: those may be confirmed
                assertThat(heldWhileBlocked).as("event %s reported PUBLISHED is in the queue", outcome.eventId())
                        .contains(outcome.eventId());
            }
        }
        List<OutboxEvent> pending = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (!whileBlocked.get(i).isPublished()) {
                pending.add(events.get(i));
            }
        }
        Instant deadline = Instant.now().plusSeconds(60);
        while (!pending.isEmpty()) {
            assertThat(Instant.now()).as("delivered within 60 s of the alarm clearing").isBefore(deadline);
            List<PublishOutcome> outcomes = publish(pending);
            List<OutboxEvent> next = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                if (!outcomes.get(i).isPublished()) {
                    next.add(pending.get(i));
                }
            }
            pending = next;
        }
        assertThat(RabbitMqTestBroker.peek(exchange)).extracting(m -> UUID.fromString(m.getProps().getMessageId()))
                .containsAll(events.stream().map(OutboxEvent::id).toList());
    }

    /** Awaits the call no longer than its declared bound plus scheduling slack. */
    private List<PublishOutcome> publish(List<OutboxEvent> events) throws Exception {
        List<PublishOutcome> outcomes = publisher.publish(events).toCompletableFuture()
                .get(publisher.maxPublishDuration().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        assertThat(outcomes).extracting(PublishOutcome::eventId)
                .containsExactlyElementsOf(events.stream().map(OutboxEvent::id).toList());
        return outcomes;
    }

    private static List<OutboxEvent> events(int count) {
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(OutboxEvent.json("Order", "order-" + (i % 7), "OrderChanged", "{\"n\":" + i + ",\"pad\":\""
                    + "x".repeat(1_000) + "\"}"));
        }
        return events;
    }
}

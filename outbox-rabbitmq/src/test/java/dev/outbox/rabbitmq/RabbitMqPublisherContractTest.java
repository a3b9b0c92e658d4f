package dev.outbox.rabbitmq;

import com.rabbitmq.client.GetResponse;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.testkit.OutboxEventPublisherContract;
import dev.outbox.testkit.ReceivedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The publisher contract against the real RabbitMQ: a destination is a durable topic exchange with
 * a durable queue of the same name bound to it with {@code #}. The template carries
 * {@code ${eventType}}, so a failure hook changes an event's type to route it elsewhere: to an
 * exchange that does not exist (retriable), or to one with no queue bound (unroutable, permanent).
 * Outages are {@code rabbitmqctl stop_app} / {@code start_app}.
 */
class RabbitMqPublisherContractTest extends OutboxEventPublisherContract {

    private final List<String> destinations = new ArrayList<>();

    @BeforeEach
    void requireBroker() {
        RabbitMqTestBroker.assumeRunning();
    }

    @AfterEach
    void deleteDestinations() {
        if (!RabbitMqTestBroker.answers(Duration.ofSeconds(1))) {
            RabbitMqTestBroker.start(); // a failed outage test must not leave the broker down
        }
        destinations.forEach(d -> RabbitMqTestBroker.delete(d, d));
    }

    @Override
    protected OutboxEventPublisher newPublisher(String destinationTemplate) {
        return RabbitMqOutboxEventPublisher.create(RabbitMqPublisherConfig.builder().uri(RabbitMqTestBroker.uri())
                .exchangeTemplate(destinationTemplate).publishTimeout(Duration.ofSeconds(5))
                .connectionTimeout(Duration.ofSeconds(2)).build());
    }

    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    protected String destinationTemplate(String prefix) {
        return prefix + "." + AGGREGATE_TYPE + "." + EVENT_TYPE;
    }

    @Override
    protected void prepareDestination(String destination) {
        destinations.add(destination);
        RabbitMqTestBroker.declare(destination, destination);
    }

    @Override
    protected List<ReceivedMessage> received(String destination) {
        List<ReceivedMessage> messages = new ArrayList<>();
        for (GetResponse response : RabbitMqTestBroker.peek(destination)) {
            Map<String, String> headers = new LinkedHashMap<>();
            Map<String, Object> raw = response.getProps().getHeaders();
            if (raw != null) {
                raw.forEach((name, value) -> headers.put(name, String.valueOf(value)));
            }
            messages.add(ReceivedMessage.of(UUID.fromString(response.getProps().getMessageId()),
                    response.getProps().getType(), response.getEnvelope().getRoutingKey(), response.getBody(), headers));
        }
        return messages;
    }

    /** Another event type: its exchange was never declared, so the publisher finds it missing. */
    @Override
    protected OutboxEvent failRetriably(OutboxEvent event) {
        return event.toBuilder().eventType("NoSuchExchange").build();
    }

    /** Another event type: its exchange exists with no queue bound, so RabbitMQ returns the message. */
    @Override
    protected OutboxEvent failPermanently(OutboxEvent event) {
        OutboxEvent unroutable = event.toBuilder().eventType("Unroutable").build();
        String exchange = destinationOf(unroutable);
        destinations.add(exchange);
        RabbitMqTestBroker.declare(exchange, null);
        return unroutable;
    }

    @Override
    protected void makeBrokerUnavailable() {
        RabbitMqTestBroker.assumeControllable();
        RabbitMqTestBroker.stop();
    }

    @Override
    protected void makeBrokerAvailable() {
        RabbitMqTestBroker.start();
    }
}

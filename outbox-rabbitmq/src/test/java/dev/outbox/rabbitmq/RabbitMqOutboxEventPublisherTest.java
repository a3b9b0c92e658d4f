package dev.outbox.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.GetResponse;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The message shape and the failure classes against the machine's RabbitMQ. */
class RabbitMqOutboxEventPublisherTest {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private final String prefix = "rabbit-test." + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> cleanup = new ArrayList<>();
    private RabbitMqOutboxEventPublisher publisher;

    @BeforeEach
    void requireBroker() {
        RabbitMqTestBroker.assumeRunning();
    }

    @AfterEach
    void tearDown() {
        if (publisher != null) {
            publisher.close();
        }
        cleanup.forEach(name -> RabbitMqTestBroker.delete(name, name));
    }

    @Test
    void publishedEvent_arrivesPersistent_withIdTypeKeyContentTypeTimestampAndHeaders() throws Exception {
        String exchange = declared(prefix + ".Order", true);
        publisher = publisher(prefix + ".${aggregateType}");
        Instant occurred = Instant.parse("2026-12-01T10:15:30.123456Z");
        OutboxEvent event = OutboxEvent.builder().aggregateType("Order").aggregateId("order-42")
                .eventType("OrderCreated").payload("{\"id\":\"order-42\"}").contentType("application/json")
                .header("traceparent", TRACEPARENT).occurredAt(occurred).build().withSequence(17);

        List<PublishOutcome> outcomes = publish(List.of(event));

        assertThat(outcomes).extracting(PublishOutcome::status).containsExactly(Status.PUBLISHED);
        List<GetResponse> messages = RabbitMqTestBroker.peek(exchange);
        assertThat(messages).hasSize(1);
        GetResponse message = messages.get(0);
        AMQP.BasicProperties props = message.getProps();
        assertThat(message.getEnvelope().getExchange()).isEqualTo(exchange);
        assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("order-42");
        assertThat(props.getDeliveryMode()).as("persistent").isEqualTo(2);
        assertThat(props.getMessageId()).isEqualTo(event.id().toString());
        assertThat(props.getType()).isEqualTo("OrderCreated");
        assertThat(props.getContentType()).isEqualTo("application/json");
        assertThat(props.getTimestamp().toInstant()).isEqualTo(occurred.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(props.getHeaders()).hasSize(2);
        assertThat(String.valueOf(props.getHeaders().get("traceparent"))).isEqualTo(TRACEPARENT);
        assertThat(String.valueOf(props.getHeaders().get(OutboxEvent.SEQUENCE_HEADER))).isEqualTo("17");
        assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"order-42\"}");
    }

    @Test
    void eventTypePlaceholder_routesEachTypeToItsExchange() throws Exception {
        String created = declared(prefix + ".Order.OrderCreated", true);
        String cancelled = declared(prefix + ".Order.OrderCancelled", true);
        publisher = publisher(prefix + ".${aggregateType}.${eventType}");

        List<PublishOutcome> outcomes = publish(List.of(event("o-1", "OrderCreated"), event("o-1", "OrderCancelled")));

        assertThat(outcomes).extracting(PublishOutcome::status).containsOnly(Status.PUBLISHED);
        assertThat(RabbitMqTestBroker.peek(created)).extracting(m -> m.getProps().getType()).containsExactly("OrderCreated");
        assertThat(RabbitMqTestBroker.peek(cancelled)).extracting(m -> m.getProps().getType())
                .containsExactly("OrderCancelled");
    }

    @Test
    void unroutableEvent_isAPermanentFailureNamingExchangeAndRoutingKey_andHoldsUpNoOne() throws Exception {
        String routed = declared(prefix + ".Order.Routed", true);
        String unroutable = declared(prefix + ".Order.Lost", false);
        publisher = publisher(prefix + ".${aggregateType}.${eventType}");

        List<PublishOutcome> outcomes = publish(List.of(event("o-1", "Routed"), event("o-1", "Lost"),
                event("o-1", "Routed"), event("o-2", "Routed")));

        assertThat(outcomes).extracting(PublishOutcome::status)
                .containsExactly(Status.PUBLISHED, Status.PERMANENT_FAILURE, Status.PUBLISHED, Status.PUBLISHED);
        assertThat(outcomes.get(1).error()).isInstanceOf(UnroutableEventException.class)
                .hasMessageContaining("exchange '" + unroutable + "'").hasMessageContaining("routing key 'o-1'")
                .hasMessageContaining("NO_ROUTE");
        assertThat(RabbitMqTestBroker.peek(routed)).hasSize(3);
    }

    @Test
    void missingExchange_isTheEventsRetriableFailure_andHoldsBackItsAggregateOnly() throws Exception {
        String routed = declared(prefix + ".Order.Routed", true);
        publisher = publisher(prefix + ".${aggregateType}.${eventType}");

        List<PublishOutcome> outcomes = publish(List.of(event("o-1", "Missing"), event("o-1", "Routed"),
                event("o-2", "Routed")));

        assertThat(outcomes).extracting(PublishOutcome::status)
                .containsExactly(Status.RETRIABLE_FAILURE, Status.NOT_ATTEMPTED, Status.PUBLISHED);
        assertThat(outcomes.get(0).error()).hasMessageContaining("exchange '" + prefix + ".Order.Missing' does not exist");
        assertThat(RabbitMqTestBroker.peek(routed)).extracting(m -> m.getEnvelope().getRoutingKey())
                .containsExactly("o-2");
    }

    @Test
    void declareExchanges_createsADurableExchangeOfTheType() throws Exception {
        String exchange = prefix + ".Order";
        cleanup.add(exchange);
        publisher = RabbitMqOutboxEventPublisher.create(RabbitMqPublisherConfig.builder().uri(RabbitMqTestBroker.uri())
                .exchangeTemplate(prefix + ".${aggregateType}").declareExchanges(BuiltinExchangeType.TOPIC).build());

        List<PublishOutcome> outcomes = publish(List.of(event("o-1", "OrderCreated")));

        // declared, but no queue is bound yet: the broker returns the message as unroutable
        assertThat(outcomes).extracting(PublishOutcome::status).containsExactly(Status.PERMANENT_FAILURE);
        RabbitMqTestBroker.declare(exchange, exchange); // passes only if the publisher declared it durable topic too
        assertThat(publish(List.of(event("o-1", "OrderCreated")))).extracting(PublishOutcome::status)
                .containsExactly(Status.PUBLISHED);
    }

    @Test
    void unreachableBroker_reportsEveryEventUnavailable_withinTheBound() throws Exception {
        publisher = RabbitMqOutboxEventPublisher.create(RabbitMqPublisherConfig.builder()
                .uri("amqp://guest:guest@127.0.0.1:1")
                .publishTimeout(Duration.ofSeconds(3)).connectionTimeout(Duration.ofSeconds(1)).build());

        List<PublishOutcome> outcomes = publisher.publish(List.of(event("o-1", "A"), event("o-1", "B")))
                .toCompletableFuture().get(publisher.maxPublishDuration().toMillis() + 5_000, TimeUnit.MILLISECONDS);

        assertThat(outcomes).extracting(PublishOutcome::status).containsOnly(Status.UNAVAILABLE);
        assertThat(outcomes.get(0).error()).hasMessageContaining("cannot connect to RabbitMQ at 127.0.0.1:1");
    }

    @Test
    void afterClose_everyEventIsUnavailable() throws Exception {
        publisher = publisher(prefix + ".${aggregateType}");
        publisher.close();

        assertThat(publish(List.of(event("o-1", "A")))).extracting(PublishOutcome::status)
                .containsExactly(Status.UNAVAILABLE);
    }

    private RabbitMqOutboxEventPublisher publisher(String template) {
        return RabbitMqOutboxEventPublisher.create(RabbitMqPublisherConfig.builder()
                .uri(RabbitMqTestBroker.uri()).exchangeTemplate(template)
                .publishTimeout(Duration.ofSeconds(5)).connectionTimeout(Duration.ofSeconds(2)).build());
    }

    private String declared(String exchange, boolean withQueue) {
        cleanup.add(exchange);
        RabbitMqTestBroker.declare(exchange, withQueue ? exchange : null);
        return exchange;
    }

    private List<PublishOutcome> publish(List<OutboxEvent> events) throws Exception {
        List<PublishOutcome> outcomes = publisher.publish(events).toCompletableFuture()
                .get(publisher.maxPublishDuration().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        assertThat(outcomes).extracting(PublishOutcome::eventId)
                .containsExactlyElementsOf(events.stream().map(OutboxEvent::id).toList());
        return outcomes;
    }

    private static OutboxEvent event(String aggregateId, String eventType) {
        return OutboxEvent.builder().aggregateType("Order").aggregateId(aggregateId).eventType(eventType)
                .payload("{}").build();
    }
}

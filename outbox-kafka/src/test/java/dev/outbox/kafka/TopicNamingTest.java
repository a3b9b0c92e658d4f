package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome.Status;
import org.junit.jupiter.api.Test;

class TopicNamingTest {

    @Test
    void debeziumDefault_prefixesOutboxEvent() {
        assertThat(TopicNaming.debezium().topicFor(TestEvents.order("o-1"))).isEqualTo("outbox.event.Order");
    }

    @Test
    void aggregateType_usesTheTypeVerbatim() {
        assertThat(TopicNaming.aggregateType().topicFor(TestEvents.order("o-1"))).isEqualTo("Order");
    }

    @Test
    void template_replacesEveryPlaceholderIncludingDebeziumsAlias() {
        assertThat(TopicNaming.template("a.${aggregateType}.b.${routedByValue}").topicFor(TestEvents.order("o-1")))
                .isEqualTo("a.Order.b.Order");
        assertThat(TopicNaming.template("all-events").topicFor(TestEvents.order("o-1"))).isEqualTo("all-events");
    }

    @Test
    void template_withIllegalCharacters_isRefusedAtConfiguration() {
        assertThatThrownBy(() -> TopicNaming.template("events/${aggregateType}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("events/");
        assertThatThrownBy(() -> TopicNaming.template(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void template_withEventType_namesATopicPerAggregateAndEventType() {
        TopicNaming naming = TopicNaming.template("${aggregateType}.${eventType}.v1");

        assertThat(naming.topicFor(TestEvents.order("o-1", "OrderCreated"))).isEqualTo("Order.OrderCreated.v1");
        assertThat(naming.topicFor(TestEvents.order("o-1", "OrderPaid"))).isEqualTo("Order.OrderPaid.v1");
        assertThat(naming.topicFor(TestEvents.order("o-2", "OrderCreated"))).as("from the cache")
                .isEqualTo("Order.OrderCreated.v1");
        assertThat(TopicNaming.template("events-${eventType}").topicFor(TestEvents.order("o-1", "OrderPaid")))
                .isEqualTo("events-OrderPaid");
    }

    @Test
    void template_withAnUnknownPlaceholder_isRefusedNamingItAndTheKnownOnes() {
        assertThatThrownBy(() -> TopicNaming.template("events.${aggregateId}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown placeholder ${aggregateId}")
                .hasMessageContaining("${aggregateType}").hasMessageContaining("${eventType}");
        assertThatThrownBy(() -> TopicNaming.template("events.${}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown placeholder ${}");
        assertThatThrownBy(() -> TopicNaming.template("events.${eventType"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without its closing '}'");
    }

    @Test
    void template_withAnEventTypeNoTopicCanHold_failsThatEventOnItsOwn() {
        OutboxRecordFactory records = new OutboxRecordFactory(TopicNaming.template("${aggregateType}.${eventType}"),
                OutboxHeaders.EVENT_TYPE, new JsonPayloadEncoder());

        OutboxEvent event = TestEvents.order("o-1", "Order Created");

        assertThatThrownBy(() -> records.toRecord(event)).hasMessageContaining("illegal Kafka topic name 'Order.Order Created'")
                .satisfies(e -> assertThat(PublishErrorClassifier.outcome(event.id(), e).status())
                        .isEqualTo(Status.RETRIABLE_FAILURE));
    }

    @Test
    void of_appliesTheFunction() {
        TopicNaming naming = TopicNaming.of(e -> e.aggregateType().toLowerCase() + "-" + e.eventType());

        assertThat(naming.topicFor(TestEvents.order("o-1", "OrderPaid"))).isEqualTo("order-OrderPaid");
    }
}

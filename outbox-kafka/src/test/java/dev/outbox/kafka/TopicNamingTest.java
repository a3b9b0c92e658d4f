package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.testing.TestEvents;
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
    void of_appliesTheFunction() {
        TopicNaming naming = TopicNaming.of(e -> e.aggregateType().toLowerCase() + "-" + e.eventType());

        assertThat(naming.topicFor(TestEvents.order("o-1", "OrderPaid"))).isEqualTo("order-OrderPaid");
    }
}

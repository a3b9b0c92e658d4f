package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import java.util.Objects;
import java.util.function.Function;

/**
 * Chooses the Kafka topic of an event.
 *
 * <p>The default, {@link #debezium()}, follows the Debezium Outbox Event Router:
 * {@code outbox.event.${aggregateType}}. Implementations must be thread-safe and fast (called
 * once per event); the publisher rejects a name Kafka would not accept as that event's own
 * failure ({@code RETRIABLE_FAILURE}).
 */
@FunctionalInterface
public interface TopicNaming {

    /** Placeholder replaced by the event's aggregate type in a {@linkplain #template template}. */
    String AGGREGATE_TYPE = "${aggregateType}";
    /** Debezium's name for the same placeholder ({@code route.topic.replacement}); accepted as an alias. */
    String ROUTED_BY_VALUE = "${routedByValue}";
    /** Placeholder replaced by the event's type (e.g. {@code OrderCreated}) in a {@linkplain #template template}. */
    String EVENT_TYPE = "${eventType}";
    /** The Debezium Outbox Event Router's default template. */
    String DEBEZIUM_TEMPLATE = "outbox.event." + AGGREGATE_TYPE;

    /**
     * Returns the topic for an event.
     *
     * @param event the event, never null
     * @return a valid Kafka topic name
     */
    String topicFor(OutboxEvent event);

    /** Returns the Debezium default: {@code outbox.event.<aggregateType>}, e.g. {@code outbox.event.Order}. */
    static TopicNaming debezium() {
        return template(DEBEZIUM_TEMPLATE);
    }

    /** Returns the aggregate type verbatim as the topic, e.g. {@code Order}. */
    static TopicNaming aggregateType() {
        return template(AGGREGATE_TYPE);
    }

    /**
     * Returns a template naming: every {@value #AGGREGATE_TYPE} (or Debezium's
     * {@value #ROUTED_BY_VALUE}) is replaced by the aggregate type and every {@value #EVENT_TYPE}
     * by the event type; a template without a placeholder sends every event to one topic.
     *
     * <p>Per-aggregate order holds within a topic: with {@value #EVENT_TYPE} an aggregate's events
     * of different types go to different topics, and a consumer reading several of them sees no
     * order between them. An event type a topic name cannot hold (a space, more than 249
     * characters in all) fails that event on its own ({@code RETRIABLE_FAILURE}, counted and
     * dead-lettered after the relay's attempts), as any illegal topic name does.
     *
     * @param template e.g. {@code "events.${aggregateType}.v1"} or {@code "${aggregateType}.${eventType}"}
     * @throws IllegalArgumentException if the template is blank, holds another placeholder (such
     *     as {@code ${aggregateId}}) or an unclosed <code>${</code>, or its literal parts hold
     *     characters a topic cannot (Kafka allows {@code [A-Za-z0-9._-]}, at most 249 characters)
     */
    static TopicNaming template(String template) {
        return new TemplateTopicNaming(template);
    }

    /**
     * Returns a naming computed by a function of the event, e.g.
     * {@code TopicNaming.of(e -> e.aggregateType().toLowerCase() + "-events")}.
     *
     * @param function called once per event from publishing threads; must be thread-safe
     */
    static TopicNaming of(Function<? super OutboxEvent, String> function) {
        Objects.requireNonNull(function, "function");
        return function::apply;
    }
}

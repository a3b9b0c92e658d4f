package dev.outbox.rabbitmq;

import dev.outbox.core.OutboxEvent;
import java.util.Objects;
import java.util.function.Function;

/**
 * Chooses the RabbitMQ exchange of an event, as {@code TopicNaming} chooses the Kafka topic.
 *
 * <p>The default, {@link #debezium()}, is {@code outbox.event.${aggregateType}}. Implementations
 * must be thread-safe and fast (called once per event); the publisher reports a name RabbitMQ
 * would not accept as the event's permanent failure.
 */
@FunctionalInterface
public interface ExchangeNaming {

    /** Placeholder replaced by the event's aggregate type in a {@linkplain #template template}. */
    String AGGREGATE_TYPE = "${aggregateType}";
    /** Placeholder replaced by the event's type in a {@linkplain #template template}. */
    String EVENT_TYPE = "${eventType}";
    /** The default template, the Kafka adapter's default topic name. */
    String DEFAULT_TEMPLATE = "outbox.event." + AGGREGATE_TYPE;

    /**
     * Returns the exchange for an event.
     *
     * @param event the event, never null
     * @return the exchange's name
     */
    String exchangeFor(OutboxEvent event);

    /** Returns the default naming: {@code outbox.event.<aggregateType>}, e.g. {@code outbox.event.Order}. */
    static ExchangeNaming debezium() {
        return template(DEFAULT_TEMPLATE);
    }

    /**
     * Returns a template naming: every {@value #AGGREGATE_TYPE} is replaced by the aggregate type and
     * every {@value #EVENT_TYPE} by the event type; a template without a placeholder sends every
     * event to one exchange.
     *
     * @param template e.g. {@code "orders"} or {@code "events.${aggregateType}.${eventType}"}
     * @throws IllegalArgumentException if the template is blank, or its literal parts hold characters
     *     an exchange name cannot ({@code [A-Za-z0-9._:-]}, at most 255 characters)
     */
    static ExchangeNaming template(String template) {
        return new TemplateExchangeNaming(template);
    }

    /**
     * Returns a naming computed by a function of the event.
     *
     * @param function called once per event from the publishing thread; must be thread-safe
     */
    static ExchangeNaming of(Function<? super OutboxEvent, String> function) {
        Objects.requireNonNull(function, "function");
        return function::apply;
    }
}

package dev.outbox.rabbitmq;

import dev.outbox.core.OutboxEvent;
import java.util.Objects;
import java.util.regex.Pattern;

/** {@link ExchangeNaming#template(String)}: replaces the placeholders and checks the literal parts once. */
final class TemplateExchangeNaming implements ExchangeNaming {

    /** The characters RabbitMQ allows in exchange names, at most 255 of them. */
    static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9._:-]{1,255}");

    private final String template;
    private final boolean hasEventType;

    TemplateExchangeNaming(String template) {
        Objects.requireNonNull(template, "exchange template must not be null");
        if (template.isBlank()) {
            throw new IllegalArgumentException("exchange template must not be blank");
        }
        String literal = template.replace(AGGREGATE_TYPE, "").replace(EVENT_TYPE, "");
        if (!literal.isEmpty() && !VALID_NAME.matcher(literal).matches()) {
            throw new IllegalArgumentException("exchange template '" + template + "' must hold only letters, digits, "
                    + "'.', '_', ':' and '-' besides the placeholders " + AGGREGATE_TYPE + " and " + EVENT_TYPE
                    + " (at most 255 characters)");
        }
        this.template = template;
        this.hasEventType = template.contains(EVENT_TYPE);
    }

    @Override
    public String exchangeFor(OutboxEvent event) {
        String name = template.replace(AGGREGATE_TYPE, event.aggregateType());
        return hasEventType ? name.replace(EVENT_TYPE, event.eventType()) : name;
    }

    @Override
    public String toString() {
        return "ExchangeNaming.template(" + template + ")";
    }
}

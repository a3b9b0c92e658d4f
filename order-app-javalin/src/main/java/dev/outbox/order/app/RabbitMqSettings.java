package dev.outbox.order.app;

import com.rabbitmq.client.BuiltinExchangeType;
import dev.outbox.rabbitmq.RabbitMqPublisherConfig;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The {@code PUBLISHER=rabbitmq} settings, read with the rest of {@link AppConfig} and validated at
 * start; an invalid value fails with a {@link ConfigException} naming the variable.
 *
 * @param uri               {@code RABBITMQ_URI}, default {@code amqp://guest:guest@127.0.0.1:5672}
 * @param exchangeTemplate  {@code RABBITMQ_EXCHANGE}, default {@code ${aggregateType}} (orders go to {@code Order});
 *                          {@code ${eventType}} may appear too
 * @param declareExchanges  {@code RABBITMQ_DECLARE_EXCHANGES}: the type the publisher declares exchanges with
 *                          (durable), default {@code topic}; {@code none} when they are provisioned beforehand
 * @param queue             {@code RABBITMQ_QUEUE}: the durable queue the service declares and binds ({@code #}) to
 *                          the Order exchange so no event is unroutable, and {@code consume} reads; default
 *                          {@code order-events}
 */
record RabbitMqSettings(String uri, String exchangeTemplate, Optional<BuiltinExchangeType> declareExchanges,
        String queue) {

    private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9._:-]{1,255}");

    /** Reads and validates the settings. */
    static RabbitMqSettings from(Function<String, Optional<String>> get) {
        String uri = get.apply("RABBITMQ_URI").orElse("amqp://guest:guest@127.0.0.1:5672");
        String template = get.apply("RABBITMQ_EXCHANGE").orElse("${aggregateType}");
        String declare = get.apply("RABBITMQ_DECLARE_EXCHANGES").orElse("topic").toLowerCase(Locale.ROOT);
        Optional<BuiltinExchangeType> type = switch (declare) {
            case "none" -> Optional.empty();
            case "topic" -> Optional.of(BuiltinExchangeType.TOPIC);
            case "direct" -> Optional.of(BuiltinExchangeType.DIRECT);
            case "fanout" -> Optional.of(BuiltinExchangeType.FANOUT);
            default -> throw new ConfigException("RABBITMQ_DECLARE_EXCHANGES must be one of topic|direct|fanout|none, "
                    + "got '" + declare + "'");
        };
        String queue = get.apply("RABBITMQ_QUEUE").orElse("order-events");
        if (!QUEUE.matcher(queue).matches() || queue.startsWith("amq.")) {
            throw new ConfigException("RABBITMQ_QUEUE must be a queue name of letters, digits, '.', '_', ':' and '-' "
                    + "(not starting with amq.), got '" + queue + "'");
        }
        RabbitMqSettings settings = new RabbitMqSettings(uri, template, type, queue);
        try {
            settings.publisherBuilder().exchangeTemplate(template);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("RABBITMQ_EXCHANGE: " + e.getMessage());
        }
        try {
            settings.publisherBuilder().build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException("RABBITMQ_URI: " + e.getMessage());
        }
        return settings;
    }

    /** Returns a publisher config builder holding these settings. */
    RabbitMqPublisherConfig.Builder publisherBuilder() {
        return RabbitMqPublisherConfig.builder().uri(uri).exchangeTemplate(exchangeTemplate)
                .declareExchanges(declareExchanges.orElse(null)).connectionName("order-service");
    }

    /** Returns the validated publisher configuration. */
    RabbitMqPublisherConfig publisherConfig() {
        return publisherBuilder().build();
    }

    /** Describes the settings without the password. */
    @Override
    public String toString() {
        return "rabbitmq " + publisherConfig().endpoint() + ", exchange " + exchangeTemplate + ", declare "
                + declareExchanges.map(BuiltinExchangeType::getType).orElse("none") + ", queue " + queue;
    }
}

package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link TopicNaming#template(String)}: replaces the placeholders, caching one topic per aggregate
 * type (and event type, when the template uses it). Placeholders other than the known ones, and a
 * <code>${</code> left open, are refused when the template is built.
 */
final class TemplateTopicNaming implements TopicNaming {

    private static final int MAX_CACHED = 10_000;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Set<String> KNOWN = Set.of(AGGREGATE_TYPE, ROUTED_BY_VALUE, EVENT_TYPE);

    private final String template;
    private final boolean usesEventType;
    private final Map<String, String> topicsByType = new ConcurrentHashMap<>();

    TemplateTopicNaming(String template) {
        this.template = validate(template);
        this.usesEventType = template.contains(EVENT_TYPE);
    }

    /**
     * Checks a topic template: not blank, only {@value #AGGREGATE_TYPE}, {@value #ROUTED_BY_VALUE}
     * and {@value #EVENT_TYPE} as placeholders, and literal parts Kafka accepts in a topic name.
     *
     * @return the template
     * @throws IllegalArgumentException saying what is wrong
     */
    static String validate(String template) {
        Objects.requireNonNull(template, "topic template must not be null");
        if (template.isBlank()) {
            throw new IllegalArgumentException("topic template must not be blank");
        }
        Matcher placeholders = PLACEHOLDER.matcher(template);
        while (placeholders.find()) {
            if (!KNOWN.contains(placeholders.group())) {
                throw new IllegalArgumentException("topic template '" + template + "' has the unknown placeholder "
                        + placeholders.group() + ": use " + AGGREGATE_TYPE + " (or Debezium's " + ROUTED_BY_VALUE
                        + ") and " + EVENT_TYPE);
            }
        }
        String literal = template.replace(AGGREGATE_TYPE, "").replace(ROUTED_BY_VALUE, "").replace(EVENT_TYPE, "");
        if (literal.contains("${")) {
            throw new IllegalArgumentException("topic template '" + template + "' has a placeholder without its "
                    + "closing '}': use " + AGGREGATE_TYPE + " or " + EVENT_TYPE);
        }
        // each placeholder gives at least one character; "." alone is no topic, but "${aggregateType}.${eventType}" is
        String shortest = template.replace(AGGREGATE_TYPE, "x").replace(ROUTED_BY_VALUE, "x").replace(EVENT_TYPE, "x");
        if (!TopicNames.isValid(shortest)) {
            throw new IllegalArgumentException("topic template '" + template + "' can give no legal Kafka topic "
                    + "name: use 1 to " + TopicNames.MAX_LENGTH + " characters of [A-Za-z0-9._-] around the "
                    + "placeholders");
        }
        return template;
    }

    @Override
    public String topicFor(OutboxEvent event) {
        // aggregate types hold no line break (OutboxEvent allows [A-Za-z0-9._-]): the key is unambiguous
        String key = usesEventType ? event.aggregateType() + '\n' + event.eventType() : event.aggregateType();
        String topic = topicsByType.get(key);
        if (topic == null) {
            topic = template.replace(AGGREGATE_TYPE, event.aggregateType())
                    .replace(ROUTED_BY_VALUE, event.aggregateType())
                    .replace(EVENT_TYPE, event.eventType());
            if (topicsByType.size() < MAX_CACHED) {
                topicsByType.put(key, topic);
            }
        }
        return topic;
    }

    @Override
    public String toString() {
        return "TopicNaming.template(" + template + ")";
    }
}

package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** {@link TopicNaming#template(String)}: replaces the placeholder, caching one topic per aggregate type. */
final class TemplateTopicNaming implements TopicNaming {

    private static final int MAX_CACHED = 10_000;

    private final String template;
    private final Map<String, String> topicsByAggregateType = new ConcurrentHashMap<>();

    TemplateTopicNaming(String template) {
        Objects.requireNonNull(template, "topic template must not be null");
        if (template.isBlank()) {
            throw new IllegalArgumentException("topic template must not be blank");
        }
        String literal = template.replace(AGGREGATE_TYPE, "").replace(ROUTED_BY_VALUE, "");
        if (!literal.isEmpty() && !TopicNames.isValid(literal)) {
            throw new IllegalArgumentException("topic template '" + template + "' has an "
                    + TopicNames.describe(literal));
        }
        this.template = template;
    }

    @Override
    public String topicFor(OutboxEvent event) {
        String aggregateType = event.aggregateType();
        String topic = topicsByAggregateType.get(aggregateType);
        if (topic == null) {
            topic = template.replace(AGGREGATE_TYPE, aggregateType).replace(ROUTED_BY_VALUE, aggregateType);
            if (topicsByAggregateType.size() < MAX_CACHED) {
                topicsByAggregateType.put(aggregateType, topic);
            }
        }
        return topic;
    }

    @Override
    public String toString() {
        return "TopicNaming.template(" + template + ")";
    }
}

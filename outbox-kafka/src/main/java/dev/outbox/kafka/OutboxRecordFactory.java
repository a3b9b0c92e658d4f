package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds the Debezium-shaped record of an event: topic from the naming, key = aggregate id as
 * UTF-8, headers {@code id}, the event type and the event's own headers (among them the
 * aggregate sequence {@value OutboxHeaders#SEQUENCE} that the store put on the event), value from
 * the payload encoder. Thread-safe.
 */
final class OutboxRecordFactory {

    private static final int MAX_CACHED_TOPICS = 10_000;

    private final TopicNaming topicNaming;
    private final String eventTypeHeader;
    private final PayloadEncoder encoder;
    private final Set<String> validTopics = ConcurrentHashMap.newKeySet();

    OutboxRecordFactory(TopicNaming topicNaming, String eventTypeHeader, PayloadEncoder encoder) {
        this.topicNaming = topicNaming;
        this.eventTypeHeader = eventTypeHeader;
        this.encoder = encoder;
    }

    /**
     * Builds the record.
     *
     * @throws RuntimeException when the topic is illegal or the payload cannot be encoded
     *     (classified by {@link PublishErrorClassifier})
     */
    ProducerRecord<byte[], byte[]> toRecord(OutboxEvent event) {
        String topic = topicNaming.topicFor(event);
        if (!validTopics.contains(topic)) {
            TopicNames.requireValid(topic);
            if (validTopics.size() < MAX_CACHED_TOPICS) {
                validTopics.add(topic);
            }
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(OutboxHeaders.ID, utf8(event.id().toString()));
        headers.add(eventTypeHeader, utf8(event.eventType()));
        // forEach walks the event's insertion-ordered map directly: no iterator, no scan of its hash table
        event.headers().forEach((name, value) -> {
            if (!name.equals(eventTypeHeader)) {
                headers.add(name, utf8(value));
            }
        });
        byte[] value = encoder.encode(topic, headers, event);
        return new ProducerRecord<>(topic, null, null, utf8(event.aggregateId()), value, headers);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

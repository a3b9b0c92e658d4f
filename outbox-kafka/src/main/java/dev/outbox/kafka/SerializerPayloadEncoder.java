package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.MediaTypes;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link PayloadFormat#serializer}: hands the payload to a Kafka {@link Serializer}, as a
 * {@code String} for text payloads and as a {@code byte[]} otherwise. Whatever the serializer
 * throws is a serialization failure (permanent) unless a cause in its chain is transient (an
 * {@code IOException} from an unreachable registry, a Kafka {@code RetriableException}, a timeout).
 */
final class SerializerPayloadEncoder implements PayloadEncoder {

    private final Serializer<Object> serializer;

    SerializerPayloadEncoder(Serializer<Object> serializer, Map<String, Object> producerProperties) {
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        serializer.configure(producerProperties, false);
    }

    @Override
    public byte[] encode(String topic, Headers headers, OutboxEvent event) {
        Object value = MediaTypes.isText(event.contentType()) ? event.payloadAsString() : event.payload();
        byte[] bytes;
        try {
            bytes = serializer.serialize(topic, headers, value);
        } catch (RuntimeException e) {
            if (PublishErrorClassifier.hasTransientCause(e)) {
                throw e;
            }
            throw new PayloadEncodingException("serializer " + serializer.getClass().getName()
                    + " failed on event " + event.id() + ": " + e, e);
        }
        if (bytes == null) {
            throw new PayloadEncodingException("serializer " + serializer.getClass().getName()
                    + " returned null for event " + event.id() + "; a null value would be a tombstone");
        }
        return bytes;
    }

    @Override
    public void close() {
        serializer.close();
    }
}

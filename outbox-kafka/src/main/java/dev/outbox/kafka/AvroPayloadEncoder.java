package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.MediaTypes;
import dev.outbox.kafka.avro.AvroPayloadCodec;
import dev.outbox.kafka.avro.ConfluentWireFormat;
import dev.outbox.kafka.avro.SchemaRegistryClient;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Headers;

/**
 * {@link PayloadFormat#avro}: a text payload as an Avro {@code string}, anything else as Avro
 * {@code bytes}, framed in the Confluent wire format with the id registered under
 * {@code <topic>-value}. The id is kept per topic once the registry gave it, so only the first
 * event of a topic calls the registry and later ones build no subject or cache key.
 */
final class AvroPayloadEncoder implements PayloadEncoder {

    private final SchemaRegistryClient registry;
    private final Map<String, Integer> stringSchemaIds = new ConcurrentHashMap<>();
    private final Map<String, Integer> bytesSchemaIds = new ConcurrentHashMap<>();

    AvroPayloadEncoder(SchemaRegistryClient registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public byte[] encode(String topic, Headers headers, OutboxEvent event) {
        if (MediaTypes.isText(event.contentType())) {
            int id = schemaId(stringSchemaIds, topic, AvroPayloadCodec.STRING_SCHEMA);
            return ConfluentWireFormat.frame(id, AvroPayloadCodec.encodeString(event.payloadAsString()));
        }
        int id = schemaId(bytesSchemaIds, topic, AvroPayloadCodec.BYTES_SCHEMA);
        return ConfluentWireFormat.frame(id, AvroPayloadCodec.encodeBytes(event.payload()));
    }

    /** Returns the id of {@code schema} under {@code <topic>-value}; a failed registration is not cached. */
    private int schemaId(Map<String, Integer> idsByTopic, String topic, String schema) {
        Integer id = idsByTopic.get(topic);
        if (id == null) {
            id = registry.register(topic + "-value", schema);
            idsByTopic.put(topic, id);
        }
        return id;
    }
}

package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import dev.outbox.kafka.avro.AvroPayloadCodec;
import dev.outbox.kafka.avro.ConfluentWireFormat;
import dev.outbox.kafka.avro.SchemaRegistryClient;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;

/**
 * {@link PayloadFormat#avro}: a text payload as an Avro {@code string}, anything else as Avro
 * {@code bytes}, framed in the Confluent wire format with the id registered under
 * {@code <topic>-value} (the registry client caches ids, so only the first event of a topic
 * calls the registry).
 */
final class AvroPayloadEncoder implements PayloadEncoder {

    private final SchemaRegistryClient registry;

    AvroPayloadEncoder(SchemaRegistryClient registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public byte[] encode(String topic, Headers headers, OutboxEvent event) {
        String subject = topic + "-value";
        if (ContentTypes.isText(event.contentType())) {
            int id = registry.register(subject, AvroPayloadCodec.STRING_SCHEMA);
            return ConfluentWireFormat.frame(id, AvroPayloadCodec.encodeString(event.payloadAsString()));
        }
        int id = registry.register(subject, AvroPayloadCodec.BYTES_SCHEMA);
        return ConfluentWireFormat.frame(id, AvroPayloadCodec.encodeBytes(event.payload()));
    }
}

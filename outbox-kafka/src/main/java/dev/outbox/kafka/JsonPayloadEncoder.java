package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import org.apache.kafka.common.header.Headers;

/** {@link PayloadFormat#json()}: the payload bytes, unchanged. */
final class JsonPayloadEncoder implements PayloadEncoder {

    @Override
    public byte[] encode(String topic, Headers headers, OutboxEvent event) {
        return event.payload();
    }
}

package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import org.apache.kafka.common.header.Headers;

/** Turns an event's payload into the record value; one instance per publisher, thread-safe. */
interface PayloadEncoder extends AutoCloseable {

    /**
     * Encodes the payload.
     *
     * @param topic the record's topic
     * @param headers the record's headers so far (an encoder may add its own)
     * @param event the event
     * @return the record value, never null
     * @throws RuntimeException classified by {@link PublishErrorClassifier}
     */
    byte[] encode(String topic, Headers headers, OutboxEvent event);

    @Override
    default void close() {
    }
}

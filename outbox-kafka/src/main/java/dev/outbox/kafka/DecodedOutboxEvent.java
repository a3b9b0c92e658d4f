package dev.outbox.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * An outbox event read back from a Kafka record by {@link OutboxRecordDecoder}.
 *
 * <p>Immutable and thread-safe; {@link #payload()} returns a copy.
 *
 * @param id the event id, from the {@code id} header; the key for consumer-side deduplication
 * @param eventType the event type, from the event-type header; {@code null} when absent (a
 *     Debezium router not configured to write it)
 * @param aggregateId the aggregate id, the record key as UTF-8; {@code null} for a record without key
 * @param topic the record's topic
 * @param partition the record's partition
 * @param offset the record's offset
 * @param headers every header as UTF-8 text, {@code id} and the event type included (the last
 *     value wins for a repeated name)
 * @param payload the payload: the value itself, or for Avro the decoded string's UTF-8 bytes
 * @param schemaId the registry schema id when the value was Avro in the Confluent wire format
 */
public record DecodedOutboxEvent(
        UUID id,
        String eventType,
        String aggregateId,
        String topic,
        int partition,
        long offset,
        Map<String, String> headers,
        byte[] payload,
        OptionalInt schemaId) {

    /** Copies the mutable parts and checks the required ones. */
    public DecodedOutboxEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(topic, "topic");
        headers = Map.copyOf(headers);
        payload = payload.clone();
        Objects.requireNonNull(schemaId, "schemaId");
    }

    /** Returns a copy of the payload bytes. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /**
     * Returns the aggregate sequence, from the {@value OutboxHeaders#SEQUENCE} header; empty when the
     * record has none (written before sequences, or by a Debezium router not configured for it).
     *
     * <p>Within one aggregate (the topic's aggregate type and the key) a larger sequence was committed
     * later. The numbers are not contiguous: compare them, never expect one more than the last. A
     * record whose sequence is not greater than the last one applied for its aggregate is a repeat or
     * a late redelivery; see {@link dev.outbox.core.Inbox} for what a consumer does with it.
     *
     * @throws NumberFormatException when the header is not a number (never for an event from
     *     {@link OutboxRecordDecoder}, which refuses such records)
     */
    public OptionalLong sequence() {
        String value = headers.get(OutboxHeaders.SEQUENCE);
        return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
    }

    /** Returns the payload decoded as UTF-8: the JSON text for JSON payloads. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecodedOutboxEvent other && id.equals(other.id) && Objects.equals(eventType, other.eventType)
                && Objects.equals(aggregateId, other.aggregateId) && topic.equals(other.topic)
                && partition == other.partition && offset == other.offset && headers.equals(other.headers)
                && java.util.Arrays.equals(payload, other.payload) && schemaId.equals(other.schemaId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, eventType, aggregateId, topic, partition, offset, headers,
                java.util.Arrays.hashCode(payload), schemaId);
    }

    /** Describes the event without its payload, which may hold personal data. */
    @Override
    public String toString() {
        return "DecodedOutboxEvent[id=" + id + ", eventType=" + eventType + ", aggregateId=" + aggregateId
                + ", topic=" + topic + ", partition=" + partition + ", offset=" + offset + ", headers="
                + headers.keySet() + ", payloadBytes=" + payload.length + ", schemaId=" + schemaId + "]";
    }
}

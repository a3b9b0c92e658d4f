package dev.outbox.testkit;

import dev.outbox.core.OutboxEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * One message as a broker durably holds it, read back by a subclass of
 * {@link OutboxEventPublisherContract} in the broker's own terms (a Kafka record, a RabbitMQ
 * message in a queue, a JetStream message).
 *
 * @param id        the event id the message carries (Kafka's {@code id} header, a message id)
 * @param eventType the event type the message carries
 * @param key       what identifies the aggregate on the broker (the Kafka key): the aggregate id
 * @param payload   the message body as sent
 * @param headers   every header of the message (the adapter's own ones, such as {@code id}, may be among them)
 * @param sequence  the aggregate sequence carried ({@value OutboxEvent#SEQUENCE_HEADER}), empty when absent
 */
public record ReceivedMessage(UUID id, String eventType, String key, byte[] payload, Map<String, String> headers,
        OptionalLong sequence) {

    /** Checks the fields and copies the headers. */
    public ReceivedMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(sequence, "sequence");
        headers = Map.copyOf(headers);
    }

    /**
     * Builds a message whose aggregate sequence is read from the header {@value OutboxEvent#SEQUENCE_HEADER}
     * (a header that is not a number is kept as absent, and the contract then reports it missing).
     */
    public static ReceivedMessage of(UUID id, String eventType, String key, byte[] payload, Map<String, String> headers) {
        String sequence = headers.get(OutboxEvent.SEQUENCE_HEADER);
        OptionalLong parsed = OptionalLong.empty();
        if (sequence != null && sequence.matches("\\d{1,19}")) {
            try {
                parsed = OptionalLong.of(Long.parseLong(sequence));
            } catch (NumberFormatException e) {
                // over Long.MAX_VALUE: left absent
            }
        }
        return new ReceivedMessage(id, eventType, key, payload, headers, parsed);
    }

    /** Returns the payload decoded as UTF-8. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** Describes the message without its payload. */
    @Override
    public String toString() {
        return "ReceivedMessage[id=" + id + ", eventType=" + eventType + ", key=" + key + ", sequence=" + sequence
                + ", headers=" + headers.keySet() + ", payloadBytes=" + payload.length + "]";
    }
}

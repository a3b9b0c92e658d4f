package dev.outbox.nats;

import dev.outbox.core.OutboxEvent;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.util.Locale;
import java.util.Map;

/**
 * The headers of a published message, and how an event becomes a message. The names follow the
 * Kafka record where they can, so consumers of both read the same names.
 *
 * <p>Per message: {@value #MSG_ID} = the event id (JetStream's duplicate window drops a message
 * whose id it has seen), {@value #ID} = the event id again (as on the Kafka record),
 * {@value #EVENT_TYPE}, {@value #AGGREGATE_TYPE} and {@value #AGGREGATE_ID} (as they are when they are
 * printable ASCII, else percent-escaped as in the subject, see {@link SubjectTemplate#escape}),
 * {@value #CONTENT_TYPE}, then the event's own headers, among them
 * {@value OutboxEvent#SEQUENCE_HEADER} and {@code traceparent}. NATS header values must be
 * printable ASCII: an event whose header the client refuses cannot be published
 * ({@code PERMANENT_FAILURE}), and so can one with an own header named {@code Nats-...}, which the
 * server would read as an instruction.
 */
public final class NatsHeaders {
    /** JetStream's message id header; set to the event id. */
    public static final String MSG_ID = "Nats-Msg-Id";
    /** The event id. */
    public static final String ID = OutboxEvent.ID_HEADER;
    /** The event type. */
    public static final String EVENT_TYPE = "eventType";
    /** The aggregate type. */
    public static final String AGGREGATE_TYPE = "aggregateType";
    /** The aggregate id (escaped only when it is not printable ASCII). */
    public static final String AGGREGATE_ID = "aggregateId";
    /** The payload's media type. */
    public static final String CONTENT_TYPE = "Content-Type";

    private NatsHeaders() {
    }

    /**
     * Builds the message of {@code event} for {@code subject}.
     *
     * @throws IllegalArgumentException when a header cannot travel (not printable ASCII, or named {@code Nats-...})
     */
    static Message message(OutboxEvent event, String subject) {
        Headers headers = new Headers();
        for (Map.Entry<String, String> header : event.headers().entrySet()) {
            if (header.getKey().toLowerCase(Locale.ROOT).startsWith("nats-")) {
                throw new IllegalArgumentException("header '" + header.getKey() + "' of event " + event.id()
                        + " is reserved: NATS reads Nats-* headers as instructions to the server");
            }
            try {
                headers.put(header.getKey(), header.getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("header '" + header.getKey() + "' of event " + event.id()
                        + " cannot travel in a NATS message (names and values must be printable ASCII): "
                        + e.getMessage(), e);
            }
        }
        String id = event.id().toString();
        headers.put(MSG_ID, id);
        headers.put(ID, id);
        headers.put(EVENT_TYPE, ascii(event.eventType()));
        headers.put(AGGREGATE_TYPE, event.aggregateType());
        headers.put(AGGREGATE_ID, ascii(event.aggregateId()));
        headers.put(CONTENT_TYPE, event.contentType());
        return NatsMessage.builder().subject(subject).headers(headers).data(event.payload()).build();
    }

    /** Returns the value itself when it is printable ASCII, else escaped as a subject token ({@link SubjectTemplate#escape}). */
    static String ascii(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return SubjectTemplate.escape(value);
            }
        }
        return value;
    }
}

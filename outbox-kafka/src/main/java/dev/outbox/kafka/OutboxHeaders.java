package dev.outbox.kafka;

/**
 * Names of the headers the publisher writes on every record.
 *
 * <p>Debezium's Outbox Event Router always writes {@code id}; it writes the event type as a
 * header only when configured with
 * {@code table.fields.additional.placement=type:header:eventType}, the example its
 * documentation gives. The publisher always writes it, under {@value #EVENT_TYPE} by default
 * (configurable), so that both relays produce the same records.
 */
public final class OutboxHeaders {

    /** Header holding the event id as a UUID string: {@value}. */
    public static final String ID = "id";
    /** Default name of the header holding the event type: {@value}. */
    public static final String EVENT_TYPE = "eventType";

    private OutboxHeaders() {
    }
}

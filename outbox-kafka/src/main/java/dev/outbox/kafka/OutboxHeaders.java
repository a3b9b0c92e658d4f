package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;

/**
 * Names of the headers the publisher writes on every record (the sequence on every record a store
 * read back).
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
    /**
     * Header holding the event's aggregate sequence as a decimal number: {@value}, the same as
     * {@link OutboxEvent#SEQUENCE_HEADER}. Within one aggregate a larger sequence
     * was committed later; the numbers are not contiguous. The publisher writes it like every event
     * header; the shipped Debezium configuration places the {@code seq} column there.
     */
    public static final String SEQUENCE = OutboxEvent.SEQUENCE_HEADER;

    private OutboxHeaders() {
    }
}

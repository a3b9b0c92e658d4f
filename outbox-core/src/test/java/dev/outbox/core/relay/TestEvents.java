package dev.outbox.core.relay;

import dev.outbox.core.OutboxEvent;

/** Small builders for test events. */
final class TestEvents {
    private static int sequence;

    private TestEvents() {
    }

    static synchronized OutboxEvent event(String aggregateId) {
        sequence++;
        return OutboxEvent.json("Order", aggregateId, "OrderUpdated", "{\"n\": " + sequence + "}");
    }
}

package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;

/** Small builders of test events. */
final class TestEvents {

    private TestEvents() {
    }

    static OutboxEvent order(String orderId, String eventType) {
        return OutboxEvent.builder().aggregateType("Order").aggregateId(orderId).eventType(eventType)
                .payload("{\"order_id\":\"" + orderId + "\",\"type\":\"" + eventType + "\"}")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .build();
    }

    static OutboxEvent order(String orderId) {
        return order(orderId, "OrderCreated");
    }
}

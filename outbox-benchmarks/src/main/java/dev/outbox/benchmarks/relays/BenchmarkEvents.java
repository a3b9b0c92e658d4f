package dev.outbox.benchmarks.relays;

import dev.outbox.core.OutboxEvent;
import java.util.concurrent.ThreadLocalRandom;

/** Builds order-like JSON events of about the configured size; 1,000 aggregates per aggregate type. */
final class BenchmarkEvents {

    private final String filler;

    BenchmarkEvents(int payloadBytes) {
        this.filler = "x".repeat(Math.max(0, payloadBytes - 190));
    }

    OutboxEvent next(String aggregateType, long sequence) {
        String orderId = "order-" + (sequence % 1_000);
        String payload = "{\"order_id\":\"" + orderId + "\",\"customer_id\":\"c-" + ThreadLocalRandom.current().nextInt(100_000)
                + "\",\"status\":\"PENDING\",\"sequence\":" + sequence
                + ",\"lines\":[{\"product_id\":\"p-1\",\"quantity\":2,\"unit_price\":\"19.99\"}],\"total\":\"39.98\","
                + "\"note\":\"" + filler + "\"}";
        return OutboxEvent.json(aggregateType, orderId, "OrderCreated", payload);
    }
}

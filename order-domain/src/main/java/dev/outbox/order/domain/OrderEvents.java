package dev.outbox.order.domain;

import dev.outbox.core.OutboxEvent;
import java.time.Instant;

/**
 * Builds the outbox events of order changes: aggregate type {@value Order#AGGREGATE_TYPE},
 * aggregate id = the order id, a snake_case JSON payload.
 *
 * <p>Payload fields: {@code order_id}, {@code customer_id}, {@code status}, {@code version},
 * {@code occurred_at} (ISO-8601); {@code OrderCreated} adds {@code lines} (each with
 * {@code line_id}, {@code product_id}, {@code quantity}, {@code unit_price}) and {@code total};
 * {@code OrderCancelled} adds {@code reason}. Money is a decimal string with two places.
 *
 * <p>Stateless and thread-safe.
 */
public final class OrderEvents {
    /** Event type of a placed order. */
    public static final String ORDER_CREATED = "OrderCreated";
    /** Event type of a confirmed order. */
    public static final String ORDER_CONFIRMED = "OrderConfirmed";
    /** Event type of a cancelled order. */
    public static final String ORDER_CANCELLED = "OrderCancelled";

    private OrderEvents() {
    }

    /** Returns the {@code OrderCreated} event of a newly placed order. */
    public static OutboxEvent created(Order order) {
        JsonWriter json = common(order);
        json.beginArray("lines");
        for (OrderLine line : order.lines()) {
            json.beginObject()
                    .field("line_id", line.id().toString())
                    .field("product_id", line.productId().toString())
                    .field("quantity", line.quantity())
                    .field("unit_price", line.unitPrice().toPlainString())
                    .endObject();
        }
        json.endArray().field("total", order.total().toPlainString()).endObject();
        return event(order, ORDER_CREATED, json);
    }

    /** Returns the {@code OrderConfirmed} event of a confirmed order. */
    public static OutboxEvent confirmed(Order order) {
        return event(order, ORDER_CONFIRMED, common(order).endObject());
    }

    /** Returns the {@code OrderCancelled} event of a cancelled order, with its reason. */
    public static OutboxEvent cancelled(Order order) {
        JsonWriter json = common(order).field("reason", order.cancellationReason().orElse("")).endObject();
        return event(order, ORDER_CANCELLED, json);
    }

    private static JsonWriter common(Order order) {
        return new JsonWriter().beginObject()
                .field("order_id", order.id().toString())
                .field("customer_id", order.customerId().toString())
                .field("status", order.status().name())
                .field("version", order.version())
                .field("occurred_at", order.updatedAt().toString());
    }

    private static OutboxEvent event(Order order, String type, JsonWriter json) {
        Instant occurredAt = order.updatedAt();
        return OutboxEvent.builder()
                .aggregateType(Order.AGGREGATE_TYPE)
                .aggregateId(order.id().toString())
                .eventType(type)
                .payload(json.toString())
                .occurredAt(occurredAt)
                .build();
    }
}

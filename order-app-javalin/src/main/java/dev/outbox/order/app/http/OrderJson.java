package dev.outbox.order.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outbox.order.domain.Order;
import dev.outbox.order.domain.OrderLine;
import dev.outbox.order.domain.OrderPage;

/** Renders orders in the API contract's shape: snake_case, UUIDs and money as strings. Thread-safe. */
final class OrderJson {
    private final ObjectMapper mapper;

    OrderJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    ObjectNode order(Order order) {
        ObjectNode node = mapper.createObjectNode();
        node.put("id", order.id().toString());
        node.put("customer_id", order.customerId().toString());
        node.put("status", order.status().name());
        node.put("created_at", order.createdAt().toString());
        node.put("updated_at", order.updatedAt().toString());
        node.put("version", order.version());
        node.put("total", order.total().toPlainString());
        order.cancellationReason().ifPresent(reason -> node.put("cancellation_reason", reason));
        ArrayNode lines = node.putArray("lines");
        for (OrderLine line : order.lines()) {
            lines.addObject()
                    .put("id", line.id().toString())
                    .put("product_id", line.productId().toString())
                    .put("quantity", line.quantity())
                    .put("unit_price", line.unitPrice().toPlainString());
        }
        return node;
    }

    ObjectNode page(OrderPage page) {
        ObjectNode node = mapper.createObjectNode();
        ArrayNode items = node.putArray("items");
        page.items().forEach(order -> items.add(order(order)));
        if (page.next().isPresent()) {
            node.put("next", page.next().get());
        } else {
            node.putNull("next");
        }
        return node;
    }

    ObjectNode created(Order order) {
        return mapper.createObjectNode().put("id", order.id().toString());
    }
}

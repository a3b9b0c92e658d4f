package dev.outbox.debezium;

import dev.outbox.core.OutboxEvent;
import java.util.ArrayList;
import java.util.List;

/** Events that exercise the record mapping: unicode, nested JSON, odd spacing, user headers, several aggregates. */
final class TestEvents {

    private TestEvents() {
    }

    /** Returns {@code count} events cycling through three aggregate types and a few payload shapes. */
    static List<OutboxEvent> mixed(int count) {
        List<OutboxEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(event(i));
        }
        return events;
    }

    private static OutboxEvent event(int i) {
        String[] aggregateTypes = {"Order", "Customer", "payment.v2"};
        String aggregateType = aggregateTypes[i % aggregateTypes.length];
        String aggregateId = switch (i % 4) {
            case 0 -> "order-" + (i % 7);
            case 1 -> "Kunde-Müller-" + (i % 5);
            case 2 -> "客户-" + (i % 3);
            default -> "c9a7e1f2-" + i;
        };
        String payload = switch (i % 5) {
            case 0 -> "{\"order_id\":\"" + i + "\",\"total\":\"39.98\",\"status\":\"PENDING\"}";
            case 1 -> "{ \"name\" : \"Zoë Ünal 😀\", \"city\":\"Łódź\" ,\"note\":\"say \\\"hi\\\" \\\\ \\u00e9\\t\"}";
            case 2 -> "{\"lines\":[{\"product_id\":\"p-1\",\"quantity\":2,\"unit_price\":\"19.99\","
                    + "\"tags\":[\"a\",{\"deep\":{\"deeper\":[1,2.50,-3e2,true,null]}}]}],\"b\":1,\"a\":0}";
            case 3 -> "[1,\"two\",{\"three\":3}]";
            default -> "{\"empty\":{},\"list\":[],\"text\":\"日本語テキスト\",\"n\":1.0}";
        };
        OutboxEvent.Builder builder = OutboxEvent.builder()
                .aggregateType(aggregateType)
                .aggregateId(aggregateId)
                .eventType(i % 2 == 0 ? "OrderCreated" : "KundeGeändert")
                .payload(payload);
        if (i % 3 == 0) {
            builder.header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                    .header("tenant", "mandant-ß");
        }
        return builder.build();
    }
}

package dev.outbox.core.testing;

import dev.outbox.core.OutboxEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small builders of valid {@link OutboxEvent}s for tests of stores, relays and publishers: plain
 * JSON events of one aggregate, events as a store hands them to a publisher (with their aggregate
 * sequence), an order event carrying a trace header, and a mixed batch that
 * exercises record mapping (unicode, nested JSON, odd spacing, user headers, several aggregate
 * types). Each returns a new event with a new id.
 *
 * <p>Thread-safe.
 */
public final class TestEvents {
    /** The {@code traceparent} header {@link #order(String, String)} carries. */
    public static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final AtomicLong STORE_SEQUENCE = new AtomicLong(1000);
    private static final String[] AGGREGATE_TYPES = {"Order", "Customer", "payment.v2"};

    private TestEvents() {
    }

    /**
     * Returns an {@code OrderUpdated} JSON event of aggregate {@code Order}/{@code aggregateId},
     * whose payload {@code {"n": k}} counts up across calls, so that no two payloads are equal.
     */
    public static OutboxEvent event(String aggregateId) {
        return OutboxEvent.json("Order", aggregateId, "OrderUpdated", "{\"n\": " + SEQUENCE.incrementAndGet() + "}");
    }

    /**
     * Returns an {@code OrderChanged} JSON event of aggregate {@code Order}/{@code aggregateId}
     * whose payload names the aggregate and {@code sequence}, for tests that check order per aggregate.
     */
    public static OutboxEvent sequenced(String aggregateId, int sequence) {
        return OutboxEvent.json("Order", aggregateId, "OrderChanged",
                "{\"aggregate\":\"" + aggregateId + "\",\"seq\":" + sequence + "}");
    }

    /**
     * Returns a {@code Changed} JSON event of {@code aggregateType}/{@code aggregateId} carrying an
     * aggregate sequence ({@link OutboxEvent#SEQUENCE_HEADER}) as a store sets it when it reads an
     * event back: for publisher tests. Sequences count up across calls from 1001.
     */
    public static OutboxEvent stored(String aggregateType, String aggregateId) {
        return OutboxEvent.json(aggregateType, aggregateId, "Changed", "{\"aggregate\":\"" + aggregateId + "\"}")
                .withSequence(STORE_SEQUENCE.incrementAndGet());
    }

    /**
     * Returns {@code perAggregate} {@link #stored} events for each of {@code aggregates} aggregates
     * {@code agg-0}, {@code agg-1}, ..., interleaved: one of each aggregate, then the next round.
     */
    public static List<OutboxEvent> interleaved(String aggregateType, int aggregates, int perAggregate) {
        List<OutboxEvent> events = new ArrayList<>(aggregates * perAggregate);
        for (int n = 0; n < perAggregate; n++) {
            for (int a = 0; a < aggregates; a++) {
                events.add(stored(aggregateType, "agg-" + a));
            }
        }
        return events;
    }

    /**
     * Returns a JSON event of aggregate {@code Order}/{@code orderId} of type {@code eventType},
     * with the {@link #TRACEPARENT} header.
     */
    public static OutboxEvent order(String orderId, String eventType) {
        return OutboxEvent.builder().aggregateType("Order").aggregateId(orderId).eventType(eventType)
                .payload("{\"order_id\":\"" + orderId + "\",\"type\":\"" + eventType + "\"}")
                .header("traceparent", TRACEPARENT)
                .build();
    }

    /** Returns {@link #order(String, String)} of type {@code OrderCreated}. */
    public static OutboxEvent order(String orderId) {
        return order(orderId, "OrderCreated");
    }

    /**
     * Returns {@code count} events cycling through three aggregate types, four kinds of aggregate
     * id (ASCII, Latin, CJK, UUID-like), five payload shapes and two event types; every third
     * event carries {@code traceparent} and {@code tenant} headers. The same {@code count} gives
     * the same contents (ids differ).
     */
    public static List<OutboxEvent> mixed(int count) {
        List<OutboxEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(mixedEvent(i));
        }
        return events;
    }

    private static OutboxEvent mixedEvent(int i) {
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
                .aggregateType(AGGREGATE_TYPES[i % AGGREGATE_TYPES.length])
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

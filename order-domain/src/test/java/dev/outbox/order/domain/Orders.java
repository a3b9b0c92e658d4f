package dev.outbox.order.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Test data builders. */
final class Orders {
    static final UUID CUSTOMER = UUID.fromString("0190a000-0000-7000-8000-000000000001");
    static final UUID PRODUCT = UUID.fromString("0190a000-0000-7000-8000-0000000000aa");
    static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456Z");

    private Orders() {
    }

    static PlaceOrderCommand.Line line(int quantity, String price) {
        return new PlaceOrderCommand.Line(PRODUCT, quantity, new BigDecimal(price));
    }

    static PlaceOrderCommand placeCommand() {
        return new PlaceOrderCommand(CUSTOMER, List.of(line(2, "19.99"), line(1, "0.02")));
    }

    static Order pending() {
        return Order.place(UUID.randomUUID(), CUSTOMER,
                List.of(new OrderLine(UUID.randomUUID(), PRODUCT, 2, new BigDecimal("19.99"))), T0);
    }
}

package dev.outbox.order.domain;

import dev.outbox.core.EventIds;
import dev.outbox.core.Outbox;
import dev.outbox.core.UnitOfWork;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Use case: place an order. Inserts the order ({@code PENDING}, version 0) and appends
 * {@code OrderCreated} in one unit of work. Order and line ids are time-ordered UUID v7.
 *
 * <p>Thread-safe.
 */
public final class PlaceOrder {
    private final UnitOfWork unitOfWork;
    private final OrderRepository orders;
    private final Outbox outbox;
    private final Clock clock;

    /** Creates the use case over its ports; {@code clock} supplies the order's times. */
    public PlaceOrder(UnitOfWork unitOfWork, OrderRepository orders, Outbox outbox, Clock clock) {
        this.unitOfWork = Objects.requireNonNull(unitOfWork, "unitOfWork");
        this.orders = Objects.requireNonNull(orders, "orders");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Places the order.
     *
     * @return the new order
     * @throws dev.outbox.core.OutboxException when storing fails (nothing is written)
     */
    public Order handle(PlaceOrderCommand command) {
        Objects.requireNonNull(command, "command");
        Instant now = clock.instant();
        List<OrderLine> lines = command.lines().stream()
                .map(l -> new OrderLine(EventIds.next(), l.productId(), l.quantity(), l.unitPrice()))
                .toList();
        Order order = Order.place(EventIds.next(), command.customerId(), lines, now);
        return unitOfWork.inTransaction(() -> {
            orders.insert(order);
            outbox.append(OrderEvents.created(order));
            return order;
        });
    }
}

package dev.outbox.order.domain;

import dev.outbox.core.UnitOfWork;
import java.util.Objects;
import java.util.UUID;

/**
 * Use case: read one order. Thread-safe.
 */
public final class GetOrder {
    private final UnitOfWork unitOfWork;
    private final OrderRepository orders;

    /** Creates the use case over its ports. */
    public GetOrder(UnitOfWork unitOfWork, OrderRepository orders) {
        this.unitOfWork = Objects.requireNonNull(unitOfWork, "unitOfWork");
        this.orders = Objects.requireNonNull(orders, "orders");
    }

    /**
     * Returns the order.
     *
     * @throws OrderNotFoundException when it does not exist
     */
    public Order handle(UUID orderId) {
        Objects.requireNonNull(orderId, "orderId");
        return unitOfWork.inTransaction(() -> orders.findById(orderId))
                .orElseThrow(() -> new OrderNotFoundException(orderId));
    }
}

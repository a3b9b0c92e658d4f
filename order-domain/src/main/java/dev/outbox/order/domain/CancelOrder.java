package dev.outbox.order.domain;

import dev.outbox.core.Outbox;
import dev.outbox.core.UnitOfWork;
import java.time.Clock;
import java.util.Objects;

/**
 * Use case: cancel a pending or confirmed order with a reason, appending {@code OrderCancelled}
 * in the same unit of work.
 *
 * <p>Thread-safe.
 */
public final class CancelOrder {
    private final OrderChange change;

    /** Creates the use case over its ports; {@code clock} supplies the update time. */
    public CancelOrder(UnitOfWork unitOfWork, OrderRepository orders, Outbox outbox, Clock clock) {
        this.change = new OrderChange(unitOfWork, orders, outbox, clock);
    }

    /**
     * Cancels the order.
     *
     * @return the cancelled order
     * @throws OrderNotFoundException when the order does not exist
     * @throws IllegalOrderTransitionException when the order is already {@code SHIPPED} or {@code CANCELLED}
     * @throws StaleOrderException when the order changed concurrently or differs from the expected version
     */
    public Order handle(CancelOrderCommand command) {
        Objects.requireNonNull(command, "command");
        return change.apply(command.orderId(), command.expectedVersion(),
                (order, now) -> order.cancel(command.reason(), now), OrderEvents::cancelled);
    }
}

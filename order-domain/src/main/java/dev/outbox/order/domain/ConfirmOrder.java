package dev.outbox.order.domain;

import dev.outbox.core.Outbox;
import dev.outbox.core.UnitOfWork;
import java.time.Clock;
import java.util.Objects;

/**
 * Use case: confirm a pending order, appending {@code OrderConfirmed} in the same unit of work.
 *
 * <p>Thread-safe.
 */
public final class ConfirmOrder {
    private final OrderChange change;

    /** Creates the use case over its ports; {@code clock} supplies the update time. */
    public ConfirmOrder(UnitOfWork unitOfWork, OrderRepository orders, Outbox outbox, Clock clock) {
        this.change = new OrderChange(unitOfWork, orders, outbox, clock);
    }

    /**
     * Confirms the order.
     *
     * @return the confirmed order
     * @throws OrderNotFoundException when the order does not exist
     * @throws IllegalOrderTransitionException unless the order is {@code PENDING}
     * @throws StaleOrderException when the order changed concurrently or differs from the expected version
     */
    public Order handle(ConfirmOrderCommand command) {
        Objects.requireNonNull(command, "command");
        return change.apply(command.orderId(), command.expectedVersion(), Order::confirm, OrderEvents::confirmed);
    }
}

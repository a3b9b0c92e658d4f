package dev.outbox.order.domain;

import java.util.UUID;

/** A status change the rules of {@link OrderStatus} refuse, such as confirming a cancelled order. */
public final class IllegalOrderTransitionException extends OrderDomainException {
    private static final long serialVersionUID = 1L;

    private final OrderStatus from;
    private final OrderStatus to;

    /** Creates the exception for the refused change of order {@code orderId}. */
    public IllegalOrderTransitionException(UUID orderId, OrderStatus from, OrderStatus to) {
        super("order " + orderId + " is " + from + " and cannot become " + to
                + (from.successors().isEmpty() ? " (" + from + " is final)" : " (allowed: " + from.successors() + ")"));
        this.from = from;
        this.to = to;
    }

    /** Returns the order's current status. */
    public OrderStatus from() {
        return from;
    }

    /** Returns the refused target status. */
    public OrderStatus to() {
        return to;
    }
}

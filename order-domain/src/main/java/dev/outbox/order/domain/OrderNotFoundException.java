package dev.outbox.order.domain;

import java.util.UUID;

/** No order has the requested id. */
public final class OrderNotFoundException extends OrderDomainException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for {@code orderId}. */
    public OrderNotFoundException(UUID orderId) {
        super("order " + orderId + " does not exist");
    }
}

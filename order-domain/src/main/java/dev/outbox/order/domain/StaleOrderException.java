package dev.outbox.order.domain;

import java.util.UUID;

/**
 * Optimistic locking refused an update: the order changed since it was read (its version
 * moved on). The caller re-reads the order and decides again.
 */
public final class StaleOrderException extends OrderDomainException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param orderId         the order
     * @param expectedVersion the version the caller based its change on
     */
    public StaleOrderException(UUID orderId, long expectedVersion) {
        super("order " + orderId + " was changed concurrently: version " + expectedVersion
                + " is no longer current; read it again and retry");
    }
}

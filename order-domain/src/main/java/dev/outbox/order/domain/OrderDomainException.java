package dev.outbox.order.domain;

/**
 * Base class of the domain's failures; the HTTP layer maps each subclass to a status code.
 * When a use case throws one, nothing was written.
 */
public abstract class OrderDomainException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message for the client. */
    protected OrderDomainException(String message) {
        super(message);
    }
}

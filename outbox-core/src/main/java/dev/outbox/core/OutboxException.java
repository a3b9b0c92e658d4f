package dev.outbox.core;

/**
 * Base class of the exceptions this library throws. Adapters wrap the checked failures of
 * their technology (SQL, Kafka, I/O) in a subclass with the cause attached.
 */
public class OutboxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message. */
    public OutboxException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the underlying cause. */
    public OutboxException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.outbox.kafka;

import dev.outbox.core.OutboxException;

/**
 * The payload could not be turned into a record value. The publisher reports it as a permanent
 * failure: the same payload would fail the same way again.
 */
public class PayloadEncodingException extends OutboxException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message naming the event and format. */
    public PayloadEncodingException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the underlying cause. */
    public PayloadEncodingException(String message, Throwable cause) {
        super(message, cause);
    }
}

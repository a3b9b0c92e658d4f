package dev.outbox.kafka;

import dev.outbox.core.OutboxException;

/** A consumed record is not a well-formed outbox record: a header is missing or the value cannot be decoded. */
public class OutboxDecodingException extends OutboxException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message naming the record. */
    public OutboxDecodingException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the underlying cause. */
    public OutboxDecodingException(String message, Throwable cause) {
        super(message, cause);
    }
}

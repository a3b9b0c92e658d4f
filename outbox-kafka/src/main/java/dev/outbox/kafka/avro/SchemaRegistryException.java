package dev.outbox.kafka.avro;

import dev.outbox.core.OutboxException;

/**
 * A schema registry call failed: the registry was unreachable, timed out, or answered with an
 * error. The publisher reports an unreachable or failing (5xx) registry as {@code UNAVAILABLE}
 * (no attempt counted: the registry may come back) and a rejected schema (4xx) as the event's
 * own {@code RETRIABLE_FAILURE} (an operator may fix the schema or compatibility rule).
 */
public class SchemaRegistryException extends OutboxException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status of the registry's answer, or {@code -1} when there was none. */
    private final int statusCode;

    /**
     * Creates an exception for an error answer.
     *
     * @param message what failed, naming the subject or id
     * @param statusCode the HTTP status, or {@code -1} when there was no answer
     * @param cause the underlying failure, may be null
     */
    public SchemaRegistryException(String message, int statusCode, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
    }

    /** Returns the HTTP status of the registry's answer, or {@code -1} when there was none. */
    public int statusCode() {
        return statusCode;
    }
}

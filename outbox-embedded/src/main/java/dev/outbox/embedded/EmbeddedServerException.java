package dev.outbox.embedded;

/**
 * Thrown when an embedded server (Kafka broker, PostgreSQL, Apicurio Registry) cannot be
 * started, stopped or configured. The message names the server and, where one applies, the
 * setting to change; the underlying cause is attached.
 */
public class EmbeddedServerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what failed and, where known, the setting that fixes it
     */
    public EmbeddedServerException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the underlying cause.
     *
     * @param message what failed and, where known, the setting that fixes it
     * @param cause the underlying failure
     */
    public EmbeddedServerException(String message, Throwable cause) {
        super(message, cause);
    }
}

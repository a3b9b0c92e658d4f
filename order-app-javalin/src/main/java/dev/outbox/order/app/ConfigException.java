package dev.outbox.order.app;

/** A configuration value is invalid; the message names the environment variable and the fix. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; {@code message} names the variable. */
    public ConfigException(String message) {
        super(message);
    }
}

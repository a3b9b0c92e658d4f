package dev.outbox.order.domain;

import java.util.Objects;

/**
 * One invalid input field: its path as the API names it ({@code customer_id},
 * {@code lines[0].quantity}) and what is wrong with it.
 *
 * @param field   the field's path, snake_case as in the API and the event payloads
 * @param message what is wrong, readable by the API's client
 */
public record FieldError(String field, String message) {
    /** Validates the fields. */
    public FieldError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    /** Creates a field error. */
    public static FieldError of(String field, String message) {
        return new FieldError(field, message);
    }
}

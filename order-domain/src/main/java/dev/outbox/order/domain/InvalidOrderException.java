package dev.outbox.order.domain;

import java.util.List;
import java.util.stream.Collectors;

/** Invalid input: lists every offending field at once, so a client fixes them all in one go. */
public final class InvalidOrderException extends OrderDomainException {
    private static final long serialVersionUID = 1L;

    /** The offending fields; a List.copyOf, so serializable and immutable. */
    private final List<FieldError> errors;

    /**
     * Creates the exception.
     *
     * @param errors the offending fields, at least one
     * @throws IllegalArgumentException when {@code errors} is empty
     */
    public InvalidOrderException(List<FieldError> errors) {
        super(describe(errors));
        this.errors = List.copyOf(errors);
    }

    /** Creates the exception for one field. */
    public InvalidOrderException(FieldError error) {
        this(List.of(error));
    }

    /** Returns the offending fields, in input order. */
    public List<FieldError> errors() {
        return errors;
    }

    /** Throws an {@code InvalidOrderException} when {@code errors} is not empty. */
    static void throwIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new InvalidOrderException(errors);
        }
    }

    private static String describe(List<FieldError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an InvalidOrderException needs at least one field error");
        }
        return "invalid input: " + errors.stream().map(e -> e.field() + " " + e.message())
                .collect(Collectors.joining("; "));
    }
}

package dev.outbox.order.app.http;

import dev.outbox.order.domain.FieldError;

/**
 * A request body refused before it is parsed: too large (413) or not JSON (415). Carries the
 * status and the one error naming what to change ({@code body} or {@code Content-Type}), so the
 * problem details name the field as every other error does.
 */
final class RefusedBodyException extends RuntimeException {
    private final int status;
    private final FieldError error;

    private RefusedBodyException(int status, String detail, FieldError error) {
        super(detail);
        this.status = status;
        this.error = error;
    }

    static RefusedBodyException tooLarge(int maxBytes) {
        return new RefusedBodyException(413, "The request body exceeds " + maxBytes + " bytes.",
                FieldError.of("body", "must be at most " + maxBytes + " bytes"));
    }

    static RefusedBodyException notJson(String contentType) {
        String message = contentType == null || contentType.isBlank()
                ? "is required with a body: send application/json"
                : "must be application/json";
        return new RefusedBodyException(415, "Send the body as application/json.", FieldError.of("Content-Type", message));
    }

    int status() {
        return status;
    }

    FieldError error() {
        return error;
    }
}

package dev.outbox.order.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Input of {@link CancelOrder}.
 *
 * @param orderId         the order; required
 * @param reason          why; required, at most {@value #MAX_REASON_LENGTH} characters, no control characters
 * @param expectedVersion when present, the version the caller saw
 */
public record CancelOrderCommand(UUID orderId, String reason, OptionalLong expectedVersion) {

    /** Longest accepted reason. */
    public static final int MAX_REASON_LENGTH = 500;

    /**
     * Validates the fields.
     *
     * @throws InvalidOrderException naming each invalid field ({@code id}, {@code reason})
     */
    public CancelOrderCommand {
        List<FieldError> errors = new ArrayList<>();
        if (orderId == null) {
            errors.add(FieldError.of("id", "is required"));
        }
        TextRules.check("reason", reason, MAX_REASON_LENGTH, errors);
        InvalidOrderException.throwIfAny(errors);
        expectedVersion = expectedVersion == null ? OptionalLong.empty() : expectedVersion;
    }

    /** Creates a command without an expected version. */
    public static CancelOrderCommand of(UUID orderId, String reason) {
        return new CancelOrderCommand(orderId, reason, OptionalLong.empty());
    }
}

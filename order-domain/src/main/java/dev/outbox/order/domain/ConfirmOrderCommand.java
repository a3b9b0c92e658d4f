package dev.outbox.order.domain;

import java.util.OptionalLong;
import java.util.UUID;

/**
 * Input of {@link ConfirmOrder}.
 *
 * @param orderId         the order; required
 * @param expectedVersion when present, the version the caller saw; a different current version
 *                        fails with {@link StaleOrderException}
 */
public record ConfirmOrderCommand(UUID orderId, OptionalLong expectedVersion) {
    /**
     * Validates the fields.
     *
     * @throws InvalidOrderException naming {@code id} when the order id is missing
     */
    public ConfirmOrderCommand {
        if (orderId == null) {
            throw new InvalidOrderException(FieldError.of("id", "is required"));
        }
        expectedVersion = expectedVersion == null ? OptionalLong.empty() : expectedVersion;
    }

    /** Creates a command without an expected version. */
    public static ConfirmOrderCommand of(UUID orderId) {
        return new ConfirmOrderCommand(orderId, OptionalLong.empty());
    }
}

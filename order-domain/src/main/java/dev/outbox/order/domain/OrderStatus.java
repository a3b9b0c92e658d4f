package dev.outbox.order.domain;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life cycle of an {@link Order}: {@code PENDING -> CONFIRMED -> SHIPPED}, and
 * {@code PENDING} or {@code CONFIRMED -> CANCELLED}. {@code SHIPPED} and {@code CANCELLED} are final.
 */
public enum OrderStatus {
    /** Placed, waiting for confirmation; the initial status. */
    PENDING,
    /** Confirmed; may still be shipped or cancelled. */
    CONFIRMED,
    /** Shipped; final. */
    SHIPPED,
    /** Cancelled with a reason; final. */
    CANCELLED;

    /** Returns whether an order in this status may move to {@code target}. */
    public boolean canBecome(OrderStatus target) {
        return successors().contains(target);
    }

    /** Returns the statuses this one may move to; empty for a final status. */
    public Set<OrderStatus> successors() {
        return switch (this) {
            case PENDING -> EnumSet.of(CONFIRMED, CANCELLED);
            case CONFIRMED -> EnumSet.of(SHIPPED, CANCELLED);
            case SHIPPED, CANCELLED -> EnumSet.noneOf(OrderStatus.class);
        };
    }

    /**
     * Parses an upper-case status name as the API spells it.
     *
     * @param field the input field name, for the error
     * @throws InvalidOrderException naming {@code field} when the name is unknown
     */
    public static OrderStatus parse(String field, String name) {
        for (OrderStatus status : values()) {
            if (status.name().equals(name)) {
                return status;
            }
        }
        throw new InvalidOrderException(FieldError.of(field,
                "must be one of PENDING, CONFIRMED, SHIPPED, CANCELLED"));
    }
}

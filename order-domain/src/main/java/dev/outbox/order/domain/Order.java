package dev.outbox.order.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The order aggregate: an immutable value. Status changes return a new {@code Order} with the
 * next version; the {@link OrderRepository} stores it only if nobody else changed the order
 * in between (optimistic locking on {@code version}).
 *
 * <p>Times are truncated to microseconds, the precision PostgreSQL stores, so an order read
 * back equals the one saved.
 *
 * @param id                 the order's id, also the outbox aggregate id
 * @param customerId         who placed it
 * @param status             where it is in its life cycle
 * @param lines              at least one line, at most {@value #MAX_LINES}
 * @param createdAt          when it was placed
 * @param updatedAt          when it last changed
 * @param version            0 when placed, plus one per change
 * @param cancellationReason why it was cancelled; present exactly when {@code CANCELLED}
 */
public record Order(UUID id, UUID customerId, OrderStatus status, List<OrderLine> lines, Instant createdAt,
                    Instant updatedAt, long version, Optional<String> cancellationReason) {

    /** Most lines in one order. */
    public static final int MAX_LINES = 100;
    /** The outbox aggregate type of orders; the app routes it to topic {@code Order}. */
    public static final String AGGREGATE_TYPE = "Order";

    /**
     * Validates the fields.
     *
     * @throws NullPointerException naming a missing field
     * @throws IllegalArgumentException when the fields contradict each other
     */
    public Order {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(status, "status");
        lines = List.copyOf(lines);
        if (lines.isEmpty() || lines.size() > MAX_LINES) {
            throw new IllegalArgumentException("an order has 1 to " + MAX_LINES + " lines, got " + lines.size());
        }
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
        updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MICROS);
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative, got " + version);
        }
        Objects.requireNonNull(cancellationReason, "cancellationReason");
        if (cancellationReason.isPresent() != (status == OrderStatus.CANCELLED)) {
            throw new IllegalArgumentException("a cancellation reason goes with status CANCELLED and only with it");
        }
    }

    /** Places a new order: status {@code PENDING}, version 0, created and updated at {@code now}. */
    public static Order place(UUID id, UUID customerId, List<OrderLine> lines, Instant now) {
        return new Order(id, customerId, OrderStatus.PENDING, lines, now, now, 0, Optional.empty());
    }

    /** Returns the sum of the line totals, with two decimal places. */
    public BigDecimal total() {
        return lines.stream().map(OrderLine::lineTotal).reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
    }

    /**
     * Confirms a pending order.
     *
     * @throws IllegalOrderTransitionException unless the order is {@code PENDING}
     */
    public Order confirm(Instant now) {
        return moveTo(OrderStatus.CONFIRMED, now, Optional.empty());
    }

    /**
     * Ships a confirmed order.
     *
     * @throws IllegalOrderTransitionException unless the order is {@code CONFIRMED}
     */
    public Order ship(Instant now) {
        return moveTo(OrderStatus.SHIPPED, now, Optional.empty());
    }

    /**
     * Cancels a pending or confirmed order.
     *
     * @param reason why; not blank
     * @throws IllegalOrderTransitionException unless the order is {@code PENDING} or {@code CONFIRMED}
     * @throws InvalidOrderException when the reason is blank
     */
    public Order cancel(String reason, Instant now) {
        if (reason == null || reason.isBlank()) {
            throw new InvalidOrderException(FieldError.of("reason", "is required"));
        }
        return moveTo(OrderStatus.CANCELLED, now, Optional.of(reason));
    }

    private Order moveTo(OrderStatus target, Instant now, Optional<String> reason) {
        if (!status.canBecome(target)) {
            throw new IllegalOrderTransitionException(id, status, target);
        }
        return new Order(id, customerId, target, lines, createdAt, now, version + 1, reason);
    }
}

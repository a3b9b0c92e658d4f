package dev.outbox.order.domain;

import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.UnitOfWork;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The shared shape of a status change: in one unit of work, load the order, check the
 * caller's expected version, apply the change, store it under optimistic locking and append
 * its event. Thread-safe.
 */
final class OrderChange {
    private final UnitOfWork unitOfWork;
    private final OrderRepository orders;
    private final Outbox outbox;
    private final Clock clock;

    OrderChange(UnitOfWork unitOfWork, OrderRepository orders, Outbox outbox, Clock clock) {
        this.unitOfWork = Objects.requireNonNull(unitOfWork, "unitOfWork");
        this.orders = Objects.requireNonNull(orders, "orders");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    Order apply(UUID orderId, OptionalLong expectedVersion, BiFunction<Order, Instant, Order> change,
                Function<Order, OutboxEvent> event) {
        return unitOfWork.inTransaction(() -> {
            Order current = orders.findById(orderId).orElseThrow(() -> new OrderNotFoundException(orderId));
            if (expectedVersion.isPresent() && expectedVersion.getAsLong() != current.version()) {
                throw new StaleOrderException(orderId, expectedVersion.getAsLong());
            }
            Order changed = change.apply(current, clock.instant());
            orders.update(changed, current.version());
            outbox.append(event.apply(changed));
            return changed;
        });
    }
}

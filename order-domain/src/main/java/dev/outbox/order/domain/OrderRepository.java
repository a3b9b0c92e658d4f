package dev.outbox.order.domain;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The outbound port that stores orders. Adapters write inside the caller's
 * {@link dev.outbox.core.UnitOfWork}, so an order and its outbox event commit together.
 *
 * <p>Implementations are thread-safe.
 */
public interface OrderRepository {

    /** Inserts a new order with its lines. */
    void insert(Order order);

    /**
     * Stores a changed order if its stored version is still {@code expectedVersion}, and sets
     * the stored version to {@code order.version()}.
     *
     * @throws StaleOrderException when the stored version is no longer {@code expectedVersion}
     * @throws OrderNotFoundException when the order does not exist
     */
    void update(Order order, long expectedVersion);

    /** Returns the order with this id, or empty. */
    Optional<Order> findById(UUID id);

    /**
     * Returns up to {@code limit} orders matching the filters with an id greater than
     * {@code afterId}, ordered by id (time-ordered UUID v7, so oldest first).
     */
    List<Order> find(Optional<UUID> customerId, Optional<OrderStatus> status, Optional<UUID> afterId, int limit);
}

package dev.outbox.order.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** An in-memory repository that refuses writes outside the unit of work and undoes them on rollback. */
final class FakeOrderRepository implements OrderRepository {
    private final FakeUnitOfWork unitOfWork;
    final Map<UUID, Order> rows = new LinkedHashMap<>();
    final Map<UUID, Integer> writtenInTransaction = new LinkedHashMap<>();
    Runnable beforeUpdate = () -> { };

    FakeOrderRepository(FakeUnitOfWork unitOfWork) {
        this.unitOfWork = unitOfWork;
    }

    @Override
    public void insert(Order order) {
        requireTransaction();
        rows.put(order.id(), order);
        writtenInTransaction.put(order.id(), unitOfWork.transactionNumber());
        unitOfWork.onRollback(() -> rows.remove(order.id()));
    }

    @Override
    public void update(Order order, long expectedVersion) {
        requireTransaction();
        beforeUpdate.run();
        Order stored = rows.get(order.id());
        if (stored == null) {
            throw new OrderNotFoundException(order.id());
        }
        if (stored.version() != expectedVersion) {
            throw new StaleOrderException(order.id(), expectedVersion);
        }
        rows.put(order.id(), order);
        writtenInTransaction.put(order.id(), unitOfWork.transactionNumber());
        unitOfWork.onRollback(() -> rows.put(order.id(), stored));
    }

    /** Simulates another writer changing the stored order behind the use case's back. */
    void bumpVersion(UUID id) {
        Order o = rows.get(id);
        rows.put(id, new Order(o.id(), o.customerId(), o.status(), o.lines(), o.createdAt(), o.updatedAt(),
                o.version() + 1, o.cancellationReason()));
    }

    @Override
    public Optional<Order> findById(UUID id) {
        return Optional.ofNullable(rows.get(id));
    }

    @Override
    public List<Order> find(Optional<UUID> customerId, Optional<OrderStatus> status, Optional<UUID> afterId,
                            int limit) {
        List<Order> result = new ArrayList<>(rows.values().stream()
                .filter(o -> customerId.map(o.customerId()::equals).orElse(true))
                .filter(o -> status.map(o.status()::equals).orElse(true))
                .filter(o -> afterId.map(a -> o.id().toString().compareTo(a.toString()) > 0).orElse(true))
                .sorted(Comparator.comparing(o -> o.id().toString()))
                .toList());
        return result.subList(0, Math.min(limit, result.size()));
    }

    private void requireTransaction() {
        if (!unitOfWork.active()) {
            throw new IllegalStateException("repository write outside a unit of work");
        }
    }
}

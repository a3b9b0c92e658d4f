package dev.outbox.order.domain;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.UnitOfWork;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.inmemory.InMemoryUnitOfWork;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * An in-memory {@link OrderRepository} (outbox-core has none: it knows no domain) whose writes
 * take part in the transactions of outbox-core's {@link InMemoryUnitOfWork}. The use cases get
 * {@link #unitOfWork()}: each transaction runs on the in-memory unit of work (events reach the
 * store on commit), this repository's writes are undone when it rolls back, and the repository
 * notes which transaction wrote each order and which events each transaction committed. Writes
 * outside that unit of work are refused. One thread.
 */
final class FakeOrderRepository implements OrderRepository {
    private final InMemoryOutboxStore store;
    private final InMemoryUnitOfWork outboxUnitOfWork;
    private final UnitOfWork unitOfWork = new Transactions();
    private Deque<Runnable> undo;
    private int transactionNumber;
    final Map<UUID, Order> rows = new LinkedHashMap<>();
    final Map<UUID, Integer> writtenInTransaction = new LinkedHashMap<>();
    final Map<Integer, List<OutboxEvent>> committedInTransaction = new LinkedHashMap<>();
    int commits;
    int rollbacks;
    Runnable beforeInsert = () -> { };
    Runnable beforeUpdate = () -> { };

    FakeOrderRepository(InMemoryUnitOfWork outboxUnitOfWork) {
        this.outboxUnitOfWork = outboxUnitOfWork;
        this.store = outboxUnitOfWork.store();
    }

    /** The unit of work for the use cases: the in-memory one, joined by this repository. */
    UnitOfWork unitOfWork() {
        return unitOfWork;
    }

    @Override
    public void insert(Order order) {
        requireTransaction();
        beforeInsert.run();
        rows.put(order.id(), order);
        writtenInTransaction.put(order.id(), transactionNumber);
        undo.push(() -> rows.remove(order.id()));
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
        writtenInTransaction.put(order.id(), transactionNumber);
        undo.push(() -> rows.put(order.id(), stored));
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
        if (undo == null || !outboxUnitOfWork.isActive()) {
            throw new IllegalStateException("repository write outside a unit of work");
        }
    }

    /** Runs the outermost call as one transaction of the in-memory unit of work; nested calls join it. */
    private final class Transactions implements UnitOfWork {
        @Override
        public <T, X extends Exception> T inTransaction(TransactionalCallback<T, X> work) throws X {
            if (undo != null) {
                return outboxUnitOfWork.inTransaction(work);
            }
            undo = new ArrayDeque<>();
            int transaction = ++transactionNumber;
            int storedBefore = store.pending().size();
            try {
                T result = outboxUnitOfWork.inTransaction(work);
                List<OutboxEvent> pending = store.pending();
                committedInTransaction.put(transaction, List.copyOf(pending.subList(storedBefore, pending.size())));
                commits++;
                return result;
            } catch (Exception | Error e) {
                undo.forEach(Runnable::run);
                rollbacks++;
                throw e;
            } finally {
                undo = null;
            }
        }
    }
}

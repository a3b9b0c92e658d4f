package dev.outbox.order.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutbox;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.inmemory.InMemoryUnitOfWork;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** The use cases over outbox-core's in-memory adapters: events reach the store only on commit. */
class InMemoryOutboxAdaptersTest {
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();
    private final InMemoryUnitOfWork unitOfWork = InMemoryUnitOfWork.create(store);
    private final InMemoryOutbox outbox = InMemoryOutbox.create(unitOfWork);

    @Test
    void committedPlaceOrderLeavesItsOrderCreatedPendingInTheStore() {
        MapRepository repository = new MapRepository(false);

        Order order = new PlaceOrder(unitOfWork, repository, outbox, Clock.systemUTC()).handle(Orders.placeCommand());

        assertThat(repository.rows).containsKey(order.id());
        assertThat(store.pending()).extracting(OutboxEvent::eventType, OutboxEvent::aggregateId)
                .containsExactly(Tuple.tuple("OrderCreated", order.id().toString()));
    }

    @Test
    void failingRepositoryLeavesNothingInTheStore() {
        assertThatThrownBy(() -> new PlaceOrder(unitOfWork, new MapRepository(true), outbox, Clock.systemUTC())
                .handle(Orders.placeCommand())).hasMessage("constraint violated");

        assertThat(store.pending()).isEmpty();
    }

    @Test
    void failureAfterTheUseCaseInAnEnclosingUnitOfWorkRollsItsEventBack() {
        PlaceOrder place = new PlaceOrder(unitOfWork, new MapRepository(false), outbox, Clock.systemUTC());

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            place.handle(Orders.placeCommand());
            throw new IllegalStateException("a later step failed");
        })).hasMessage("a later step failed");

        assertThat(store.pending()).isEmpty();
    }

    /** Stores inserted orders in a plain map; with {@code failInsert} it fails like a violated constraint. */
    private static final class MapRepository implements OrderRepository {
        final Map<UUID, Order> rows = new HashMap<>();
        private final boolean failInsert;

        MapRepository(boolean failInsert) {
            this.failInsert = failInsert;
        }

        @Override
        public void insert(Order order) {
            if (failInsert) {
                throw new IllegalStateException("constraint violated");
            }
            rows.put(order.id(), order);
        }

        @Override
        public void update(Order order, long expectedVersion) {
            throw new UnsupportedOperationException("only PlaceOrder runs here");
        }

        @Override
        public Optional<Order> findById(UUID id) {
            throw new UnsupportedOperationException("only PlaceOrder runs here");
        }

        @Override
        public List<Order> find(Optional<UUID> customerId, Optional<OrderStatus> status, Optional<UUID> afterId,
                                int limit) {
            throw new UnsupportedOperationException("only PlaceOrder runs here");
        }
    }
}

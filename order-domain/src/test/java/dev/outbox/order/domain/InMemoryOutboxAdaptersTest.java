package dev.outbox.order.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutbox;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.inmemory.InMemoryUnitOfWork;
import java.time.Clock;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** The use cases over outbox-core's in-memory adapters: events reach the store only on commit. */
class InMemoryOutboxAdaptersTest {
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();
    private final InMemoryUnitOfWork unitOfWork = InMemoryUnitOfWork.create(store);
    private final InMemoryOutbox outbox = InMemoryOutbox.create(unitOfWork);
    private final FakeOrderRepository repository = new FakeOrderRepository(unitOfWork);

    @Test
    void committedPlaceOrderLeavesItsOrderCreatedPendingInTheStore() {
        Order order = new PlaceOrder(repository.unitOfWork(), repository, outbox, Clock.systemUTC())
                .handle(Orders.placeCommand());

        assertThat(repository.rows).containsKey(order.id());
        assertThat(store.pending()).extracting(OutboxEvent::eventType, OutboxEvent::aggregateId)
                .containsExactly(Tuple.tuple("OrderCreated", order.id().toString()));
    }

    @Test
    void failingRepositoryLeavesNothingInTheStore() {
        repository.beforeInsert = () -> {
            throw new IllegalStateException("constraint violated");
        };

        assertThatThrownBy(() -> new PlaceOrder(repository.unitOfWork(), repository, outbox, Clock.systemUTC())
                .handle(Orders.placeCommand())).hasMessage("constraint violated");

        assertThat(store.pending()).isEmpty();
    }

    @Test
    void failureAfterTheUseCaseInAnEnclosingUnitOfWorkRollsItsEventBack() {
        PlaceOrder place = new PlaceOrder(repository.unitOfWork(), repository, outbox, Clock.systemUTC());

        assertThatThrownBy(() -> repository.unitOfWork().useTransaction(() -> {
            place.handle(Orders.placeCommand());
            throw new IllegalStateException("a later step failed");
        })).hasMessage("a later step failed");

        assertThat(store.pending()).isEmpty();
    }
}

package dev.outbox.order.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.UnitOfWork;
import dev.outbox.core.inmemory.InMemoryOutbox;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.inmemory.InMemoryUnitOfWork;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OrderUseCasesTest {
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();
    private final InMemoryUnitOfWork outboxUnitOfWork = InMemoryUnitOfWork.create(store);
    private final InMemoryOutbox outbox = InMemoryOutbox.create(outboxUnitOfWork);
    private final FakeOrderRepository repository = new FakeOrderRepository(outboxUnitOfWork);
    private final UnitOfWork unitOfWork = repository.unitOfWork();
    private final OrderUseCases useCases =
            OrderUseCases.create(unitOfWork, repository, outbox, Clock.fixed(Orders.T0, ZoneOffset.UTC));

    @Test
    void placingAnOrderStoresItAndAppendsOrderCreatedInTheSameUnitOfWork() {
        Order order = useCases.place().handle(Orders.placeCommand());

        assertThat(repository.rows).containsKey(order.id());
        assertThat(store.pending()).hasSize(1);
        OutboxEvent event = store.pending().get(0);
        assertThat(repository.committedInTransaction.get(repository.writtenInTransaction.get(order.id())))
                .containsExactly(event);
        assertThat(repository.commits).isEqualTo(1);

        assertThat(event.aggregateType()).isEqualTo("Order");
        assertThat(event.aggregateId()).isEqualTo(order.id().toString());
        assertThat(event.eventType()).isEqualTo("OrderCreated");
        assertThat(event.contentType()).isEqualTo(OutboxEvent.JSON);
        assertThat(event.payloadAsString()).isEqualTo("{\"order_id\":\"" + order.id() + "\",\"customer_id\":\""
                + Orders.CUSTOMER + "\",\"status\":\"PENDING\",\"version\":0,\"occurred_at\":\"2026-01-02T03:04:05.123456Z\","
                + "\"lines\":[{\"line_id\":\"" + order.lines().get(0).id() + "\",\"product_id\":\"" + Orders.PRODUCT
                + "\",\"quantity\":2,\"unit_price\":\"19.99\"},{\"line_id\":\"" + order.lines().get(1).id()
                + "\",\"product_id\":\"" + Orders.PRODUCT + "\",\"quantity\":1,\"unit_price\":\"0.02\"}],"
                + "\"total\":\"40.00\"}");
    }

    @Test
    void placedOrderIdsAreTimeOrderedUuidV7() {
        Order first = useCases.place().handle(Orders.placeCommand());
        Order second = useCases.place().handle(Orders.placeCommand());
        assertThat(first.id().version()).isEqualTo(7);
        assertThat(first.id().toString()).isLessThan(second.id().toString());
    }

    @Test
    void confirmingAppendsOrderConfirmedWithTheNewVersion() {
        Order placed = useCases.place().handle(Orders.placeCommand());

        Order confirmed = useCases.confirm().handle(ConfirmOrderCommand.of(placed.id()));

        assertThat(confirmed.status()).isEqualTo(OrderStatus.CONFIRMED);
        assertThat(repository.rows.get(placed.id())).isEqualTo(confirmed);
        assertThat(store.pending()).extracting(OutboxEvent::eventType).containsExactly("OrderCreated", "OrderConfirmed");
        assertThat(repository.committedInTransaction.get(repository.writtenInTransaction.get(placed.id())))
                .containsExactly(store.pending().get(1));
        assertThat(store.pending().get(1).payloadAsString())
                .contains("\"status\":\"CONFIRMED\"", "\"version\":1").doesNotContain("lines");
    }

    @Test
    void cancellingAppendsOrderCancelledWithTheReason() {
        Order placed = useCases.place().handle(Orders.placeCommand());

        Order cancelled = useCases.cancel().handle(CancelOrderCommand.of(placed.id(), "said \"no\""));

        assertThat(cancelled.cancellationReason()).contains("said \"no\"");
        OutboxEvent event = store.pending().get(1);
        assertThat(event.eventType()).isEqualTo("OrderCancelled");
        assertThat(event.payloadAsString()).contains("\"status\":\"CANCELLED\"", "\"reason\":\"said \\\"no\\\"\"");
    }

    @Test
    void illegalTransitionWritesNothing() {
        Order placed = useCases.place().handle(Orders.placeCommand());
        useCases.cancel().handle(CancelOrderCommand.of(placed.id(), "gone"));
        Order before = repository.rows.get(placed.id());

        assertThatThrownBy(() -> useCases.confirm().handle(ConfirmOrderCommand.of(placed.id())))
                .isInstanceOf(IllegalOrderTransitionException.class);

        assertThat(repository.rows.get(placed.id())).isEqualTo(before);
        assertThat(store.pending()).hasSize(2);
    }

    @Test
    void unknownOrderIsNotFoundAndWritesNothing() {
        UUID unknown = UUID.randomUUID();
        assertThatThrownBy(() -> useCases.confirm().handle(ConfirmOrderCommand.of(unknown)))
                .isInstanceOf(OrderNotFoundException.class).hasMessageContaining(unknown.toString());
        assertThatThrownBy(() -> useCases.get().handle(unknown)).isInstanceOf(OrderNotFoundException.class);
        assertThat(store.pending()).isEmpty();
    }

    @Test
    void staleExpectedVersionIsRefusedAndWritesNothing() {
        Order placed = useCases.place().handle(Orders.placeCommand());

        assertThatThrownBy(() -> useCases.confirm().handle(new ConfirmOrderCommand(placed.id(), OptionalLong.of(3))))
                .isInstanceOf(StaleOrderException.class);

        assertThat(repository.rows.get(placed.id()).status()).isEqualTo(OrderStatus.PENDING);
        assertThat(store.pending()).hasSize(1);
    }

    @Test
    void concurrentChangeBetweenReadAndUpdateFailsAsStaleAndWritesNothing() {
        Order placed = useCases.place().handle(Orders.placeCommand());
        repository.beforeUpdate = () -> repository.bumpVersion(placed.id());

        assertThatThrownBy(() -> useCases.cancel().handle(CancelOrderCommand.of(placed.id(), "race")))
                .isInstanceOf(StaleOrderException.class);

        assertThat(store.pending()).extracting(OutboxEvent::eventType).containsExactly("OrderCreated");
        assertThat(repository.rollbacks).isEqualTo(1);
    }

    @Test
    void failingOutboxRollsTheOrderBack() {
        Outbox failing = event -> {
            throw new dev.outbox.core.OutboxException("disk full");
        };
        PlaceOrder place = new PlaceOrder(unitOfWork, repository, failing, Clock.systemUTC());

        assertThatThrownBy(() -> place.handle(Orders.placeCommand())).hasMessage("disk full");

        assertThat(repository.rows).isEmpty();
    }

    @Test
    void outboxRefusesAppendsOutsideTheUnitOfWork() {
        assertThatThrownBy(() -> outbox.append(OrderEvents.confirmed(Orders.pending().confirm(Orders.T0))))
                .isInstanceOf(NoActiveUnitOfWorkException.class);
    }

    @Test
    void getReturnsTheStoredOrder() {
        Order placed = useCases.place().handle(Orders.placeCommand());
        assertThat(useCases.get().handle(placed.id())).isEqualTo(placed);
    }

    @Test
    void listingPagesThroughFilteredOrdersWithACursor() {
        for (int i = 0; i < 5; i++) {
            useCases.place().handle(Orders.placeCommand());
        }
        Order other = useCases.place().handle(new PlaceOrderCommand(UUID.randomUUID(), Orders.placeCommand().lines()));
        useCases.confirm().handle(ConfirmOrderCommand.of(other.id()));

        OrderPage first = useCases.list().handle(new ListOrdersQuery(Optional.of(Orders.CUSTOMER), Optional.empty(),
                3, Optional.empty()));
        OrderPage second = useCases.list().handle(new ListOrdersQuery(Optional.of(Orders.CUSTOMER), Optional.empty(),
                3, first.next()));
        OrderPage confirmed = useCases.list().handle(new ListOrdersQuery(Optional.empty(),
                Optional.of(OrderStatus.CONFIRMED), 3, Optional.empty()));

        assertThat(first.items()).hasSize(3);
        assertThat(first.next()).isPresent();
        assertThat(second.items()).hasSize(2);
        assertThat(second.next()).isEmpty();
        assertThat(second.items()).doesNotContainAnyElementsOf(first.items());
        assertThat(confirmed.items()).extracting(Order::id).containsExactly(other.id());
    }
}

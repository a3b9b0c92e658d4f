package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.order.app.jdbi.JdbiOrderRepository;
import dev.outbox.order.app.jdbi.OrderSchema;
import dev.outbox.order.domain.Order;
import dev.outbox.order.domain.OrderLine;
import dev.outbox.order.domain.OrderNotFoundException;
import dev.outbox.order.domain.OrderStatus;
import dev.outbox.order.domain.StaleOrderException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The repository on its own database of the shared embedded PostgreSQL. */
class JdbiOrderRepositoryTest {
    private static JdbiUnitOfWork unitOfWork;
    private static JdbiOrderRepository repository;

    @BeforeAll
    static void startDatabase() {
        TestService shared = TestService.get();
        shared.postgres.createDatabase("repository_test");
        Jdbi jdbi = Jdbi.create(shared.postgres.dataSource("repository_test"));
        OrderSchema.migrate(jdbi, OutboxTable.DEFAULT);
        OrderSchema.migrate(jdbi, OutboxTable.DEFAULT); // idempotent
        unitOfWork = JdbiUnitOfWork.create(jdbi);
        repository = new JdbiOrderRepository(unitOfWork);
    }

    private static Order newOrder() {
        return Order.place(UUID.randomUUID(), UUID.randomUUID(), List.of(
                new OrderLine(UUID.randomUUID(), UUID.randomUUID(), 2, new BigDecimal("19.99")),
                new OrderLine(UUID.randomUUID(), UUID.randomUUID(), 1, new BigDecimal("0.5"))),
                Instant.parse("2026-01-02T03:04:05.123456789Z"));
    }

    @Test
    void insertedOrderReadsBackEqualWithItsLinesInOrder() {
        Order order = newOrder();
        unitOfWork.useTransaction(() -> repository.insert(order));

        assertThat(unitOfWork.inTransaction(() -> repository.findById(order.id()))).contains(order);
    }

    @Test
    void updateWithTheCurrentVersionStoresTheChange() {
        Order order = newOrder();
        unitOfWork.useTransaction(() -> repository.insert(order));
        Order cancelled = order.cancel("out of stock", Instant.now());

        unitOfWork.useTransaction(() -> repository.update(cancelled, 0));

        assertThat(unitOfWork.inTransaction(() -> repository.findById(order.id()))).contains(cancelled);
    }

    @Test
    void staleVersionFailsAsStaleAndUnknownOrderAsNotFound() {
        Order order = newOrder();
        unitOfWork.useTransaction(() -> repository.insert(order));
        unitOfWork.useTransaction(() -> repository.update(order.confirm(Instant.now()), 0));

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> repository.update(order.cancel("late", Instant.now()), 0)))
                .isInstanceOf(StaleOrderException.class);
        Order unknown = newOrder().confirm(Instant.now());
        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> repository.update(unknown, 0)))
                .isInstanceOf(OrderNotFoundException.class);
        assertThat(unitOfWork.inTransaction(() -> repository.findById(order.id())).map(Order::status))
                .contains(OrderStatus.CONFIRMED);
    }

    @Test
    void findFiltersByCustomerAndStatusAndPagesById() {
        Order a = newOrder();
        Order b = Order.place(UUID.randomUUID(), a.customerId(), a.lines().stream()
                .map(l -> new OrderLine(UUID.randomUUID(), l.productId(), l.quantity(), l.unitPrice())).toList(), Instant.now());
        unitOfWork.useTransaction(() -> {
            repository.insert(a);
            repository.insert(b);
        });
        UUID first = a.id().toString().compareTo(b.id().toString()) < 0 ? a.id() : b.id();
        UUID second = first.equals(a.id()) ? b.id() : a.id();

        List<Order> page1 = unitOfWork.inTransaction(() ->
                repository.find(Optional.of(a.customerId()), Optional.of(OrderStatus.PENDING), Optional.empty(), 1));
        List<Order> page2 = unitOfWork.inTransaction(() ->
                repository.find(Optional.of(a.customerId()), Optional.empty(), Optional.of(first), 10));

        assertThat(page1).extracting(Order::id).containsExactly(first);
        assertThat(page2).extracting(Order::id).containsExactly(second);
        assertThat(unitOfWork.inTransaction(() -> repository.find(Optional.of(a.customerId()),
                Optional.of(OrderStatus.CANCELLED), Optional.empty(), 10))).isEmpty();
    }

    @Test
    void writesOutsideAUnitOfWorkAreRefused() {
        assertThatThrownBy(() -> repository.insert(newOrder())).isInstanceOf(NoActiveUnitOfWorkException.class);
    }
}

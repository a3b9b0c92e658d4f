package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.jdbc.PostgresOutboxException;
import dev.outbox.order.app.jdbi.JdbiOrderRepository;
import dev.outbox.order.app.jdbi.OrderSchema;
import dev.outbox.order.domain.ConfirmOrderCommand;
import dev.outbox.order.domain.Order;
import dev.outbox.order.domain.OrderStatus;
import dev.outbox.order.domain.OrderUseCases;
import dev.outbox.order.domain.PlaceOrderCommand;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Invariant 1 (atomic) over the adapters the service wires: the order rows and their outbox event
 * row commit together or not at all. On its own database of the shared PostgreSQL, with no relay.
 */
class OrderOutboxAtomicityTest {
    private static Jdbi jdbi;
    private static JdbiUnitOfWork unitOfWork;
    private static OrderUseCases orders;

    @BeforeAll
    static void wireUseCasesOverJdbi() {
        TestService shared = TestService.get();
        shared.postgres.createDatabase("atomicity_test");
        jdbi = Jdbi.create(shared.postgres.dataSource("atomicity_test"));
        OrderSchema.migrate(jdbi, OutboxTable.DEFAULT);
        unitOfWork = JdbiUnitOfWork.create(jdbi);
        orders = OrderUseCases.create(unitOfWork, new JdbiOrderRepository(unitOfWork), JdbiOutbox.create(unitOfWork),
                Clock.systemUTC());
    }

    private static PlaceOrderCommand twoLines() {
        return new PlaceOrderCommand(UUID.randomUUID(), List.of(
                new PlaceOrderCommand.Line(UUID.randomUUID(), 2, new BigDecimal("19.99")),
                new PlaceOrderCommand.Line(UUID.randomUUID(), 1, new BigDecimal("5"))));
    }

    @Test
    void placedOrderCommitsItsRowsAndItsEventTogether() {
        long[] before = counts();

        orders.place().handle(twoLines());

        long[] after = counts();
        assertThat(new long[] {after[0] - before[0], after[1] - before[1], after[2] - before[2]})
                .containsExactly(1, 2, 1);
    }

    @Test
    void failingEventAppendRollsTheOrderBack() {
        long[] before = counts();

        whileOrderEventsAreRefused(() -> assertThatThrownBy(() -> orders.place().handle(twoLines()))
                .isInstanceOf(PostgresOutboxException.class));

        assertThat(counts()).containsExactly(before);
    }

    @Test
    void failingEventAppendRollsTheStatusChangeBack() {
        Order placed = orders.place().handle(twoLines());

        whileOrderEventsAreRefused(() -> assertThatThrownBy(() ->
                orders.confirm().handle(ConfirmOrderCommand.of(placed.id())))
                .isInstanceOf(PostgresOutboxException.class));

        Order stored = orders.get().handle(placed.id());
        assertThat(stored.status()).isEqualTo(OrderStatus.PENDING);
        assertThat(stored.version()).isZero();
        assertThat(eventTypesOf(placed.id())).containsExactly("OrderCreated");
    }

    @Test
    void failureLaterInAnEnclosingUnitOfWorkLeavesNeitherOrderNorEvent() {
        long[] before = counts();

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            orders.place().handle(twoLines());
            throw new IllegalStateException("a later step failed");
        })).hasMessage("a later step failed");

        assertThat(counts()).containsExactly(before);
    }

    /** Runs {@code action} while a check constraint makes every append of an Order event fail in the database. */
    private static void whileOrderEventsAreRefused(Runnable action) {
        jdbi.useHandle(h -> h.execute("ALTER TABLE outbox_event ADD CONSTRAINT refuse_order_events "
                + "CHECK (aggregatetype <> 'Order') NOT VALID"));
        try {
            action.run();
        } finally {
            jdbi.useHandle(h -> h.execute("ALTER TABLE outbox_event DROP CONSTRAINT refuse_order_events"));
        }
    }

    private static List<String> eventTypesOf(UUID orderId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT type FROM outbox_event WHERE aggregateid = :id ORDER BY seq")
                .bind("id", orderId.toString()).mapTo(String.class).list());
    }

    private static long[] counts() {
        return jdbi.withHandle(h -> new long[] {
            h.createQuery("SELECT count(*) FROM orders").mapTo(Long.class).one(),
            h.createQuery("SELECT count(*) FROM order_lines").mapTo(Long.class).one(),
            h.createQuery("SELECT count(*) FROM outbox_event").mapTo(Long.class).one()});
    }
}

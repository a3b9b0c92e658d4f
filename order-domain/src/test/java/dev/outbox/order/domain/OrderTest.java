package dev.outbox.order.domain;

import static dev.outbox.order.domain.Orders.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OrderTest {
    private static final Instant T1 = T0.plusSeconds(60);

    @Test
    void placedOrderIsPendingAtVersionZeroWithTotalOfItsLines() {
        Order order = Order.place(UUID.randomUUID(), Orders.CUSTOMER, List.of(
                new OrderLine(UUID.randomUUID(), Orders.PRODUCT, 2, new BigDecimal("19.99")),
                new OrderLine(UUID.randomUUID(), Orders.PRODUCT, 3, new BigDecimal("0.5"))), T0);

        assertThat(order.status()).isEqualTo(OrderStatus.PENDING);
        assertThat(order.version()).isZero();
        assertThat(order.total()).isEqualByComparingTo("41.48");
        assertThat(order.total().toPlainString()).isEqualTo("41.48");
        assertThat(order.lines().get(1).unitPrice().toPlainString()).isEqualTo("0.50");
    }

    @Test
    void pendingOrderConfirmsThenShipsAndEachChangeBumpsTheVersion() {
        Order confirmed = Orders.pending().confirm(T1);
        Order shipped = confirmed.ship(T1.plusSeconds(1));

        assertThat(confirmed.status()).isEqualTo(OrderStatus.CONFIRMED);
        assertThat(confirmed.version()).isEqualTo(1);
        assertThat(confirmed.updatedAt()).isEqualTo(T1);
        assertThat(confirmed.createdAt()).isEqualTo(T0);
        assertThat(shipped.status()).isEqualTo(OrderStatus.SHIPPED);
        assertThat(shipped.version()).isEqualTo(2);
    }

    @Test
    void pendingAndConfirmedOrdersCancelWithTheirReason() {
        assertThat(Orders.pending().cancel("changed my mind", T1).cancellationReason()).contains("changed my mind");
        assertThat(Orders.pending().confirm(T1).cancel("out of stock", T1).status()).isEqualTo(OrderStatus.CANCELLED);
    }

    @Test
    void cancellingWithoutReasonIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Orders.pending().cancel(" ", T1))
                .isInstanceOfSatisfying(InvalidOrderException.class,
                        e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("reason"));
    }

    @Test
    void finalStatusesRefuseEveryChangeWithAClearError() {
        Order cancelled = Orders.pending().cancel("no", T1);
        Order shipped = Orders.pending().confirm(T1).ship(T1);

        assertThatThrownBy(() -> cancelled.confirm(T1)).isInstanceOf(IllegalOrderTransitionException.class)
                .hasMessageContaining("is CANCELLED and cannot become CONFIRMED").hasMessageContaining("final");
        assertThatThrownBy(() -> cancelled.cancel("again", T1)).isInstanceOf(IllegalOrderTransitionException.class);
        assertThatThrownBy(() -> shipped.cancel("late", T1)).isInstanceOf(IllegalOrderTransitionException.class);
        assertThatThrownBy(() -> shipped.confirm(T1)).isInstanceOf(IllegalOrderTransitionException.class);
    }

    @Test
    void pendingOrderCannotShipAndConfirmedCannotConfirmAgain() {
        assertThatThrownBy(() -> Orders.pending().ship(T1))
                .isInstanceOf(IllegalOrderTransitionException.class).hasMessageContaining("allowed: [CONFIRMED, CANCELLED]");
        assertThatThrownBy(() -> Orders.pending().confirm(T1).confirm(T1))
                .isInstanceOf(IllegalOrderTransitionException.class);
    }

    @ParameterizedTest
    @EnumSource(OrderStatus.class)
    void transitionTableMatchesTheDocumentedRules(OrderStatus from) {
        for (OrderStatus to : OrderStatus.values()) {
            boolean allowed = switch (from) {
                case PENDING -> to == OrderStatus.CONFIRMED || to == OrderStatus.CANCELLED;
                case CONFIRMED -> to == OrderStatus.SHIPPED || to == OrderStatus.CANCELLED;
                case SHIPPED, CANCELLED -> false;
            };
            assertThat(from.canBecome(to)).as(from + " -> " + to).isEqualTo(allowed);
        }
    }

    @Test
    void timesAreTruncatedToMicroseconds() {
        Order order = Order.place(UUID.randomUUID(), Orders.CUSTOMER, Orders.pending().lines(),
                Instant.parse("2026-01-01T00:00:00.123456789Z"));
        assertThat(order.createdAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00.123456Z"));
    }

    @Test
    void unknownStatusNameIsRefusedNamingTheField() {
        assertThat(OrderStatus.parse("status", "PENDING")).isEqualTo(OrderStatus.PENDING);
        assertThatThrownBy(() -> OrderStatus.parse("status", "pending"))
                .isInstanceOfSatisfying(InvalidOrderException.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("status"));
    }
}

package dev.outbox.order.domain;

import static dev.outbox.order.domain.Orders.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CommandValidationTest {

    private static List<String> fieldsOf(Runnable action) {
        try {
            action.run();
        } catch (InvalidOrderException e) {
            return e.errors().stream().map(FieldError::field).toList();
        }
        throw new AssertionError("expected an InvalidOrderException");
    }

    @Test
    void validPlaceCommandIsAccepted() {
        assertThatCode(Orders::placeCommand).doesNotThrowAnyException();
        assertThatCode(() -> new PlaceOrderCommand(Orders.CUSTOMER, List.of(line(1, "0"), line(1, "19.90"))))
                .doesNotThrowAnyException();
    }

    @Test
    void everyInvalidFieldIsReportedAtOnceWithItsPath() {
        List<PlaceOrderCommand.Line> lines = new ArrayList<>();
        lines.add(new PlaceOrderCommand.Line(null, 0, new BigDecimal("-1")));
        lines.add(line(1, "1.999"));
        lines.add(null);

        assertThat(fieldsOf(() -> new PlaceOrderCommand(null, lines))).containsExactly(
                "customer_id", "lines[0].product_id", "lines[0].quantity", "lines[0].unit_price",
                "lines[1].unit_price", "lines[2]");
    }

    @Test
    void emptyOrMissingLinesAreRefused() {
        assertThat(fieldsOf(() -> new PlaceOrderCommand(Orders.CUSTOMER, List.of()))).containsExactly("lines");
        assertThat(fieldsOf(() -> new PlaceOrderCommand(Orders.CUSTOMER, null))).containsExactly("lines");
        assertThat(fieldsOf(() -> new PlaceOrderCommand(Orders.CUSTOMER,
                Collections.nCopies(Order.MAX_LINES + 1, line(1, "1"))))).containsExactly("lines");
    }

    @Test
    void negativeOrHugeQuantitiesAndPricesAreRefused() {
        assertThat(fieldsOf(() -> new PlaceOrderCommand(Orders.CUSTOMER, List.of(line(-1, "1")))))
                .containsExactly("lines[0].quantity");
        assertThat(fieldsOf(() -> new PlaceOrderCommand(Orders.CUSTOMER, List.of(line(OrderLine.MAX_QUANTITY + 1, "1")))))
                .containsExactly("lines[0].quantity");
        assertThat(fieldsOf(() -> new PlaceOrderCommand(Orders.CUSTOMER, List.of(line(1, "-0.01")))))
                .containsExactly("lines[0].unit_price");
        assertThat(fieldsOf(() -> new PlaceOrderCommand(Orders.CUSTOMER, List.of(line(1, "1e20")))))
                .containsExactly("lines[0].unit_price");
        assertThat(fieldsOf(() -> new PlaceOrderCommand(Orders.CUSTOMER,
                List.of(new PlaceOrderCommand.Line(Orders.PRODUCT, 1, null))))).containsExactly("lines[0].unit_price");
    }

    @Test
    void trailingZerosBeyondTwoPlacesAreAcceptedAndNormalized() {
        OrderLine line = new OrderLine(UUID.randomUUID(), Orders.PRODUCT, 1, new BigDecimal("19.900"));
        assertThat(line.unitPrice().toPlainString()).isEqualTo("19.90");
    }

    @Test
    void cancelReasonMustBePresentShortAndFreeOfControlCharacters() {
        UUID id = UUID.randomUUID();
        assertThat(fieldsOf(() -> CancelOrderCommand.of(id, null))).containsExactly("reason");
        assertThat(fieldsOf(() -> CancelOrderCommand.of(id, "x".repeat(501)))).containsExactly("reason");
        assertThat(fieldsOf(() -> CancelOrderCommand.of(id, "nul\u0000byte"))).containsExactly("reason");
        assertThat(fieldsOf(() -> CancelOrderCommand.of(id, "lone \ud800 surrogate"))).containsExactly("reason");
        assertThat(fieldsOf(() -> CancelOrderCommand.of(null, "ok"))).containsExactly("id");
        assertThatCode(() -> CancelOrderCommand.of(id, "'; DROP TABLE orders; -- \"quoted\"\n\t😀"))
                .doesNotThrowAnyException();
    }

    @Test
    void listQueryChecksLimitAndCursor() {
        assertThat(fieldsOf(() -> new ListOrdersQuery(Optional.empty(), Optional.empty(), 0, Optional.empty())))
                .containsExactly("limit");
        assertThat(fieldsOf(() -> new ListOrdersQuery(Optional.empty(), Optional.empty(), 101, Optional.of("bogus"))))
                .containsExactly("limit", "after");
        UUID id = UUID.randomUUID();
        ListOrdersQuery query = new ListOrdersQuery(null, null, 5, Optional.of(ListOrdersQuery.cursorAfter(id)));
        assertThat(query.afterId()).contains(id);
    }

    @Test
    void invalidOrderExceptionNeedsAtLeastOneError() {
        assertThatThrownBy(() -> new InvalidOrderException(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}

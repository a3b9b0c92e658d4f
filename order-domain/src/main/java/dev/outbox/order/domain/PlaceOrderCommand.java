package dev.outbox.order.domain;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Input of {@link PlaceOrder}: who orders what. Self-validating: a command that exists is valid.
 *
 * @param customerId who orders; required
 * @param lines      1 to {@value Order#MAX_LINES} lines
 */
public record PlaceOrderCommand(UUID customerId, List<Line> lines) {

    /**
     * Validates every field and reports all offending ones together.
     *
     * @throws InvalidOrderException naming each invalid field ({@code customer_id}, {@code lines},
     *                               {@code lines[i].product_id}, {@code lines[i].quantity}, {@code lines[i].unit_price})
     */
    public PlaceOrderCommand {
        List<FieldError> errors = new ArrayList<>();
        if (customerId == null) {
            errors.add(FieldError.of("customer_id", "is required"));
        }
        if (lines == null || lines.isEmpty()) {
            errors.add(FieldError.of("lines", "must hold at least one line"));
        } else if (lines.size() > Order.MAX_LINES) {
            errors.add(FieldError.of("lines", "must hold at most " + Order.MAX_LINES + " lines"));
        } else {
            for (int i = 0; i < lines.size(); i++) {
                Line line = lines.get(i);
                if (line == null) {
                    errors.add(FieldError.of("lines[" + i + "]", "is required"));
                } else {
                    OrderLine.validate("lines[" + i + "].", line.productId(), line.quantity(), line.unitPrice(), errors);
                }
            }
        }
        InvalidOrderException.throwIfAny(errors);
        lines = List.copyOf(lines);
    }

    /**
     * One requested line; checked by the enclosing command.
     *
     * @param productId the product
     * @param quantity  how many, 1 to {@value OrderLine#MAX_QUANTITY}
     * @param unitPrice price of one unit, at least 0, at most two decimal places
     */
    public record Line(UUID productId, int quantity, BigDecimal unitPrice) {
    }
}

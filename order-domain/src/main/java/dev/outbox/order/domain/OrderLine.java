package dev.outbox.order.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One line of an {@link Order}: a product, a quantity and a unit price. Immutable.
 *
 * <p>Rules: {@code quantity} from 1 to {@value #MAX_QUANTITY}; {@code unitPrice} from 0 to
 * {@link #MAX_UNIT_PRICE} with at most two decimal places (stored with exactly two, so
 * {@code 19.9} becomes {@code 19.90}).
 *
 * @param id        the line's id
 * @param productId the product
 * @param quantity  how many, at least 1
 * @param unitPrice price of one unit, a decimal with at most two places
 */
public record OrderLine(UUID id, UUID productId, int quantity, BigDecimal unitPrice) {

    /** Largest accepted quantity of one line. */
    public static final int MAX_QUANTITY = 1_000_000;
    /** Largest accepted unit price (fits the database's {@code numeric(12,2)}). */
    public static final BigDecimal MAX_UNIT_PRICE = new BigDecimal("9999999999.99");

    /**
     * Validates the line and normalizes the price to two decimal places.
     *
     * @throws InvalidOrderException naming each invalid field
     */
    public OrderLine {
        Objects.requireNonNull(id, "id");
        List<FieldError> errors = new ArrayList<>();
        validate("", productId, quantity, unitPrice, errors);
        InvalidOrderException.throwIfAny(errors);
        unitPrice = unitPrice.setScale(2, RoundingMode.UNNECESSARY);
    }

    /** Returns {@code quantity * unitPrice}, with two decimal places. */
    public BigDecimal lineTotal() {
        return unitPrice.multiply(BigDecimal.valueOf(quantity));
    }

    /**
     * Checks a line's fields and adds an error per offending field to {@code errors}.
     *
     * @param prefix the path before the field names, e.g. {@code lines[2].}
     */
    static void validate(String prefix, UUID productId, int quantity, BigDecimal unitPrice, List<FieldError> errors) {
        if (productId == null) {
            errors.add(FieldError.of(prefix + "product_id", "is required"));
        }
        if (quantity < 1 || quantity > MAX_QUANTITY) {
            errors.add(FieldError.of(prefix + "quantity", "must be between 1 and " + MAX_QUANTITY));
        }
        if (unitPrice == null) {
            errors.add(FieldError.of(prefix + "unit_price", "is required"));
        } else if (unitPrice.signum() < 0) {
            errors.add(FieldError.of(prefix + "unit_price", "must not be negative"));
        } else if (unitPrice.stripTrailingZeros().scale() > 2) {
            errors.add(FieldError.of(prefix + "unit_price", "must have at most 2 decimal places"));
        } else if (unitPrice.compareTo(MAX_UNIT_PRICE) > 0) {
            errors.add(FieldError.of(prefix + "unit_price", "must be at most " + MAX_UNIT_PRICE));
        }
    }
}

package dev.outbox.order.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a listing.
 *
 * @param items the orders, oldest first
 * @param next  the cursor of the following page; empty on the last page
 */
public record OrderPage(List<Order> items, Optional<String> next) {
    /** Validates and copies the fields. */
    public OrderPage {
        items = List.copyOf(items);
        Objects.requireNonNull(next, "next");
    }
}

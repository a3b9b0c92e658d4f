package dev.outbox.order.domain;

import dev.outbox.core.UnitOfWork;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Use case: list orders page by page, oldest first, filtered by customer and status.
 * Thread-safe.
 */
public final class ListOrders {
    private final UnitOfWork unitOfWork;
    private final OrderRepository orders;

    /** Creates the use case over its ports. */
    public ListOrders(UnitOfWork unitOfWork, OrderRepository orders) {
        this.unitOfWork = Objects.requireNonNull(unitOfWork, "unitOfWork");
        this.orders = Objects.requireNonNull(orders, "orders");
    }

    /** Returns one page; its {@code next} cursor is present when more orders may follow. */
    public OrderPage handle(ListOrdersQuery query) {
        Objects.requireNonNull(query, "query");
        // One more than asked tells whether a next page exists without a count query.
        List<Order> found = unitOfWork.inTransaction(() ->
                orders.find(query.customerId(), query.status(), query.afterId(), query.limit() + 1));
        if (found.size() <= query.limit()) {
            return new OrderPage(found, Optional.empty());
        }
        List<Order> page = found.subList(0, query.limit());
        return new OrderPage(page, Optional.of(ListOrdersQuery.cursorAfter(page.get(page.size() - 1).id())));
    }
}

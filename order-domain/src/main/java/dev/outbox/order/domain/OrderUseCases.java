package dev.outbox.order.domain;

import dev.outbox.core.Outbox;
import dev.outbox.core.UnitOfWork;
import java.time.Clock;

/**
 * All order use cases wired over the same ports: the one entry point an adapter needs.
 *
 * @param place   places orders
 * @param confirm confirms orders
 * @param cancel  cancels orders
 * @param get     reads one order
 * @param list    lists orders
 */
public record OrderUseCases(PlaceOrder place, ConfirmOrder confirm, CancelOrder cancel, GetOrder get, ListOrders list) {

    /**
     * Wires the use cases.
     *
     * @param unitOfWork the transaction boundary shared by the repository and the outbox
     * @param orders     the order store
     * @param outbox     the append port
     * @param clock      the source of order times, usually {@link Clock#systemUTC()}
     */
    public static OrderUseCases create(UnitOfWork unitOfWork, OrderRepository orders, Outbox outbox, Clock clock) {
        return new OrderUseCases(new PlaceOrder(unitOfWork, orders, outbox, clock),
                new ConfirmOrder(unitOfWork, orders, outbox, clock),
                new CancelOrder(unitOfWork, orders, outbox, clock),
                new GetOrder(unitOfWork, orders),
                new ListOrders(unitOfWork, orders));
    }
}

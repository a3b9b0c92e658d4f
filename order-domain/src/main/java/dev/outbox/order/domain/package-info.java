/**
 * The Order reference domain: the {@link dev.outbox.order.domain.Order} aggregate and its
 * status rules, the use cases that change it ({@link dev.outbox.order.domain.PlaceOrder},
 * {@link dev.outbox.order.domain.ConfirmOrder}, {@link dev.outbox.order.domain.CancelOrder}) or
 * read it ({@link dev.outbox.order.domain.GetOrder}, {@link dev.outbox.order.domain.ListOrders}),
 * and the outbound {@link dev.outbox.order.domain.OrderRepository} port.
 *
 * <p>Every state change saves the order and appends its event to the outbox
 * ({@link dev.outbox.core.Outbox}) inside one {@link dev.outbox.core.UnitOfWork}: both commit or
 * neither does. The domain depends on {@code outbox-core} only; event payloads are written by
 * the small JSON writer in this package, so the event schema lives with the domain.
 *
 * <p>Failures are {@link dev.outbox.order.domain.OrderDomainException}s: invalid input
 * ({@link dev.outbox.order.domain.InvalidOrderException}, naming each field), an unknown order
 * ({@link dev.outbox.order.domain.OrderNotFoundException}), a refused status change
 * ({@link dev.outbox.order.domain.IllegalOrderTransitionException}) and a lost optimistic-locking
 * race ({@link dev.outbox.order.domain.StaleOrderException}).
 */
package dev.outbox.order.domain;

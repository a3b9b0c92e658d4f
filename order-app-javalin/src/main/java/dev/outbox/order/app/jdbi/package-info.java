/**
 * The order tables on PostgreSQL through JDBI: the {@link dev.outbox.order.domain.OrderRepository}
 * adapter with optimistic locking, the {@link dev.outbox.order.app.http.IdempotencyKeys} adapter,
 * and the migrations applied at start.
 */
package dev.outbox.order.app.jdbi;

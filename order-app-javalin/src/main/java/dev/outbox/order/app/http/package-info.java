/**
 * The Order service's HTTP adapter on Javalin: routes, strict JSON request parsing into the
 * domain's commands, JSON responses in the API contract's snake_case shape, and RFC 9457
 * problem details for every error (503 with {@code Retry-After} while the database is
 * unreachable), and {@code Idempotency-Key} replay through the {@link dev.outbox.order.app.http.IdempotencyKeys}
 * port. HTTP only: all decisions are the domain's.
 */
package dev.outbox.order.app.http;

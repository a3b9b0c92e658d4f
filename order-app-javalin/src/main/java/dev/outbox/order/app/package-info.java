/**
 * The Order service: configuration from the environment ({@link dev.outbox.order.app.AppConfig}),
 * wiring of the domain, JDBI, the outbox relay and Kafka ({@link dev.outbox.order.app.OrderService}),
 * embedded PostgreSQL and Kafka by default, health and Prometheus metrics, a log-only publisher,
 * and the command line ({@link dev.outbox.order.app.Main}).
 */
package dev.outbox.order.app;

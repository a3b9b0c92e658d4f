package dev.outbox.order.app.http;

/**
 * What {@code GET /health} answers: whether everything is up (200, otherwise 503) and the
 * report as JSON text.
 *
 * @param up   whether every component is healthy
 * @param json the report's JSON text
 */
public record HealthReport(boolean up, String json) {
}

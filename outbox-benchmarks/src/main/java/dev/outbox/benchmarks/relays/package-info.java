/**
 * {@link dev.outbox.benchmarks.relays.RelayComparisonBenchmark}: the polling relay, the
 * log-tailing relay and Debezium's embedded engine side by side on one embedded PostgreSQL and
 * one in-process Kafka broker, with a bare producer as the ceiling. Prints numbers; asserts
 * nothing.
 */
package dev.outbox.benchmarks.relays;

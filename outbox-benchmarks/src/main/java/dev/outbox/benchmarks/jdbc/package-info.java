/**
 * Benchmarks of the PostgreSQL outbox: what an append adds to a business transaction, and how fast
 * the polling relay drains a large backlog. Run {@link dev.outbox.benchmarks.jdbc.JdbcBenchmark}.
 */
package dev.outbox.benchmarks.jdbc;

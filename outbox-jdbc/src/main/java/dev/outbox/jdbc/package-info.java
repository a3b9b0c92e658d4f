/**
 * The outbox on PostgreSQL through JDBI.
 *
 * <ul>
 *   <li>{@link dev.outbox.jdbc.JdbiUnitOfWork}: the transaction business code and the outbox share;
 *   <li>{@link dev.outbox.jdbc.JdbiOutbox}: appends events inside it;
 *   <li>{@link dev.outbox.jdbc.OutboxSchema} and {@link dev.outbox.jdbc.OutboxTable}: the table,
 *       created at start-up or copied into a Flyway/Liquibase migration;
 *   <li>{@link dev.outbox.jdbc.PostgresOutboxStore}: what relays claim from.
 * </ul>
 */
package dev.outbox.jdbc;

/**
 * The log-tailing relay: {@link dev.outbox.jdbc.replication.LogTailingRelay} reads committed
 * outbox inserts from a PostgreSQL logical replication slot ({@code pgoutput}, decoded here),
 * publishes them in commit order through an {@link dev.outbox.core.spi.OutboxEventPublisher}
 * and confirms the slot's position only after the broker acknowledged them.
 * {@link dev.outbox.jdbc.replication.LogOnlyOutbox} is the append port for
 * {@link dev.outbox.jdbc.replication.TableMode#LOG_ONLY}, where rows are deleted in the same
 * transaction and only the log carries the events.
 */
package dev.outbox.jdbc.replication;

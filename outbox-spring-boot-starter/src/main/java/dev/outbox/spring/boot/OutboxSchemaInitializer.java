package dev.outbox.spring.boot;

import dev.outbox.jdbc.OutboxTable;

/**
 * Marks that the outbox table was created at start ({@code outbox.schema.create=true}); the outbox and the store
 * are built after it. Immutable.
 *
 * @param table the table created (or found)
 */
public record OutboxSchemaInitializer(OutboxTable table) {
}

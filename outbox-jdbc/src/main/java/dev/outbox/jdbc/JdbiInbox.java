package dev.outbox.jdbc;

import dev.outbox.core.Inbox;
import dev.outbox.core.NoActiveUnitOfWorkException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * The {@link Inbox} on PostgreSQL: one row per processed event id in a table of its own
 * (default {@code public.outbox_inbox}), written through the current {@link JdbiUnitOfWork}
 * transaction with {@code INSERT ... ON CONFLICT DO NOTHING}, so the mark commits or rolls back
 * with the consumer's own writes. Two consumers processing the same event at once serialize on
 * the primary key: the second waits for the first and, once it commits, sees a repeat.
 *
 * <p>Create the table with {@link #createTable}; trim it with {@link #purgeProcessedBefore}
 * once repeats older than the relays' redelivery window can no longer arrive.
 *
 * <p>Immutable and thread-safe.
 */
public final class JdbiInbox implements Inbox {
    /** The default table, {@code public.outbox_inbox}. */
    public static final OutboxTable DEFAULT_TABLE = OutboxTable.of("public", "outbox_inbox");

    private final JdbiUnitOfWork unitOfWork;
    private final String insert;

    private JdbiInbox(JdbiUnitOfWork unitOfWork, OutboxTable table) {
        this.unitOfWork = Objects.requireNonNull(unitOfWork, "unitOfWork");
        this.insert = "INSERT INTO " + table.qualifiedName()
                + " (event_id, processed_at) VALUES (?, now()) ON CONFLICT (event_id) DO NOTHING";
    }

    /** Creates an inbox on {@link #DEFAULT_TABLE}. */
    public static JdbiInbox create(JdbiUnitOfWork unitOfWork) {
        return create(unitOfWork, DEFAULT_TABLE);
    }

    /** Creates an inbox on {@code table}, which {@link #createTable} must have created. */
    public static JdbiInbox create(JdbiUnitOfWork unitOfWork, OutboxTable table) {
        return new JdbiInbox(unitOfWork, Objects.requireNonNull(table, "table"));
    }

    /**
     * Creates the inbox table if it does not exist; idempotent.
     *
     * @throws PostgresOutboxException when the SQL fails
     */
    public static void createTable(Jdbi jdbi, OutboxTable table) {
        try {
            jdbi.useHandle(h -> h.execute("CREATE TABLE IF NOT EXISTS " + table.qualifiedName()
                    + " (event_id uuid PRIMARY KEY, processed_at timestamptz NOT NULL)"));
        } catch (JdbiException e) {
            throw new PostgresOutboxException("inbox table creation for " + table, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws NoActiveUnitOfWorkException outside a {@link JdbiUnitOfWork} transaction
     * @throws PostgresOutboxException when the insert fails
     */
    @Override
    public boolean markProcessed(UUID eventId) {
        Objects.requireNonNull(eventId, "eventId");
        try (PreparedStatement statement = unitOfWork.currentHandle().getConnection().prepareStatement(insert)) {
            statement.setObject(1, eventId);
            return statement.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new PostgresOutboxException("inbox mark of event " + eventId, e);
        }
    }

    /**
     * Deletes up to {@code limit} marks older than {@code before}; call again until it returns
     * less than {@code limit}. Safe only for ids that can no longer be delivered again.
     *
     * @return how many marks were deleted
     * @throws PostgresOutboxException when the delete fails
     */
    public static int purgeProcessedBefore(Jdbi jdbi, OutboxTable table, Instant before, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        String t = table.qualifiedName();
        try {
            return jdbi.withHandle(h -> h.createUpdate("DELETE FROM " + t + " WHERE event_id IN (SELECT event_id FROM " + t
                            + " WHERE processed_at < :before ORDER BY processed_at LIMIT :limit)")
                    .bind("before", before.atOffset(ZoneOffset.UTC)).bind("limit", limit).execute());
        } catch (JdbiException e) {
            throw new PostgresOutboxException("inbox purge of " + table, e);
        }
    }
}

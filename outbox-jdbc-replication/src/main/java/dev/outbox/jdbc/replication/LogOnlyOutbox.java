package dev.outbox.jdbc.replication;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.jdbc.PostgresOutboxException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The append port for {@link TableMode#LOG_ONLY}: appends through outbox-jdbc's
 * {@link JdbiOutbox} and deletes the same rows again in the same transaction (one
 * {@code DELETE} per call), so the outbox table stays empty while the write-ahead log carries
 * the inserts to the {@link LogTailingRelay}. Notifications are off (no polling relay listens).
 *
 * <p>Only a log-tailing relay (or Debezium) sees these events: never pair it with the polling
 * relay. Immutable and thread-safe.
 */
public final class LogOnlyOutbox implements Outbox {
    private final JdbiUnitOfWork unitOfWork;
    private final JdbiOutbox delegate;
    private final String deleteOne;
    private final String deleteMany;

    private LogOnlyOutbox(JdbiUnitOfWork unitOfWork, OutboxTable table) {
        this.unitOfWork = unitOfWork;
        this.delegate = JdbiOutbox.builder(unitOfWork).table(table).notifications(false).build();
        this.deleteOne = "DELETE FROM " + table.qualifiedName() + " WHERE id = ?";
        this.deleteMany = "DELETE FROM " + table.qualifiedName() + " WHERE id = ANY (?)";
    }

    /** Creates a log-only outbox on {@code public.outbox_event}. */
    public static LogOnlyOutbox create(JdbiUnitOfWork unitOfWork) {
        return create(unitOfWork, OutboxTable.DEFAULT);
    }

    /**
     * Creates a log-only outbox on {@code table}.
     *
     * @throws NullPointerException when an argument is null
     */
    public static LogOnlyOutbox create(JdbiUnitOfWork unitOfWork, OutboxTable table) {
        return new LogOnlyOutbox(Objects.requireNonNull(unitOfWork, "unitOfWork"), Objects.requireNonNull(table, "table"));
    }

    /**
     * {@inheritDoc}
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work; nothing is written
     * @throws PostgresOutboxException when the insert or the delete fails
     */
    @Override
    public void append(OutboxEvent event) {
        delegate.append(event);
        delete(deleteOne, event.id(), 1);
    }

    /**
     * {@inheritDoc}
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work; nothing is written
     * @throws PostgresOutboxException when the insert or the delete fails
     */
    @Override
    public void appendAll(List<OutboxEvent> events) {
        delegate.appendAll(events);
        if (events.isEmpty()) {
            return;
        }
        if (events.size() == 1) {
            delete(deleteOne, events.get(0).id(), 1);
            return;
        }
        delete(deleteMany, events.stream().map(OutboxEvent::id).toArray(UUID[]::new), events.size());
    }

    private void delete(String sql, Object ids, int count) {
        Connection connection = unitOfWork.currentHandle().getConnection();
        try (PreparedStatement delete = connection.prepareStatement(sql)) {
            if (ids instanceof UUID[] many) {
                delete.setArray(1, connection.createArrayOf("uuid", many));
            } else {
                delete.setObject(1, ids);
            }
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new PostgresOutboxException("log-only delete of " + count + " appended event(s)", e);
        }
    }
}

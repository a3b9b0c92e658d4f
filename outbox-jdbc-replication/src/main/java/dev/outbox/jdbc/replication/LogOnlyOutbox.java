package dev.outbox.jdbc.replication;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.jdbc.PostgresOutboxException;
import java.util.List;
import java.util.Objects;

/**
 * The append port for {@link TableMode#LOG_ONLY}: the event rows are inserted and deleted again
 * in the current {@link JdbiUnitOfWork} transaction, so the outbox table stays empty while the
 * write-ahead log carries the inserts to the {@link LogTailingRelay}. A thin name for
 * {@code JdbiOutbox.builder(unitOfWork).table(table).logOnly(true)}: the insert and the delete go
 * in the commit's own round trip, with the columns and encodings of every other outbox write.
 *
 * <p>Appends take {@code JdbiOutbox}'s per-aggregate advisory lock too. Delivery order would not
 * need it (the relay reads the log in commit order), but the aggregate sequence does: each event
 * carries its row's {@code seq}, and only the lock makes an aggregate's {@code seq} grow in commit
 * order, so that a consumer comparing sequences never takes a later commit for a late redelivery.
 *
 * <p>Only a log-tailing relay (or Debezium) sees these events: never pair it with the polling
 * relay. Immutable and thread-safe.
 */
public final class LogOnlyOutbox implements Outbox {
    private final JdbiOutbox delegate;

    private LogOnlyOutbox(JdbiUnitOfWork unitOfWork, OutboxTable table) {
        this.delegate = JdbiOutbox.builder(unitOfWork).table(table).logOnly(true).build();
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
     * <p>The event is written when the unit of work commits; a write failure (invalid JSON,
     * duplicate id) then surfaces from the unit of work as {@link PostgresOutboxException}.
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work; nothing is written
     */
    @Override
    public void append(OutboxEvent event) {
        delegate.append(event);
    }

    /**
     * {@inheritDoc}
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work; nothing is written
     */
    @Override
    public void appendAll(List<OutboxEvent> events) {
        delegate.appendAll(events);
    }
}

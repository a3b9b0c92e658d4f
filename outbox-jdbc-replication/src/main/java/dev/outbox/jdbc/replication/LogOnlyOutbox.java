package dev.outbox.jdbc.replication;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.jdbc.PostgresOutboxException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * The append port for {@link TableMode#LOG_ONLY}: inserts the event rows and deletes them again
 * in the current {@link JdbiUnitOfWork} transaction, so the outbox table stays empty while the
 * write-ahead log carries the inserts to the {@link LogTailingRelay}. One round trip per call:
 * a multi-row {@code INSERT} (list order kept) followed by one {@code DELETE} of the same ids,
 * sent together. Columns and encodings are those of outbox-jdbc's {@code JdbiOutbox} (JSON in the
 * {@code payload} jsonb column, anything else in {@code payload_bytes}); no notification is sent.
 *
 * <p>Why not through {@code JdbiOutbox}: it defers its insert to the commit and sends it in the
 * same round trip as the {@code COMMIT}, which leaves no point at which the rows could be deleted
 * within the transaction.
 *
 * <p>Only a log-tailing relay (or Debezium) sees these events: never pair it with the polling
 * relay. Immutable and thread-safe.
 */
public final class LogOnlyOutbox implements Outbox {
    private final JdbiUnitOfWork unitOfWork;
    private final String sql;

    private LogOnlyOutbox(JdbiUnitOfWork unitOfWork, OutboxTable table) {
        this.unitOfWork = unitOfWork;
        String name = table.qualifiedName();
        this.sql = "INSERT INTO " + name
                + " (id, aggregatetype, aggregateid, type, payload, payload_bytes, content_type, headers, occurred_at) "
                + "SELECT u.id::uuid, u.aggregatetype, u.aggregateid, u.type, u.payload::jsonb, u.payload_bytes::bytea, "
                + "u.content_type, u.headers::jsonb, u.occurred_at::timestamptz "
                + "FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
                + "?::text[]) WITH ORDINALITY AS u(id, aggregatetype, aggregateid, type, payload, payload_bytes, "
                + "content_type, headers, occurred_at, ord) ORDER BY u.ord; "
                + "DELETE FROM " + name + " WHERE id = ANY (?::uuid[])";
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
     * @throws PostgresOutboxException when the write fails (invalid JSON, duplicate id ...); the
     *         caller's transaction then rolls back
     */
    @Override
    public void append(OutboxEvent event) {
        Objects.requireNonNull(event, "event");
        appendAll(List.of(event));
    }

    /**
     * {@inheritDoc}
     *
     * <p>An empty list writes nothing (but still requires a unit of work).
     *
     * @throws NoActiveUnitOfWorkException outside a unit of work; nothing is written
     * @throws PostgresOutboxException when the write fails; then no event of the list is written
     */
    @Override
    public void appendAll(List<OutboxEvent> events) {
        Objects.requireNonNull(events, "events");
        events.forEach(e -> Objects.requireNonNull(e, "events must not contain null"));
        Connection connection = unitOfWork.currentHandle().getConnection();
        if (events.isEmpty()) {
            return;
        }
        int n = events.size();
        String[][] columns = new String[9][n];
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            OutboxEvent event = events.get(i);
            boolean json = DeadLetterWriter.isJson(event.contentType());
            ids[i] = event.id().toString();
            columns[0][i] = ids[i];
            columns[1][i] = event.aggregateType();
            columns[2][i] = event.aggregateId();
            columns[3][i] = event.eventType();
            columns[4][i] = json ? event.payloadAsString() : null;
            columns[5][i] = json ? null : TextValues.byteaLiteral(event.payload());
            columns[6][i] = event.contentType();
            columns[7][i] = TextValues.headersJson(event.headers());
            columns[8][i] = event.occurredAt().toString();
        }
        try (PreparedStatement write = connection.prepareStatement(sql)) {
            for (int c = 0; c < columns.length; c++) {
                write.setArray(c + 1, connection.createArrayOf("text", columns[c]));
            }
            write.setArray(columns.length + 1, connection.createArrayOf("text", ids));
            write.execute();
        } catch (SQLException e) {
            throw new PostgresOutboxException(n == 1 ? "log-only append of event " + ids[0]
                    : "log-only append of " + n + " events", e);
        }
    }
}

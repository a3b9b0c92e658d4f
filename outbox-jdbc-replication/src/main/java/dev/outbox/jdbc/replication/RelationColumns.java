package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.internal.OutboxEventMapper;
import java.util.List;
import java.util.UUID;

/**
 * The outbox columns of a pgoutput {@code Relation} message, found by name (so column order and extra
 * columns do not matter): reads an {@code Insert}'s text values and hands them, decoded, to outbox-jdbc's
 * {@link OutboxEventMapper}, the one mapping of a row to an {@link OutboxEvent}. Immutable; one instance
 * per Relation message.
 */
final class RelationColumns {
    private final int id;
    private final int aggregateType;
    private final int aggregateId;
    private final int type;
    private final int payload;
    private final int payloadBytes;
    private final int contentType;
    private final int headers;
    private final int occurredAt;
    private final int status;
    private final int seq;
    private final int nextAttemptAt;

    RelationColumns(PgOutputDecoder.Relation relation) {
        List<String> columns = relation.columns();
        String table = relation.namespace() + "." + relation.name();
        this.id = required(columns, "id", table);
        this.aggregateType = required(columns, "aggregatetype", table);
        this.aggregateId = required(columns, "aggregateid", table);
        this.type = required(columns, "type", table);
        this.payload = required(columns, "payload", table);
        this.payloadBytes = columns.indexOf("payload_bytes");
        this.contentType = columns.indexOf("content_type");
        this.headers = columns.indexOf("headers");
        this.occurredAt = columns.indexOf("occurred_at");
        this.status = columns.indexOf("status");
        this.seq = columns.indexOf("seq");
        this.nextAttemptAt = columns.indexOf("next_attempt_at");
    }

    private static int required(List<String> columns, String name, String table) {
        int index = columns.indexOf(name);
        if (index < 0) {
            throw new IllegalStateException("outbox table " + table + " has no column '" + name + "' (columns: "
                    + columns + ")");
        }
        return index;
    }

    /**
     * Returns whether the row is a new pending event: not a dead letter, not a replayed published row,
     * and not a row the relay parked ({@link ParkedRows}: pending, {@code next_attempt_at} after
     * {@code -infinity}), which the leader delivers from the table.
     */
    boolean isPending(String[] values) {
        boolean pending = status < 0 || values[status] == null || "pending".equals(values[status]);
        return pending && (nextAttemptAt < 0 || values[nextAttemptAt] == null || "-infinity".equals(values[nextAttemptAt]));
    }

    /** Returns the row's event id. */
    UUID id(String[] values) {
        return UUID.fromString(values[id]);
    }

    /**
     * Builds the event, with the row's {@code seq} (when the table has one) as its aggregate sequence in
     * the header {@value OutboxEvent#SEQUENCE_HEADER}, replacing one the headers column may hold.
     *
     * @throws IllegalArgumentException when a value is invalid for an {@link OutboxEvent}
     */
    OutboxEvent event(String[] values, java.time.Instant commitTime) {
        String json = values[payload];
        return OutboxEventMapper.event(id(values), values[aggregateType], values[aggregateId], values[type], json,
                json == null && payloadBytes >= 0 && values[payloadBytes] != null ? TextValues.bytea(values[payloadBytes]) : null,
                contentType >= 0 ? values[contentType] : null, headers >= 0 ? values[headers] : null,
                occurredAt >= 0 && values[occurredAt] != null ? TextValues.timestamptz(values[occurredAt]) : commitTime,
                seq >= 0 ? values[seq] : null);
    }

    /** Returns the raw text values needed to write the row back as a dead letter. */
    LeaderStoreWriter.RawRow raw(String[] values) {
        return new LeaderStoreWriter.RawRow(values[id], values[aggregateType], values[aggregateId], values[type],
                values[payload], payloadBytes >= 0 ? values[payloadBytes] : null,
                contentType >= 0 ? values[contentType] : null, headers >= 0 ? values[headers] : null,
                occurredAt >= 0 ? values[occurredAt] : null);
    }
}

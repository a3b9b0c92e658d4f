package dev.outbox.jdbc.internal;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.core.spi.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The one mapping between the outbox table's columns and {@link OutboxEvent}: a JDBI row mapper for rows
 * selected with {@link #SELECT_COLUMNS}, and {@link #event} for rows read elsewhere (the log-tailing relay
 * reads them from the write-ahead log). Shared by outbox-jdbc and outbox-jdbc-replication; not API.
 *
 * <p>Stateless and thread-safe.
 */
public final class OutboxEventMapper implements RowMapper<OutboxEvent> {
    /** The mapper. */
    public static final OutboxEventMapper INSTANCE = new OutboxEventMapper();

    /** The columns a read selects, in the form the mapper expects (table alias {@code e}). */
    public static final String SELECT_COLUMNS = "e.id, e.aggregatetype, e.aggregateid, e.type, e.payload::text AS payload_text, "
            + "e.payload_bytes, e.content_type, e.headers::text AS headers_text, e.occurred_at, e.seq, e.attempts";

    private OutboxEventMapper() {
    }

    /**
     * Builds the event of the current row, its {@code seq} in the header {@value OutboxEvent#SEQUENCE_HEADER}.
     *
     * @throws IllegalArgumentException when the row breaks the event's rules (see {@link #read})
     */
    @Override
    public OutboxEvent map(ResultSet rs, StatementContext ctx) throws SQLException {
        return event(rs);
    }

    /**
     * Builds an event from column values, the rules every reader of the table shares: a JSON payload (the
     * {@code payload} column) wins over {@code payload_bytes}, no payload is an empty one, no content type is
     * JSON, no headers are none, and {@code seq} becomes the header
     * {@value OutboxEvent#SEQUENCE_HEADER}, replacing one another writer may have put in the headers column.
     *
     * @param payloadText the {@code payload} jsonb as text, or null
     * @param payloadBytes the {@code payload_bytes} column, or null
     * @param headersJson the {@code headers} jsonb as text, or null for none
     * @param seq the {@code seq} column as decimal text, or null
     * @throws IllegalArgumentException when a value breaks the event's rules
     * @throws NullPointerException when a required value (id, types, occurred-at) is null
     */
    public static OutboxEvent event(UUID id, String aggregateType, String aggregateId, String type, String payloadText,
            byte[] payloadBytes, String contentType, String headersJson, Instant occurredAt, String seq) {
        byte[] payload = payloadText != null ? payloadText.getBytes(StandardCharsets.UTF_8) : payloadBytes;
        Map<String, String> headers = headersJson == null ? new LinkedHashMap<>() : new LinkedHashMap<>(HeadersJson.read(headersJson));
        if (seq != null) {
            headers.put(OutboxEvent.SEQUENCE_HEADER, seq);
        }
        return new OutboxEvent(id, aggregateType, aggregateId, type, payload == null ? new byte[0] : payload,
                contentType == null ? OutboxEvent.JSON : contentType, headers, occurredAt);
    }

    private static OutboxEvent event(ResultSet rs) throws SQLException {
        OffsetDateTime occurredAt = rs.getObject("occurred_at", OffsetDateTime.class);
        String json = rs.getString("payload_text");
        return event(rs.getObject("id", UUID.class), rs.getString("aggregatetype"), rs.getString("aggregateid"),
                rs.getString("type"), json, json != null ? null : rs.getBytes("payload_bytes"), rs.getString("content_type"),
                rs.getString("headers_text"), occurredAt == null ? null : occurredAt.toInstant(), Long.toString(rs.getLong("seq")));
    }

    /**
     * Reads the current row of {@code rs} (selected with {@link #SELECT_COLUMNS}) without failing on a row that no
     * {@link OutboxEvent} can hold. Other writers fill the table around the append port (its Debezium layout is a
     * public contract), so a row may break the event's rules: a payload over its limit, an aggregate type a topic
     * name cannot carry, a blank type, malformed headers. Such a row comes back with the reason instead of the event.
     */
    public static RowRead read(ResultSet rs) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        try {
            OutboxEvent event = event(rs);
            return new RowRead(id, event.aggregateType(), event.aggregateId(), event.eventType(), event.payloadSize(),
                    rs.getInt("attempts"), rs.getLong("seq"), event, null);
        } catch (IllegalArgumentException | NullPointerException | DateTimeException e) {
            String json = rs.getString("payload_text");
            byte[] bytes = json != null ? null : rs.getBytes("payload_bytes");
            int size = json != null ? json.getBytes(StandardCharsets.UTF_8).length : bytes == null ? 0 : bytes.length;
            return new RowRead(id, rs.getString("aggregatetype"), rs.getString("aggregateid"), rs.getString("type"), size,
                    rs.getInt("attempts"), rs.getLong("seq"), null, reason(e));
        }
    }

    /** A lenient mapper: {@link #read} as a JDBI row mapper. */
    public static RowMapper<RowRead> lenient() {
        return (rs, ctx) -> read(rs);
    }

    /** The validation message on one line, cut to what the store keeps; never the payload (the event's rules name sizes, not contents). */
    private static String reason(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return FailedDelivery.oneLine(message);
    }

    /** Returns the payload as text for the jsonb column, or null when it belongs in {@code payload_bytes}. */
    public static String jsonPayload(OutboxEvent event) {
        return MediaTypes.isJson(event.contentType()) ? event.payloadAsString() : null;
    }

    /**
     * Returns {@code instant} as text that PostgreSQL reads as a {@code timestamptz}: ISO-8601 in UTC as
     * {@link Instant#toString()} writes it for years 1 to 9999, without the sign that Java puts before larger
     * years, and with PostgreSQL's {@code BC} suffix for years 0 and before (year 0 is 1 BC). Binding this text
     * to {@code ?::timestamptz} spares the driver's own timestamp conversion, which builds a calendar per
     * statement.
     */
    public static String timestamptz(Instant instant) {
        String iso = instant.toString();
        char first = iso.charAt(0);
        if (first == '+') {
            return iso.substring(1);
        }
        if (first != '-' && !iso.startsWith("0000-")) {
            return iso;
        }
        int yearEnd = iso.indexOf('-', 1);
        long year = Long.parseLong(iso.substring(0, yearEnd));
        return String.format("%04d", 1 - year) + iso.substring(yearEnd) + " BC";
    }

    /**
     * A row as read: its identifying columns, its delivery attempts and {@code seq}, and either the event or why no
     * event can hold the row.
     *
     * @param event         the event; null when the row breaks the event's rules
     * @param invalidReason why the row is no event; null when {@code event} is set
     */
    public record RowRead(UUID id, String aggregateType, String aggregateId, String type, int payloadSize, int attempts,
            long seq, OutboxEvent event, String invalidReason) {
    }
}

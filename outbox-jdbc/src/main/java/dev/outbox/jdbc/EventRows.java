package dev.outbox.jdbc;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.core.spi.MediaTypes;
import dev.outbox.jdbc.internal.HeadersJson;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Maps between {@link OutboxEvent} and the outbox table's columns. Stateless. */
final class EventRows {

    /** The columns a read selects, in the form {@link #event(ResultSet)} expects (alias {@code e}). */
    static final String SELECT_COLUMNS = "e.id, e.aggregatetype, e.aggregateid, e.type, e.payload::text AS payload_text, "
            + "e.payload_bytes, e.content_type, e.headers::text AS headers_text, e.occurred_at, e.seq, e.attempts";

    private EventRows() {
    }

    /** Returns the payload as text for the jsonb column, or null when it belongs in payload_bytes. */
    static String jsonPayload(OutboxEvent event) {
        return MediaTypes.isJson(event.contentType()) ? event.payloadAsString() : null;
    }

    /**
     * Returns {@code instant} as text that PostgreSQL reads as a {@code timestamptz}: ISO-8601 in UTC as
     * {@link Instant#toString()} writes it for years 1 to 9999, without the sign that Java puts before larger
     * years, and with PostgreSQL's {@code BC} suffix for years 0 and before (year 0 is 1 BC). Binding this text
     * to {@code ?::timestamptz} spares the driver's own timestamp conversion, which builds a calendar per
     * statement.
     */
    static String timestamptz(Instant instant) {
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
     * Reads the current row of {@code rs} (selected with {@link #SELECT_COLUMNS}) without failing on a row that no
     * {@link OutboxEvent} can hold. Other writers fill the table around the append port (its Debezium layout is a
     * public contract), so a row may break the event's rules: a payload over its limit, an aggregate type a topic
     * name cannot carry, a blank type, malformed headers. Such a row comes back with the reason instead of the event.
     */
    static RowRead read(ResultSet rs) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        try {
            OutboxEvent event = event(rs);
            return new RowRead(id, event.aggregateType(), event.aggregateId(), event.eventType(), event.payloadSize(),
                    event, null);
        } catch (IllegalArgumentException | NullPointerException | DateTimeException e) {
            String json = rs.getString("payload_text");
            byte[] bytes = json != null ? null : rs.getBytes("payload_bytes");
            int size = json != null ? json.getBytes(StandardCharsets.UTF_8).length : bytes == null ? 0 : bytes.length;
            return new RowRead(id, rs.getString("aggregatetype"), rs.getString("aggregateid"), rs.getString("type"), size,
                    null, reason(e));
        }
    }

    /** The validation message on one line, cut to what the store keeps; never the payload (the event's rules name sizes, not contents). */
    private static String reason(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return FailedDelivery.oneLine(message);
    }

    /**
     * A row as read: its identifying columns, and either the event or why no event can hold the row.
     *
     * @param event         the event; null when the row breaks the event's rules
     * @param invalidReason why the row is no event; null when {@code event} is set
     */
    record RowRead(UUID id, String aggregateType, String aggregateId, String type, int payloadSize, OutboxEvent event,
            String invalidReason) {
    }

    /**
     * Builds the event of the current row, its {@code seq} in the header {@value OutboxEvent#SEQUENCE_HEADER}
     * (replacing one another writer may have put in the headers column).
     */
    static OutboxEvent event(ResultSet rs) throws SQLException {
        String json = rs.getString("payload_text");
        byte[] payload = json != null ? json.getBytes(StandardCharsets.UTF_8) : rs.getBytes("payload_bytes");
        Map<String, String> headers = new LinkedHashMap<>(HeadersJson.read(rs.getString("headers_text")));
        headers.put(OutboxEvent.SEQUENCE_HEADER, Long.toString(rs.getLong("seq")));
        return new OutboxEvent(
                rs.getObject("id", UUID.class),
                rs.getString("aggregatetype"),
                rs.getString("aggregateid"),
                rs.getString("type"),
                payload == null ? new byte[0] : payload,
                rs.getString("content_type"),
                headers,
                rs.getObject("occurred_at", OffsetDateTime.class).toInstant());
    }
}

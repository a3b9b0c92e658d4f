package dev.outbox.jdbc;

import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.internal.ContentTypes;
import dev.outbox.jdbc.internal.HeadersJson;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
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
        return ContentTypes.isJson(event.contentType()) ? event.payloadAsString() : null;
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

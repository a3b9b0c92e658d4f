package dev.outbox.jdbc;

import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.internal.ContentTypes;
import dev.outbox.jdbc.internal.HeadersJson;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Maps between {@link OutboxEvent} and the outbox table's columns. Stateless. */
final class EventRows {

    /** The columns a read selects, in the form {@link #event(ResultSet)} expects (alias {@code e}). */
    static final String SELECT_COLUMNS = "e.id, e.aggregatetype, e.aggregateid, e.type, e.payload::text AS payload_text, "
            + "e.payload_bytes, e.content_type, e.headers::text AS headers_text, e.occurred_at, e.seq, e.attempts";

    private EventRows() {
    }

    static boolean isJson(String contentType) {
        return ContentTypes.isJson(contentType);
    }

    /** Returns the payload as text for the jsonb column, or null when it belongs in payload_bytes. */
    static String jsonPayload(OutboxEvent event) {
        return isJson(event.contentType()) ? event.payloadAsString() : null;
    }

    /** Returns the payload for the bytea column, or null when it belongs in the jsonb column. */
    static byte[] bytesPayload(OutboxEvent event) {
        return isJson(event.contentType()) ? null : event.payload();
    }

    static OutboxEvent event(ResultSet rs) throws SQLException {
        String json = rs.getString("payload_text");
        byte[] payload = json != null ? json.getBytes(StandardCharsets.UTF_8) : rs.getBytes("payload_bytes");
        return new OutboxEvent(
                rs.getObject("id", UUID.class),
                rs.getString("aggregatetype"),
                rs.getString("aggregateid"),
                rs.getString("type"),
                payload == null ? new byte[0] : payload,
                rs.getString("content_type"),
                HeadersJson.read(rs.getString("headers_text")),
                rs.getObject("occurred_at", OffsetDateTime.class).toInstant());
    }
}

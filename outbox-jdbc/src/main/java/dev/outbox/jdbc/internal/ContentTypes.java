package dev.outbox.jdbc.internal;

import dev.outbox.core.OutboxEvent;
import java.util.Locale;

/**
 * Decides which payload column an event goes to. Shared by outbox-jdbc and
 * outbox-jdbc-replication; not API, may change without notice. Stateless and thread-safe.
 */
public final class ContentTypes {
    private ContentTypes() {
    }

    /**
     * Returns whether a payload of this media type is stored in the jsonb {@code payload} column:
     * {@code application/json} and {@code +json} types, parameters ignored. Anything else goes
     * to {@code payload_bytes}.
     */
    public static boolean isJson(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT);
        int parameters = type.indexOf(';');
        if (parameters >= 0) {
            type = type.substring(0, parameters);
        }
        type = type.strip();
        return type.equals(OutboxEvent.JSON) || type.endsWith("+json");
    }
}

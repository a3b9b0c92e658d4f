package dev.outbox.jdbc.internal;

import dev.outbox.core.spi.MediaTypes;

/**
 * Decides which payload column an event goes to, by outbox-core's one media-type rule
 * ({@link MediaTypes#isJson}). Kept only for outbox-jdbc-replication, which still calls it; new code
 * calls {@link MediaTypes} directly. Not API, may change without notice. Stateless and thread-safe.
 */
public final class ContentTypes {
    private ContentTypes() {
    }

    /**
     * Returns whether a payload of this media type is stored in the jsonb {@code payload} column
     * ({@link MediaTypes#isJson}); anything else goes to {@code payload_bytes}.
     */
    public static boolean isJson(String contentType) {
        return MediaTypes.isJson(contentType);
    }
}

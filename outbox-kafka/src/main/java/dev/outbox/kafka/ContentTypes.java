package dev.outbox.kafka;

import java.util.Locale;

/** Decides whether a payload is text (JSON and friends) from its media type. */
final class ContentTypes {

    private ContentTypes() {
    }

    /** True for {@code application/json}, any {@code +json} type and any {@code text/*} type. */
    static boolean isText(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT);
        int parameters = type.indexOf(';');
        if (parameters >= 0) {
            type = type.substring(0, parameters);
        }
        type = type.trim();
        return type.equals("application/json") || type.endsWith("+json") || type.startsWith("text/");
    }
}

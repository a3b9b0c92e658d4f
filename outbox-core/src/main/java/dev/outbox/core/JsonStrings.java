package dev.outbox.core;

/**
 * Writes JSON string literals (RFC 8259): the one escaper of the library, used for event payloads
 * written by hand and for the outbox table's headers column. Quote and backslash are escaped, and
 * every control character below U+0020; everything else is written as is. Stateless and thread-safe.
 */
public final class JsonStrings {
    private JsonStrings() {
    }

    /**
     * Returns {@code text} as a quoted JSON string.
     *
     * @throws NullPointerException when {@code text} is null
     */
    public static String quote(String text) {
        return quote(new StringBuilder(text.length() + 2), text).toString();
    }

    /**
     * Appends {@code text} to {@code out} as a quoted JSON string and returns {@code out}.
     *
     * @throws NullPointerException when {@code out} or {@code text} is null
     */
    public static StringBuilder quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}

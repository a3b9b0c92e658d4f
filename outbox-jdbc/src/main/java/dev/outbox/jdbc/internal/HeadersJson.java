package dev.outbox.jdbc.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes and reads the outbox table's {@code headers} column: a flat JSON object of string
 * values. Shared by outbox-jdbc and outbox-jdbc-replication; not API, may change without notice.
 * Stateless and thread-safe.
 */
public final class HeadersJson {
    private HeadersJson() {
    }

    /** Writes {@code headers} as a JSON object; {@code {}} when empty. */
    public static String write(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return "{}";
        }
        StringBuilder out = new StringBuilder(32 * headers.size());
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            quote(out, header.getKey());
            out.append(':');
            quote(out, header.getValue());
        }
        return out.append('}').toString();
    }

    /**
     * Reads a flat JSON object whose values are strings, in the form PostgreSQL prints jsonb.
     *
     * @return an unmodifiable map in document order; empty for {@code null} or {@code {}}
     * @throws IllegalArgumentException when the text is not such an object
     */
    public static Map<String, String> read(String json) {
        if (json == null || json.equals("{}")) {
            return Map.of();
        }
        Parser parser = new Parser(json);
        Map<String, String> headers = new LinkedHashMap<>();
        parser.expect('{');
        if (!parser.consume('}')) {
            do {
                String name = parser.string();
                parser.expect(':');
                headers.put(name, parser.string());
            } while (parser.consume(','));
            parser.expect('}');
        }
        return Collections.unmodifiableMap(headers);
    }

    private static void quote(StringBuilder out, String text) {
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
        out.append('"');
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        void expect(char c) {
            if (!consume(c)) {
                throw new IllegalArgumentException("malformed headers JSON at " + pos + ": expected '" + c + "'");
            }
        }

        boolean consume(char c) {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char escaped = text.charAt(pos++);
                switch (escaped) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> out.append(escaped);
                }
            }
        }
    }
}

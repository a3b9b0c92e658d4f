package dev.outbox.jdbc.internal;

import dev.outbox.core.JsonStrings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes and reads the outbox table's {@code headers} column: a flat JSON object of string
 * values, escaped by {@link JsonStrings}. Shared by outbox-jdbc and outbox-jdbc-replication; not
 * API, may change without notice. Stateless and thread-safe.
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
            JsonStrings.quote(out, header.getKey()).append(':');
            JsonStrings.quote(out, header.getValue());
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
        parser.expectEnd();
        return Collections.unmodifiableMap(headers);
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        void expect(char c) {
            if (!consume(c)) {
                throw malformed("expected '" + c + "'");
            }
        }

        boolean consume(char c) {
            skipWhitespace();
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expectEnd() {
            skipWhitespace();
            if (pos < text.length()) {
                throw malformed("unexpected text after the object");
            }
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char escaped = next();
                switch (escaped) {
                    case '"', '\\', '/' -> out.append(escaped);
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> out.append(unicodeEscape());
                    default -> throw malformed("unknown escape '\\" + escaped + "'");
                }
            }
        }

        private char unicodeEscape() {
            int value = 0;
            for (int i = 0; i < 4; i++) {
                char c = next();
                int digit = c < 0x80 ? Character.digit(c, 16) : -1;
                if (digit < 0) {
                    throw malformed("expected four hex digits after '\\u'");
                }
                value = value * 16 + digit;
            }
            return (char) value;
        }

        private char next() {
            if (pos >= text.length()) {
                throw malformed("unexpected end of text");
            }
            return text.charAt(pos++);
        }

        private void skipWhitespace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private IllegalArgumentException malformed(String problem) {
            return new IllegalArgumentException("malformed headers JSON at " + pos + ": " + problem);
        }
    }
}

package dev.outbox.jdbc.replication;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses and writes PostgreSQL's text output of the outbox columns: {@code timestamptz} in ISO
 * date style, {@code bytea} in hex format, and the headers {@code jsonb} (a flat object of
 * strings). outbox-jdbc keeps its own headers codec package-private, hence this one. Stateless.
 */
final class TextValues {

    private static final DateTimeFormatter TIMESTAMPTZ = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendOffset("+HH:mm:ss", "Z")
            .toFormatter();
    private static final DateTimeFormatter TIMESTAMPTZ_SHORT_OFFSET = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendOffset("+HH:mm", "Z")
            .toFormatter();
    private static final DateTimeFormatter TIMESTAMPTZ_HOUR_OFFSET = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendOffset("+HH", "Z")
            .toFormatter();

    private TextValues() {
    }

    /** Parses {@code 2026-11-23 16:36:37.123456+00} (offsets {@code +HH}, {@code +HH:MM}, {@code +HH:MM:SS}). */
    static Instant timestamptz(String text) {
        int offsetStart = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
        int offsetLength = text.length() - offsetStart;
        DateTimeFormatter formatter = offsetLength == 3 ? TIMESTAMPTZ_HOUR_OFFSET
                : offsetLength == 6 ? TIMESTAMPTZ_SHORT_OFFSET : TIMESTAMPTZ;
        return OffsetDateTime.parse(text, formatter).toInstant();
    }

    /** Parses {@code \x0a1b...}. */
    static byte[] bytea(String text) {
        if (!text.startsWith("\\x")) {
            throw new IllegalArgumentException("bytea value is not in hex format (bytea_output = 'hex' expected)");
        }
        return HexFormat.of().parseHex(text, 2, text.length());
    }

    /** Writes bytes as a {@code bytea} hex literal. */
    static String byteaLiteral(byte[] bytes) {
        return "\\x" + HexFormat.of().formatHex(bytes);
    }

    /** Writes a flat JSON object of strings. */
    static String headersJson(Map<String, String> headers) {
        StringBuilder out = new StringBuilder(2 + 32 * headers.size()).append('{');
        boolean first = true;
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            quote(out, header.getKey()).append(':');
            quote(out, header.getValue());
        }
        return out.append('}').toString();
    }

    /**
     * Reads a flat JSON object whose values are strings.
     *
     * @throws IllegalArgumentException when the text is not such an object
     */
    static Map<String, String> headers(String json) {
        if (json == null || json.equals("{}")) {
            return Map.of();
        }
        JsonReader reader = new JsonReader(json);
        Map<String, String> headers = new LinkedHashMap<>();
        reader.expect('{');
        if (!reader.consume('}')) {
            do {
                String name = reader.string();
                reader.expect(':');
                headers.put(name, reader.string());
            } while (reader.consume(','));
            reader.expect('}');
        }
        return Collections.unmodifiableMap(headers);
    }

    private static StringBuilder quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"');
    }

    private static final class JsonReader {
        private final String text;
        private int pos;

        JsonReader(String text) {
            this.text = text;
        }

        void expect(char c) {
            if (!consume(c)) {
                throw new IllegalArgumentException("headers are not a flat JSON object of strings: expected '" + c
                        + "' at offset " + pos);
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
            while (pos < text.length()) {
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
            throw new IllegalArgumentException("headers JSON ends inside a string");
        }
    }
}

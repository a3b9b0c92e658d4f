package dev.outbox.jdbc.replication;

import dev.outbox.jdbc.internal.HeadersJson;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.HexFormat;
import java.util.Map;

/**
 * Parses and writes PostgreSQL's text output of the outbox columns: {@code timestamptz} in ISO
 * date style, {@code bytea} in hex format, and the headers {@code jsonb} (a flat object of
 * strings, through outbox-jdbc's codec). Stateless.
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
        return HeadersJson.write(headers);
    }

    /**
     * Reads a flat JSON object whose values are strings.
     *
     * @throws IllegalArgumentException when the text is not such an object
     */
    static Map<String, String> headers(String json) {
        return HeadersJson.read(json);
    }
}

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

    /** Lenient for the offset only: PostgreSQL prints {@code +HH}, {@code +HH:MM} or {@code +HH:MM:SS}. */
    private static final DateTimeFormatter TIMESTAMPTZ = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .parseLenient().appendOffset("+HH:MM:ss", "Z").parseStrict()
            .toFormatter();

    private TextValues() {
    }

    /** Parses {@code 2026-11-23 16:36:37.123456+00} (offsets {@code +HH}, {@code +HH:MM}, {@code +HH:MM:SS}). */
    static Instant timestamptz(String text) {
        return OffsetDateTime.parse(text, TIMESTAMPTZ).toInstant();
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

package dev.outbox.jdbc;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The name of an outbox table: a schema and a table, both plain lower-case SQL identifiers.
 *
 * <p>Default: {@code public.outbox_event} ({@link #DEFAULT}). The names are validated on
 * construction because they are written into SQL text; only {@code [a-z_][a-z0-9_]*} is
 * accepted (no quoting needed, nothing to inject), the schema up to 63 characters and the
 * table up to {@value #MAX_TABLE_LENGTH} so that the derived index names stay within
 * PostgreSQL's 63-character limit.
 *
 * <p>Immutable and thread-safe.
 *
 * @param schema the schema, e.g. {@code public}
 * @param table  the table, e.g. {@code outbox_event}
 */
public record OutboxTable(String schema, String table) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

    /** Longest accepted table name. */
    public static final int MAX_TABLE_LENGTH = 40;
    /** The default table, {@code public.outbox_event}. */
    public static final OutboxTable DEFAULT = new OutboxTable("public", "outbox_event");


    /**
     * Validates the names.
     *
     * @throws IllegalArgumentException naming the invalid part and the accepted form
     * @throws NullPointerException when a name is null
     */
    public OutboxTable {
        requireIdentifier("schema", schema, 63);
        requireIdentifier("table", table, MAX_TABLE_LENGTH);
    }

    /**
     * Returns the table {@code schema.table}.
     *
     * @throws IllegalArgumentException naming the invalid part
     */
    public static OutboxTable of(String schema, String table) {
        return new OutboxTable(schema, table);
    }

    /**
     * Returns the table {@code table} in schema {@code public}.
     *
     * @throws IllegalArgumentException when the name is invalid
     */
    public static OutboxTable of(String table) {
        return new OutboxTable("public", table);
    }

    /** Returns {@code schema.table}, ready to use in SQL. */
    public String qualifiedName() {
        return schema + "." + table;
    }

    /**
     * Returns the default LISTEN/NOTIFY channel for this table: the table name for schema
     * {@code public}, {@code schema_table} otherwise (cut to 63 characters).
     */
    public String defaultChannel() {
        String channel = schema.equals("public") ? table : schema + "_" + table;
        return channel.length() > 63 ? channel.substring(0, 63) : channel;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }

    static String requireIdentifier(String what, String value, int maxLength) {
        Objects.requireNonNull(value, () -> what + " must not be null");
        if (value.length() > maxLength || !IDENTIFIER.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be a lower-case SQL identifier matching [a-z_][a-z0-9_]* "
                    + "of at most " + maxLength + " characters, got '" + value + "'");
        }
        return value;
    }
}

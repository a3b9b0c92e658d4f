package dev.outbox.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Creates the outbox table and its indexes from the SQL shipped in this jar.
 *
 * <p>Call {@link #create(Jdbi, OutboxTable)} once at start-up; it is idempotent and safe when
 * several instances start at once (it serializes on an advisory lock). It looks each object up in the
 * catalog first and runs only the statements whose object is missing, so on a database that has the
 * schema it takes no lock on the table and neither waits for nor blocks a running service's writers. Teams that manage their
 * schema with Flyway or Liquibase copy {@link #TEMPLATE_RESOURCE} (placeholders
 * {@code ${outbox_schema}} and {@code ${outbox_table}}) or the rendered {@link #sql(OutboxTable)}
 * into a migration instead.
 *
 * <p>Stateless and thread-safe.
 */
public final class OutboxSchema {

    /** Class-path location of the SQL template. */
    public static final String TEMPLATE_RESOURCE = "/dev/outbox/jdbc/outbox-schema.sql";

    private static final long LOCK_KEY = 0x6f7574626f78L; // "outbox" in ASCII
    private static final Pattern CREATE = Pattern.compile(
            "CREATE\\s+(SCHEMA|TABLE|INDEX)\\s+IF\\s+NOT\\s+EXISTS\\s+([\\w.]+)(?:\\s+ON\\s+([\\w.]+))?",
            Pattern.CASE_INSENSITIVE);

    private OutboxSchema() {
    }

    /**
     * Creates {@code table} and its indexes if they do not exist, in one transaction.
     *
     * @throws PostgresOutboxException when the SQL fails, e.g. for lack of privileges
     */
    public static void create(Jdbi jdbi, OutboxTable table) {
        Objects.requireNonNull(jdbi, "jdbi");
        Objects.requireNonNull(table, "table");
        try {
            jdbi.useTransaction(handle -> apply(handle, table));
        } catch (JdbiException e) {
            throw new PostgresOutboxException("schema creation for " + table, e);
        }
    }

    /**
     * Creates {@code table} and its indexes if they do not exist, on {@code handle}: inside its
     * transaction when one is open, otherwise in a transaction of its own.
     *
     * @throws PostgresOutboxException when the SQL fails
     */
    public static void create(Handle handle, OutboxTable table) {
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(table, "table");
        try {
            if (handle.isInTransaction()) {
                apply(handle, table);
            } else {
                handle.useTransaction(h -> apply(h, table));
            }
        } catch (JdbiException e) {
            throw new PostgresOutboxException("schema creation for " + table, e);
        }
    }

    /** Creates the default table {@code public.outbox_event}; see {@link #create(Jdbi, OutboxTable)}. */
    public static void create(Jdbi jdbi) {
        create(jdbi, OutboxTable.DEFAULT);
    }

    /** Returns the shipped SQL with the placeholders replaced by {@code table}'s names. */
    public static String sql(OutboxTable table) {
        Objects.requireNonNull(table, "table");
        return template()
                .replace("${outbox_schema}", table.schema())
                .replace("${outbox_table}", table.table());
    }

    /** Returns the shipped SQL template, with its {@code ${outbox_schema}}/{@code ${outbox_table}} placeholders. */
    public static String template() {
        try (InputStream in = OutboxSchema.class.getResourceAsStream(TEMPLATE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing class-path resource " + TEMPLATE_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + TEMPLATE_RESOURCE, e);
        }
    }

    private static void apply(Handle handle, OutboxTable table) {
        handle.execute("SELECT pg_advisory_xact_lock(?)", LOCK_KEY);
        for (String statement : statements(sql(table))) {
            // CREATE INDEX IF NOT EXISTS locks the table (SHARE, which waits for and blocks every insert) before it
            // sees that the index exists; a restart under load must not do that, so existing objects are skipped here.
            // Skipping CREATE SCHEMA also spares the CREATE privilege on the database it needs even when the schema exists.
            if (!exists(handle, statement)) {
                handle.execute(statement);
            }
        }
    }

    /**
     * Whether the object a {@code CREATE ... IF NOT EXISTS} statement creates exists, looked up in the catalog
     * without locking anything ({@code to_regclass}, {@code to_regnamespace}).
     */
    private static boolean exists(Handle handle, String statement) {
        Matcher create = CREATE.matcher(statement);
        if (!create.lookingAt()) {
            throw new IllegalStateException("schema statement is not CREATE SCHEMA|TABLE|INDEX IF NOT EXISTS: " + statement);
        }
        String name = create.group(2);
        String query = switch (create.group(1).toUpperCase(Locale.ROOT)) {
            case "SCHEMA" -> "SELECT to_regnamespace(?) IS NOT NULL";
            case "TABLE" -> "SELECT to_regclass(?) IS NOT NULL";
            default -> {
                // an index lives in its table's schema
                String on = create.group(3);
                int dot = on.lastIndexOf('.');
                name = dot < 0 ? name : on.substring(0, dot + 1) + name;
                yield "SELECT to_regclass(?) IS NOT NULL";
            }
        };
        return handle.createQuery(query).bind(0, name).mapTo(Boolean.class).one();
    }

    static List<String> statements(String script) {
        StringBuilder withoutComments = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String part : withoutComments.toString().split(";")) {
            String statement = part.strip();
            if (!statement.isEmpty()) {
                statements.add(statement);
            }
        }
        return statements;
    }
}

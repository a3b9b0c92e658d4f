package dev.outbox.order.app.jdbi;

import dev.outbox.jdbc.OutboxSchema;
import dev.outbox.jdbc.OutboxTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies every migration the service needs at start: the outbox table (through
 * {@link OutboxSchema}) and the order and idempotency-key tables (idempotent SQL shipped as class-path resources).
 * Safe to run at every start and from several instances at once (one transaction under an
 * advisory lock). Each object is looked up in the catalog first and only the missing ones are
 * created, so on a database that has the schema it takes no table lock and neither waits for nor
 * deadlocks with a running service's writers. Stateless and thread-safe.
 */
public final class OrderSchema {
    /** The order tables' SQL scripts, applied in this order. */
    static final List<String> SCRIPTS = List.of("/dev/outbox/order/app/jdbi/V1__orders.sql",
            "/dev/outbox/order/app/jdbi/V2__idempotency_keys.sql");
    private static final long LOCK_KEY = 0x6f72646572734c4bL;
    private static final Pattern CREATE = Pattern.compile("CREATE\\s+(?:TABLE|INDEX)\\s+IF\\s+NOT\\s+EXISTS\\s+(\\w+)",
            Pattern.CASE_INSENSITIVE);
    private static final Logger LOG = LoggerFactory.getLogger(OrderSchema.class);

    private OrderSchema() {
    }

    /**
     * Creates the outbox table {@code table} and the order tables when they do not exist.
     *
     * @throws org.jdbi.v3.core.JdbiException or {@link dev.outbox.core.OutboxException} when the SQL fails
     */
    public static void migrate(Jdbi jdbi, OutboxTable table) {
        OutboxSchema.create(jdbi, table);
        jdbi.useTransaction(handle -> {
            handle.execute("SELECT pg_advisory_xact_lock(?)", LOCK_KEY);
            for (String script : SCRIPTS) {
                for (String statement : statements(read(script))) {
                    // CREATE INDEX IF NOT EXISTS locks the table (SHARE: waits for and blocks every insert) before it
                    // sees the index exists; at a start under load that deadlocked live requests (issue #11).
                    if (!exists(handle, statement)) {
                        handle.execute(statement);
                    }
                }
            }
        });
        LOG.info("Schema ready: outbox table {} and tables orders, order_lines, idempotency_key", table);
    }

    /** Whether the table or index a {@code CREATE ... IF NOT EXISTS} statement creates exists; locks nothing. */
    private static boolean exists(Handle handle, String statement) {
        Matcher create = CREATE.matcher(statement);
        if (!create.lookingAt()) {
            throw new IllegalStateException("migration statement is not CREATE TABLE|INDEX IF NOT EXISTS: " + statement);
        }
        // the scripts name tables unqualified, so an index resolves through search_path as its table does
        return handle.createQuery("SELECT to_regclass(?) IS NOT NULL").bind(0, create.group(1))
                .mapTo(Boolean.class).one();
    }

    static List<String> statements(String script) {
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String part : sql.toString().split(";")) {
            if (!part.isBlank()) {
                statements.add(part.strip());
            }
        }
        return statements;
    }

    private static String read(String resource) {
        try (InputStream in = OrderSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing class-path resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}

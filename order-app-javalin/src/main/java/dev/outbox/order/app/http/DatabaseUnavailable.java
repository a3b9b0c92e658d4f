package dev.outbox.order.app.http;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Tells a failure that only says "the database is unavailable right now" (answered 503 with
 * {@code Retry-After}) from every other one (500): somewhere in its causes a pool that timed out
 * waiting for a connection ({@link SQLTransientConnectionException}, Hikari's), a refused TCP
 * connection, or an {@link SQLException} whose SQLSTATE is a connection exception (class
 * {@code 08}), an administrator's or crash shutdown ({@code 57P01}, {@code 57P02}), a server
 * still starting ({@code 57P03}) or out of connection slots ({@code 53300}). Stateless and thread-safe.
 */
final class DatabaseUnavailable {
    private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300");

    private DatabaseUnavailable() {
    }

    /** Returns whether {@code failure} or one of its causes says the database cannot be reached. */
    static boolean causedBy(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, true) == null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof ConnectException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || UNAVAILABLE_STATES.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}

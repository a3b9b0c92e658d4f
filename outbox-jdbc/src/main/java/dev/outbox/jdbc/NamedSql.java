package dev.outbox.jdbc;

import dev.outbox.jdbc.internal.OneShotStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL with {@code :name} parameters (a name may repeat), turned into JDBC's positional form once.
 * PostgreSQL casts ({@code ::uuid}) are left alone. Immutable and thread-safe.
 */
final class NamedSql {
    private static final Pattern PARAMETER = Pattern.compile("(?<![:\\w]):([a-z_]+)");

    private final String sql;
    private final List<String> names;

    NamedSql(String namedSql) {
        List<String> found = new ArrayList<>();
        Matcher matcher = PARAMETER.matcher(namedSql);
        StringBuilder positional = new StringBuilder();
        while (matcher.find()) {
            found.add(matcher.group(1));
            matcher.appendReplacement(positional, "?");
        }
        matcher.appendTail(positional);
        this.sql = positional.toString();
        this.names = List.copyOf(found);
    }

    PreparedStatement prepare(Connection connection) throws SQLException {
        return OneShotStatements.prepare(connection, sql);
    }

    /** Sets every occurrence of {@code name}. */
    void set(PreparedStatement statement, String name, Object value) throws SQLException {
        boolean found = false;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(name)) {
                statement.setObject(i + 1, value);
                found = true;
            }
        }
        if (!found) {
            throw new IllegalArgumentException("no parameter :" + name + " in " + sql);
        }
    }
}

package dev.outbox.benchmarks.jdbc;

import java.util.HashMap;
import java.util.Map;

/** {@code name=value} command-line arguments with defaults. */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] args) {
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments are name=value, got '" + arg + "'");
            }
            values.put(arg.substring(0, eq).replaceFirst("^--", ""), arg.substring(eq + 1));
        }
    }

    int intValue(String name, int defaultValue) {
        String value = values.get(name);
        return value == null ? defaultValue : Integer.parseInt(value.replace("_", ""));
    }
}

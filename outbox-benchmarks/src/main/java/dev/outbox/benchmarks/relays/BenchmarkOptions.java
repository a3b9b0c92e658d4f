package dev.outbox.benchmarks.relays;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's sizes, from {@code --name=value} arguments; every one has a default.
 *
 * @param backlog committed events each relay drains in the throughput run (default 200,000)
 * @param rate events per second the writers commit in the latency run (default 2,000)
 * @param seconds length of the latency run (default 30)
 * @param warmupSeconds first seconds of the latency run left out of the percentiles (default 5)
 * @param payloadBytes approximate size of each JSON payload (default 400)
 * @param writers writer threads of the latency run, one event per transaction (default 4)
 * @param pollingRelays polling relays sharing one store and one publisher in the polling leg (default 1)
 * @param legs what to run, in order: {@code bare}, {@code polling}, {@code log-tailing}, {@code debezium}
 */
record BenchmarkOptions(int backlog, int rate, int seconds, int warmupSeconds, int payloadBytes, int writers,
        int pollingRelays, List<String> legs) {

    static final List<String> ALL_LEGS = List.of("bare", "polling", "log-tailing", "debezium");

    static BenchmarkOptions parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("arguments look like --backlog=20000, got '" + arg + "'");
            }
            values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        BenchmarkOptions options = new BenchmarkOptions(
                positive(values, "backlog", 200_000), positive(values, "rate", 2_000),
                positive(values, "seconds", 30), notNegative(values, "warmup", 5),
                positive(values, "payload", 400), positive(values, "writers", 4),
                positive(values, "pollingRelays", 1), legs(values.remove("legs")));
        if (!values.isEmpty()) {
            throw new IllegalArgumentException("unknown arguments " + values.keySet()
                    + "; known: backlog, rate, seconds, warmup, payload, writers, pollingRelays, legs");
        }
        if (options.warmupSeconds >= options.seconds) {
            throw new IllegalArgumentException("warmup must be shorter than seconds");
        }
        return options;
    }

    private static List<String> legs(String value) {
        if (value == null) {
            return ALL_LEGS;
        }
        List<String> legs = new ArrayList<>();
        for (String leg : value.split(",")) {
            if (!ALL_LEGS.contains(leg.strip())) {
                throw new IllegalArgumentException("legs must be among " + ALL_LEGS + ", got '" + leg + "'");
            }
            legs.add(leg.strip());
        }
        return List.copyOf(legs);
    }

    private static int positive(Map<String, String> values, String name, int defaultValue) {
        int value = notNegative(values, name, defaultValue);
        if (value == 0) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return value;
    }

    private static int notNegative(Map<String, String> values, String name, int defaultValue) {
        String text = values.remove(name);
        try {
            int value = text == null ? defaultValue : Integer.parseInt(text.replace("_", ""));
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative, got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + text + "'", e);
        }
    }
}

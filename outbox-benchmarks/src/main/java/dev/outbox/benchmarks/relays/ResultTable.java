package dev.outbox.benchmarks.relays;

import java.util.List;
import java.util.Locale;

/** Prints the final table and the targets of the issue, met or not. */
final class ResultTable {

    private ResultTable() {
    }

    static void print(BenchmarkOptions options, List<LegResult> results) {
        System.out.println();
        System.out.printf(Locale.ROOT, "Relay comparison: backlog %,d events, steady %,d events/s for %d s (first %d s "
                + "left out), payload ~%d B, %d writer threads, %d cores%n", options.backlog(), options.rate(),
                options.seconds(), options.warmupSeconds(), options.payloadBytes(), options.writers(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "system load average now %.1f (other processes on this machine skew every "
                + "number; compare legs of one run only)%n", Progress.loadAverage());
        String format = "%-40s | %14s | %10s | %9s | %9s | %9s | %8s | %s%n";
        System.out.printf(Locale.ROOT, format, "leg", "backlog ev/s", "1st rec s", "p50 ms", "p99 ms", "max ms",
                "samples", "note");
        System.out.println("-".repeat(130));
        for (LegResult r : results) {
            System.out.printf(Locale.ROOT, format, r.name(), number("%,.0f", r.backlogRate()),
                    number("%.2f", r.firstRecordSeconds()), number("%.1f", r.latency().p50Millis()),
                    number("%.1f", r.latency().p99Millis()), number("%.1f", r.latency().maxMillis()),
                    r.latency().count() == 0 ? "-" : String.format(Locale.ROOT, "%,d", r.latency().count()), r.note());
        }
        System.out.println();
        targets(results);
    }

    private static void targets(List<LegResult> results) {
        LegResult bare = find(results, "bare");
        LegResult polling = find(results, "polling");
        LegResult logTailing = find(results, "log-tailing");
        LegResult debezium = find(results, "Debezium");
        check("log-tailing p99 <= 50 ms", logTailing == null ? Double.NaN : logTailing.latency().p99Millis(), 50, true);
        check("polling (wake-up) p99 <= 100 ms", polling == null ? Double.NaN : polling.latency().p99Millis(), 100, true);
        double best = Double.isNaN(rate(polling)) ? rate(logTailing)
                : Double.isNaN(rate(logTailing)) ? rate(polling) : Math.max(rate(polling), rate(logTailing));
        check("best relay backlog rate >= 2x Debezium's", best / rate(debezium), 2.0, false);
        check("best relay backlog rate >= 0.6x bare producer", best / rate(bare), 0.6, false);
    }

    private static void check(String target, double value, double limit, boolean atMost) {
        String verdict = Double.isNaN(value) ? "NOT MEASURED" : (atMost ? value <= limit : value >= limit) ? "met" : "MISSED";
        System.out.printf(Locale.ROOT, "target %-48s %-12s (%s)%n", target, verdict,
                Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value));
    }

    private static double rate(LegResult result) {
        return result == null ? Double.NaN : result.backlogRate();
    }

    private static LegResult find(List<LegResult> results, String prefix) {
        return results.stream().filter(r -> r.name().startsWith(prefix)).findFirst().orElse(null);
    }

    private static String number(String format, double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
    }
}

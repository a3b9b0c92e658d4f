package dev.outbox.benchmarks.relays;

/**
 * One row of the final table.
 *
 * @param name the leg
 * @param backlogRate events per second draining the committed backlog (NaN when not measured)
 * @param firstRecordSeconds seconds from (re)start to the first backlog record at the consumer (NaN for none)
 * @param latency commit-to-consumer latency at the steady rate ({@link LatencyStats#NONE} when not measured)
 * @param note what went wrong, or an empty string
 */
record LegResult(String name, double backlogRate, double firstRecordSeconds, LatencyStats latency, String note) {

    static LegResult failed(String name, String note) {
        return new LegResult(name, Double.NaN, Double.NaN, LatencyStats.NONE, note);
    }
}

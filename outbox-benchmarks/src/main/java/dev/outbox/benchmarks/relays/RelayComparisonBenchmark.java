package dev.outbox.benchmarks.relays;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compares the polling relay (woken by LISTEN/NOTIFY), the log-tailing relay and Debezium's
 * embedded engine (with the shipped connector configuration) in one run, on one embedded
 * PostgreSQL and one in-process Kafka broker, with a bare producer as the ceiling. Prints
 * progress lines and a final table; asserts nothing. From the repository root:
 *
 * <pre>
 * mvn -q -pl outbox-benchmarks compile exec:java \
 *     -Dexec.mainClass=dev.outbox.benchmarks.relays.RelayComparisonBenchmark \
 *     -Dexec.args="--backlog=200000 --rate=2000 --seconds=30 --warmup=5"
 * </pre>
 *
 * <p>Quick run: {@code -Dexec.args="--backlog=20000 --seconds=10 --warmup=2"}. Arguments (all
 * optional): {@code --backlog} events each leg drains from a committed backlog (200,000),
 * {@code --rate} events per second of the latency run (2,000), {@code --seconds} its length (30),
 * {@code --warmup} its first seconds left out of the percentiles (5), {@code --payload} payload
 * size in bytes (400), {@code --writers} writer threads (4), {@code --legs} a comma-separated
 * subset of {@code bare,polling,log-tailing,debezium}.
 *
 * <p>Each relay leg, in turn, on an emptied outbox table: (1) latency: the relay is started and
 * one probe event is relayed (so start-up does not count), then it runs while
 * writer threads commit one event per transaction at the steady rate; the latency of an event is
 * from the moment its commit returned to the moment a consumer polled its record; (2) throughput:
 * the relay is stopped, the backlog is committed in transactions of 1,000 events, the relay is
 * started again, and the drain rate is what the consumer sees from the first to the last record.
 * Before the first leg, 50,000 records go through the broker once, so that no leg pays alone for
 * JIT compilation (broker and clients share this JVM). PostgreSQL runs with
 * {@code synchronous_commit=on}, the server default; the legs run one after another, never
 * together, each followed by dropping its replication slot.
 *
 * <p>The numbers depend heavily on the machine and on whatever else runs on it (the progress
 * line at start and the table print the load average); compare the legs of one run.
 */
public final class RelayComparisonBenchmark {

    private RelayComparisonBenchmark() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code --name=value} options, see the class description
     * @throws Exception when the environment cannot start; a failing leg is reported in the table instead
     */
    public static void main(String[] args) throws Exception {
        quietLogging();
        BenchmarkOptions options = BenchmarkOptions.parse(args);
        BenchmarkEvents events = new BenchmarkEvents(options.payloadBytes());
        List<LegResult> results = new ArrayList<>();
        try (BenchmarkEnvironment environment = BenchmarkEnvironment.start()) {
            Progress.line("setup", "PostgreSQL on port %d, Kafka on %s, load average %.1f",
                    environment.postgres().port(), environment.bootstrapServers(), Progress.loadAverage());
            BareProducerRun.warmUp(environment, events, Math.min(options.backlog(), 50_000));
            for (String leg : options.legs()) {
                results.add(runLeg(leg, environment, events, options));
            }
        }
        ResultTable.print(options, results);
    }

    private static LegResult runLeg(String leg, BenchmarkEnvironment environment, BenchmarkEvents events,
            BenchmarkOptions options) {
        try {
            if (leg.equals("bare")) {
                double rate = BareProducerRun.run(environment, events, "bench_bare", options.backlog());
                return new LegResult("bare producer (ceiling)", rate, Double.NaN, LatencyStats.NONE, "");
            }
            RelayLeg relay = switch (leg) {
                case "polling" -> new PollingLeg(environment, options.pollingRelays());
                case "log-tailing" -> new LogTailingLeg(environment);
                default -> new DebeziumLeg(environment);
            };
            try {
                return measure(relay, leg.replace('-', '_'), environment, events, options);
            } finally {
                closeQuietly(relay);
            }
        } catch (Exception | LinkageError e) {
            Progress.line(leg, "FAILED: %s", e);
            e.printStackTrace(System.out);
            return LegResult.failed(leg, "not measured: " + e);
        }
    }

    private static LegResult measure(RelayLeg relay, String id, BenchmarkEnvironment environment,
            BenchmarkEvents events, BenchmarkOptions options) throws Exception {
        String label = relay.name();
        String steadyType = "bench_" + id + "_steady";
        String backlogType = "bench_" + id + "_backlog";
        environment.createTopic("outbox.event." + steadyType);
        environment.createTopic("outbox.event." + backlogType);
        environment.truncateOutbox();
        OutboxWriter writer = new OutboxWriter(environment.jdbi(), events);

        Progress.line(label, "starting");
        relay.start();
        awaitLive(relay, id, environment, writer);
        LatencyStats latency;
        String note = "";
        try (TopicWatcher watcher = TopicWatcher.start(environment.bootstrapServers(), "outbox.event." + steadyType)) {
            Map<String, Long> commits = new ConcurrentHashMap<>();
            double reached = writer.commitSteadily(label, steadyType, options.rate(), options.seconds(),
                    options.writers(), commits);
            if (reached < options.rate() * 0.95) {
                note = String.format(Locale.ROOT, "writers reached only %,.0f/s; ", reached);
            }
            int sent = commits.size();
            if (!watcher.awaitDistinct(label, sent, Duration.ofSeconds(60))) {
                note += (sent - watcher.distinctReceived()) + " steady events missing; ";
            }
            latency = latencies(commits, watcher.receivedNanos(), options.warmupSeconds());
            Progress.line(label, "latency p50 %.1f ms, p99 %.1f ms, max %.1f ms over %,d events", latency.p50Millis(),
                    latency.p99Millis(), latency.maxMillis(), latency.count());
        }
        relay.stop();

        environment.truncateOutbox();
        writer.commitBacklog(label, backlogType, options.backlog());
        try (TopicWatcher watcher = TopicWatcher.start(environment.bootstrapServers(), "outbox.event." + backlogType)) {
            long restart = System.nanoTime();
            relay.start();
            Duration timeout = Duration.ofSeconds(60 + options.backlog() / 1_000);
            if (!watcher.awaitDistinct(label, options.backlog(), timeout)) {
                return new LegResult(label, Double.NaN, Double.NaN, latency, note + "backlog not drained within "
                        + timeout.toSeconds() + " s (" + watcher.distinctReceived() + " received)");
            }
            double rate = Drain.rate(watcher, options.backlog());
            double firstSeconds = (watcher.receivedNanos().values().stream().mapToLong(Long::longValue).min()
                    .orElseThrow() - restart) / 1e9;
            Progress.line(label, "backlog drained at %,.0f events/s (first record %.2f s after start)", rate,
                    firstSeconds);
            return new LegResult(label, rate, firstSeconds, latency, note);
        }
    }

    /** Closes a leg; a failure to clean up is printed but does not discard the leg's numbers. */
    private static void closeQuietly(RelayLeg relay) {
        try {
            relay.release();
        } catch (Exception e) {
            Progress.line(relay.name(), "clean-up failed (numbers are kept): %s", e);
        }
    }

    /** Commits one probe event and waits until it arrives, so that start-up is not counted as latency. */
    private static void awaitLive(RelayLeg relay, String id, BenchmarkEnvironment environment, OutboxWriter writer)
            throws Exception {
        String probeType = "bench_" + id + "_probe";
        environment.createTopic("outbox.event." + probeType);
        try (TopicWatcher watcher = TopicWatcher.start(environment.bootstrapServers(), "outbox.event." + probeType)) {
            long begin = System.nanoTime();
            writer.commitBacklog(relay.name(), probeType, 1);
            if (!watcher.awaitDistinct(relay.name(), 1, BenchmarkEnvironment.READY_TIMEOUT)) {
                throw new IllegalStateException(relay.name() + " did not relay a probe event within "
                        + BenchmarkEnvironment.READY_TIMEOUT);
            }
            Progress.line(relay.name(), "live: probe event relayed in %.0f ms", (System.nanoTime() - begin) / 1e6);
        }
    }

    private static LatencyStats latencies(Map<String, Long> commits, Map<String, Long> received, int warmupSeconds) {
        long firstCommit = commits.values().stream().mapToLong(Long::longValue).min().orElse(0);
        long cutoff = firstCommit + warmupSeconds * 1_000_000_000L;
        return LatencyStats.of(commits.entrySet().stream()
                .filter(e -> e.getValue() >= cutoff && received.containsKey(e.getKey()))
                .mapToLong(e -> Math.max(0, received.get(e.getKey()) - e.getValue()))
                .toArray());
    }

    private static void quietLogging() {
        String[][] levels = {
            {"org.slf4j.simpleLogger.defaultLogLevel", "warn"},
            {"org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient", "error"},
            {"org.slf4j.simpleLogger.log.kafka.server.ReplicaManager", "off"},
            {"org.slf4j.simpleLogger.log.io.zonky", "error"},
            {"org.slf4j.simpleLogger.log.io.debezium.metrics.stats.MeasurementCollector", "error"},
        };
        for (String[] level : levels) {
            System.setProperty(level[0], System.getProperty(level[0], level[1]));
        }
    }
}

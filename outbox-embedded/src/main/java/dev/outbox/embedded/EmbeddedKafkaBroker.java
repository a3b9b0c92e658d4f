package dev.outbox.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka broker in KRaft mode (combined broker and controller) running
 * inside the current JVM, for tests and demos.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().start()) {
 *     String bootstrap = kafka.bootstrapServers();   // "127.0.0.1:<port>"
 *     kafka.stop();                                  // outage: clients get connection refused
 *     kafka.start();                                 // back on the same port and log dir
 * }
 * }</pre>
 *
 * <p>The first {@link #start()} formats the log directory the way {@code kafka-storage format}
 * does (unless it already holds a formatted Kafka log directory, which is then reused with its
 * topics and offsets) and starts {@code kafka.server.KafkaRaftServer}. Ports are chosen once,
 * when the broker is built, and kept for its whole life, so a {@link #stop()} followed by
 * {@link #start()} brings the broker back on the same address with the same data: clients
 * that were configured before the outage reconnect by themselves.
 *
 * <p>Broker defaults, chosen for one node: replication factor and minimum in-sync replicas 1
 * for the internal topics, {@code num.partitions=3} for auto-created topics (enough to show
 * per-key ordering across partitions), {@code auto.create.topics.enable=true},
 * {@code group.initial.rebalance.delay.ms=0}, 5 partitions for the consumer-offsets and
 * transaction-state topics (instead of 50, for a faster first consumer group), a 2 MiB log
 * cleaner buffer. Any broker setting can be overridden with
 * {@link Builder#brokerProperty(String, String)}.
 *
 * <p>Logging: Kafka logs through slf4j under the {@code kafka} and {@code org.apache.kafka}
 * loggers and is chatty at INFO; set those loggers to WARN in your binding's configuration
 * (for slf4j-simple: {@code org.slf4j.simpleLogger.log.kafka=warn} and
 * {@code org.slf4j.simpleLogger.log.org.apache.kafka=warn} in {@code simplelogger.properties}).
 *
 * <p>Kafka calls {@code org.apache.kafka.common.utils.Exit} on fatal errors, which halts the
 * JVM; while a broker built here runs, those calls are turned into an error log line and an
 * exception in the failing Kafka thread instead, so that a broker failure never kills the test
 * or demo process that embeds it.
 *
 * <p>Thread-safety: all methods are thread-safe; {@link #start()}, {@link #stop()} and
 * {@link #close()} are serialised on this object.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    /** Number of partitions of auto-created topics unless {@link Builder#partitions(int)} says otherwise. */
    public static final int DEFAULT_PARTITIONS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final int port;
    private final int controllerPort;
    private final Path logDir;
    private final boolean temporaryLogDir;
    private final int partitions;
    private final Map<String, String> overrides;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafkaBroker(Builder builder) {
        int[] free = FreePorts.pick(2);
        this.port = builder.port > 0 ? builder.port : free[0];
        this.controllerPort = builder.controllerPort > 0 ? builder.controllerPort : free[1];
        if (port == controllerPort) {
            throw new EmbeddedServerException("Kafka broker port and controller port must differ: both are " + port);
        }
        this.temporaryLogDir = builder.logDir == null;
        this.logDir = temporaryLogDir ? Directories.createTemp("embedded-kafka-") : builder.logDir.toAbsolutePath();
        this.partitions = builder.partitions;
        this.overrides = Map.copyOf(builder.overrides);
    }

    /**
     * Returns a builder with the defaults: free ports, a temporary log directory,
     * {@value #DEFAULT_PARTITIONS} partitions per auto-created topic.
     *
     * @return a new builder; not thread-safe, use it from one thread
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the broker, formatting the log directory first if it is not formatted yet, and
     * returns once the broker accepts clients. Calling it on a running broker does nothing.
     * After {@link #stop()} it restarts the broker on the same ports and log directory.
     *
     * @return this broker
     * @throws EmbeddedServerException if formatting or start-up fails (the ports stay reserved
     *     to this object, nothing keeps running), or if the broker was closed
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (closed) {
            throw new EmbeddedServerException("Kafka broker on port " + port + " is closed and cannot be restarted");
        }
        if (server != null) {
            return this;
        }
        long begin = System.nanoTime();
        Map<String, String> config = brokerConfig();
        KafkaStorageFormatter.formatIfNeeded(logDir, config);
        KafkaExitGuard.install();
        KafkaRaftServer candidate = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        try {
            candidate.startup();
            KafkaReadiness.await(bootstrapServers(), READY_TIMEOUT);
        } catch (RuntimeException e) {
            shutDown(candidate);
            throw new EmbeddedServerException("Kafka broker failed to start on " + bootstrapServers()
                    + " with log dir " + logDir, e);
        }
        server = candidate;
        LOG.info("Kafka broker started on {} in {} ms (log dir {})",
                bootstrapServers(), (System.nanoTime() - begin) / 1_000_000, logDir);
        return this;
    }

    /**
     * Shuts the broker down and waits until it is down, keeping its ports and log directory for
     * a later {@link #start()}. Calling it on a stopped broker does nothing.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        long begin = System.nanoTime();
        shutDown(server);
        server = null;
        LOG.info("Kafka broker on {} stopped in {} ms", bootstrapServers(), (System.nanoTime() - begin) / 1_000_000);
    }

    /**
     * Stops the broker and, when the log directory was a temporary one created by this object,
     * deletes it. A closed broker cannot be started again. Calling it twice does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        if (temporaryLogDir) {
            Directories.deleteRecursively(logDir);
        }
    }

    /**
     * Returns whether the broker is currently running.
     *
     * @return {@code true} between a successful {@link #start()} and the next {@link #stop()}
     */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * Returns the address for Kafka clients' {@code bootstrap.servers}; it stays the same
     * across restarts and is valid (though refusing connections) while the broker is stopped.
     *
     * @return {@code "127.0.0.1:<port>"}
     */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Returns the client (PLAINTEXT) port.
     *
     * @return the port, fixed for the life of this object
     */
    public int port() {
        return port;
    }

    /**
     * Returns the KRaft controller port (not for clients).
     *
     * @return the port, fixed for the life of this object
     */
    public int controllerPort() {
        return controllerPort;
    }

    /**
     * Returns the log directory (data and metadata log).
     *
     * @return an absolute path, fixed for the life of this object
     */
    public Path logDir() {
        return logDir;
    }

    /**
     * Returns the number of partitions of auto-created topics.
     *
     * @return the configured {@code num.partitions}
     */
    public int partitions() {
        return partitions;
    }

    /**
     * Creates a topic with replication factor 1 and waits until the broker has created it; an
     * existing topic of that name is left as it is.
     *
     * @param name the topic name
     * @param partitions the number of partitions, at least 1
     * @throws EmbeddedServerException if the broker refuses or does not answer within 60 s
     */
    public void createTopic(String name, int partitions) {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        KafkaReadiness.createTopic(bootstrapServers(), name, partitions, READY_TIMEOUT);
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + ", logDir=" + logDir + "]";
    }

    private Map<String, String> brokerConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("log.dirs", logDir.toString());
        config.put("num.partitions", Integer.toString(partitions));
        config.put("default.replication.factor", "1");
        config.put("min.insync.replicas", "1");
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "5");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("auto.create.topics.enable", "true");
        config.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        config.putAll(overrides);
        return config;
    }

    private static void shutDown(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Kafka broker shutdown reported an error", e);
        }
    }

    /**
     * Builds an {@link EmbeddedKafkaBroker}. Not thread-safe.
     */
    public static final class Builder {
        private int port;
        private int controllerPort;
        private Path logDir;
        private int partitions = DEFAULT_PARTITIONS;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets the client (PLAINTEXT) port on 127.0.0.1.
         *
         * @param port a port, or 0 (the default) for a free port chosen once at build time
         * @return this builder
         */
        public Builder port(int port) {
            this.port = FreePorts.requireValid("port", port);
            return this;
        }

        /**
         * Sets the KRaft controller port on 127.0.0.1.
         *
         * @param controllerPort a port, or 0 (the default) for a free port chosen once at build time
         * @return this builder
         */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = FreePorts.requireValid("controllerPort", controllerPort);
            return this;
        }

        /**
         * Sets the log directory. An existing formatted Kafka log directory is reused with its
         * data; an empty or missing one is created and formatted. Default: a new temporary
         * directory, deleted by {@link EmbeddedKafkaBroker#close()}; a directory given here is
         * never deleted.
         *
         * @param logDir the directory, or {@code null} for a temporary one
         * @return this builder
         */
        public Builder logDir(Path logDir) {
            this.logDir = logDir;
            return this;
        }

        /**
         * Sets {@code num.partitions}, the partition count of auto-created topics.
         *
         * @param partitions at least 1; default {@value EmbeddedKafkaBroker#DEFAULT_PARTITIONS}
         * @return this builder
         * @throws IllegalArgumentException if {@code partitions < 1}
         */
        public Builder partitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /**
         * Overrides or adds one broker setting (a {@code server.properties} key). Settings that
         * define the node (roles, listeners, ports, log dirs) can be overridden too, at the
         * caller's own risk.
         *
         * @param key a Kafka broker configuration key
         * @param value its value
         * @return this builder
         */
        public Builder brokerProperty(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Creates the broker without starting it: ports are chosen and the log directory is
         * created now.
         *
         * @return a stopped broker; call {@link EmbeddedKafkaBroker#start()}
         */
        public EmbeddedKafkaBroker build() {
            return new EmbeddedKafkaBroker(this);
        }

        /**
         * Creates and starts the broker; equivalent to {@code build().start()}.
         *
         * @return the running broker
         * @throws EmbeddedServerException if it cannot start (a temporary log dir is then removed)
         */
        public EmbeddedKafkaBroker start() {
            EmbeddedKafkaBroker broker = build();
            try {
                return broker.start();
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
        }
    }
}

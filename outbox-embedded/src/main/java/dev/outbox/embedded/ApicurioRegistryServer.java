package dev.outbox.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apicurio Registry 3.x running as a child JVM, for tests and demos that need a schema
 * registry; Kafka serializers talk to its Confluent-compatible API at
 * {@link #confluentApiUrl()}.
 *
 * <pre>{@code
 * try (ApicurioRegistryServer registry = ApicurioRegistryServer.start(ApicurioRegistryServer.locateDistribution())) {
 *     String schemaRegistryUrl = registry.confluentApiUrl();   // http://127.0.0.1:<port>/apis/ccompat/v7
 * }
 * }</pre>
 *
 * <p>The distribution is the unpacked {@code io.apicurio:apicurio-registry-app:<version>:tar.gz:all}
 * artifact from Maven Central (a Quarkus application: {@code quarkus-run.jar} and its
 * {@code lib/}, {@code app/}, {@code quarkus/} directories; 3.0.x's legacy runner jar works too); the
 * maven-dependency-plugin {@code unpack} goal puts it under {@code target/}, see
 * {@link #locateDistribution()}. Apicurio needs Java 21 or newer: the system property
 * {@code apicurio.java.home} or the environment variable {@code APICURIO_JAVA_HOME} names one,
 * otherwise {@code JAVA_HOME}, the running JVM and the usual install directories
 * ({@code /usr/lib/jvm}, ...) are searched.
 *
 * <p>The registry listens on 127.0.0.1 only, on a free port (its management interface, if
 * enabled, too), keeps its data in memory (lost when it stops), and writes its console output
 * to a log file ({@code target/apicurio-registry-<port>.log} when the working directory has a
 * {@code target} directory, a temporary file otherwise); a failed start quotes the log's tail.
 * A JVM shutdown hook kills the child if {@link #close()} was never called.
 *
 * <p>Thread-safety: all methods are thread-safe.
 */
public final class ApicurioRegistryServer implements AutoCloseable {
    /** System property naming the unpacked distribution directory, read by {@link #locateDistribution()}. */
    public static final String DISTRIBUTION_DIR_PROPERTY = "apicurio.distribution.dir";
    /** Path of the Confluent-compatible API below {@link #url()}. */
    public static final String CONFLUENT_API_PATH = "/apis/ccompat/v7";
    /** The oldest Java feature version that runs Apicurio Registry 3. */
    public static final int MINIMUM_JAVA_VERSION = 21;

    private static final Logger LOG = LoggerFactory.getLogger(ApicurioRegistryServer.class);
    private static final Path DEFAULT_UNPACK_DIR = Path.of("target", "apicurio-registry");

    private final Process process;
    private final int port;
    private final Path logFile;
    private final Thread shutdownHook;
    private boolean closed;

    private ApicurioRegistryServer(Process process, int port, Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
        this.shutdownHook = new Thread(() -> ChildProcesses.killTree(process), "apicurio-registry-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts Apicurio Registry from an unpacked distribution with the defaults and waits until
     * it answers (up to 90 s).
     *
     * @param distributionDir the unpacked {@code apicurio-registry-app} {@code all} tar.gz
     * @return the running registry
     * @throws EmbeddedServerException if no Java 21+ is found, the directory holds no runner jar,
     *     or the registry does not become ready (the message quotes its log)
     */
    public static ApicurioRegistryServer start(Path distributionDir) {
        return builder(distributionDir).start();
    }

    /**
     * Returns a builder for a registry from an unpacked distribution.
     *
     * @param distributionDir the unpacked {@code apicurio-registry-app} {@code all} tar.gz
     * @return a new builder; not thread-safe
     */
    public static Builder builder(Path distributionDir) {
        return new Builder(Objects.requireNonNull(distributionDir, "distributionDir"));
    }

    /**
     * Finds the unpacked distribution: the directory named by the system property
     * {@value #DISTRIBUTION_DIR_PROPERTY} if set, otherwise {@code target/apicurio-registry}
     * below the working directory (where the documented maven-dependency-plugin execution
     * unpacks it).
     *
     * @return the directory holding {@code quarkus-run.jar} (or, for Apicurio 3.0.x,
     *     {@code apicurio-registry-app-*-runner.jar})
     * @throws EmbeddedServerException if no runner jar is found there; the message names the property
     */
    public static Path locateDistribution() {
        String configured = System.getProperty(DISTRIBUTION_DIR_PROPERTY);
        Path dir = configured == null || configured.isBlank() ? DEFAULT_UNPACK_DIR : Path.of(configured);
        ApicurioDistribution.runnerJar(dir.toAbsolutePath());
        return dir.toAbsolutePath();
    }

    /**
     * Returns the registry's base URL.
     *
     * @return {@code http://127.0.0.1:<port>}
     */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Returns the base URL of the Confluent-compatible API, for {@code schema.registry.url}.
     *
     * @return {@code http://127.0.0.1:<port>/apis/ccompat/v7}
     */
    public String confluentApiUrl() {
        return url() + CONFLUENT_API_PATH;
    }

    /**
     * Returns the HTTP port.
     *
     * @return the port on 127.0.0.1
     */
    public int port() {
        return port;
    }

    /**
     * Returns the file that receives the registry's console output.
     *
     * @return the log file path
     */
    public Path logFile() {
        return logFile;
    }

    /**
     * Returns whether the registry process is still alive.
     *
     * @return {@code true} until the process exits or {@link #close()} kills it
     */
    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * Kills the registry process and its descendants (SIGTERM, then SIGKILL after 10 s) and
     * waits for them to exit. Its in-memory data is lost. Calling it twice does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ChildProcesses.killTree(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook does the same work.
        }
        LOG.info("Apicurio Registry on {} stopped", url());
    }

    @Override
    public String toString() {
        return "ApicurioRegistryServer[" + url() + ", log=" + logFile + "]";
    }

    /**
     * Builds and starts an {@link ApicurioRegistryServer}. Not thread-safe.
     */
    public static final class Builder {
        private final Path distributionDir;
        private int port;
        private Path javaHome;
        private Path logFile;
        private Duration startupTimeout = Duration.ofSeconds(90);
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx384m", "-XX:TieredStopAtLevel=1"));
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder(Path distributionDir) {
            this.distributionDir = distributionDir;
            properties.put("quarkus.http.access-log.enabled", "false");
        }

        /**
         * Sets the HTTP port on 127.0.0.1.
         *
         * @param port a port, or 0 (the default) for a free one
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder port(int port) {
            this.port = FreePorts.requireValid("port", port);
            return this;
        }

        /**
         * Sets the Java 21+ installation to run the registry with.
         *
         * @param javaHome its home directory; default: found as described on the class
         * @return this builder
         */
        public Builder javaHome(Path javaHome) {
            this.javaHome = javaHome;
            return this;
        }

        /**
         * Sets the file that receives the registry's console output (appended to).
         *
         * @param logFile the file; default {@code target/apicurio-registry-<port>.log} or a temporary file
         * @return this builder
         */
        public Builder logFile(Path logFile) {
            this.logFile = logFile;
            return this;
        }

        /**
         * Sets how long {@link #start()} waits for the registry to answer.
         *
         * @param startupTimeout a positive duration; default 90 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder startupTimeout(Duration startupTimeout) {
            if (startupTimeout == null || startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive: " + startupTimeout);
            }
            this.startupTimeout = startupTimeout;
            return this;
        }

        /**
         * Adds an option for the child JVM (defaults: {@code -Xmx384m -XX:TieredStopAtLevel=1}).
         *
         * @param option e.g. {@code -Xmx512m}
         * @return this builder
         */
        public Builder jvmOption(String option) {
            jvmOptions.add(Objects.requireNonNull(option, "option"));
            return this;
        }

        /**
         * Sets a Quarkus or Apicurio configuration property, passed as {@code -Dkey=value}
         * (default: {@code quarkus.http.access-log.enabled=false}). The HTTP and management
         * host and port settings are always set by this class.
         *
         * @param key a configuration key, e.g. {@code apicurio.ccompat.legacy-id-mode.enabled}
         * @param value its value
         * @return this builder
         */
        public Builder property(String key, String value) {
            properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Launches the registry and waits until {@code GET /apis/ccompat/v7/subjects} answers 200.
         *
         * @return the running registry
         * @throws EmbeddedServerException if no Java 21+ is found, the distribution is not there,
         *     the process exits, or it is not ready in time (the message quotes its log's tail;
         *     the process is killed)
         */
        public ApicurioRegistryServer start() {
            Path runnerJar = ApicurioDistribution.runnerJar(distributionDir.toAbsolutePath());
            Path java = javaHome != null ? JavaRuntimes.requireJava(javaHome, MINIMUM_JAVA_VERSION, "javaHome")
                    : JavaRuntimes.findJava(MINIMUM_JAVA_VERSION);
            int[] free = FreePorts.pick(2);
            int httpPort = port > 0 ? port : free[0];
            int managementPort = free[1] != httpPort ? free[1] : FreePorts.pick(1)[0];
            Path log = logFile != null ? logFile : ApicurioDistribution.defaultLogFile(httpPort);

            List<String> command = new ArrayList<>();
            command.add(java.toString());
            command.addAll(jvmOptions);
            Map<String, String> all = new LinkedHashMap<>(properties);
            all.put("quarkus.http.host", "127.0.0.1");
            all.put("quarkus.http.port", Integer.toString(httpPort));
            all.put("quarkus.management.host", "127.0.0.1");
            all.put("quarkus.management.port", Integer.toString(managementPort));
            all.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.add("-jar");
            command.add(runnerJar.toString());

            long begin = System.nanoTime();
            Process process = ChildProcesses.launch(command, runnerJar.getParent(), log);
            ApicurioRegistryServer server = new ApicurioRegistryServer(process, httpPort, log);
            try {
                ApicurioDistribution.awaitReady(process, server.confluentApiUrl() + "/subjects", startupTimeout, log);
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            LOG.info("Apicurio Registry started on {} in {} ms with {} (log {})",
                    server.url(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), java, log);
            return server;
        }
    }
}

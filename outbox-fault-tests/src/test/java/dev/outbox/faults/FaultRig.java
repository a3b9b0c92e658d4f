package dev.outbox.faults;

import dev.outbox.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The processes of one scenario, all on 127.0.0.1: a database of its own on the shared
 * PostgreSQL server, a broker JVM ({@link KafkaBrokerMain}), the Order service's {@code serve}
 * with {@code RELAY_MODE=none} and any number of {@code relay} processes. Output of each process
 * goes to {@code target/fault-runs/<scenario>/<process>.log}. {@link #close()} kills them all.
 * Not thread-safe except {@link #leader()} and the process handles.
 */
final class FaultRig implements AutoCloseable {
    static final String TOPIC = "Order";
    static final String MAIN = "dev.outbox.order.app.Main";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    final String name;
    final Path dir;
    private final EmbeddedPostgresServer postgres;
    private final String database;
    private final int brokerPort = freePort();
    private final int controllerPort = freePort();
    private final int httpPort = freePort();
    private final int messageMaxBytes;
    private final Map<String, String> relayEnv = new HashMap<>();
    private final List<ChildProcess> relays = new ArrayList<>();
    private ChildProcess broker;
    private ChildProcess service;

    FaultRig(String name, EmbeddedPostgresServer postgres, Path root, int messageMaxBytes) {
        this.name = name;
        this.dir = root.resolve(name);
        this.postgres = postgres;
        this.database = name.replace('-', '_');
        this.messageMaxBytes = messageMaxBytes;
        postgres.createDatabase(database);
    }

    /** Sets variables every relay started afterwards gets (e.g. {@code RELAY_MAX_ATTEMPTS}). */
    FaultRig relayEnv(String key, String value) {
        relayEnv.put(key, value);
        return this;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    int httpPort() {
        return httpPort;
    }

    String slot() {
        return database + "_slot";
    }

    /** Starts (or restarts, after {@link #killBroker()}) the broker JVM and waits until it accepts clients. */
    void startBroker() {
        if (broker == null) {
            broker = ChildProcess.java("kafka-broker", dir, Map.of(), KafkaBrokerMain.class.getName(),
                    List.of(Integer.toString(brokerPort), Integer.toString(controllerPort),
                            dir.resolve("kafka-logs").toString(), Integer.toString(messageMaxBytes)));
        }
        broker.start().awaitOutput(KafkaBrokerMain.READY, START_TIMEOUT);
    }

    /** SIGKILLs the broker JVM. */
    void killBroker() {
        broker.kill();
    }

    /** Creates topic {@value #TOPIC} with 3 partitions, so no relay races its auto-creation. */
    void createTopic() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + TOPIC, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code Main serve} with {@code RELAY_MODE=none} and waits until its HTTP API answers. */
    void startService() {
        Map<String, String> env = baseEnv("serve");
        env.put("RELAY_MODE", "none");
        env.put("HOST", "127.0.0.1");
        env.put("PORT", Integer.toString(httpPort));
        service = ChildProcess.java("serve", dir, env, MAIN, List.of("serve")).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Deadline.of(START_TIMEOUT).await("serve to answer on port " + httpPort + " (see " + service.output() + ")", () -> {
            if (!service.isAlive()) {
                throw new IllegalStateException("serve exited: see " + service.output());
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                return true;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        });
    }

    /** Starts {@code count} {@code Main relay} processes in {@code mode} (polling or log-tailing) and waits for each. */
    List<ChildProcess> startRelays(String mode, int count) {
        List<ChildProcess> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String relayName = "relay-" + (relays.size() + 1);
            Map<String, String> env = baseEnv(relayName);
            env.put("RELAY_MODE", mode);
            env.putAll(relayEnv);
            ChildProcess relay = ChildProcess.java(relayName, dir, env, MAIN, List.of("relay"));
            relays.add(relay);
            started.add(relay.start());
        }
        started.forEach(FaultRig::awaitRelayStarted);
        return started;
    }

    /** Waits until a (re)started relay reports its relay running. */
    static void awaitRelayStarted(ChildProcess relay) {
        relay.awaitOutput("relay started", START_TIMEOUT);
    }

    List<ChildProcess> relays() {
        return List.copyOf(relays);
    }

    ChildProcess service() {
        return service;
    }

    /** Waits until the log-tailing relays' slot exists and one of them streams from it. */
    void awaitSlotActive() {
        Deadline.of(START_TIMEOUT).await("slot " + slot() + " to be active", () -> query(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot() + "' AND active") > 0);
    }

    /**
     * Returns the log-tailing relay that holds the slot's leadership (its advisory lock), found by
     * the application name each relay's connections carry.
     */
    Optional<ChildProcess> leader() {
        String sql = "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                + "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()";
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql); ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                String app = rows.getString(1);
                for (ChildProcess relay : relays) {
                    if (relay.name().equals(app) && relay.isAlive()) {
                        return Optional.of(relay);
                    }
                }
            }
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** A plain connection to this scenario's database (for the checks and the poison rows). */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl("fault-suite"));
    }

    long query(String countSql) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(countSql); ResultSet rows = s.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + countSql, e);
        }
    }

    private String jdbcUrl(String applicationName) {
        return postgres.jdbcUrl(database) + "&ApplicationName=" + applicationName;
    }

    private Map<String, String> baseEnv(String applicationName) {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", jdbcUrl(applicationName));
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers());
        env.put("REPLICATION_SLOT", slot());
        env.put("REPLICATION_PUBLICATION", database + "_pub");
        env.put("RELAY_POLL_INTERVAL", "200ms");
        env.put("RELAY_BATCH_SIZE", Integer.toString(FaultScenariosTest.BATCH_SIZE));
        env.put("OUTBOX_RETENTION", "24h"); // published rows stay, with occurred_at, for the checks
        env.put("EMBEDDED_POSTGRES_PORT", "0");
        env.put("EMBEDDED_KAFKA_PORT", "0");
        return env;
    }

    /** Kills every process of the scenario and drops its replication slot, if any. */
    @Override
    public void close() {
        relays.forEach(ChildProcess::kill);
        if (service != null) {
            service.kill();
        }
        if (broker != null) {
            broker.kill();
        }
        // the killed relays' WAL senders may take a moment to go; a slot left behind would pin WAL
        Deadline.of(Duration.ofSeconds(10)).tryAwait(() -> {
            try {
                query("SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = '"
                        + slot() + "'");
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

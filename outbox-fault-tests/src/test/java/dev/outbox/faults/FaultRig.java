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
import java.util.Objects;
import java.util.Optional;

/**
 * The processes of one scenario, all on 127.0.0.1: a database of its own on the shared
 * PostgreSQL server, a topic of its own on the shared broker ({@link BrokerProcess}), the Order
 * service's {@code serve} with {@code RELAY_MODE=none} and any number of {@code relay} processes,
 * optionally each behind a {@link TcpProxy} to PostgreSQL. Output of each process goes to
 * {@code target/fault-runs/<scenario>/<process>.log}. {@link #close()} kills the scenario's
 * processes (not the broker). Not thread-safe except {@link #leader()} and the process handles.
 */
final class FaultRig implements AutoCloseable {
    static final String MAIN = "dev.outbox.order.app.Main";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final int START_ATTEMPTS = 3;

    final String name;
    final Path dir;
    private final EmbeddedPostgresServer postgres;
    private final BrokerProcess broker;
    private final String database;
    private final String topic;
    private final int httpPort = freePort();
    private final Map<String, String> relayEnv = new HashMap<>();
    private final Map<String, String> serviceEnv = new HashMap<>();
    private final List<ChildProcess> relays = new ArrayList<>();
    private final Map<ChildProcess, TcpProxy> proxies = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final long createdAtNanos = System.nanoTime();
    private ChildProcess service;

    FaultRig(String name, EmbeddedPostgresServer postgres, BrokerProcess broker, Path root, int maxMessageBytes) {
        this.name = name;
        this.dir = root.resolve(name);
        this.postgres = postgres;
        this.broker = broker;
        this.database = name.replace('-', '_');
        this.topic = "Order." + name;
        postgres.createDatabase(database);
        broker.createTopic(topic, maxMessageBytes);
    }

    /** Sets variables every relay started afterwards gets (e.g. {@code RELAY_MAX_ATTEMPTS}). */
    FaultRig relayEnv(String key, String value) {
        relayEnv.put(key, value);
        return this;
    }

    /** Sets a variable of the service, before {@link #startService()} (e.g. {@code HEALTH_DELIVERY_STALL}). */
    FaultRig serviceEnv(String key, String value) {
        serviceEnv.put(key, value);
        return this;
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** This scenario's topic: the relays' {@code TOPIC_TEMPLATE} {@code ${aggregateType}.<scenario>}. */
    String topic() {
        return topic;
    }

    /** How long ago the rig was created: the scenario's duration so far, setup included. */
    Duration age() {
        return Duration.ofNanos(System.nanoTime() - createdAtNanos);
    }

    int httpPort() {
        return httpPort;
    }

    String slot() {
        return database + "_slot";
    }

    /** Starts {@code Main serve} with {@code RELAY_MODE=none} and waits until its HTTP API answers. */
    void startService() {
        Map<String, String> env = baseEnv("serve", postgres.port());
        env.putAll(serviceEnv);
        env.put("RELAY_MODE", "none");
        env.put("HOST", "127.0.0.1");
        env.put("PORT", Integer.toString(httpPort));
        service = ChildProcess.java("serve", dir, env, MAIN, List.of("serve")).start();
        for (int attempt = 1; ; attempt++) {
            try {
                awaitServiceAnswers();
                return;
            } catch (IllegalStateException e) {
                if (service.isAlive() || attempt == START_ATTEMPTS) {
                    throw e;
                }
                service.start(); // it gave up at start (see its log): start it again
            }
        }
    }

    private void awaitServiceAnswers() {
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
        return startRelays(mode, count, false);
    }

    /**
     * Starts {@code count} relays as {@link #startRelays(String, int)} does, each reaching PostgreSQL
     * through a {@link TcpProxy} of its own ({@link #proxy(ChildProcess)}).
     */
    List<ChildProcess> startRelaysBehindProxies(String mode, int count) {
        return startRelays(mode, count, true);
    }

    private List<ChildProcess> startRelays(String mode, int count, boolean behindProxy) {
        List<ChildProcess> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String relayName = "relay-" + (relays.size() + 1);
            TcpProxy proxy = behindProxy ? TcpProxy.to(postgres.port()) : null;
            Map<String, String> env = baseEnv(relayName, behindProxy ? proxy.port() : postgres.port());
            env.put("RELAY_MODE", mode);
            // a relay whose pool cannot connect in time at start gives up; on a starved machine 2 s is short
            env.put("DATABASE_CONNECTION_TIMEOUT", "10s");
            env.putAll(relayEnv);
            ChildProcess relay = ChildProcess.java(relayName, dir, env, MAIN, List.of("relay"));
            relays.add(relay);
            if (proxy != null) {
                proxies.put(relay, proxy);
            }
            started.add(relay.start());
        }
        started.forEach(FaultRig::awaitRelayStarted);
        return started;
    }

    /**
     * Waits until a started relay reports its relay running. One that exits first (on a busy
     * machine its pool can time out connecting, and the process gives up) is started again, up to
     * {@value #START_ATTEMPTS} times in all.
     */
    static void awaitRelayStarted(ChildProcess relay) {
        for (int attempt = 1; ; attempt++) {
            try {
                relay.awaitOutput("relay started", START_TIMEOUT);
                return;
            } catch (IllegalStateException e) {
                if (relay.isAlive() || attempt == START_ATTEMPTS) {
                    throw e;
                }
                relay.start();
            }
        }
    }

    List<ChildProcess> relays() {
        return List.copyOf(relays);
    }

    ChildProcess service() {
        return service;
    }

    /** The proxy between {@code relay} and PostgreSQL (relays started by {@link #startRelaysBehindProxies}). */
    TcpProxy proxy(ChildProcess relay) {
        return Objects.requireNonNull(proxies.get(relay), relay + " has no proxy");
    }

    /** {@code GET /health} of the service: the status code and the body; a failed request is code 0. */
    Health health() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/health")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Health(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Health(0, String.valueOf(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Health(0, "interrupted");
        }
    }

    /** One answer of {@code GET /health}. */
    record Health(int status, String body) {
        boolean up() {
            return status == 200; // 503 when DOWN
        }

        /** DOWN because delivery makes no progress (a reason naming {@code HEALTH_DELIVERY_STALL}). */
        boolean deliveryStalled() {
            return status == 503 && body.contains("HEALTH_DELIVERY_STALL");
        }
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
        return jdbcUrl(applicationName, postgres.port());
    }

    private String jdbcUrl(String applicationName, int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + EmbeddedPostgresServer.USER
                + "&ApplicationName=" + applicationName;
    }

    private Map<String, String> baseEnv(String applicationName, int databasePort) {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", jdbcUrl(applicationName, databasePort));
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers());
        env.put("TOPIC_TEMPLATE", "${aggregateType}." + name);
        env.put("REPLICATION_SLOT", slot());
        env.put("REPLICATION_PUBLICATION", database + "_pub");
        env.put("RELAY_POLL_INTERVAL", "200ms");
        env.put("RELAY_BATCH_SIZE", Integer.toString(FaultScenariosTest.BATCH_SIZE));
        env.put("OUTBOX_RETENTION", "24h"); // published rows stay, with occurred_at, for the checks
        env.put("EMBEDDED_POSTGRES_PORT", "0");
        env.put("EMBEDDED_KAFKA_PORT", "0");
        return env;
    }

    /** Kills every process of the scenario (not the shared broker), closes its proxies and drops its slot, if any. */
    @Override
    public void close() {
        relays.forEach(ChildProcess::kill);
        if (service != null) {
            service.kill();
        }
        proxies.values().forEach(TcpProxy::close);
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

package dev.outbox.order.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.spi.OutboxBacklog;
import dev.outbox.core.spi.OutboxStore;
import dev.outbox.jdbc.replication.LogTailingRelay;
import dev.outbox.jdbc.replication.ReplicationLag;
import dev.outbox.order.app.http.HealthReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes {@code GET /health}: the database (a {@code SELECT 1}), the broker (a cluster
 * description, when publishing to Kafka), and the relay (its mode, running or not, and its lag: pending
 * events, the oldest one's age, dead letters; for the log-tailing relay also leader or standby and
 * the replication slot's lag in bytes and seconds). Down when the database or broker does not answer,
 * the configured relay is not running, its replication slot is missing, or delivery is not
 * progressing (see {@link DeliveryProgress}: the oldest pending event waited longer than
 * {@code HEALTH_DELIVERY_STALL}, the relay here delivered nothing that long while events wait, or
 * its store calls keep failing); the relay's {@code reasons} then say why. A change between
 * progressing and stalled is logged once. Thread-safe.
 */
final class HealthChecks implements Supplier<HealthReport>, AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecks.class);
    private final ObjectMapper mapper = new ObjectMapper();
    private final Jdbi jdbi;
    private final OutboxStore store;
    private final Optional<Admin> admin;
    private final AppConfig config;
    private final Supplier<Optional<OutboxRelay>> relay;
    private final Supplier<Optional<LogTailingRelay>> logRelay;
    private final RelayMetrics metrics;
    private final AtomicBoolean stalled = new AtomicBoolean();

    HealthChecks(AppConfig config, Jdbi jdbi, OutboxStore store, Optional<String> bootstrapServers,
                 Supplier<Optional<OutboxRelay>> relay, Supplier<Optional<LogTailingRelay>> logRelay,
                 RelayMetrics metrics) {
        this.config = config;
        this.jdbi = jdbi;
        this.store = store;
        this.relay = relay;
        this.logRelay = logRelay;
        this.metrics = metrics;
        this.admin = bootstrapServers.filter(b -> config.publisher() == AppConfig.PublisherKind.KAFKA)
                .map(b -> Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis())));
    }

    @Override
    public HealthReport get() {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode checks = root.putObject("checks");
        boolean database = check(checks.putObject("database"), () -> {
            jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            return null;
        });
        boolean broker = true;
        ObjectNode brokerNode = checks.putObject("broker");
        if (admin.isPresent()) {
            broker = check(brokerNode, () -> {
                int nodes = admin.get().describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                        .nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
                brokerNode.put("nodes", nodes);
                return null;
            });
        } else {
            brokerNode.put("status", "UNUSED").put("publisher", config.publisher().name().toLowerCase());
        }
        boolean relayUp = relay(checks.putObject("relay"));
        boolean up = database && broker && relayUp;
        root.put("status", up ? "UP" : "DOWN");
        return new HealthReport(up, root.toString());
    }

    private boolean relay(ObjectNode node) {
        node.put("mode", AppConfig.label(config.relayMode()));
        boolean running = relay.get().map(OutboxRelay::isRunning).orElse(false)
                || logRelay.get().map(LogTailingRelay::isRunning).orElse(false);
        boolean up = config.relayMode() == AppConfig.RelayMode.NONE || running;
        node.put("running", running);
        if (config.relayMode() == AppConfig.RelayMode.LOG_TAILING) {
            up &= replication(node);
        }
        try {
            OutboxBacklog backlog = store.backlog();
            Duration lag = backlog.oldestPendingAge(Instant.now());
            metrics.record(backlog, lag);
            node.put("pending", backlog.pending());
            node.put("oldest_pending_age_seconds", lag.toMillis() / 1000.0);
            node.put("dead_letters", backlog.deadLetters());
            up &= progressing(node, backlog);
        } catch (RuntimeException e) {
            node.put("backlog_error", e.getClass().getSimpleName());
            up = false;
        }
        node.put("status", up ? "UP" : "DOWN");
        return up;
    }

    private boolean progressing(ObjectNode node, OutboxBacklog backlog) {
        // a standby log-tailing relay delivers nothing by design: only the leader's progress counts
        boolean relayHere = relay.get().map(OutboxRelay::isRunning).orElse(false)
                || logRelay.get().map(r -> r.isRunning() && r.isLeader()).orElse(false);
        List<String> reasons = metrics.progress().stalls(backlog, relayHere, config.healthDeliveryStall());
        if (reasons.isEmpty()) {
            if (stalled.compareAndSet(true, false)) {
                LOG.info("Delivery progressing again: {} events pending", backlog.pending());
            }
            return true;
        }
        if (stalled.compareAndSet(false, true)) {
            LOG.warn("Delivery stalled, /health is DOWN: {}", String.join("; ", reasons));
        }
        ArrayNode list = node.putArray("reasons");
        reasons.forEach(list::add);
        return false;
    }

    private boolean replication(ObjectNode node) {
        node.put("table_mode", AppConfig.label(config.tableMode()));
        node.put("slot", config.replicationSlot());
        Optional<LogTailingRelay> tailing = logRelay.get();
        node.put("role", tailing.map(r -> r.isLeader() ? "leader" : "standby").orElse("stopped"));
        if (tailing.isEmpty()) {
            return false;
        }
        ObjectNode lagNode = node.putObject("replication_lag");
        try {
            ReplicationLag lag = tailing.get().lag();
            metrics.record(lag);
            lagNode.put("bytes", lag.bytes());
            lagNode.put("seconds", lag.age().toMillis() / 1000.0);
            lagNode.put("confirmed_flush_lsn", lag.confirmedFlushLsn());
            lagNode.put("slot_active", lag.slotActive());
            if (!lag.slotExists()) {
                lagNode.put("error", "replication slot " + config.replicationSlot() + " does not exist");
                return false;
            }
            return true;
        } catch (RuntimeException e) {
            lagNode.put("error", e.getClass().getSimpleName());
            return false;
        }
    }

    private static boolean check(ObjectNode node, java.util.concurrent.Callable<Void> probe) {
        try {
            probe.call();
            node.put("status", "UP");
            return true;
        } catch (Exception e) {
            node.put("status", "DOWN");
            node.put("error", e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            return false;
        }
    }

    @Override
    public void close() {
        admin.ifPresent(a -> a.close(Duration.ofSeconds(2)));
    }
}

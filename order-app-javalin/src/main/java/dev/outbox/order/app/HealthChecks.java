package dev.outbox.order.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.spi.OutboxBacklog;
import dev.outbox.core.spi.OutboxStore;
import dev.outbox.order.app.http.HealthReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.jdbi.v3.core.Jdbi;

/**
 * Computes {@code GET /health}: the database (a {@code SELECT 1}), the broker (a cluster
 * description, when publishing to Kafka), and the relay (running or not, and its lag: pending
 * events, the oldest one's age, dead letters). Down when the database or broker does not answer
 * or the configured relay is not running. Thread-safe.
 */
final class HealthChecks implements Supplier<HealthReport>, AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private final ObjectMapper mapper = new ObjectMapper();
    private final Jdbi jdbi;
    private final OutboxStore store;
    private final Optional<Admin> admin;
    private final AppConfig config;
    private final Supplier<Optional<OutboxRelay>> relay;
    private final RelayMetrics metrics;

    HealthChecks(AppConfig config, Jdbi jdbi, OutboxStore store, Optional<String> bootstrapServers,
                 Supplier<Optional<OutboxRelay>> relay, RelayMetrics metrics) {
        this.config = config;
        this.jdbi = jdbi;
        this.store = store;
        this.relay = relay;
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
        node.put("mode", config.relayMode().name().toLowerCase());
        boolean running = relay.get().map(OutboxRelay::isRunning).orElse(false);
        boolean up = config.relayMode() == AppConfig.RelayMode.NONE || running;
        node.put("running", running);
        try {
            OutboxBacklog backlog = store.backlog();
            Duration lag = backlog.oldestPendingAge(Instant.now());
            metrics.record(backlog, lag);
            node.put("pending", backlog.pending());
            node.put("oldest_pending_age_seconds", lag.toMillis() / 1000.0);
            node.put("dead_letters", backlog.deadLetters());
        } catch (RuntimeException e) {
            node.put("backlog_error", e.getClass().getSimpleName());
            up = false;
        }
        node.put("status", up ? "UP" : "DOWN");
        return up;
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

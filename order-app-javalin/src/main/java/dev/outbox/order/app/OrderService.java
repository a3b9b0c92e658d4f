package dev.outbox.order.app;

import dev.outbox.core.Outbox;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxSchema;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.jdbc.PostgresOutboxStore;
import dev.outbox.jdbc.replication.LogOnlyOutbox;
import dev.outbox.jdbc.replication.LogTailingRelay;
import dev.outbox.jdbc.replication.LogTailingRelayConfig;
import dev.outbox.jdbc.replication.LogTailingRelayListener;
import dev.outbox.jdbc.replication.TableMode;
import dev.outbox.kafka.KafkaOutboxEventPublisher;
import dev.outbox.kafka.KafkaPublisherConfig;
import dev.outbox.kafka.PayloadFormat;
import dev.outbox.kafka.TopicNaming;
import dev.outbox.order.app.http.OrderHttpApi;
import dev.outbox.order.app.jdbi.JdbiIdempotencyKeys;
import dev.outbox.order.app.jdbi.JdbiOrderRepository;
import dev.outbox.order.app.jdbi.OrderSchema;
import dev.outbox.order.domain.OrderUseCases;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Order service wired from an {@link AppConfig}: infrastructure (external or embedded),
 * migrations, the order use cases over JDBI, the relay with its metrics (polling, or log-tailing
 * through a logical replication slot, which purges its own published rows), the publisher
 * (Kafka, JSON or Avro, or log-only), the retention purge and, for {@code serve}, the HTTP API.
 * Start with {@link #start}; {@link #close()} stops everything in reverse order.
 */
public final class OrderService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrderService.class);

    /** What to run. */
    public enum Mode {
        /** HTTP API and relay (per {@code RELAY_MODE}). */
        SERVE,
        /** The relay alone; at start it creates the outbox table only, not the order tables. */
        RELAY,
        /** Only the database, for one-off commands. */
        TOOL
    }

    private final AppConfig config;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private Infrastructure infrastructure;
    private Jdbi jdbi;
    private PostgresOutboxStore store;
    private OutboxRelay relay;
    private LogTailingRelay logRelay;
    private JdbiIdempotencyKeys idempotencyKeys;
    private Javalin http;

    private OrderService(AppConfig config) {
        this.config = config;
    }

    /**
     * Starts the service.
     *
     * @throws RuntimeException when a component cannot start; what had started is stopped again
     */
    public static OrderService start(AppConfig config, Mode mode) {
        OrderService service = new OrderService(config);
        try {
            service.startComponents(mode);
            return service;
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    private void startComponents(Mode mode) {
        LOG.info("Starting ({}) with {}", mode, config);
        boolean needsPublisher = mode != Mode.TOOL && config.relayMode() != AppConfig.RelayMode.NONE;
        boolean needKafka = needsPublisher && config.publisher() == AppConfig.PublisherKind.KAFKA;
        infrastructure = Infrastructure.open(config, true, needKafka, mode == Mode.TOOL);
        resources.add(infrastructure);
        jdbi = Jdbi.create(infrastructure.dataSource());
        if (mode == Mode.RELAY) {
            // the relay reads and writes the outbox table only; the order tables are serve's and migrate's
            OutboxSchema.create(jdbi, OutboxTable.DEFAULT);
            LOG.info("Schema ready: outbox table {}", OutboxTable.DEFAULT);
        } else {
            OrderSchema.migrate(jdbi, OutboxTable.DEFAULT);
        }
        store = PostgresOutboxStore.builder().jdbi(jdbi).retention(config.retention()).build();
        if (mode == Mode.TOOL) {
            return;
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RelayMetrics metrics = new RelayMetrics(registry);
        if (needsPublisher) {
            OutboxEventPublisher publisher = publisher(config, infrastructure.bootstrapServers());
            resources.add(publisher);
            if (config.relayMode() == AppConfig.RelayMode.LOG_TAILING) {
                // started before the HTTP API: the slot sees only rows written after it exists
                logRelay = logTailingRelay(config, infrastructure.dataSource(), publisher, metrics);
                resources.add(logRelay);
                logRelay.start();
            } else {
                relay = OutboxRelay.create(store, publisher, RelayConfig.builder().batchSize(config.batchSize())
                        .pollInterval(config.pollInterval()).maxAttempts(config.maxAttempts()).listener(metrics).build());
                resources.add(relay);
                relay.start();
                LOG.info("Polling relay started (batch {}, poll {}, max attempts {})", config.batchSize(),
                        config.pollInterval(), config.maxAttempts());
            }
        }
        if (config.relayMode() != AppConfig.RelayMode.LOG_TAILING) {
            startPurge(); // the log-tailing relay's leader purges published rows itself
        }
        if (mode == Mode.SERVE) {
            JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(jdbi);
            Outbox outbox = config.tableMode() == TableMode.LOG_ONLY
                    ? LogOnlyOutbox.create(unitOfWork, OutboxTable.DEFAULT) : JdbiOutbox.create(unitOfWork);
            OrderUseCases orders = OrderUseCases.create(unitOfWork, new JdbiOrderRepository(unitOfWork),
                    outbox, Clock.systemUTC());
            idempotencyKeys = new JdbiIdempotencyKeys(unitOfWork, config.idempotencyKeyRetention());
            startKeyPurge();
            HealthChecks health = new HealthChecks(config, jdbi, store, infrastructure.bootstrapServers(),
                    () -> Optional.ofNullable(relay), () -> Optional.ofNullable(logRelay), metrics);
            resources.add(health);
            http = OrderHttpApi.create(orders, unitOfWork, idempotencyKeys, Clock.systemUTC(), health, registry::scrape);
            http.start(config.host(), config.port());
            resources.add(http::stop);
            LOG.info("Order API listening on http://{}:{}/orders", config.host(), http.port());
        }
    }

    /**
     * Creates (does not start) the log-tailing relay {@code config} describes: the outbox table, the
     * slot and publication from {@code REPLICATION_SLOT}/{@code REPLICATION_PUBLICATION}, the table
     * mode from {@code OUTBOX_TABLE_MODE}, batch size and attempts from {@code RELAY_BATCH_SIZE}/
     * {@code RELAY_MAX_ATTEMPTS}, and, for kept rows, {@code OUTBOX_RETENTION} as its purge retention.
     */
    static LogTailingRelay logTailingRelay(AppConfig config, DataSource dataSource, OutboxEventPublisher publisher,
                                           LogTailingRelayListener listener) {
        return LogTailingRelay.create(dataSource, publisher, LogTailingRelayConfig.builder()
                .table(OutboxTable.DEFAULT)
                .slotName(config.replicationSlot())
                .publicationName(config.replicationPublication())
                .mode(config.tableMode())
                .batchSize(config.batchSize())
                .maxAttempts(config.maxAttempts())
                .leaderTimeout(config.replicationLeaderTimeout())
                .retention(config.retention())
                .listener(listener)
                .build());
    }

    /** Builds the configured publisher: Kafka (Avro with a schema registry, JSON otherwise), RabbitMQ, NATS JetStream or log-only. */
    static OutboxEventPublisher publisher(AppConfig config, Optional<String> bootstrapServers) {
        TopicNaming topics = TopicNaming.template(config.topicTemplate());
        if (config.publisher() == AppConfig.PublisherKind.LOG) {
            return new LogOutboxEventPublisher(topics::topicFor);
        }
        if (config.publisher() == AppConfig.PublisherKind.NATS) {
            return NatsWiring.publisher(config.nats().orElseThrow());
        }
        if (config.publisher() == AppConfig.PublisherKind.RABBITMQ) {
            return RabbitMqWiring.publisher(config.rabbitMq().orElseThrow());
        }
        return KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder()
                .bootstrapServers(bootstrapServers.orElseThrow())
                .topicNaming(topics)
                .payloadFormat(config.schemaRegistryUrl().map(PayloadFormat::avro).orElse(PayloadFormat.json())).build());
    }

    private void startPurge() {
        if (config.retention().isZero()) {
            return;
        }
        ScheduledExecutorService purge = daemonScheduler("outbox-purge");
        purge.scheduleWithFixedDelay(() -> {
            try {
                long purged = store.purgeExpired(Instant.now());
                if (purged > 0) {
                    LOG.info("Purged {} published events older than {}", purged, config.retention());
                }
            } catch (RuntimeException e) {
                LOG.warn("Purging published events failed; will retry", e);
            }
        }, 1, 60, TimeUnit.SECONDS);
        resources.add(purge::shutdownNow);
    }

    /** Deletes expired idempotency keys every minute (keys are only written by the HTTP API). */
    private void startKeyPurge() {
        ScheduledExecutorService purge = daemonScheduler("idempotency-key-purge");
        purge.scheduleWithFixedDelay(() -> {
            try {
                long purged = idempotencyKeys.purgeExpired(Instant.now());
                if (purged > 0) {
                    LOG.info("Purged {} idempotency keys older than {}", purged, config.idempotencyKeyRetention());
                }
            } catch (RuntimeException e) {
                LOG.warn("Purging idempotency keys failed; will retry", e);
            }
        }, 1, 60, TimeUnit.SECONDS);
        resources.add(purge::shutdownNow);
    }

    private static ScheduledExecutorService daemonScheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Returns the HTTP port, once started in {@link Mode#SERVE}. */
    public int httpPort() {
        return http.port();
    }

    /** Returns the JDBI instance over the service's database. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /** Returns the outbox store. */
    public PostgresOutboxStore store() {
        return store;
    }

    /** Returns the broker's bootstrap servers, when a broker was started or configured. */
    public Optional<String> bootstrapServers() {
        return infrastructure.bootstrapServers();
    }

    /** Returns the polling relay, when one runs in this process. */
    public Optional<OutboxRelay> relay() {
        return Optional.ofNullable(relay);
    }

    /** Returns the log-tailing relay, when one runs in this process ({@code RELAY_MODE=log-tailing}). */
    public Optional<LogTailingRelay> logTailingRelay() {
        return Optional.ofNullable(logRelay);
    }

    /** Returns the store of {@code Idempotency-Key}s, once started in {@link Mode#SERVE}. */
    JdbiIdempotencyKeys idempotencyKeys() {
        return idempotencyKeys;
    }

    /** Returns the (pooled) data source of the service's database. */
    DataSource dataSource() {
        return infrastructure.dataSource();
    }

    /** Stops everything this service started, in reverse order; idempotent. */
    @Override
    public synchronized void close() {
        Infrastructure.closeAll(resources);
    }
}

package dev.outbox.benchmarks.relays;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.embedded.EmbeddedKafkaBroker;
import dev.outbox.embedded.EmbeddedPostgresServer;
import dev.outbox.jdbc.OutboxSchema;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.kafka.KafkaOutboxEventPublisher;
import dev.outbox.kafka.KafkaPublisherConfig;
import java.time.Duration;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * One embedded PostgreSQL (logical replication on), one in-process Kafka broker, a connection
 * pool and the outbox table, shared by every leg of the benchmark.
 */
final class BenchmarkEnvironment implements AutoCloseable {

    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final EmbeddedPostgresServer postgres;
    private final EmbeddedKafkaBroker kafka;
    private final HikariDataSource pool;
    private final Jdbi jdbi;

    private BenchmarkEnvironment(EmbeddedPostgresServer postgres, EmbeddedKafkaBroker kafka) {
        this.postgres = postgres;
        this.kafka = kafka;
        HikariConfig config = new HikariConfig();
        config.setDataSource(postgres.dataSource());
        config.setMaximumPoolSize(16);
        config.setPoolName("benchmark");
        this.pool = new HikariDataSource(config);
        this.jdbi = Jdbi.create(pool);
        OutboxSchema.create(jdbi);
    }

    /**
     * Starts the servers. PostgreSQL runs with {@code synchronous_commit=on}, the server default
     * (the embedded server's own default is off): with it off, a commit returns before its WAL is
     * flushed, WAL senders stream only flushed WAL, and every log-reading relay would wait for the
     * WAL writer ({@code wal_writer_delay}, 200 ms) instead of the commit.
     */
    static BenchmarkEnvironment start() {
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.builder()
                .serverConfig("synchronous_commit", "on")
                .serverConfig("max_wal_size", "4GB")
                .start();
        try {
            return new BenchmarkEnvironment(postgres, EmbeddedKafkaBroker.builder().start());
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
    }

    EmbeddedPostgresServer postgres() {
        return postgres;
    }

    HikariDataSource pool() {
        return pool;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Returns the producer settings of our publisher (acks=all, idempotence, ...), serializers included. */
    Map<String, Object> publisherProducerProperties() {
        return KafkaPublisherConfig.builder().bootstrapServers(bootstrapServers()).build().producerProperties();
    }

    /** Creates a topic ahead of the first send, so that no leg pays for (or trips over) auto-creation. */
    void createTopic(String topic) {
        kafka.createTopic(topic, EmbeddedKafkaBroker.DEFAULT_PARTITIONS);
    }

    /** Empties the outbox table between legs; relays skip or never see TRUNCATE. */
    void truncateOutbox() {
        jdbi.useHandle(h -> h.execute("TRUNCATE " + OutboxTable.DEFAULT.qualifiedName()));
    }

    /** Waits until a replication slot of that name is streaming to a client. */
    void awaitSlotActive(String slot) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean active = jdbi.withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM pg_replication_slots WHERE slot_name = :slot AND active")
                    .bind("slot", slot).mapTo(Integer.class).one()) == 1;
            if (active) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("replication slot " + slot + " did not become active within " + READY_TIMEOUT);
    }

    /**
     * Drops a replication slot and a publication if they exist, first waiting (up to the ready
     * timeout) for the slot's WAL sender to exit after its client closed.
     */
    void dropSlotAndPublication(String slot, String publication) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && jdbi.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = :slot AND active")
                .bind("slot", slot).mapTo(Integer.class).one()) > 0) {
            Thread.sleep(100);
        }
        jdbi.useHandle(h -> {
            h.createQuery("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = :slot")
                    .bind("slot", slot).mapTo(String.class).list();
            h.execute("DROP PUBLICATION IF EXISTS " + publication);
        });
    }

    @Override
    public void close() {
        pool.close();
        kafka.close();
        postgres.close();
    }
}

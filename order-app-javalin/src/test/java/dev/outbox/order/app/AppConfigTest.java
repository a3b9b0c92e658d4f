package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.jdbc.replication.TableMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppConfigTest {
    @Test
    void emptyEnvironmentGivesWorkingEmbeddedDefaults() {
        AppConfig config = AppConfig.from(Map.of());

        assertThat(config.embeddedPostgres()).isTrue();
        assertThat(config.embeddedKafka()).isTrue();
        assertThat(config.embeddedPostgresDir()).isEqualTo(Path.of("./.outbox-data/postgres"));
        assertThat(config.embeddedKafkaDir()).isEqualTo(Path.of("./.outbox-data/kafka"));
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.topicTemplate()).isEqualTo("${aggregateType}");
        assertThat(config.relayMode()).isEqualTo(AppConfig.RelayMode.POLLING);
        assertThat(config.publisher()).isEqualTo(AppConfig.PublisherKind.KAFKA);
        assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.batchSize()).isEqualTo(500);
        assertThat(config.maxAttempts()).isEqualTo(10);
        assertThat(config.schemaRegistryUrl()).isEmpty();
        assertThat(config.tableMode()).isEqualTo(TableMode.KEEP_ROWS);
        assertThat(config.replicationSlot()).isEqualTo("outbox_slot");
        assertThat(config.replicationPublication()).isEqualTo("outbox_pub");
        assertThat(config.databaseConnectionTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.idempotencyKeyRetention()).isEqualTo(Duration.ofHours(24));
        assertThat(config.healthDeliveryStall()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void faultSettingsAreReadAndValidatedNamingTheVariable() {
        AppConfig config = AppConfig.from(Map.of("DATABASE_CONNECTION_TIMEOUT", "500ms",
                "IDEMPOTENCY_KEY_RETENTION", "7d", "HEALTH_DELIVERY_STALL", "0"));

        assertThat(config.databaseConnectionTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.idempotencyKeyRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.healthDeliveryStall()).isZero();
        assertThatThrownBy(() -> AppConfig.from(Map.of("DATABASE_CONNECTION_TIMEOUT", "100ms")))
                .hasMessageStartingWith("DATABASE_CONNECTION_TIMEOUT ").hasMessageContaining("250ms to 60s");
        assertThatThrownBy(() -> AppConfig.from(Map.of("DATABASE_CONNECTION_TIMEOUT", "2m")))
                .hasMessageStartingWith("DATABASE_CONNECTION_TIMEOUT ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("IDEMPOTENCY_KEY_RETENTION", "0")))
                .hasMessageStartingWith("IDEMPOTENCY_KEY_RETENTION ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("HEALTH_DELIVERY_STALL", "soon")))
                .hasMessageStartingWith("HEALTH_DELIVERY_STALL ");
    }

    @Test
    void logTailingSettingsAreRead() {
        AppConfig config = AppConfig.from(Map.of("RELAY_MODE", "log-tailing", "OUTBOX_TABLE_MODE", "log-only",
                "REPLICATION_SLOT", "orders_slot", "REPLICATION_PUBLICATION", "orders_pub"));

        assertThat(config.relayMode()).isEqualTo(AppConfig.RelayMode.LOG_TAILING);
        assertThat(config.tableMode()).isEqualTo(TableMode.LOG_ONLY);
        assertThat(config.replicationSlot()).isEqualTo("orders_slot");
        assertThat(config.replicationPublication()).isEqualTo("orders_pub");
        assertThat(config.replicationLeaderTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(AppConfig.from(Map.of("REPLICATION_LEADER_TIMEOUT", "10s")).replicationLeaderTimeout())
                .isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> AppConfig.from(Map.of("REPLICATION_LEADER_TIMEOUT", "500ms")))
                .hasMessageStartingWith("REPLICATION_LEADER_TIMEOUT ").hasMessageContaining("at least 1s");
        assertThat(config.toString()).contains("log-tailing (log-only, slot orders_slot, publication orders_pub)");
    }

    @Test
    void invalidLogTailingCombinationsFailNamingTheVariable() {
        assertThatThrownBy(() -> AppConfig.from(Map.of("OUTBOX_TABLE_MODE", "log-only")))
                .hasMessageStartingWith("OUTBOX_TABLE_MODE=log-only needs RELAY_MODE=log-tailing");
        assertThatThrownBy(() -> AppConfig.from(Map.of("RELAY_MODE", "none", "OUTBOX_TABLE_MODE", "log-only")))
                .hasMessageContaining("RELAY_MODE=none");
        assertThatThrownBy(() -> AppConfig.from(Map.of("OUTBOX_TABLE_MODE", "wal"))).hasMessageStartingWith("OUTBOX_TABLE_MODE ")
                .hasMessageContaining("keep-rows|log-only");
        assertThatThrownBy(() -> AppConfig.from(Map.of("REPLICATION_SLOT", "Orders-Slot")))
                .hasMessageStartingWith("REPLICATION_SLOT ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("REPLICATION_PUBLICATION", "pub;drop")))
                .hasMessageStartingWith("REPLICATION_PUBLICATION ");
    }

    @Test
    void valuesAreReadAndParsed() {
        AppConfig config = AppConfig.from(Map.of("PORT", "9000", "RELAY_MODE", "none", "PUBLISHER", "LOG",
                "RELAY_POLL_INTERVAL", "250ms", "OUTBOX_RETENTION", "0", "DATABASE_URL", "jdbc:postgresql://db/orders",
                "DATABASE_PASSWORD", "secret"));

        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.relayMode()).isEqualTo(AppConfig.RelayMode.NONE);
        assertThat(config.publisher()).isEqualTo(AppConfig.PublisherKind.LOG);
        assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.retention()).isZero();
        assertThat(config.toString()).doesNotContain("secret");
    }

    @Test
    void topicTemplateMayNameTheEventType() {
        AppConfig config = AppConfig.from(Map.of("TOPIC_TEMPLATE", "${aggregateType}.${eventType}"));

        assertThat(config.topicTemplate()).isEqualTo("${aggregateType}.${eventType}");
    }

    @Test
    void invalidValuesFailNamingTheVariable() {
        assertThatThrownBy(() -> AppConfig.from(Map.of("PORT", "http"))).hasMessageStartingWith("PORT ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("RELAY_MODE", "tailing"))).hasMessageStartingWith("RELAY_MODE ")
                .hasMessageContaining("polling|log-tailing|none");
        assertThatThrownBy(() -> AppConfig.from(Map.of("PUBLISHER", "rabbit"))).hasMessageStartingWith("PUBLISHER ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("DATABASE_URL", "postgres://x"))).hasMessageStartingWith("DATABASE_URL ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("RELAY_POLL_INTERVAL", "0"))).hasMessageStartingWith("RELAY_POLL_INTERVAL ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("RELAY_BATCH_SIZE", "-1"))).hasMessageStartingWith("RELAY_BATCH_SIZE ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("TOPIC_TEMPLATE", "orders/${aggregateType}")))
                .hasMessageStartingWith("TOPIC_TEMPLATE ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("TOPIC_TEMPLATE", "orders.${aggregateId}")))
                .hasMessageStartingWith("TOPIC_TEMPLATE ").hasMessageContaining("unknown placeholder ${aggregateId}")
                .hasMessageContaining("${eventType}");
        assertThatThrownBy(() -> AppConfig.from(Map.of("SCHEMA_REGISTRY_URL", "registry:8081")))
                .hasMessageStartingWith("SCHEMA_REGISTRY_URL ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost")))
                .hasMessageStartingWith("KAFKA_BOOTSTRAP_SERVERS ");
    }
}

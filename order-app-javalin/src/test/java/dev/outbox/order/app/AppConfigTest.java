package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void invalidValuesFailNamingTheVariable() {
        assertThatThrownBy(() -> AppConfig.from(Map.of("PORT", "http"))).hasMessageStartingWith("PORT ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("RELAY_MODE", "tailing"))).hasMessageStartingWith("RELAY_MODE ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("PUBLISHER", "rabbit"))).hasMessageStartingWith("PUBLISHER ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("DATABASE_URL", "postgres://x"))).hasMessageStartingWith("DATABASE_URL ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("RELAY_POLL_INTERVAL", "0"))).hasMessageStartingWith("RELAY_POLL_INTERVAL ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("RELAY_BATCH_SIZE", "-1"))).hasMessageStartingWith("RELAY_BATCH_SIZE ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("TOPIC_TEMPLATE", "orders/${aggregateType}")))
                .hasMessageStartingWith("TOPIC_TEMPLATE ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("SCHEMA_REGISTRY_URL", "registry:8081")))
                .hasMessageStartingWith("SCHEMA_REGISTRY_URL ");
        assertThatThrownBy(() -> AppConfig.from(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost")))
                .hasMessageStartingWith("KAFKA_BOOTSTRAP_SERVERS ");
    }
}

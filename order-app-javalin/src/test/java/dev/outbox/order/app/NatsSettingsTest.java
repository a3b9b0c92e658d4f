package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code PUBLISHER=nats}: its settings are read only then, with defaults, and validated naming the variable. */
class NatsSettingsTest {

    @Test
    void natsSettingsAreReadOnlyForPublisherNats_withWorkingDefaults() {
        assertThat(AppConfig.from(Map.of()).nats()).isEmpty();
        assertThat(AppConfig.from(Map.of("NATS_SUBJECT", "bad..subject")).nats()).as("ignored for kafka").isEmpty();

        NatsSettings nats = AppConfig.from(Map.of("PUBLISHER", "nats")).nats().orElseThrow();

        assertThat(nats).isEqualTo(new NatsSettings("nats://127.0.0.1:4222", "outbox.${aggregateType}.${aggregateId}",
                "OUTBOX", true, Duration.ofMinutes(2)));
    }

    @Test
    void invalidNatsSettingsFailNamingTheVariable() {
        assertThatThrownBy(() -> nats("NATS_URL", "127.0.0.1:4222")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("NATS_URL must be nats://host:port");
        assertThatThrownBy(() -> nats("NATS_SUBJECT", "outbox..${aggregateType}"))
                .hasMessageContaining("NATS_SUBJECT").hasMessageContaining("empty token");
        assertThatThrownBy(() -> nats("NATS_SUBJECT", "outbox.${aggregateKind}"))
                .hasMessageContaining("NATS_SUBJECT").hasMessageContaining("unknown placeholder");
        assertThatThrownBy(() -> nats("NATS_STREAM", "my.stream")).hasMessageContaining("NATS_STREAM");
        assertThatThrownBy(() -> nats("NATS_CREATE_STREAM", "yes")).hasMessageContaining("NATS_CREATE_STREAM");
        assertThatThrownBy(() -> nats("NATS_DUPLICATE_WINDOW", "0")).hasMessageContaining("NATS_DUPLICATE_WINDOW");
    }

    private static AppConfig nats(String name, String value) {
        return AppConfig.from(Map.of("PUBLISHER", "nats", name, value));
    }
}

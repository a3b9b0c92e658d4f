package dev.outbox.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NatsPublisherConfigTest {

    @Test
    void defaults() {
        NatsPublisherConfig config = NatsPublisherConfig.builder().serverUrl("nats://127.0.0.1:4222").build();

        assertThat(config.subjects().template()).isEqualTo("outbox.${aggregateType}.${aggregateId}");
        assertThat(config.publishTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxPublishDuration()).isEqualTo(Duration.ofSeconds(12));
        assertThat(config.maxPendingAcks()).isEqualTo(4096);
        assertThat(config.expectedStream()).isEmpty();
        assertThat(config.createStream()).isEmpty();
    }

    @Test
    void invalidSettings_areRefused_namingTheSetting() {
        assertThatThrownBy(() -> NatsPublisherConfig.builder().serverUrl("localhost:4222").build())
                .hasMessageContaining("serverUrl must be nats://host:port");
        assertThatThrownBy(() -> builder().subjectTemplate("a..b").build()).hasMessageContaining("empty token");
        assertThatThrownBy(() -> builder().publishTimeout(Duration.ZERO).build())
                .hasMessageContaining("publishTimeout must be positive");
        assertThatThrownBy(() -> builder().maxPendingAcks(0).build()).hasMessageContaining("maxPendingAcks");
        assertThatThrownBy(() -> builder().expectedStream("my.stream").build())
                .hasMessageContaining("expectedStream must be a stream name");
        assertThatThrownBy(() -> builder().createStream("ORDERS", Duration.ofSeconds(-1)).build())
                .hasMessageContaining("duplicateWindow must be positive");
        assertThatThrownBy(() -> builder().createStream("ORDERS", Duration.ofMinutes(1)).expectedStream("OTHER")
                .build()).hasMessageContaining("name different streams");
    }

    @Test
    void missingServerUrl_isRefusedWhenThePublisherOpensItsOwnConnection() {
        NatsPublisherConfig config = NatsPublisherConfig.builder().build();

        assertThat(config.serverUrl()).isEmpty();
        assertThatThrownBy(() -> NatsOutboxEventPublisher.create(config)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("serverUrl is required");
    }

    private static NatsPublisherConfig.Builder builder() {
        return NatsPublisherConfig.builder().serverUrl("nats://127.0.0.1:4222");
    }
}

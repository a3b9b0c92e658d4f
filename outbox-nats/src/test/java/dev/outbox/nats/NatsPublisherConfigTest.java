package dev.outbox.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NatsPublisherConfigTest {

    @Test
    void defaults() {
        NatsPublisherConfig config = NatsOutboxEventPublisher.builder().serverUrl("nats://127.0.0.1:4222").buildConfig();

        assertThat(config.subjects().template()).isEqualTo("outbox.${aggregateType}.${aggregateId}");
        assertThat(config.publishTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxPublishDuration()).isEqualTo(Duration.ofSeconds(12));
        assertThat(config.maxPendingAcks()).isEqualTo(4096);
        assertThat(config.expectedStream()).isEmpty();
        assertThat(config.createStream()).isEmpty();
    }

    @Test
    void invalidSettings_areRefused_namingTheSetting() {
        assertThatThrownBy(() -> NatsOutboxEventPublisher.builder().buildConfig()).hasMessageContaining("serverUrl");
        assertThatThrownBy(() -> NatsOutboxEventPublisher.builder().serverUrl("localhost:4222").buildConfig())
                .hasMessageContaining("serverUrl must be nats://host:port");
        assertThatThrownBy(() -> builder().subjectTemplate("a..b").buildConfig()).hasMessageContaining("empty token");
        assertThatThrownBy(() -> builder().publishTimeout(Duration.ZERO).buildConfig())
                .hasMessageContaining("publishTimeout must be greater than zero");
        assertThatThrownBy(() -> builder().maxPendingAcks(0).buildConfig()).hasMessageContaining("maxPendingAcks");
        assertThatThrownBy(() -> builder().expectedStream("my.stream").buildConfig())
                .hasMessageContaining("expectedStream must be a stream name");
        assertThatThrownBy(() -> builder().createStream("ORDERS", Duration.ofSeconds(-1)).buildConfig())
                .hasMessageContaining("duplicateWindow must be greater than zero");
        assertThatThrownBy(() -> builder().createStream("ORDERS", Duration.ofMinutes(1)).expectedStream("OTHER")
                .buildConfig()).hasMessageContaining("name different streams");
    }

    private static NatsOutboxEventPublisher.Builder builder() {
        return NatsOutboxEventPublisher.builder().serverUrl("nats://127.0.0.1:4222");
    }
}

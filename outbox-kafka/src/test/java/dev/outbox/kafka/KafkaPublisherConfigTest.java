package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KafkaPublisherConfigTest {

    private static KafkaPublisherConfig.Builder builder() {
        return KafkaPublisherConfig.builder().bootstrapServers("localhost:9092");
    }

    @Test
    void defaults_keepAtLeastOnceAndPerKeyOrderWithBoundedTimes() {
        KafkaPublisherConfig config = builder().build();

        assertThat(config.producerProperties())
                .containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("max.in.flight.requests.per.connection", "5")
                .containsEntry("retries", String.valueOf(Integer.MAX_VALUE))
                .containsEntry("metadata.recovery.strategy", "none")
                .containsEntry("max.block.ms", "10000")
                .containsEntry("delivery.timeout.ms", "30000")
                .containsEntry("request.timeout.ms", "10000");
        assertThat(config.topicNaming().topicFor(TestEvents.order("o"))).isEqualTo("outbox.event.Order");
        assertThat(config.eventTypeHeader()).isEqualTo("eventType");
        assertThat(config.publishTimeout()).isEqualTo(Duration.ofSeconds(35));
    }

    @Test
    void producerProperties_passThroughAndOverrideTheBuilderTimeouts() {
        KafkaPublisherConfig config = builder().maxBlock(Duration.ofSeconds(3))
                .producerProperty("compression.type", "zstd")
                .producerProperty("delivery.timeout.ms", 20000)
                .producerProperty("metadata.recovery.strategy", "rebootstrap")
                .build();

        assertThat(config.producerProperties()).containsEntry("compression.type", "zstd")
                .containsEntry("metadata.recovery.strategy", "rebootstrap")
                .containsEntry("max.block.ms", "3000");
        assertThat(config.deliveryTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.maxBlock()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void settingsThatBreakDeliveryGuarantees_areRefusedNamingTheSetting() {
        assertThatThrownBy(() -> builder().producerProperty("acks", "1").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acks");
        assertThatThrownBy(() -> builder().producerProperty("enable.idempotence", false).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.idempotence");
        assertThatThrownBy(() -> builder().producerProperty("max.in.flight.requests.per.connection", 6).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max.in.flight");
        assertThatThrownBy(() -> builder().producerProperty("value.serializer", "x").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value.serializer");
        assertThatThrownBy(() -> builder().producerProperty("transactional.id", "t").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transactional.id");
    }

    @Test
    void inconsistentTimeouts_andMissingBootstrap_areRefused() {
        assertThatThrownBy(() -> builder().deliveryTimeout(Duration.ofSeconds(5)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deliveryTimeout");
        assertThatThrownBy(() -> builder().maxBlock(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBlock");
        assertThatThrownBy(() -> KafkaPublisherConfig.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> builder().eventTypeHeader("id").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventTypeHeader");
    }
}

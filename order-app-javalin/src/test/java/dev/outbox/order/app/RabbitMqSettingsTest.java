package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.BuiltinExchangeType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code PUBLISHER=rabbitmq} settings: defaults and validation naming the variable. */
class RabbitMqSettingsTest {

    @Test
    void defaults_workWithTheLocalBroker() {
        AppConfig config = AppConfig.from(Map.of("PUBLISHER", "rabbitmq"));

        RabbitMqSettings settings = config.rabbitMq().orElseThrow();
        assertThat(config.publisher()).isEqualTo(AppConfig.PublisherKind.RABBITMQ);
        assertThat(settings.uri()).isEqualTo("amqp://guest:guest@127.0.0.1:5672");
        assertThat(settings.exchangeTemplate()).isEqualTo("${aggregateType}");
        assertThat(settings.declareExchanges()).contains(BuiltinExchangeType.TOPIC);
        assertThat(settings.queue()).isEqualTo("order-events");
        assertThat(RabbitMqWiring.orderExchange(settings)).isEqualTo("Order");
        assertThat(config.toString()).contains("rabbitmq 127.0.0.1:5672").doesNotContain("guest:guest");
    }

    @Test
    void otherPublishers_readNoRabbitMqSettings() {
        assertThat(AppConfig.from(Map.of("RABBITMQ_URI", "not a uri")).rabbitMq()).isEmpty();
    }

    @Test
    void invalidSettings_failNamingTheVariable() {
        assertThatThrownBy(() -> rabbit("RABBITMQ_URI", "http://guest:secret@host")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("RABBITMQ_URI").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> rabbit("RABBITMQ_URI", "amqp://host:5672/")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("RABBITMQ_URI").hasMessageContaining("empty virtual host");
        assertThatThrownBy(() -> rabbit("RABBITMQ_EXCHANGE", "orders/${aggregateType}"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("RABBITMQ_EXCHANGE");
        assertThatThrownBy(() -> rabbit("RABBITMQ_DECLARE_EXCHANGES", "headers")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("RABBITMQ_DECLARE_EXCHANGES must be one of topic|direct|fanout|none");
        assertThatThrownBy(() -> rabbit("RABBITMQ_QUEUE", "amq.mine")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("RABBITMQ_QUEUE");
    }

    private static AppConfig rabbit(String name, String value) {
        return AppConfig.from(Map.of("PUBLISHER", "rabbitmq", name, value));
    }
}

package dev.outbox.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Builder validation and exchange templates; no broker needed. */
class RabbitMqPublisherConfigTest {

    @Test
    void defaults_areTheDocumentedOnes() {
        RabbitMqPublisherConfig config = RabbitMqPublisherConfig.builder()
                .uri("amqp://user:secret@rabbit.example:5673/prod").build();

        assertThat(config.endpoint()).isEqualTo("rabbit.example:5673 vhost prod");
        assertThat(config.publishTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.declaredExchangeType()).isNull();
        assertThat(config.exchangeNaming().exchangeFor(event("Order", "OrderCreated"))).isEqualTo("outbox.event.Order");
        assertThat(config.toString()).doesNotContain("secret");
    }

    @Test
    void missingUri_isRefusedNamingTheSetting() {
        assertThatThrownBy(() -> RabbitMqPublisherConfig.builder().build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("uri must be set");
    }

    @Test
    void invalidUri_isRefusedWithoutShowingThePassword() {
        assertThatThrownBy(() -> RabbitMqPublisherConfig.builder().uri("http://guest:hunter2@host:5672").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid AMQP URI")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void uriWithATrailingSlash_isRefused_becauseItNamesTheEmptyVirtualHost() {
        assertThatThrownBy(() -> RabbitMqPublisherConfig.builder().uri("amqp://localhost:5672/").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty virtual host");
    }

    @Test
    void connectionFactoryWithTheEmptyVirtualHost_isRefusedNamingTheFactory() {
        com.rabbitmq.client.ConnectionFactory factory = new com.rabbitmq.client.ConnectionFactory();
        factory.setVirtualHost("");
        assertThatThrownBy(() -> RabbitMqPublisherConfig.builder().connectionFactory(factory).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the connection factory names the empty virtual host");
    }

    @Test
    void connectionTimeoutNotShorterThanPublishTimeout_isRefused() {
        assertThatThrownBy(() -> RabbitMqPublisherConfig.builder().uri("amqp://localhost")
                .publishTimeout(Duration.ofSeconds(5)).connectionTimeout(Duration.ofSeconds(5)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectionTimeout (PT5S)")
                .hasMessageContaining("publishTimeout (PT5S)");
        assertThatThrownBy(() -> RabbitMqPublisherConfig.builder().uri("amqp://localhost")
                .publishTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("publishTimeout must be positive");
    }

    @Test
    void template_replacesBothPlaceholders_andRefusesIllegalLiterals() {
        ExchangeNaming naming = ExchangeNaming.template("events.${aggregateType}.${eventType}");

        assertThat(naming.exchangeFor(event("Order", "OrderCreated"))).isEqualTo("events.Order.OrderCreated");
        assertThat(ExchangeNaming.template("orders").exchangeFor(event("Order", "X"))).isEqualTo("orders");
        assertThatThrownBy(() -> ExchangeNaming.template("bad exchange/${aggregateType}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exchange template 'bad exchange/");
        assertThatThrownBy(() -> ExchangeNaming.template(" ")).hasMessageContaining("must not be blank");
    }

    private static OutboxEvent event(String aggregateType, String eventType) {
        return OutboxEvent.json(aggregateType, "a-1", eventType, "{}");
    }
}

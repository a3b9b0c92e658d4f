package dev.outbox.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.spi.OutboxEventPublisher;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The application's own publisher bean replaces Kafka even with {@code spring.kafka.bootstrap-servers} set, and the
 * relay stops with the context. One context for the class.
 */
class UserPublisherStarterTest {
    private static ConfigurableApplicationContext context;

    @Configuration(proxyBeanMethods = false)
    static class UserPublisher {
        @Bean
        RecordingPublisher recordingPublisher() {
            return RecordingPublisher.create();
        }
    }

    @BeforeAll
    static void start() {
        String table = TestDatabase.freshTable("starter_user");
        context = TestApplication.run(new Class<?>[] {UserPublisher.class},
                "spring.kafka.bootstrap-servers=127.0.0.1:1",
                "outbox.table=" + table,
                "outbox.schema.create=true",
                "outbox.relay.poll-interval=200ms",
                "test.orders-table=" + table + "_orders");
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void usersPublisherBean_replacesKafkaAndReceivesCommittedEvents() throws InterruptedException {
        assertThat(context.getBeansOfType(OutboxEventPublisher.class)).containsOnlyKeys("recordingPublisher");
        UUID order = UUID.randomUUID();
        context.getBean(OrderService.class).placeOrder(order);
        RecordingPublisher publisher = context.getBean(RecordingPublisher.class);
        assertThat(publisher.awaitPublished(1, Duration.ofSeconds(30))).isTrue();
        assertThat(publisher.publishedFor("Order", order.toString())).hasSize(1);
    }

    @Test
    void closingTheContext_stopsTheRelay() {
        String table = TestDatabase.freshTable("starter_stop");
        ConfigurableApplicationContext own = TestApplication.run(new Class<?>[] {UserPublisher.class},
                "outbox.table=" + table, "outbox.schema.create=true", "test.orders-table=" + table + "_orders");
        OutboxRelayLifecycle relay = own.getBean(OutboxRelayLifecycle.class);
        String thread = "outbox-relay-" + relay.config().claimant();
        assertThat(relay.isRunning()).isTrue();
        assertThat(aliveThreads(thread)).isOne();
        own.close();
        assertThat(relay.isRunning()).isFalse();
        assertThat(aliveThreads(thread)).as("the relay's thread ended with the context").isZero();
    }

    private static long aliveThreads(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive()).count();
    }
}

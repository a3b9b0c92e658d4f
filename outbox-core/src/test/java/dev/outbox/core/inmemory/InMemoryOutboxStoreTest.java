package dev.outbox.core.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.OutboxStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the in-memory store adds to the store contract (which outbox-testkit checks). */
class InMemoryOutboxStoreTest {
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();

    @Test
    void aSimulatedOutageFailsEveryCallAndKeepsTheState() {
        OutboxEvent event = OutboxEvent.json("Order", "1", "OrderCreated", "{}");
        store.append(event);

        store.simulateOutage(true);
        assertThatThrownBy(() -> store.claim("r", 1, Instant.now(), Duration.ofSeconds(1)))
                .isInstanceOf(OutboxException.class).hasMessageContaining("simulated outage");
        assertThatThrownBy(store::backlog).isInstanceOf(OutboxException.class);
        store.simulateOutage(false);

        assertThat(store.claim("r", 1, Instant.now(), Duration.ofSeconds(1))).hasSize(1);
    }

    @Test
    void aClosedSubscriptionIsNotNotifiedAndAFailingSubscriberDoesNotFailTheCommit() {
        AtomicInteger notifications = new AtomicInteger();
        OutboxStore.Subscription subscription = store.subscribe(notifications::incrementAndGet);
        store.subscribe(() -> {
            throw new IllegalStateException("subscriber bug");
        });

        store.append(List.of(OutboxEvent.json("Order", "1", "OrderCreated", "{}")));
        subscription.close();
        store.append(List.of(OutboxEvent.json("Order", "2", "OrderCreated", "{}")));

        assertThat(notifications).hasValue(1);
        assertThat(store.pending()).hasSize(2);
    }

    @Test
    void invalidLimitsAreRefused() {
        assertThatThrownBy(() -> store.claim("r", 0, Instant.now(), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> store.deadLetters(0)).hasMessageContaining("limit");
    }
}

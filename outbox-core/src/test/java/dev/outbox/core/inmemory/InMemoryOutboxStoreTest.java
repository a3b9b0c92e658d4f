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
    void anEventCarryingASequenceIsRefusedByTheStoreAndTheOutbox_storingNothing() {
        OutboxEvent sequenced = OutboxEvent.json("Order", "1", "OrderCreated", "{}").withSequence(3);
        InMemoryUnitOfWork unitOfWork = InMemoryUnitOfWork.create(store);
        InMemoryOutbox outbox = InMemoryOutbox.create(unitOfWork);

        assertThatThrownBy(() -> store.append(List.of(OutboxEvent.json("Order", "1", "E", "{}"), sequenced)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(OutboxEvent.SEQUENCE_HEADER);
        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> outbox.append(sequenced)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.pending()).isEmpty();
    }

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
    void aRetainingStoreKeepsPublishedEventsUntilPurgedAtMostTheLimitAtATime() {
        InMemoryOutboxStore retaining = InMemoryOutboxStore.retainingPublished();
        List<OutboxEvent> events = List.of(OutboxEvent.json("Order", "1", "OrderCreated", "{}"),
                OutboxEvent.json("Order", "2", "OrderCreated", "{}"),
                OutboxEvent.json("Order", "3", "OrderCreated", "{}"));
        retaining.append(events);
        Instant publishedAt = Instant.parse("2026-01-01T00:00:00Z");
        retaining.claim("r", 10, publishedAt, Duration.ofSeconds(1));
        retaining.markPublished("r", events.stream().map(OutboxEvent::id).toList(), publishedAt);

        assertThat(retaining.pending()).isEmpty();
        assertThat(retaining.purgePublished(publishedAt, 10)).as("published at the cutoff, not before").isZero();
        Instant later = publishedAt.plusSeconds(1);
        assertThat(retaining.purgePublished(later, 2)).isEqualTo(2);
        assertThat(retaining.purgePublished(later, 2)).isEqualTo(1);
        assertThat(retaining.purgePublished(later, 2)).isZero();
    }

    @Test
    void invalidLimitsAreRefused() {
        assertThatThrownBy(() -> store.claim("r", 0, Instant.now(), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> store.deadLetters(0)).hasMessageContaining("limit");
    }
}

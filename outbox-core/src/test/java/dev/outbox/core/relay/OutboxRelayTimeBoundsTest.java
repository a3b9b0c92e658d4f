package dev.outbox.core.relay;

import static dev.outbox.core.relay.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** publishTimeout >= the publisher's longest publish, checked at build; timed from the call (item 5). */
class OutboxRelayTimeBoundsTest {
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();
    private final RecordingListener listener = new RecordingListener();

    private static ScriptedPublisher declaring(Duration maxPublishDuration) {
        return new ScriptedPublisher((call, events) -> CompletableFuture.completedFuture(
                events.stream().map(e -> PublishOutcome.published(e.id())).toList()), maxPublishDuration);
    }

    @Test
    void build_refusesAPublishTimeoutShorterThanThePublishersLongestPublish() {
        ScriptedPublisher slow = declaring(Duration.ofSeconds(45));

        assertThatThrownBy(() -> OutboxRelay.create(store, slow, RelayConfig.builder().publishTimeout(Duration.ofSeconds(30))
                .lease(Duration.ofSeconds(60)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("publishTimeout (PT30S)")
                .hasMessageContaining("maxPublishDuration (PT45S)");
        assertThat(OutboxRelay.create(store, slow, RelayConfig.builder().publishTimeout(Duration.ofSeconds(45))
                .lease(Duration.ofSeconds(60)).build()).config().publishTimeout()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void defaults_fitAPublisherDeclaringTheDefaultKafkaPublishersBound() {
        // KafkaOutboxEventPublisher with its defaults: max.block 10 s + delivery timeout 30 s + 5 s slack
        OutboxRelay relay = OutboxRelay.create(store, declaring(Duration.ofSeconds(45)));

        assertThat(relay.config().publishTimeout()).isGreaterThanOrEqualTo(Duration.ofSeconds(45));
        // the short lease does not have to outlast the publish: the relay renews it every lease / 3
        assertThat(relay.config().lease()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void aPublishCallThatBlocksPastPublishTimeout_isTimedFromTheCall() {
        OutboxEvent event = event("A");
        store.append(event);
        // blocks 800 ms inside publish(), then completes 200 ms later: within the timeout counted from the
        // return, but long after the timeout counted from the call
        ScriptedPublisher blocking = ScriptedPublisher.of((call, events) -> {
            sleep(800);
            return CompletableFuture.supplyAsync(() -> {
                sleep(200);
                return events.stream().map(e -> PublishOutcome.published(e.id())).toList();
            });
        });
        OutboxRelay relay = OutboxRelay.create(store, blocking, RelayConfig.builder().publishTimeout(Duration.ofMillis(700))
                .lease(Duration.ofSeconds(5)).listener(listener).build());

        relay.runOnce();

        assertThat(listener.published).isEmpty();
        assertThat(store.isPending(event.id())).isTrue();
        assertThat(listener.retries).singleElement().satisfies(r -> {
            assertThat(r.attempts()).as("a timeout is not the event's failure").isZero();
            assertThat(r.error()).hasMessageContaining("publishTimeout");
        });
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

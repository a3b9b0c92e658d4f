package dev.outbox.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.DeliveryPolicy.Decision;
import dev.outbox.core.spi.DeliveryPolicy.Decisions;
import dev.outbox.core.spi.DeliveryPolicy.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class DeliveryPolicyTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final DeliveryPolicy policy = new DeliveryPolicy(3, n -> Duration.ofSeconds(n));
    private final RuntimeException own = new IllegalStateException("own");

    private static OutboxEvent event(String type, String id) {
        return OutboxEvent.json(type, id, "Updated", "{}");
    }

    private Decisions decide(Map<ClaimedEvent, PublishOutcome> batch) {
        Map<UUID, PublishOutcome> outcomes = new LinkedHashMap<>();
        batch.forEach((c, o) -> outcomes.put(c.event().id(), o));
        return policy.decide(List.copyOf(batch.keySet()), outcomes, NOW);
    }

    @Test
    void ownFailuresCount_andOutagesOrNotAttemptedDoNot() {
        ClaimedEvent retriable = new ClaimedEvent(event("Order", "1"), 0);
        ClaimedEvent exhausted = new ClaimedEvent(event("Order", "2"), 2);
        ClaimedEvent down = new ClaimedEvent(event("Order", "3"), 7);
        ClaimedEvent skipped = new ClaimedEvent(event("Order", "4"), 0);
        Map<ClaimedEvent, PublishOutcome> batch = new LinkedHashMap<>();
        batch.put(retriable, PublishOutcome.retriable(retriable.event().id(), own));
        batch.put(exhausted, PublishOutcome.retriable(exhausted.event().id(), own));
        batch.put(down, PublishOutcome.unavailable(down.event().id(), own));
        batch.put(skipped, PublishOutcome.notAttempted(skipped.event().id(), own));

        Decisions decisions = decide(batch);

        assertThat(decisions.all()).extracting(Decision::verdict, Decision::attempts).containsExactly(
                tuple(Verdict.RETRY_COUNTED, 1), tuple(Verdict.DEAD_LETTER, 3),
                tuple(Verdict.RETRY_UNCOUNTED, 7), tuple(Verdict.RETRY_UNCOUNTED, 0));
        assertThat(decisions.all().get(0).at()).isEqualTo(NOW.plusSeconds(1));
        assertThat(decisions.outage()).as("nothing published, something unavailable").isTrue();
    }

    @Test
    void successorsAreHeldBackPerAggregateTypeAndId_withoutCountingAnAttempt() {
        ClaimedEvent order1 = new ClaimedEvent(event("Order", "42"), 0);
        ClaimedEvent customer = new ClaimedEvent(event("Customer", "42"), 0);
        ClaimedEvent order2 = new ClaimedEvent(event("Order", "42"), 0);
        ClaimedEvent order3 = new ClaimedEvent(event("Order", "42"), 0);
        Map<ClaimedEvent, PublishOutcome> batch = new LinkedHashMap<>();
        batch.put(order1, PublishOutcome.retriable(order1.event().id(), own));
        batch.put(customer, PublishOutcome.published(customer.event().id()));
        batch.put(order2, PublishOutcome.published(order2.event().id()));
        batch.put(order3, PublishOutcome.retriable(order3.event().id(), own));

        Decisions decisions = decide(batch);

        assertThat(decisions.all()).extracting(Decision::verdict).containsExactly(Verdict.RETRY_COUNTED,
                Verdict.PUBLISHED, Verdict.RETRY_UNCOUNTED, Verdict.RETRY_UNCOUNTED);
        assertThat(decisions.all().get(2).error()).hasMessageContaining("held back")
                .hasMessageContaining(order1.event().id().toString()).hasMessageContaining("Order/42");
        assertThat(decisions.all().get(3).attempts()).isZero();
        assertThat(decisions.outage()).isFalse();
    }

    @Test
    void successorsOfAnEventDeadLetteredForUsingUpItsAttempts_areStillNotCharged() {
        ClaimedEvent poison = new ClaimedEvent(event("Order", "1"), 2);
        ClaimedEvent next = new ClaimedEvent(event("Order", "1"), 0);
        Map<ClaimedEvent, PublishOutcome> batch = new LinkedHashMap<>();
        batch.put(poison, PublishOutcome.retriable(poison.event().id(), own));
        batch.put(next, PublishOutcome.retriable(next.event().id(), own));

        assertThat(decide(batch).all()).extracting(Decision::verdict, Decision::attempts)
                .containsExactly(tuple(Verdict.DEAD_LETTER, 3), tuple(Verdict.RETRY_UNCOUNTED, 0));
    }

    @Test
    void permanentFailuresAreDeadAtOnceAndHoldNothingBack() {
        ClaimedEvent bad = new ClaimedEvent(event("Order", "1"), 0);
        ClaimedEvent next = new ClaimedEvent(event("Order", "1"), 0);
        Map<ClaimedEvent, PublishOutcome> batch = new LinkedHashMap<>();
        batch.put(bad, PublishOutcome.permanent(bad.event().id(), own));
        batch.put(next, PublishOutcome.published(next.event().id()));

        assertThat(decide(batch).all()).extracting(Decision::verdict)
                .containsExactly(Verdict.DEAD_LETTER, Verdict.PUBLISHED);
    }

    @Test
    void missingOutcome_isAnUncountedRetry() {
        ClaimedEvent event = new ClaimedEvent(event("Order", "1"), 4);

        Decisions decisions = policy.decide(List.of(event), Map.of(), NOW);

        assertThat(decisions.all()).singleElement().satisfies(d -> {
            assertThat(d.verdict()).isEqualTo(Verdict.RETRY_UNCOUNTED);
            assertThat(d.attempts()).isEqualTo(4);
            assertThat(d.error()).hasMessageContaining("no outcome");
        });
        assertThat(decisions.outage()).isTrue();
    }

    @Test
    void holdBackSuccessors_reportsAcknowledgedSuccessorsOfAFailedEventNotAttempted() {
        OutboxEvent order1 = event("Order", "42");
        OutboxEvent customer = event("Customer", "42");
        OutboxEvent order2 = event("Order", "42");
        List<PublishOutcome> raw = List.of(PublishOutcome.unavailable(order1.id(), own),
                PublishOutcome.published(customer.id()), PublishOutcome.published(order2.id()));

        List<PublishOutcome> guarded = DeliveryPolicy.holdBackSuccessors(List.of(order1, customer, order2), raw);

        assertThat(guarded).extracting(PublishOutcome::status).containsExactly(PublishOutcome.Status.UNAVAILABLE,
                PublishOutcome.Status.PUBLISHED, PublishOutcome.Status.NOT_ATTEMPTED);
        List<PublishOutcome> clean = List.of(PublishOutcome.published(order1.id()));
        assertThat(DeliveryPolicy.holdBackSuccessors(List.of(order1), clean)).isSameAs(clean);
    }

    @Test
    void requireCovers_refusesAPublishTimeoutShorterThanThePublishersBound() {
        OutboxEventPublisher publisher = new OutboxEventPublisher() {
            @Override
            public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Duration maxPublishDuration() {
                return Duration.ofSeconds(45);
            }
        };

        assertThatThrownBy(() -> DeliveryPolicy.requireCovers("publishTimeout", Duration.ofSeconds(44), publisher))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("publishTimeout (PT44S)").hasMessageContaining("maxPublishDuration (PT45S)");
        DeliveryPolicy.requireCovers("publishTimeout", Duration.ofSeconds(45), publisher);
    }

    @Test
    void notAttemptedAndUnavailable_needTheirReason() {
        UUID id = UUID.randomUUID();
        assertThatThrownBy(() -> PublishOutcome.notAttempted(id, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PublishOutcome.unavailable(id, null)).isInstanceOf(IllegalArgumentException.class);
    }
}

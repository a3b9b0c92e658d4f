package dev.outbox.jdbc.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BatchOutcomeTest {
    private final OutboxEvent a1 = TestDatabase.event("a", 1);
    private final OutboxEvent b1 = TestDatabase.event("b", 1);
    private final OutboxEvent a2 = TestDatabase.event("a", 2);
    private final OutboxEvent b2 = TestDatabase.event("b", 2);
    private final List<OutboxEvent> events = List.of(a1, b1, a2, b2);
    private final RuntimeException boom = new IllegalStateException("boom");

    @Test
    void givenAnEarlierEventOfAnAggregateFailedRetriably_itsLaterPublishedEventsAreRetriedAfterIt() {
        BatchOutcome outcome = new BatchOutcome(events, CompletableFuture.completedFuture(List.of(
                PublishOutcome.retriable(a1.id(), boom), PublishOutcome.published(b1.id()),
                PublishOutcome.published(a2.id()), PublishOutcome.published(b2.id()))), 1, Integer.MAX_VALUE);

        assertThat(outcome.published).containsExactly(b1, b2);
        assertThat(outcome.retry).containsExactly(a1, a2);
        assertThat(outcome.retryErrors.get(1)).hasMessageContaining("held back").hasMessageContaining(a1.id().toString());
        assertThat(outcome.dead).isEmpty();
    }

    @Test
    void givenPermanentFailure_theEventIsDeadAndDoesNotHoldUpItsAggregate() {
        BatchOutcome outcome = new BatchOutcome(events, CompletableFuture.completedFuture(List.of(
                PublishOutcome.permanent(a1.id(), boom), PublishOutcome.published(b1.id()),
                PublishOutcome.published(a2.id()), PublishOutcome.published(b2.id()))), 1, Integer.MAX_VALUE);

        assertThat(outcome.dead).containsExactly(a1);
        assertThat(outcome.published).containsExactly(b1, a2, b2);
        assertThat(outcome.retry).isEmpty();
    }

    @Test
    void givenTheCallFailedOrMiscounted_everyEventIsRetried_untilMaxAttemptsDeadLettersThem() {
        BatchOutcome failed = new BatchOutcome(events, CompletableFuture.failedFuture(boom), 1, 3);
        BatchOutcome miscounted = new BatchOutcome(events,
                CompletableFuture.completedFuture(List.of(PublishOutcome.published(a1.id()))), 1, 3);
        BatchOutcome exhausted = new BatchOutcome(events, CompletableFuture.failedFuture(boom), 3, 3);

        assertThat(failed.retry).containsExactlyElementsOf(events);
        assertThat(failed.retryErrors).allMatch(e -> e == boom);
        assertThat(miscounted.retry).containsExactlyElementsOf(events);
        assertThat(exhausted.dead).containsExactlyElementsOf(events);
        assertThat(exhausted.retry).isEmpty();
    }
}

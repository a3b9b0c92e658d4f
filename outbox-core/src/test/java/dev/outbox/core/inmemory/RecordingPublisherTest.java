package dev.outbox.core.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RecordingPublisherTest {
    private final RecordingPublisher publisher = RecordingPublisher.create();
    private final OutboxEvent a1 = OutboxEvent.json("Order", "A", "OrderCreated", "{}");
    private final OutboxEvent a2 = OutboxEvent.json("Order", "A", "OrderConfirmed", "{}");
    private final OutboxEvent b1 = OutboxEvent.json("Order", "B", "OrderCreated", "{}");

    private List<Status> statuses(List<OutboxEvent> events) {
        return publisher.publish(events).toCompletableFuture().join().stream().map(PublishOutcome::status).toList();
    }

    @Test
    void publishesEverythingByDefaultAndRecordsTheOrder() {
        assertThat(statuses(List.of(a1, b1, a2))).containsOnly(Status.PUBLISHED);

        assertThat(publisher.published()).containsExactly(a1, b1, a2);
        assertThat(publisher.publishedFor("Order", "A")).containsExactly(a1, a2);
        assertThat(publisher.callCount()).isEqualTo(1);
    }

    @Test
    void programmedFailuresAreUsedUpOneSendAtATime() {
        publisher.failRetriably(a1.id(), 2).failPermanently(b1.id());

        assertThat(statuses(List.of(a1, b1))).containsExactly(Status.RETRIABLE_FAILURE, Status.PERMANENT_FAILURE);
        assertThat(statuses(List.of(a1, b1))).containsExactly(Status.RETRIABLE_FAILURE, Status.PERMANENT_FAILURE);
        assertThat(statuses(List.of(a1, b1))).containsExactly(Status.PUBLISHED, Status.PERMANENT_FAILURE);
        assertThat(publisher.published()).containsExactly(a1);
        assertThat(publisher.sent()).hasSize(6);
    }

    @Test
    void aggregateAndNextEventFailuresApplyToMatchingEvents() {
        publisher.failAggregate("Order", "A", 1);
        assertThat(statuses(List.of(a1, b1, a2))).containsExactly(Status.RETRIABLE_FAILURE, Status.PUBLISHED,
                Status.NOT_ATTEMPTED);

        publisher.failNext(2);
        assertThat(statuses(List.of(b1, a1, a2))).containsExactly(Status.RETRIABLE_FAILURE,
                Status.RETRIABLE_FAILURE, Status.NOT_ATTEMPTED);
        assertThat(statuses(List.of(a1, a2))).containsOnly(Status.PUBLISHED);
    }

    @Test
    void theLaterEventsOfAFailedAggregateAreHeldBackNotPublished_butNotBehindAPermanentFailure() {
        publisher.failRetriably(a1.id(), 1);

        assertThat(statuses(List.of(a1, b1, a2))).containsExactly(Status.RETRIABLE_FAILURE, Status.PUBLISHED,
                Status.NOT_ATTEMPTED);
        assertThat(publisher.published()).containsExactly(b1);

        publisher.failPermanently(a1.id());
        assertThat(statuses(List.of(a1, a2))).containsExactly(Status.PERMANENT_FAILURE, Status.PUBLISHED);
    }

    @Test
    void failedCallsCompleteExceptionally() {
        publisher.failNextCalls(1);

        assertThat(publisher.publish(List.of(a1)).toCompletableFuture()).isCompletedExceptionally();
        assertThat(publisher.publish(List.of(a1)).toCompletableFuture().join()).hasSize(1);
    }

    @Test
    void heldCallsCompleteOnlyWhenReleased() {
        publisher.holdCalls();
        CompletableFuture<List<PublishOutcome>> stage = publisher.publish(List.of(a1)).toCompletableFuture();

        assertThat(stage).isNotDone();
        assertThat(publisher.published()).isEmpty();
        assertThat(publisher.heldCallCount()).isEqualTo(1);

        publisher.releaseHeldCalls();
        assertThat(stage).isCompleted();
        assertThat(publisher.published()).containsExactly(a1);
    }
}

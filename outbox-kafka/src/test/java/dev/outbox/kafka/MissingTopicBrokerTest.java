package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import dev.outbox.embedded.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A topic that does not exist, on a real broker with auto-creation off, fails only its own events. */
class MissingTopicBrokerTest {

    @Test
    void missingTopicOnARealBroker_failsItsOwnEventAndTheOtherTopicIsPublished() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                        .brokerProperty("auto.create.topics.enable", "false").start();
                KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder()
                        .bootstrapServers(broker.bootstrapServers()).maxBlock(Duration.ofSeconds(1))
                        .topicNaming(TopicNaming.template("mt.${aggregateType}")).build())) {
            broker.createTopic("mt.Order", 2);
            OutboxEvent missing = OutboxEvent.json("Missing", "m-1", "Created", "{}");

            List<PublishOutcome> first = publisher.publish(List.of(missing, TestEvents.order("a"), TestEvents.order("b")))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(first).extracting(PublishOutcome::status)
                    .containsExactly(Status.RETRIABLE_FAILURE, Status.PUBLISHED, Status.PUBLISHED);
            assertThat(first.get(0).error()).hasMessageContaining("not present in metadata");

            // known missing now: reported at once, the other topic still published
            List<PublishOutcome> second = publisher.publish(List.of(missing, TestEvents.order("c")))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(second).extracting(PublishOutcome::status)
                    .containsExactly(Status.RETRIABLE_FAILURE, Status.PUBLISHED);
        }
    }

    @Test
    void twoTopicsTheBrokerSaysAreUnknown_areRememberedAndHoldUpNoOtherTopicInTheNextCall() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                        .brokerProperty("auto.create.topics.enable", "false").start();
                KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder()
                        .bootstrapServers(broker.bootstrapServers()).maxBlock(Duration.ofSeconds(1))
                        .topicNaming(TopicNaming.template("mt.${aggregateType}")).build())) {
            broker.createTopic("mt.Order", 2);
            List<OutboxEvent> events = List.of(OutboxEvent.json("Missing", "m-1", "Created", "{}"),
                    OutboxEvent.json("Gone", "g-1", "Created", "{}"), TestEvents.order("a"));

            List<PublishOutcome> first = publisher.publish(events).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(first).extracting(PublishOutcome::status).as("the call stops after the second failed topic")
                    .containsExactly(Status.RETRIABLE_FAILURE, Status.RETRIABLE_FAILURE, Status.NOT_ATTEMPTED);

            // the broker named both topics unknown: they are known missing, the next call is not stopped
            List<PublishOutcome> second = publisher.publish(events).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(second).extracting(PublishOutcome::status)
                    .containsExactly(Status.RETRIABLE_FAILURE, Status.RETRIABLE_FAILURE, Status.PUBLISHED);
        }
    }
}

package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.relay.BackoffPolicy;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import dev.outbox.core.spi.DeadLetter;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A topic that does not exist (auto-creation off) fails its own events and holds up no other
 * topic; two topics failing the same way in one call look like an outage and stop the call.
 * Topics are named after the aggregate type: "Order" exists, "Missing" and "Gone" do not.
 */
class MissingTopicPublisherTest {

    private final AtomicLong nanos = new AtomicLong(System.nanoTime());

    private KafkaOutboxEventPublisher publisher(MissingTopicProducer producer) {
        return new KafkaOutboxEventPublisher(KafkaPublisherConfig.builder().bootstrapServers("unused:9092")
                .topicNaming(TopicNaming.aggregateType()).flushBatchTail(false).build(), producer, nanos::get);
    }

    private static List<PublishOutcome> await(KafkaOutboxEventPublisher publisher, OutboxEvent... events)
            throws Exception {
        return publisher.publish(List.of(events)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static List<Status> statuses(List<PublishOutcome> outcomes) {
        return outcomes.stream().map(PublishOutcome::status).toList();
    }

    private static OutboxEvent missing(String id) {
        return OutboxEvent.json("Missing", id, "Created", "{}");
    }

    @Test
    void coldCallWithAMissingTopicFirst_publishesTheOtherTopicAndFailsOnlyTheMissingTopicsEvent() throws Exception {
        MissingTopicProducer producer = new MissingTopicProducer("Missing");
        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            List<PublishOutcome> outcomes = await(publisher, missing("m-1"), TestEvents.order("a"), TestEvents.order("b"));

            assertThat(statuses(outcomes)).containsExactly(Status.RETRIABLE_FAILURE, Status.PUBLISHED, Status.PUBLISHED);
            assertThat(outcomes.get(0).error()).hasMessageContaining("not present in metadata");
            assertThat(producer.blockingCalls()).as("one blocking call for the missing topic").isEqualTo(1);
        }
    }

    @Test
    void warmTopicThatGoesMissing_failsItsOwnEventsOnceAndTheOtherTopicIsStillPublished() throws Exception {
        for (boolean throughCallback : new boolean[] {false, true}) {
            MissingTopicProducer producer = new MissingTopicProducer();
            producer.reportsThroughCallback = throughCallback;
            try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
                assertThat(statuses(await(publisher, missing("m-0"), TestEvents.order("a"))))
                        .containsOnly(Status.PUBLISHED);
                producer.missing.add("Missing"); // deleted while warm
                int before = producer.blockingCalls(); // the first call's, made while the topic existed

                List<PublishOutcome> outcomes = await(publisher, missing("m-1"), TestEvents.order("a"),
                        missing("m-2"), TestEvents.order("b"));

                assertThat(statuses(outcomes)).as("send reports through callback: %s", throughCallback).containsExactly(
                        Status.RETRIABLE_FAILURE, Status.PUBLISHED, Status.NOT_ATTEMPTED, Status.PUBLISHED);
                assertThat(producer.blockingCalls() - before).as("no second blocking send for the failed topic")
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void twoTopicsMissingMetadataInOneCall_stopTheCallAfterTheSecondAndCountNothing() throws Exception {
        MissingTopicProducer producer = new MissingTopicProducer("Missing", "Gone");
        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            List<PublishOutcome> outcomes = await(publisher, missing("m-1"),
                    OutboxEvent.json("Gone", "g-1", "Created", "{}"), TestEvents.order("a"), missing("m-2"));

            assertThat(statuses(outcomes)).as("most likely the broker is down: no attempt is counted")
                    .containsExactly(Status.UNAVAILABLE, Status.UNAVAILABLE, Status.NOT_ATTEMPTED, Status.NOT_ATTEMPTED);
            assertThat(producer.blockingCalls()).as("at most two max.block waits per call").isEqualTo(2);
            assertThat(producer.partitionsForCalls("Order") + producer.sendCalls("Order")).isZero();

            // the broker is back: nothing of the outage was remembered as a missing topic
            producer.missing.clear();
            assertThat(statuses(await(publisher, missing("m-1"), TestEvents.order("a")))).containsOnly(Status.PUBLISHED);
        }
    }

    @Test
    void knownMissingTopic_isNotAskedForAgainUntilItsEntryExpires() throws Exception {
        MissingTopicProducer producer = new MissingTopicProducer("Missing");
        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            assertThat(statuses(await(publisher, missing("m-1"), TestEvents.order("a"))))
                    .containsExactly(Status.RETRIABLE_FAILURE, Status.PUBLISHED);
            assertThat(producer.blockingCalls()).isEqualTo(1);

            List<PublishOutcome> second = await(publisher, missing("m-1"), TestEvents.order("b"));
            assertThat(statuses(second)).containsExactly(Status.RETRIABLE_FAILURE, Status.PUBLISHED);
            assertThat(second.get(0).error()).hasMessageContaining("not present in metadata");
            assertThat(producer.blockingCalls()).as("the known-missing topic costs no blocking call").isEqualTo(1);

            List<PublishOutcome> alone = await(publisher, missing("m-1"));
            assertThat(statuses(alone)).as("nothing acknowledged in this call: may be an outage, not counted")
                    .containsExactly(Status.UNAVAILABLE);
            assertThat(producer.blockingCalls()).isEqualTo(1);

            nanos.addAndGet(KafkaOutboxEventPublisher.MISSING_TOPIC_TTL.toNanos() + 1);
            producer.missing.clear(); // the topic was created meanwhile
            assertThat(statuses(await(publisher, missing("m-1"), TestEvents.order("c")))).containsOnly(Status.PUBLISHED);
            assertThat(producer.partitionsForCalls("Missing")).as("tried again after the TTL").isEqualTo(2);
        }
    }

    @Test
    void relay_deadLettersTheMissingTopicsEventAfterMaxAttemptsWhileOtherEventsFlow() {
        MissingTopicProducer producer = new MissingTopicProducer("Missing");
        InMemoryOutboxStore store = InMemoryOutboxStore.create();
        OutboxEvent lost = missing("m-1");
        store.append(List.of(lost, TestEvents.order("a")));
        try (KafkaOutboxEventPublisher publisher = publisher(producer);
                OutboxRelay relay = OutboxRelay.create(store, publisher, RelayConfig.builder().claimant("missing-topic-relay").maxAttempts(3)
                        .backoff(BackoffPolicy.exponential(Duration.ofMillis(1), 1, Duration.ofMillis(1), 0)).build())) {
            for (int cycle = 0; cycle < 50 && store.deadLetters(10).isEmpty(); cycle++) {
                store.append(TestEvents.order("o-" + cycle));
                relay.runOnce();
                sleepPastBackoff();
            }

            assertThat(store.deadLetters(10)).extracting(DeadLetter::eventId, DeadLetter::attempts)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(lost.id(), 3));
            assertThat(store.pending()).as("every Order event was published").isEmpty();
            assertThat(producer.blockingCalls()).as("the known-missing topic is not asked for every batch")
                    .isEqualTo(1);
        }
    }

    /**
     * Topics by aggregate and event type: an aggregate's first event goes to a topic the publisher
     * has not used yet (sent as a pilot, after the other topics' metadata lookups), its second to a
     * missing topic. The first was held back for the second's failure, reported NOT_ATTEMPTED,
     * which made the relay count no attempt for the second either: the aggregate was stuck for ever.
     */
    @Test
    void relay_anAggregatesLaterEventOnAMissingTopic_holdsBackNotItsEarlierEventOnANewTopic_andIsDeadLettered()
            throws Exception {
        MissingTopicProducer producer = new MissingTopicProducer(Set.of("Order.OrderCreated"), "Order.Missing");
        OutboxEvent created = TestEvents.order("a", "OrderCreated");
        OutboxEvent lost = TestEvents.order("a", "Missing");
        KafkaPublisherConfig config = KafkaPublisherConfig.builder().bootstrapServers("unused:9092")
                .topicTemplate("${aggregateType}.${eventType}").flushBatchTail(false).build();
        try (KafkaOutboxEventPublisher publisher = new KafkaOutboxEventPublisher(config, producer, nanos::get)) {
            assertThat(statuses(await(publisher, created, lost))).as("the earlier event is sent, the later one fails")
                    .containsExactly(Status.PUBLISHED, Status.RETRIABLE_FAILURE);
        }

        InMemoryOutboxStore store = InMemoryOutboxStore.create();
        store.append(List.of(created, lost));
        MissingTopicProducer fresh = new MissingTopicProducer(Set.of("Order.OrderCreated"), "Order.Missing");
        try (KafkaOutboxEventPublisher publisher = new KafkaOutboxEventPublisher(config, fresh, nanos::get);
                OutboxRelay relay = OutboxRelay.create(store, publisher, RelayConfig.builder().claimant("hold-back-relay")
                        .maxAttempts(3).backoff(BackoffPolicy.exponential(Duration.ofMillis(1), 1, Duration.ofMillis(1), 0))
                        .build())) {
            for (int cycle = 0; cycle < 30 && store.deadLetters(10).isEmpty(); cycle++) {
                // other aggregates' events keep flowing: the broker is up, so the missing topic is the event's fault
                store.append(TestEvents.order("o-" + cycle, "OrderCreated"));
                relay.runOnce();
                sleepPastBackoff();
            }

            assertThat(store.deadLetters(10)).extracting(DeadLetter::eventId, DeadLetter::attempts)
                    .as("the failing event counts its attempts and is dead-lettered")
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(lost.id(), 3));
            assertThat(store.pending()).as("its aggregate's earlier event was published").isEmpty();
        }
    }

    private static void sleepPastBackoff() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

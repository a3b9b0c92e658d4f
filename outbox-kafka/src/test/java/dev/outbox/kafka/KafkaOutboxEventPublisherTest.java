package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Outcome mapping, classification and ordering rules, over Kafka's MockProducer (the broker is real in *IT tests). */
class KafkaOutboxEventPublisherTest {

    private static KafkaOutboxEventPublisher publisher(CountingMockProducer producer) {
        return KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers("unused:9092")
                .flushBatchTail(false) // MockProducer.flush() would acknowledge what these tests complete by hand
                .build(), producer);
    }

    private static List<PublishOutcome> await(KafkaOutboxEventPublisher publisher, List<OutboxEvent> events)
            throws Exception {
        return publisher.publish(events).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static List<Status> statuses(List<PublishOutcome> outcomes) {
        return outcomes.stream().map(PublishOutcome::status).toList();
    }

    @Test
    void acknowledgedBatch_isPublishedAsDebeziumShapedRecordsInOrder() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(true);
        OutboxEvent created = TestEvents.order("o-1", "OrderCreated");
        OutboxEvent confirmed = TestEvents.order("o-1", "OrderConfirmed");

        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            List<PublishOutcome> outcomes = await(publisher, List.of(created, confirmed));

            assertThat(outcomes).extracting(PublishOutcome::eventId).containsExactly(created.id(), confirmed.id());
            assertThat(statuses(outcomes)).containsOnly(Status.PUBLISHED);
        }
        ProducerRecord<byte[], byte[]> record = producer.history().get(0);
        assertThat(record.topic()).isEqualTo("outbox.event.Order");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("o-1");
        assertThat(record.value()).isEqualTo(created.payload());
        assertThat(record.headers().toArray()).extracting(Header::key)
                .containsExactly("id", "eventType", "traceparent");
        assertThat(new String(record.headers().lastHeader("id").value(), StandardCharsets.UTF_8))
                .isEqualTo(created.id().toString());
        assertThat(new String(record.headers().lastHeader("eventType").value(), StandardCharsets.UTF_8))
                .isEqualTo("OrderCreated");
        assertThat(new String(producer.history().get(1).headers().lastHeader("eventType").value(),
                StandardCharsets.UTF_8)).isEqualTo("OrderConfirmed");
    }

    @Test
    void asynchronousFailures_areClassifiedPerEvent() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(false);
        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            CompletableFuture<List<PublishOutcome>> stage = publisher.publish(
                    List.of(TestEvents.order("a"), TestEvents.order("b"), TestEvents.order("c"))).toCompletableFuture();
            assertThat(stage).isNotDone();

            producer.completeNext();
            producer.errorNext(new RecordTooLargeException("too large"));
            producer.errorNext(new TimeoutException("Expiring 1 record(s)"));

            assertThat(statuses(stage.get(10, TimeUnit.SECONDS)))
                    .containsExactly(Status.PUBLISHED, Status.PERMANENT_FAILURE, Status.UNAVAILABLE);
        }
    }

    @Test
    void sendThatThrowsNotPresentInMetadata_reportsTheTopicsLaterEventsNotAttemptedWithoutSendingThem() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(true);
        producer.sendException = new TimeoutException("Topic outbox.event.Order not present in metadata after 10000 ms.");
        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            List<PublishOutcome> outcomes = await(publisher,
                    List.of(TestEvents.order("a"), TestEvents.order("b"), TestEvents.order("c")));

            assertThat(statuses(outcomes))
                    .containsExactly(Status.UNAVAILABLE, Status.NOT_ATTEMPTED, Status.NOT_ATTEMPTED);
            assertThat(outcomes.get(1).error()).hasMessageContaining("not sent");
            assertThat(producer.sendAttempts).hasValue(1);
            assertThat(producer.history()).isEmpty();
        }
    }

    @Test
    void laterEventOfAFailedAggregate_isReportedNotAttemptedEvenIfAcknowledged() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(false);
        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            CompletableFuture<List<PublishOutcome>> stage = publisher.publish(List.of(
                    TestEvents.order("a", "OrderCreated"), TestEvents.order("b"),
                    TestEvents.order("a", "OrderConfirmed"))).toCompletableFuture();

            producer.errorNext(new TimeoutException("Expiring 1 record(s)"));
            producer.completeNext();
            producer.completeNext();

            assertThat(statuses(stage.get(10, TimeUnit.SECONDS)))
                    .containsExactly(Status.UNAVAILABLE, Status.PUBLISHED, Status.NOT_ATTEMPTED);
        }
    }

    @Test
    void aFailingOrder42_doesNotHoldBackCustomer42() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(false);
        OutboxEvent order = TestEvents.order("42", "OrderCreated");
        OutboxEvent customer = OutboxEvent.json("Customer", "42", "CustomerCreated", "{}");
        OutboxEvent laterOrder = TestEvents.order("42", "OrderConfirmed");
        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            CompletableFuture<List<PublishOutcome>> stage =
                    publisher.publish(List.of(order, customer, laterOrder)).toCompletableFuture();

            producer.errorNext(new TopicAuthorizationException("not authorized for outbox.event.Order"));
            producer.completeNext();
            producer.completeNext();

            List<PublishOutcome> outcomes = stage.get(10, TimeUnit.SECONDS);
            assertThat(statuses(outcomes))
                    .containsExactly(Status.RETRIABLE_FAILURE, Status.PUBLISHED, Status.NOT_ATTEMPTED);
            assertThat(outcomes.get(2).error()).hasMessageContaining(order.id().toString());
        }
    }

    @Test
    void missingMetadata_isTheEventsOwnFailureWhenAnotherEventOfTheCallWasAcknowledged() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(false);
        OutboxEvent good = TestEvents.order("1");
        OutboxEvent missing = OutboxEvent.json("Missing", "1", "Created", "{}");
        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            CompletableFuture<List<PublishOutcome>> stage =
                    publisher.publish(List.of(good, missing)).toCompletableFuture();

            producer.completeNext();
            producer.errorNext(new TimeoutException("Topic outbox.event.Missing not present in metadata after 10000 ms."));

            assertThat(statuses(stage.get(10, TimeUnit.SECONDS)))
                    .as("the broker answered in this call: the topic is missing, not the broker")
                    .containsExactly(Status.PUBLISHED, Status.RETRIABLE_FAILURE);
        }
    }

    @Test
    void maxPublishDuration_isMaxBlockPlusDeliveryTimeoutPlusSlack() {
        try (KafkaOutboxEventPublisher publisher = publisher(new CountingMockProducer(true))) {
            assertThat(publisher.maxPublishDuration()).isEqualTo(java.time.Duration.ofSeconds(45));
        }
        try (KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers("unused:9092")
                .maxBlock(java.time.Duration.ofSeconds(2)).deliveryTimeout(java.time.Duration.ofSeconds(20)).build(), new CountingMockProducer(true))) {
            assertThat(publisher.maxPublishDuration()).isEqualTo(java.time.Duration.ofSeconds(27));
        }
    }

    @Test
    void permanentlyFailedEvent_doesNotHoldBackTheRestOfItsAggregate() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(false);
        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            CompletableFuture<List<PublishOutcome>> stage = publisher.publish(
                    List.of(TestEvents.order("a", "Bad"), TestEvents.order("a", "OrderConfirmed"))).toCompletableFuture();

            producer.errorNext(new RecordTooLargeException("too large"));
            producer.completeNext();

            List<PublishOutcome> outcomes = stage.get(10, TimeUnit.SECONDS);
            assertThat(statuses(outcomes)).containsExactly(Status.PERMANENT_FAILURE, Status.PUBLISHED);
            assertThat(outcomes.get(0).error()).hasMessageContaining("too large");
        }
    }

    @Test
    void illegalTopicName_isTheEventsOwnRetriableFailureAndHoldsBackItsAggregate() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(true);
        OutboxEvent bad = TestEvents.order("a", "Bad");
        try (KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers("unused:9092")
                .topicNaming(TopicNaming.of(e -> e.eventType().equals("Bad") ? "no/such topic" : "orders")).build(), producer)) {
            List<PublishOutcome> outcomes = await(publisher, List.of(bad, TestEvents.order("a", "OrderConfirmed"),
                    TestEvents.order("b")));

            assertThat(statuses(outcomes))
                    .containsExactly(Status.RETRIABLE_FAILURE, Status.NOT_ATTEMPTED, Status.PUBLISHED);
            assertThat(outcomes.get(0).error()).hasMessageContaining("no/such topic");
        }
    }

    @Test
    void customEventTypeHeader_isUsedAndNotDuplicated() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(true);
        OutboxEvent event = TestEvents.order("a").toBuilder().header("type", "ignored").build();
        try (KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers("unused:9092")
                .eventTypeHeader("type").topicNaming(TopicNaming.aggregateType()).build(), producer)) {
            await(publisher, List.of(event));
        }
        ProducerRecord<byte[], byte[]> record = producer.history().get(0);
        assertThat(record.topic()).isEqualTo("Order");
        assertThat(record.headers().headers("type")).hasSize(1);
        assertThat(new String(record.headers().lastHeader("type").value(), StandardCharsets.UTF_8))
                .isEqualTo("OrderCreated");
    }

    @Test
    void closedPublisher_reportsEveryEventUnavailable_andLeavesTheCallersProducerOpen() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(true);
        KafkaOutboxEventPublisher publisher = publisher(producer);
        publisher.close();

        assertThat(statuses(await(publisher, List.of(TestEvents.order("a"))))).containsExactly(Status.UNAVAILABLE);
        assertThat(producer.closed()).as("the caller owns the producer it handed in").isFalse();
        assertThat(producer.sendAttempts).hasValue(0);
    }

    @Test
    void usersMockProducer_receivesTheRecords_andTheUserClosesIt() throws Exception {
        MockProducer<byte[], byte[]> mock = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        OutboxEvent event = TestEvents.order("o-7", "OrderCreated");
        try (KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(
                KafkaPublisherConfig.builder().bootstrapServers("unused:9092").build(), mock)) {
            assertThat(statuses(await(publisher, List.of(event)))).containsExactly(Status.PUBLISHED);
        }

        assertThat(mock.closed()).isFalse();
        assertThat(mock.history()).hasSize(1);
        ProducerRecord<byte[], byte[]> record = mock.history().get(0);
        assertThat(record.topic()).isEqualTo("outbox.event.Order");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("o-7");
        assertThat(new String(record.headers().lastHeader("id").value(), StandardCharsets.UTF_8))
                .isEqualTo(event.id().toString());
        mock.close();
    }

    @Test
    void firstBatchToANewTopic_sendsAndAwaitsTheFirstRecordOfEachPartitionBeforeTheRest() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(false, "outbox.event.Order", 2);
        List<OutboxEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(TestEvents.order("order-" + (i % 7), "Step" + i));
        }
        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            CompletableFuture<List<PublishOutcome>> stage = CompletableFuture.supplyAsync(
                    () -> publisher.publish(events)).thenCompose(s -> s);

            awaitHistorySize(producer, 2);
            Thread.sleep(200);
            assertThat(producer.history()).as("only the pilots are sent while they are unacknowledged").hasSize(2);
            assertThat(producer.history()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .as("the first record of each partition, in event order")
                    .containsExactly(firstKeysPerPartition(producer, events));
            producer.completeNext();
            producer.completeNext();
            awaitHistorySize(producer, 20);
            while (producer.completeNext()) {
                // acknowledge the rest
            }

            assertThat(stage.get(10, TimeUnit.SECONDS)).allMatch(PublishOutcome::isPublished);
            assertThat(producer.history()).hasSize(20);
        }
    }

    @Test
    void aggregateWhosePilotFailed_hasItsLaterEventsHeldBackWhileOtherAggregatesAreSent() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(false, "outbox.event.Order", 1);
        try (KafkaOutboxEventPublisher publisher = publisher(producer)) {
            CompletableFuture<List<PublishOutcome>> stage = CompletableFuture.supplyAsync(() -> publisher.publish(
                    List.of(TestEvents.order("a", "OrderCreated"), TestEvents.order("b"),
                            TestEvents.order("a", "OrderConfirmed")))).thenCompose(s -> s);

            awaitHistorySize(producer, 1);
            producer.errorNext(new TimeoutException("Expiring 1 record(s)")); // the pilot: first record of partition 0
            awaitHistorySize(producer, 2);
            producer.completeNext();

            assertThat(statuses(stage.get(10, TimeUnit.SECONDS)))
                    .containsExactly(Status.UNAVAILABLE, Status.PUBLISHED, Status.NOT_ATTEMPTED);
            assertThat(producer.history()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .as("a's later event is not sent ahead of its failed predecessor").containsExactly("a", "b");
        }
    }

    private static String[] firstKeysPerPartition(CountingMockProducer producer, List<OutboxEvent> events) {
        java.util.Map<Integer, String> first = new java.util.TreeMap<>();
        java.util.Map<Integer, Integer> firstIndex = new java.util.HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            byte[] key = events.get(i).aggregateId().getBytes(StandardCharsets.UTF_8);
            int partition = org.apache.kafka.common.utils.Utils.toPositive(
                    org.apache.kafka.common.utils.Utils.murmur2(key)) % 2;
            if (firstIndex.putIfAbsent(partition, i) == null) {
                first.put(i, events.get(i).aggregateId());
            }
        }
        return first.values().toArray(String[]::new);
    }

    private static void awaitHistorySize(CountingMockProducer producer, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (producer.history().size() < size && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(producer.history()).hasSizeGreaterThanOrEqualTo(size);
    }

    @Test
    void batchTail_isFlushedInTheBackgroundWithoutBlockingTheCaller() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(false);
        try (KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers("unused:9092").build(), producer)) {
            // nobody completes the sends by hand: MockProducer.flush() acknowledges them
            List<PublishOutcome> outcomes = await(publisher, List.of(TestEvents.order("a"), TestEvents.order("b")));

            assertThat(statuses(outcomes)).containsOnly(Status.PUBLISHED);
        }
    }

    @Test
    void batchTail_isFlushedUnlessALargeBatchOverlapsAnotherPublishCall() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(false);
        producer.flushCompletes = false; // acknowledgements come by hand below
        try (KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers("unused:9092").build(), producer)) {
            CompletableFuture<List<PublishOutcome>> lone =
                    publisher.publish(List.of(TestEvents.order("a"))).toCompletableFuture();
            awaitFlushes(producer, 1);

            // a large batch while the first call is outstanding: not flushed, it batches like a bare producer
            CompletableFuture<List<PublishOutcome>> large =
                    publisher.publish(orders(KafkaOutboxEventPublisher.ALWAYS_FLUSHED_BELOW)).toCompletableFuture();
            Thread.sleep(200);
            assertThat(producer.flushes).hasValue(1);

            // a small batch while others are outstanding: flushed, light load keeps its latency
            CompletableFuture<List<PublishOutcome>> small =
                    publisher.publish(orders(KafkaOutboxEventPublisher.ALWAYS_FLUSHED_BELOW - 1)).toCompletableFuture();
            awaitFlushes(producer, 2);

            while (producer.completeNext()) {
                // acknowledge every call's records
            }
            for (CompletableFuture<List<PublishOutcome>> call : List.of(lone, large, small)) {
                assertThat(statuses(call.get(10, TimeUnit.SECONDS))).containsOnly(Status.PUBLISHED);
            }

            // a large batch alone again: flushed
            CompletableFuture<List<PublishOutcome>> next =
                    publisher.publish(orders(KafkaOutboxEventPublisher.ALWAYS_FLUSHED_BELOW)).toCompletableFuture();
            awaitFlushes(producer, 3);
            while (producer.completeNext()) {
                // acknowledge
            }
            assertThat(statuses(next.get(10, TimeUnit.SECONDS))).containsOnly(Status.PUBLISHED);
        }
    }

    private static List<OutboxEvent> orders(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> TestEvents.order("o-" + i)).toList();
    }

    private static void awaitFlushes(CountingMockProducer producer, int flushes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (producer.flushes.get() < flushes && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(producer.flushes).hasValue(flushes);
    }

    @Test
    void recordsThatNeverGetAnOutcome_areReportedUnavailableAfterThePublishTimeout() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(false);
        try (KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers("unused:9092")
                .maxBlock(java.time.Duration.ofMillis(10))
                .requestTimeout(java.time.Duration.ofMillis(1)).deliveryTimeout(java.time.Duration.ofMillis(10))
                .flushBatchTail(false).build(), producer)) {
            List<PublishOutcome> outcomes = await(publisher, List.of(TestEvents.order("a")));

            assertThat(statuses(outcomes)).containsExactly(Status.UNAVAILABLE);
            assertThat(outcomes.get(0).error()).hasMessageContaining("publish guard timeout");
        }
    }

    @Test
    void emptyBatch_completesWithNoOutcomes() throws Exception {
        try (KafkaOutboxEventPublisher publisher = publisher(new CountingMockProducer(true))) {
            assertThat(await(publisher, List.of())).isEmpty();
        }
    }
}

package dev.outbox.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import dev.outbox.core.testing.TestEvents;
import io.nats.client.api.MessageInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The publisher against the real NATS server with JetStream: message shape, duplicate window, failures. */
class NatsOutboxEventPublisherTest {
    private static TestStreams streams;

    @BeforeAll
    static void server() {
        if (!RequiredNats.available()) {
            return;
        }
        streams = new TestStreams();
    }

    @BeforeEach
    void requireServer() {
        RequiredNats.assume();
    }

    @AfterAll
    static void deleteStreams() {
        if (streams != null) {
            streams.close();
        }
    }

    @Test
    void roundTrip_carriesPayloadMessageIdTypeSequenceAndUserHeaders_onTheAggregatesSubject() throws Exception {
        String prefix = "rt_" + TestStreams.RUN;
        String stream = streams.create(prefix + ".>");
        OutboxEvent event = OutboxEvent.builder().aggregateType("Order").aggregateId("order.7*>x")
                .eventType("OrderCreated").payload("{\"note\":\"caf\u00e9\"}")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build()
                .withSequence(42);

        try (NatsOutboxEventPublisher publisher = publisher(prefix + ".${aggregateType}.${aggregateId}")) {
            assertThat(publish(publisher, List.of(event))).extracting(PublishOutcome::status)
                    .containsExactly(Status.PUBLISHED);
        }

        List<MessageInfo> messages = streams.messages(stream);
        assertThat(messages).hasSize(1);
        MessageInfo message = messages.get(0);
        // '.', '*' and '>' of the id stay inside one token, escaped: no extra token, no wildcard
        assertThat(message.getSubject()).isEqualTo(prefix + ".Order.order%2E7%2A%3Ex");
        assertThat(message.getData()).isEqualTo(event.payload());
        Map<String, String> headers = TestStreams.headers(message.getHeaders());
        assertThat(headers).containsEntry(NatsHeaders.MSG_ID, event.id().toString())
                .containsEntry(NatsHeaders.ID, event.id().toString())
                .containsEntry(NatsHeaders.EVENT_TYPE, "OrderCreated")
                .containsEntry(NatsHeaders.AGGREGATE_TYPE, "Order")
                .containsEntry(NatsHeaders.AGGREGATE_ID, "order.7*>x")
                .containsEntry(NatsHeaders.CONTENT_TYPE, OutboxEvent.JSON)
                .containsEntry(OutboxEvent.SEQUENCE_HEADER, "42")
                .containsEntry("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    }

    @Test
    void redeliveryOfTheSameEvent_withinTheDuplicateWindow_isStoredOnce_andReportedPublished() throws Exception {
        String prefix = "dup_" + TestStreams.RUN;
        String stream = streams.create(prefix + ".>");
        OutboxEvent event = TestEvents.stored("Order", "o-1");

        try (NatsOutboxEventPublisher publisher = publisher(prefix + ".${aggregateType}.${aggregateId}")) {
            assertThat(publish(publisher, List.of(event))).extracting(PublishOutcome::status)
                    .containsExactly(Status.PUBLISHED);
            // the relay sends it again (it crashed before marking it published): the PubAck says duplicate
            assertThat(publish(publisher, List.of(event, event))).extracting(PublishOutcome::status)
                    .containsExactly(Status.PUBLISHED, Status.PUBLISHED);
        }

        assertThat(streams.messages(stream)).hasSize(1);
    }

    @Test
    void aSubjectNoStreamCaptures_isAPermanentFailure_namingTheSubject_andHoldsUpNoOtherAggregate() throws Exception {
        String prefix = "nostream_" + TestStreams.RUN;
        String stream = streams.create(prefix + ".Order.*");
        OutboxEvent orphan = TestEvents.stored("Invoice", "i-1");
        OutboxEvent order = TestEvents.stored("Order", "o-1");

        List<PublishOutcome> outcomes;
        try (NatsOutboxEventPublisher publisher = publisher(prefix + ".${aggregateType}.${aggregateId}")) {
            outcomes = publish(publisher, List.of(orphan, order));
        }

        assertThat(outcomes.get(0).status()).isEqualTo(Status.PERMANENT_FAILURE);
        assertThat(outcomes.get(0).error()).hasMessageContaining("no JetStream stream captures subject '" + prefix
                + ".Invoice.i-1'");
        assertThat(outcomes.get(1).status()).isEqualTo(Status.PUBLISHED);
        assertThat(streams.messages(stream)).hasSize(1);
    }

    @Test
    void aFailedEvent_leavesTheLaterEventsOfItsAggregateUnsent_soTheStreamNeverHoldsThemBeforeIt() throws Exception {
        String prefix = "chain_" + TestStreams.RUN;
        String stream = streams.create(prefix + ".Order.Changed.*");
        streams.createFull(prefix + ".Order.Full.*", prefix + ".Order.Full.filler");
        OutboxEvent a1 = TestEvents.stored("Order", "a");
        OutboxEvent a2 = TestEvents.stored("Order", "a").toBuilder().eventType("Full").build();
        OutboxEvent a3 = TestEvents.stored("Order", "a");
        OutboxEvent b1 = TestEvents.stored("Order", "b");

        List<PublishOutcome> outcomes;
        try (NatsOutboxEventPublisher publisher = publisher(prefix + ".${aggregateType}.${eventType}.${aggregateId}")) {
            outcomes = publish(publisher, List.of(a1, a2, a3, b1));
        }

        assertThat(outcomes).extracting(PublishOutcome::status).containsExactly(Status.PUBLISHED,
                Status.RETRIABLE_FAILURE, Status.NOT_ATTEMPTED, Status.PUBLISHED);
        // a3 must not be in the stream: resent after a2 later, the duplicate window would drop it and
        // leave it stored before a2
        assertThat(streams.received(stream)).extracting(m -> m.id()).containsExactly(a1.id(), b1.id());
    }

    @Test
    void createStream_createsAMissingStreamForTheTemplatesSubjects_withTheDuplicateWindow() throws Exception {
        String prefix = "create_" + TestStreams.RUN;
        String name = streams.newName();
        streams.adopt(name);

        try (NatsOutboxEventPublisher publisher = NatsOutboxEventPublisher.create(NatsPublisherConfig.builder()
                .serverUrl(RequiredNats.URL)
                .subjectTemplate(prefix + ".${aggregateType}.${aggregateId}")
                .createStream(name, Duration.ofSeconds(30)).build())) {
            assertThat(publish(publisher, List.of(TestEvents.stored("Order", "o-1")))).extracting(PublishOutcome::status)
                    .containsExactly(Status.PUBLISHED);
        }

        assertThat(streams.info(name).getConfiguration().getSubjects()).containsExactly(prefix + ".*.*");
        assertThat(streams.info(name).getConfiguration().getDuplicateWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(streams.messages(name)).hasSize(1);
    }

    @Test
    void aHeaderNatsCannotCarry_isAPermanentFailureOfThatEventOnly() throws Exception {
        String prefix = "hdr_" + TestStreams.RUN;
        String stream = streams.create(prefix + ".>");
        OutboxEvent bad = TestEvents.stored("Order", "a").toBuilder().header("note", "caf\u00e9").build();
        OutboxEvent good = TestEvents.stored("Order", "a");

        List<PublishOutcome> outcomes;
        try (NatsOutboxEventPublisher publisher = publisher(prefix + ".${aggregateType}.${aggregateId}")) {
            outcomes = publish(publisher, List.of(bad, good));
        }

        assertThat(outcomes.get(0).status()).isEqualTo(Status.PERMANENT_FAILURE);
        assertThat(outcomes.get(0).error()).hasMessageContaining("header 'note'");
        assertThat(outcomes.get(1).status()).isEqualTo(Status.PUBLISHED);
        assertThat(streams.messages(stream)).hasSize(1);
    }

    private static NatsOutboxEventPublisher publisher(String template) {
        return NatsOutboxEventPublisher.create(NatsPublisherConfig.builder()
                .serverUrl(RequiredNats.URL).subjectTemplate(template)
                .publishTimeout(Duration.ofSeconds(5)).build());
    }

    static List<PublishOutcome> publish(NatsOutboxEventPublisher publisher, List<OutboxEvent> events) throws Exception {
        return publisher.publish(events).toCompletableFuture()
                .get(publisher.maxPublishDuration().toMillis() + 5000, TimeUnit.MILLISECONDS);
    }
}

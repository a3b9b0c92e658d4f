package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link OutboxEventPublisher} must pass. Subclass it once per adapter in the
 * adapter's test sources, against a real broker; JUnit 5 runs the inherited tests:
 * <pre>{@code
 * class KafkaPublisherContractTest extends OutboxEventPublisherContract {
 *     protected OutboxEventPublisher newPublisher(String destinationTemplate) {
 *         return KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder()
 *                 .bootstrapServers(broker.bootstrapServers()).topicTemplate(destinationTemplate).build());
 *     }
 *     protected Set<Capability> capabilities() { return EnumSet.allOf(Capability.class); }
 *     protected void prepareDestination(String topic) { broker.createTopic(topic, 3); }
 *     protected List<ReceivedMessage> received(String topic) { ... read the topic to its end ... }
 *     ...
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh publisher from {@link #newPublisher} for a destination template of
 * its own (see {@link #destinationTemplate}), so tests never see each other's messages, and
 * closes it afterwards. Before publishing to a destination the contract calls
 * {@link #prepareDestination} once (create the topic, declare and bind the queue, add the
 * stream), except for destinations an adapter's failure hook chose to leave missing. Events
 * carry the aggregate sequence a store would have set ({@link OutboxEvent#withSequence}).
 *
 * <p>What it checks: one outcome per event in input order; {@code PUBLISHED} only for what the
 * broker holds when the stage completes, each once, in per-aggregate order; event id, type,
 * key (aggregate id), payload, sequence and user headers carried; a failure in the middle of a
 * batch holds back the later events of its aggregate only; retriable and permanent failures told
 * apart; while the broker is down, {@code publish} completes within
 * {@link OutboxEventPublisher#maxPublishDuration()} plus {@link #slack()} without reporting
 * anything published or counting it as the events' fault, and the same events arrive after
 * recovery; an event reported published when the broker stops mid-batch is held after the
 * restart; concurrent calls; {@code close} returns, completes what it accepted, and is idempotent.
 *
 * <p>Checks that need something an adapter cannot do are skipped through a JUnit assumption
 * whose message names the missing {@link Capability} and {@link #whyUnsupported} the reason; a
 * broker adapter declares them all.
 */
public abstract class OutboxEventPublisherContract {

    /** Placeholder of a destination template replaced by the event's aggregate type. */
    protected static final String AGGREGATE_TYPE = "${aggregateType}";
    /** Placeholder of a destination template replaced by the event's event type. */
    protected static final String EVENT_TYPE = "${eventType}";
    /** The bound used for a publisher that declares no {@link OutboxEventPublisher#maxPublishDuration()}. */
    protected static final Duration UNDECLARED_PUBLISH_BOUND = Duration.ofSeconds(60);
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final String RUN = randomLetters(6);
    private static final AtomicInteger TESTS = new AtomicInteger();
    private static final Duration RECOVERY = Duration.ofSeconds(120);

    /** What a subclass can make its broker or publisher do; the checks that need one are skipped without it. */
    public enum Capability {
        /** {@link #received} reads back what the broker durably holds for a destination. */
        READ_BACK,
        /** {@link #failRetriably} makes one event fail on its own, retriably, while the broker is up. */
        EVENT_FAILURE,
        /** {@link #failPermanently} makes one event fail for good (unroutable, too large...). */
        PERMANENT_FAILURE,
        /** {@link #makeBrokerUnavailable} and {@link #makeBrokerAvailable} take the broker away and bring it back. */
        BROKER_OUTAGE
    }

    private final AtomicLong sequences = new AtomicLong(ThreadLocalRandom.current().nextLong(1, 1_000_000));
    private final Set<String> prepared = new HashSet<>();
    /** Runs publish calls, so that a call blocking its caller is bounded too; one per test. */
    private ExecutorService callers;
    private String template;
    private OutboxEventPublisher publisher;
    private boolean closed;

    /**
     * Creates the publisher under test; called once per test, before anything else of it.
     *
     * @param destinationTemplate where events go: {@value #AGGREGATE_TYPE} (and {@value #EVENT_TYPE}
     *                            when {@link #destinationTemplate} put it there) replaced per event;
     *                            {@link #destinationOf} renders it
     */
    protected abstract OutboxEventPublisher newPublisher(String destinationTemplate);

    /** Returns what this adapter can do, see {@link Capability}; a broker adapter returns them all. */
    protected abstract Set<Capability> capabilities();

    /**
     * Returns why a capability is missing, for the message of the skipped check. Default: that
     * {@link #capabilities()} does not declare it; override to say why the adapter cannot.
     */
    protected String whyUnsupported(Capability capability) {
        return getClass().getSimpleName() + ".capabilities() does not declare " + capability;
    }

    /**
     * Returns the destination template of one test from a unique prefix of letters, digits and
     * dots (such as {@code contract.qwerty.7}). Default: {@code <prefix>.${aggregateType}}; an
     * adapter whose failure hooks route by event type adds {@value #EVENT_TYPE}.
     */
    protected String destinationTemplate(String prefix) {
        return prefix + "." + AGGREGATE_TYPE;
    }

    /**
     * Prepares a destination before the first event is published to it, so that the broker keeps
     * what it receives there (create the topic, declare and bind a queue, add a stream). Default:
     * nothing.
     */
    protected void prepareDestination(String destination) {
    }

    /**
     * Returns every message the broker durably holds for the destination at the time of the call,
     * in the broker's order (at least per aggregate), without waiting for more to arrive. Needed
     * for {@link Capability#READ_BACK}.
     *
     * <p>A test reads a destination several times and expects everything held so far each time,
     * so reading must not remove what it reads (RabbitMQ: get without acknowledging and let the
     * messages be requeued, or read a stream queue from its first offset; JetStream: an ordered
     * consumer from the stream's start).
     */
    protected List<ReceivedMessage> received(String destination) {
        throw new UnsupportedOperationException(whyUnsupported(Capability.READ_BACK));
    }

    /**
     * Arranges that the event fails on its own, for a reason that may pass, the next time it is
     * published while the broker is up ({@code RETRIABLE_FAILURE}); needed for
     * {@link Capability#EVENT_FAILURE}. Returns the event to publish: {@code event} itself (after
     * programming a test double), or a copy with the same id and aggregate that the broker refuses
     * (for instance another event type routed to a destination that was never prepared).
     */
    protected OutboxEvent failRetriably(OutboxEvent event) {
        throw new UnsupportedOperationException(whyUnsupported(Capability.EVENT_FAILURE));
    }

    /**
     * Arranges that the event can never be delivered ({@code PERMANENT_FAILURE}): too large, an
     * illegal destination. Returns the event to publish, as {@link #failRetriably} does; needed
     * for {@link Capability#PERMANENT_FAILURE}.
     */
    protected OutboxEvent failPermanently(OutboxEvent event) {
        throw new UnsupportedOperationException(whyUnsupported(Capability.PERMANENT_FAILURE));
    }

    /** Makes the broker unreachable (stops it, keeping its data); needed for {@link Capability#BROKER_OUTAGE}. */
    protected void makeBrokerUnavailable() {
        throw new UnsupportedOperationException(whyUnsupported(Capability.BROKER_OUTAGE));
    }

    /** Brings the broker back with its data, returning once it answers; needed for {@link Capability#BROKER_OUTAGE}. */
    protected void makeBrokerAvailable() {
        throw new UnsupportedOperationException(whyUnsupported(Capability.BROKER_OUTAGE));
    }

    /** Returns how much longer than its declared bound a publish call may take (scheduling, GC); default 10 s. */
    protected Duration slack() {
        return Duration.ofSeconds(10);
    }

    @BeforeEach
    final void setUpPublisherContract() {
        callers = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "publisher-contract-caller");
            thread.setDaemon(true);
            return thread;
        });
        template = destinationTemplate("contract." + RUN + "." + TESTS.incrementAndGet());
        publisher = newPublisher(template);
        assertThat(publisher).as("newPublisher(%s)", template).isNotNull();
    }

    @AfterEach
    final void closePublisherContract() {
        try {
            if (publisher != null && !closed) {
                closed = true;
                publisher.close();
            }
        } finally {
            callers.shutdownNow();
        }
    }

    /** Returns the publisher of the current test. */
    protected final OutboxEventPublisher publisher() {
        return publisher;
    }

    /** Returns the destination the current test's template gives the event. */
    protected final String destinationOf(OutboxEvent event) {
        return template.replace(AGGREGATE_TYPE, event.aggregateType()).replace(EVENT_TYPE, event.eventType());
    }

    @Test
    void publish_reportsOneOutcomePerEvent_inInputOrder() throws Exception {
        List<OutboxEvent> events = interleaved(List.of("Order", "Payment"), 3, 4);

        List<PublishOutcome> outcomes = publishAndAwait(events);

        assertThat(outcomes).extracting(PublishOutcome::status).containsOnly(Status.PUBLISHED);
    }

    @Test
    void publishedEvents_areHeldByTheBrokerOnceEach_inAggregateOrder_whenTheStageCompletes() throws Exception {
        requires(Capability.READ_BACK);
        List<OutboxEvent> all = new ArrayList<>();
        for (int call = 0; call < 3; call++) {
            List<OutboxEvent> events = interleaved(List.of("Order", "Payment"), 5, 10);
            all.addAll(events);

            assertThat(publishAndAwait(events)).extracting(PublishOutcome::status).containsOnly(Status.PUBLISHED);

            // read at once: PUBLISHED means the broker already holds it durably, not "soon"
            Map<UUID, Integer> held = heldCounts(all);
            for (OutboxEvent event : all) {
                assertThat(held.getOrDefault(event.id(), 0))
                        .as("copies of published event %s held in %s after call %d", event.id(), destinationOf(event),
                                call + 1)
                        .isEqualTo(1);
            }
        }
        assertAggregateOrder(all);
    }

    @Test
    void messages_carryEventIdTypeKeyPayloadSequenceAndUserHeaders() throws Exception {
        requires(Capability.READ_BACK);
        OutboxEvent event = sequenced(OutboxEvent.builder().aggregateType("Order").aggregateId("order-1")
                .eventType("OrderCreated").payload("{\"order_id\":\"order-1\",\"note\":\"caf\u00e9 \u2713\"}")
                .header("traceparent", TRACEPARENT).header("tracestate", "vendor=value")
                .header("tenant", "acme").build());

        assertThat(publishAndAwait(List.of(event))).extracting(PublishOutcome::status).containsExactly(Status.PUBLISHED);

        List<ReceivedMessage> messages = received(destinationOf(event));
        assertThat(messages).as("messages in %s", destinationOf(event)).hasSize(1);
        ReceivedMessage message = messages.get(0);
        assertThat(message.id()).isEqualTo(event.id());
        assertThat(message.eventType()).isEqualTo("OrderCreated");
        assertThat(message.key()).isEqualTo("order-1");
        assertThat(message.payload()).isEqualTo(event.payload());
        assertThat(message.sequence()).as("aggregate sequence (%s)", OutboxEvent.SEQUENCE_HEADER)
                .isEqualTo(event.sequence());
        assertThat(message.headers()).containsEntry("traceparent", TRACEPARENT)
                .containsEntry("tracestate", "vendor=value").containsEntry("tenant", "acme");
    }

    @Test
    void aFailedEventInTheMiddleOfABatch_holdsBackTheLaterEventsOfItsAggregateOnly() throws Exception {
        requires(Capability.EVENT_FAILURE);
        OutboxEvent a1 = event("Order", "a");
        OutboxEvent b1 = event("Order", "b");
        OutboxEvent a2 = event("Order", "a");
        OutboxEvent b2 = event("Order", "b");
        OutboxEvent a3 = event("Order", "a");
        OutboxEvent c1 = event("Payment", "c");
        OutboxEvent a4 = event("Order", "a");
        OutboxEvent b3 = event("Order", "b");
        OutboxEvent failing = hooked(a2, failRetriably(a2));
        List<OutboxEvent> events = List.of(a1, b1, failing, b2, a3, c1, a4, b3);
        prepare(events.stream().filter(e -> e != failing).toList());

        List<PublishOutcome> outcomes = publishPrepared(events);

        assertThat(outcomes.get(2).status()).as("the failed event's own retriable failure (%s)", outcomes.get(2))
                .isEqualTo(Status.RETRIABLE_FAILURE);
        assertThat(outcomes.get(4).status()).as("a3, after the failed a2 (%s)", outcomes.get(4))
                .isEqualTo(Status.NOT_ATTEMPTED);
        assertThat(outcomes.get(6).status()).as("a4, after the failed a2 (%s)", outcomes.get(6))
                .isEqualTo(Status.NOT_ATTEMPTED);
        for (int i : new int[] {0, 1, 3, 5, 7}) {
            assertThat(outcomes.get(i).status()).as("%s of another aggregate, or before the failure (%s)",
                    events.get(i).aggregateId(), outcomes.get(i)).isEqualTo(Status.PUBLISHED);
        }
        if (capabilities().contains(Capability.READ_BACK)) {
            assertHeldOnce(List.of(a1, b1, b2, c1, b3));
        }
    }

    @Test
    void aPermanentFailure_isReportedPermanent_andHoldsUpNoOtherEvent() throws Exception {
        requires(Capability.PERMANENT_FAILURE);
        OutboxEvent a1 = event("Order", "a");
        OutboxEvent a2 = event("Order", "a");
        OutboxEvent a3 = event("Order", "a");
        OutboxEvent b1 = event("Order", "b");
        OutboxEvent poison = hooked(a2, failPermanently(a2));
        List<OutboxEvent> events = List.of(a1, poison, a3, b1);
        prepare(events.stream().filter(e -> e != poison).toList());

        List<PublishOutcome> outcomes = publishPrepared(events);

        assertThat(outcomes.get(1).status()).as("the poison event (%s)", outcomes.get(1))
                .isEqualTo(Status.PERMANENT_FAILURE);
        assertThat(outcomes.get(0).status()).isEqualTo(Status.PUBLISHED);
        assertThat(outcomes.get(3).status()).as("another aggregate (%s)", outcomes.get(3)).isEqualTo(Status.PUBLISHED);
        // a dead letter does not hold back its aggregate; holding a3 back is allowed, charging it is not
        assertThat(outcomes.get(2).status()).as("a3 after the dead letter (%s)", outcomes.get(2))
                .isIn(Status.PUBLISHED, Status.NOT_ATTEMPTED);
        if (capabilities().contains(Capability.READ_BACK)) {
            assertHeldOnce(List.of(a1, b1));
        }
    }

    @Test
    void givenBrokerDown_publishEndsWithinItsBoundWithNothingPublishedOrCounted_andTheEventsArriveAfterRecovery()
            throws Exception {
        requires(Capability.BROKER_OUTAGE);
        assertThat(publishAndAwait(interleaved(List.of("Order"), 2, 2))).extracting(PublishOutcome::status)
                .as("warming up while the broker is up").containsOnly(Status.PUBLISHED);
        // one destination the publisher has used, one it has not
        List<OutboxEvent> duringOutage = interleaved(List.of("Order", "Payment"), 4, 5);
        prepare(duringOutage);

        List<PublishOutcome> whileDown;
        makeBrokerUnavailable();
        try {
            whileDown = publishDuringOutage(duringOutage);
        } finally {
            makeBrokerAvailable();
        }

        assertThat(whileDown).extracting(PublishOutcome::status)
                .as("while the broker is down nothing is published, nor the events' fault")
                .isSubsetOf(Status.UNAVAILABLE, Status.NOT_ATTEMPTED).contains(Status.UNAVAILABLE);
        publishUntilAllPublished(duringOutage);
        if (capabilities().contains(Capability.READ_BACK)) {
            Map<UUID, Integer> held = heldCounts(duringOutage);
            assertThat(duringOutage).allSatisfy(e -> assertThat(held).as("held after recovery").containsKey(e.id()));
        }
    }

    @Test
    void givenBrokerStopsDuringABatch_everyEventReportedPublishedIsHeldAfterTheRestart() throws Exception {
        requires(Capability.BROKER_OUTAGE);
        requires(Capability.READ_BACK);
        assertThat(publishAndAwait(interleaved(List.of("Order"), 2, 2))).extracting(PublishOutcome::status)
                .containsOnly(Status.PUBLISHED);
        List<OutboxEvent> batch = interleaved(List.of("Order"), 50, 40);

        List<PublishOutcome> outcomes;
        // called on this thread, so the batch is handed over before the broker stops
        CompletableFuture<List<PublishOutcome>> inFlight = publisher.publish(batch).toCompletableFuture();
        makeBrokerUnavailable();
        try {
            outcomes = awaitWithinBound(inFlight, "publish of a batch the broker stopped under");
        } finally {
            makeBrokerAvailable();
        }

        assertOnePerEventInOrder(batch, outcomes);
        Map<UUID, Integer> held = heldCounts(batch);
        List<OutboxEvent> unpublished = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (outcomes.get(i).isPublished()) {
                assertThat(held).as("event %s reported PUBLISHED before the stop is held after the restart",
                        batch.get(i).id()).containsKey(batch.get(i).id());
            } else {
                assertThat(outcomes.get(i).status()).as("outcome of %s", batch.get(i).id())
                        .isIn(Status.UNAVAILABLE, Status.NOT_ATTEMPTED);
                unpublished.add(batch.get(i));
            }
        }
        publishUntilAllPublished(unpublished);
        Map<UUID, Integer> finallyHeld = heldCounts(batch);
        assertThat(batch).allSatisfy(e -> assertThat(finallyHeld).containsKey(e.id()));
    }

    @Test
    void concurrentPublishCalls_eachGetTheirOwnOutcomesInOrder() throws Exception {
        List<List<OutboxEvent>> batches = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            batches.add(interleaved(List.of("Order"), 5, 20, "t" + t + "-"));
        }
        batches.forEach(this::prepare);
        List<CompletableFuture<List<PublishOutcome>>> calls = new ArrayList<>();
        for (List<OutboxEvent> batch : batches) {
            calls.add(call(batch));
        }
        for (int t = 0; t < batches.size(); t++) {
            List<PublishOutcome> outcomes = awaitWithinBound(calls.get(t), "concurrent publish call " + t);
            assertOnePerEventInOrder(batches.get(t), outcomes);
            assertThat(outcomes).extracting(PublishOutcome::status).containsOnly(Status.PUBLISHED);
        }
        if (capabilities().contains(Capability.READ_BACK)) {
            batches.forEach(this::assertHeldOnce);
            batches.forEach(this::assertAggregateOrder);
        }
    }

    @Test
    void close_returnsAfterCompletingWhatItAccepted_andIsIdempotent() throws Exception {
        List<OutboxEvent> events = interleaved(List.of("Order", "Payment"), 10, 20);
        prepare(events);

        // called on this thread, so the batch is handed over before close()
        CompletableFuture<List<PublishOutcome>> stage = publisher.publish(events).toCompletableFuture();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(publisher::close, callers);
        awaitWithinBound(closing, "close() right after publish");
        closed = true;
        List<PublishOutcome> outcomes = awaitWithinBound(stage, "the stage of a publish call made before close()");

        assertOnePerEventInOrder(events, outcomes);
        assertThat(outcomes).extracting(PublishOutcome::status).doesNotContain(Status.PERMANENT_FAILURE);
        if (capabilities().contains(Capability.READ_BACK)) {
            Map<UUID, Integer> held = heldCounts(events);
            for (int i = 0; i < events.size(); i++) {
                if (outcomes.get(i).isPublished()) {
                    assertThat(held).as("published before close: %s", events.get(i).id()).containsKey(events.get(i).id());
                }
            }
        }
        awaitWithinBound(CompletableFuture.runAsync(publisher::close, callers), "a second close()");
    }

    // ----- helpers -------------------------------------------------------------------------------

    /** Builds {@code perAggregate} events for each of {@code aggregates} aggregates per type, interleaved. */
    private List<OutboxEvent> interleaved(List<String> types, int aggregates, int perAggregate) {
        return interleaved(types, aggregates, perAggregate, "");
    }

    private List<OutboxEvent> interleaved(List<String> types, int aggregates, int perAggregate, String idPrefix) {
        List<OutboxEvent> events = new ArrayList<>();
        for (int n = 0; n < perAggregate; n++) {
            for (String type : types) {
                for (int a = 0; a < aggregates; a++) {
                    events.add(event(type, idPrefix + type.toLowerCase() + "-" + a));
                }
            }
        }
        return events;
    }

    /** An event of the aggregate with the next sequence, a JSON payload and a trace header. */
    private OutboxEvent event(String aggregateType, String aggregateId) {
        return sequenced(OutboxEvent.builder().aggregateType(aggregateType).aggregateId(aggregateId)
                .eventType("Changed").payload("{\"aggregate\":\"" + aggregateId + "\",\"n\":" + sequences.get() + "}")
                .header("traceparent", TRACEPARENT).build());
    }

    /** Gives the event the sequence a store would: growing, with gaps, as other aggregates take numbers too. */
    private OutboxEvent sequenced(OutboxEvent event) {
        return event.withSequence(sequences.addAndGet(1 + ThreadLocalRandom.current().nextInt(3)));
    }

    private OutboxEvent hooked(OutboxEvent original, OutboxEvent returned) {
        assertThat(returned).as("event returned by the failure hook").isNotNull();
        assertThat(returned.id()).as("the failure hook keeps the event id").isEqualTo(original.id());
        assertThat(returned.aggregateType() + "/" + returned.aggregateId()).as("the failure hook keeps the aggregate")
                .isEqualTo(original.aggregateType() + "/" + original.aggregateId());
        return returned.sequence().isPresent() ? returned : returned.withSequence(original.sequence().getAsLong());
    }

    private void requires(Capability capability) {
        Assumptions.assumeTrue(capabilities().contains(capability),
                () -> "skipped, needs " + capability + ": " + whyUnsupported(capability));
    }

    private void prepare(List<OutboxEvent> events) {
        for (OutboxEvent event : events) {
            String destination = destinationOf(event);
            if (prepared.add(destination)) {
                prepareDestination(destination);
            }
        }
    }

    private Duration publishBound() {
        Duration declared = publisher.maxPublishDuration();
        return (declared.isZero() ? UNDECLARED_PUBLISH_BOUND : declared).plus(slack());
    }

    private List<PublishOutcome> publishAndAwait(List<OutboxEvent> events) throws Exception {
        prepare(events);
        return publishPrepared(events);
    }

    /**
     * Calls {@code publish} on another thread and returns its stage: the bound then covers a call
     * that blocks before returning its stage as well as the stage. A call that throws completes
     * the result exceptionally.
     */
    private CompletableFuture<List<PublishOutcome>> call(List<OutboxEvent> events) {
        return CompletableFuture.supplyAsync(() -> publisher.publish(events), callers)
                .thenCompose(stage -> stage);
    }

    private List<PublishOutcome> publishPrepared(List<OutboxEvent> events) throws Exception {
        List<PublishOutcome> outcomes = awaitWithinBound(call(events), "publish");
        assertOnePerEventInOrder(events, outcomes);
        return outcomes;
    }

    /**
     * Publishes while the broker is down; a call that throws or a stage completed exceptionally
     * counts {@code UNAVAILABLE} for every event, as the relays count it.
     */
    private List<PublishOutcome> publishDuringOutage(List<OutboxEvent> events) throws Exception {
        CompletableFuture<List<PublishOutcome>> stage = call(events);
        try {
            List<PublishOutcome> outcomes = stage.get(publishBound().toMillis(), TimeUnit.MILLISECONDS);
            assertOnePerEventInOrder(events, outcomes);
            return outcomes;
        } catch (ExecutionException e) {
            return events.stream().map(ev -> PublishOutcome.unavailable(ev.id(), e.getCause())).toList();
        } catch (TimeoutException e) {
            return fail("publish did not complete within maxPublishDuration (" + publisher.maxPublishDuration()
                    + ") + slack (" + slack() + ") while the broker was down: the relay would give up on it");
        }
    }

    private <T> T awaitWithinBound(CompletableFuture<T> future, String what) throws Exception {
        try {
            return future.get(publishBound().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return fail(what + " did not complete within maxPublishDuration (" + publisher.maxPublishDuration()
                    + ", or " + UNDECLARED_PUBLISH_BOUND + " when undeclared) + slack (" + slack() + ")");
        }
    }

    private static void assertOnePerEventInOrder(List<OutboxEvent> events, List<PublishOutcome> outcomes) {
        assertThat(outcomes).as("outcomes").isNotNull();
        assertThat(outcomes).extracting(PublishOutcome::eventId).as("one outcome per event, in input order")
                .containsExactlyElementsOf(events.stream().map(OutboxEvent::id).toList());
    }

    /** Sends what is not published yet again, as a relay would, until all is published or recovery takes too long. */
    private void publishUntilAllPublished(List<OutboxEvent> events) throws Exception {
        List<OutboxEvent> pending = events;
        Instant deadline = Instant.now().plus(RECOVERY);
        while (!pending.isEmpty()) {
            assertThat(Instant.now()).as("all %d events published within %s of the broker's return", events.size(),
                    RECOVERY).isBefore(deadline);
            List<PublishOutcome> outcomes;
            try {
                outcomes = awaitWithinBound(call(pending), "publish after recovery");
            } catch (ExecutionException e) {
                Thread.sleep(500);
                continue;
            }
            assertOnePerEventInOrder(pending, outcomes);
            assertThat(outcomes).extracting(PublishOutcome::status).as("after the outage")
                    .doesNotContain(Status.PERMANENT_FAILURE);
            List<OutboxEvent> next = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                if (!outcomes.get(i).isPublished()) {
                    next.add(pending.get(i));
                }
            }
            pending = next;
            if (!pending.isEmpty()) {
                Thread.sleep(500);
            }
        }
    }

    /** Reads back the destinations of {@code events}: how many copies of each event id the broker holds. */
    private Map<UUID, Integer> heldCounts(List<OutboxEvent> events) {
        Map<UUID, Integer> counts = new HashMap<>();
        for (List<ReceivedMessage> messages : readBack(events).values()) {
            messages.forEach(m -> counts.merge(m.id(), 1, Integer::sum));
        }
        return counts;
    }

    private Map<String, List<ReceivedMessage>> readBack(List<OutboxEvent> events) {
        Set<String> destinations = new LinkedHashSet<>();
        events.forEach(e -> destinations.add(destinationOf(e)));
        Map<String, List<ReceivedMessage>> byDestination = new LinkedHashMap<>();
        for (String destination : destinations) {
            List<ReceivedMessage> messages = received(destination);
            assertThat(messages).as("received(%s)", destination).isNotNull();
            byDestination.put(destination, messages);
        }
        return byDestination;
    }

    private void assertHeldOnce(List<OutboxEvent> events) {
        Map<UUID, Integer> held = heldCounts(events);
        for (OutboxEvent event : events) {
            assertThat(held.getOrDefault(event.id(), 0)).as("copies of published event %s in %s", event.id(),
                    destinationOf(event)).isEqualTo(1);
        }
    }

    /** Checks that each aggregate's events are held in each destination in the order they were published. */
    private void assertAggregateOrder(List<OutboxEvent> events) {
        Map<UUID, OutboxEvent> sent = new HashMap<>();
        events.forEach(e -> sent.put(e.id(), e));
        readBack(events).forEach((destination, messages) -> {
            Map<String, List<UUID>> heldByKey = new LinkedHashMap<>();
            for (ReceivedMessage message : messages) {
                if (sent.containsKey(message.id())) {
                    heldByKey.computeIfAbsent(message.key(), k -> new ArrayList<>()).add(message.id());
                }
            }
            heldByKey.forEach((key, ids) -> {
                List<UUID> expected = events.stream()
                        .filter(e -> e.aggregateId().equals(key) && destinationOf(e).equals(destination))
                        .map(OutboxEvent::id).toList();
                assertThat(ids).as("order of aggregate %s in %s", key, destination).containsExactlyElementsOf(expected);
            });
        });
    }

    private static String randomLetters(int length) {
        StringBuilder letters = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            letters.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return letters.toString();
    }
}

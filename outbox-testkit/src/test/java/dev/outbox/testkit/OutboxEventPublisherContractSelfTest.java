package dev.outbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.AggregateKey;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Shows that the publisher contract can fail: a correct in-memory broker passes every check, and
 * each planted defect fails the checks meant to catch it (and only those).
 */
class OutboxEventPublisherContractSelfTest {

    /** What a planted publisher gets wrong. */
    enum Defect { NONE, REVERSED_OUTCOMES, ACKS_WITHOUT_STORING, PUBLISHES_WHILE_DOWN, HANGS_WHILE_DOWN,
        NO_HOLD_BACK, PERMANENT_AS_RETRIABLE, DROPS_HEADERS }

    private static volatile Defect defect = Defect.NONE;

    private static List<String> failedChecks(Defect planted) {
        defect = planted;
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(FakeBrokerContract.class)).build(), listener);
        TestExecutionSummary summary = listener.getSummary();
        assertThat(summary.getTestsStartedCount()).as("contract checks run").isGreaterThanOrEqualTo(9);
        return summary.getFailures().stream().map(f -> f.getTestIdentifier().getSource()
                .filter(MethodSource.class::isInstance).map(s -> ((MethodSource) s).getMethodName()).orElse("?"))
                .sorted().toList();
    }

    @Test
    void aCorrectPublisherPassesEveryCheck() {
        assertThat(failedChecks(Defect.NONE)).isEmpty();
    }

    @Test
    void outcomesOutOfOrder_fail() {
        assertThat(failedChecks(Defect.REVERSED_OUTCOMES)).contains("publish_reportsOneOutcomePerEvent_inInputOrder",
                "concurrentPublishCalls_eachGetTheirOwnOutcomesInOrder");
    }

    @Test
    void publishedWithoutTheBrokerHoldingIt_fails() {
        assertThat(failedChecks(Defect.ACKS_WITHOUT_STORING)).contains(
                "publishedEvents_areHeldByTheBrokerOnceEach_inAggregateOrder_whenTheStageCompletes",
                "messages_carryEventIdTypeKeyPayloadSequenceAndUserHeaders");
    }

    @Test
    void publishedWhileTheBrokerIsDown_fails() {
        assertThat(failedChecks(Defect.PUBLISHES_WHILE_DOWN)).contains(
                "givenBrokerDown_publishEndsWithinItsBoundWithNothingPublishedOrCounted_andTheEventsArriveAfterRecovery");
    }

    @Test
    void aPublishThatOutlastsItsBoundWhileTheBrokerIsDown_fails() {
        assertThat(failedChecks(Defect.HANGS_WHILE_DOWN)).contains(
                "givenBrokerDown_publishEndsWithinItsBoundWithNothingPublishedOrCounted_andTheEventsArriveAfterRecovery");
    }

    @Test
    void laterEventsOfAFailedAggregatePublished_fail() {
        assertThat(failedChecks(Defect.NO_HOLD_BACK))
                .containsExactly("aFailedEventInTheMiddleOfABatch_holdsBackTheLaterEventsOfItsAggregateOnly");
    }

    @Test
    void aPermanentFailureReportedRetriable_fails() {
        assertThat(failedChecks(Defect.PERMANENT_AS_RETRIABLE))
                .containsExactly("aPermanentFailure_isReportedPermanent_andHoldsUpNoOtherEvent");
    }

    @Test
    void headersNotCarried_fail() {
        assertThat(failedChecks(Defect.DROPS_HEADERS))
                .containsExactly("messages_carryEventIdTypeKeyPayloadSequenceAndUserHeaders");
    }

    /** The contract on {@link FakeBroker}, with every capability; run only through {@link #failedChecks}. */
    static class FakeBrokerContract extends OutboxEventPublisherContract {
        private FakeBroker broker;

        @Override
        protected OutboxEventPublisher newPublisher(String destinationTemplate) {
            broker = new FakeBroker(this::destinationOf, defect);
            return broker;
        }

        @Override
        protected Set<Capability> capabilities() {
            return EnumSet.allOf(Capability.class);
        }

        @Override
        protected Duration slack() {
            return Duration.ofSeconds(1);
        }

        @Override
        protected List<ReceivedMessage> received(String destination) {
            return broker.held(destination);
        }

        @Override
        protected OutboxEvent failRetriably(OutboxEvent event) {
            broker.retriable.add(event.id());
            return event;
        }

        @Override
        protected OutboxEvent failPermanently(OutboxEvent event) {
            broker.permanent.add(event.id());
            return event;
        }

        @Override
        protected void makeBrokerUnavailable() {
            broker.down = true;
        }

        @Override
        protected void makeBrokerAvailable() {
            broker.down = false;
        }
    }

    /** A broker and its publisher in memory, right by default, wrong as {@link Defect} says. */
    static final class FakeBroker implements OutboxEventPublisher {
        final Set<UUID> retriable = Collections.synchronizedSet(new HashSet<>());
        final Set<UUID> permanent = Collections.synchronizedSet(new HashSet<>());
        volatile boolean down;
        private final Map<String, List<OutboxEvent>> held = new HashMap<>();
        private final Function<OutboxEvent, String> destinations;
        private final Defect defect;

        FakeBroker(Function<OutboxEvent, String> destinations, Defect defect) {
            this.destinations = destinations;
            this.defect = defect;
        }

        @Override
        public synchronized CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
            if (down && defect == Defect.HANGS_WHILE_DOWN) {
                return new CompletableFuture<>();
            }
            List<PublishOutcome> outcomes = new ArrayList<>();
            Set<AggregateKey> failed = new HashSet<>();
            for (OutboxEvent event : events) {
                outcomes.add(outcome(event, failed));
            }
            if (defect == Defect.REVERSED_OUTCOMES) {
                Collections.reverse(outcomes);
            }
            return CompletableFuture.completedFuture(outcomes);
        }

        private PublishOutcome outcome(OutboxEvent event, Set<AggregateKey> failed) {
            AggregateKey aggregate = AggregateKey.of(event);
            if (down && defect != Defect.PUBLISHES_WHILE_DOWN) {
                return PublishOutcome.unavailable(event.id(), new IllegalStateException("down"));
            }
            if (failed.contains(aggregate) && defect != Defect.NO_HOLD_BACK) {
                return PublishOutcome.notAttempted(event.id(), new IllegalStateException("held back"));
            }
            if (retriable.remove(event.id())) {
                failed.add(aggregate);
                return PublishOutcome.retriable(event.id(), new IllegalStateException("refused"));
            }
            if (permanent.contains(event.id())) {
                return defect == Defect.PERMANENT_AS_RETRIABLE
                        ? PublishOutcome.retriable(event.id(), new IllegalStateException("too large"))
                        : PublishOutcome.permanent(event.id(), new IllegalStateException("too large"));
            }
            if (defect != Defect.ACKS_WITHOUT_STORING && !down) {
                held.computeIfAbsent(destinations.apply(event), d -> new ArrayList<>()).add(event);
            }
            return PublishOutcome.published(event.id());
        }

        synchronized List<ReceivedMessage> held(String destination) {
            return held.getOrDefault(destination, List.of()).stream()
                    .map(e -> ReceivedMessage.of(e.id(), e.eventType(), e.aggregateId(), e.payload(),
                            defect == Defect.DROPS_HEADERS ? Map.of() : e.headers()))
                    .toList();
        }

        @Override
        public Duration maxPublishDuration() {
            return Duration.ofSeconds(1);
        }
    }
}

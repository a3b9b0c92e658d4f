package dev.outbox.testkit.inmemory;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.testkit.OutboxEventPublisherContract;
import dev.outbox.testkit.ReceivedMessage;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Runs the publisher contract on the in-memory {@link RecordingPublisher}: what it "holds" is
 * its {@link RecordingPublisher#published()} list, routed by the contract's template.
 */
class RecordingPublisherContractTest extends OutboxEventPublisherContract {
    private RecordingPublisher publisher;

    @Override
    protected OutboxEventPublisher newPublisher(String destinationTemplate) {
        publisher = RecordingPublisher.create();
        return publisher;
    }

    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.of(Capability.READ_BACK, Capability.EVENT_FAILURE, Capability.PERMANENT_FAILURE);
    }

    @Override
    protected String whyUnsupported(Capability capability) {
        return capability == Capability.BROKER_OUTAGE
                ? "RecordingPublisher has no broker to stop: failNextCalls(n) fails whole calls, which the relay "
                        + "tests use instead"
                : super.whyUnsupported(capability);
    }

    @Override
    protected List<ReceivedMessage> received(String destination) {
        return publisher.published().stream().filter(e -> destinationOf(e).equals(destination))
                .map(e -> ReceivedMessage.of(e.id(), e.eventType(), e.aggregateId(), e.payload(), e.headers()))
                .toList();
    }

    @Override
    protected OutboxEvent failRetriably(OutboxEvent event) {
        publisher.failRetriably(event.id(), 1);
        return event;
    }

    @Override
    protected OutboxEvent failPermanently(OutboxEvent event) {
        publisher.failPermanently(event.id());
        return event;
    }
}

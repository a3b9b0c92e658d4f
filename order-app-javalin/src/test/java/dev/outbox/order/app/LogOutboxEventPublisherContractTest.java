package dev.outbox.order.app;

import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.kafka.TopicNaming;
import dev.outbox.testkit.OutboxEventPublisherContract;
import java.util.EnumSet;
import java.util.Set;

/**
 * Runs the publisher contract on the log publisher ({@code PUBLISHER=log}): it has no broker, so
 * only the checks of the call itself apply (outcomes per event in order, concurrent calls, close);
 * the rest are skipped, saying why.
 */
class LogOutboxEventPublisherContractTest extends OutboxEventPublisherContract {

    @Override
    protected OutboxEventPublisher newPublisher(String destinationTemplate) {
        return new LogOutboxEventPublisher(TopicNaming.template(destinationTemplate)::topicFor);
    }

    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.noneOf(Capability.class);
    }

    @Override
    protected String whyUnsupported(Capability capability) {
        return switch (capability) {
            case READ_BACK -> "the log publisher writes one log line per event (without payload or headers) and "
                    + "keeps nothing to read back";
            case EVENT_FAILURE, PERMANENT_FAILURE -> "the log publisher cannot fail an event: it logs each one and "
                    + "reports it published";
            case BROKER_OUTAGE -> "the log publisher has no broker to take away";
        };
    }
}

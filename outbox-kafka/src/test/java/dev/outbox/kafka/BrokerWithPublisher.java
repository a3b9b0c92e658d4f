package dev.outbox.kafka;

import dev.outbox.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process KRaft broker and a publisher on it for a test class: register as a static
 * {@code @RegisterExtension} field; both start before the class's tests and close after them.
 */
final class BrokerWithPublisher implements BeforeAllCallback, AfterAllCallback {
    private final String topicTemplate;
    private EmbeddedKafkaBroker broker;
    private KafkaOutboxEventPublisher publisher;

    /** {@code topicTemplate} names the publisher's topics, as {@link TopicNaming#template} takes it. */
    BrokerWithPublisher(String topicTemplate) {
        this.topicTemplate = topicTemplate;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = EmbeddedKafkaBroker.builder().start();
        publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers(broker.bootstrapServers())
                .topicNaming(TopicNaming.template(topicTemplate)).build());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (publisher != null) {
            publisher.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    EmbeddedKafkaBroker broker() {
        return broker;
    }

    KafkaOutboxEventPublisher publisher() {
        return publisher;
    }
}

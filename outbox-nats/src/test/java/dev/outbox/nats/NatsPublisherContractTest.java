package dev.outbox.nats;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.testkit.OutboxEventPublisherContract;
import dev.outbox.testkit.ReceivedMessage;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The publisher contract on the real NATS server: one stream per destination, a TCP proxy in this
 * JVM between the publisher and the server for the outages (the shared server is never stopped).
 * Retriable failure: the event routed to a full stream that refuses new messages (JetStream error
 * 10077); permanent failure: routed to a subject no stream captures.
 */
class NatsPublisherContractTest extends OutboxEventPublisherContract {
    private static TestStreams streams;
    private static TcpProxy proxy;
    private static final Map<String, String> STREAM_OF_DESTINATION = new ConcurrentHashMap<>();

    @BeforeAll
    static void server() {
        if (!RequiredNats.available()) {
            return;
        }
        streams = new TestStreams();
        proxy = new TcpProxy(RequiredNats.host(), RequiredNats.port());
    }

    @AfterAll
    static void deleteStreams() {
        if (proxy != null) {
            proxy.close();
        }
        if (streams != null) {
            streams.close();
        }
    }

    @Override
    protected OutboxEventPublisher newPublisher(String destinationTemplate) {
        RequiredNats.assume();
        proxy.restore();
        return NatsOutboxEventPublisher.create(NatsPublisherConfig.builder()
                .serverUrl(proxy.url()).subjectTemplate(destinationTemplate)
                .publishTimeout(Duration.ofSeconds(5)).reconnectWait(Duration.ofMillis(250)).build());
    }

    @Override
    protected String destinationTemplate(String prefix) {
        return prefix + "." + AGGREGATE_TYPE + "." + EVENT_TYPE + "." + SubjectTemplate.AGGREGATE_ID;
    }

    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    protected void prepareDestination(String destination) {
        STREAM_OF_DESTINATION.computeIfAbsent(destination, d -> streams.create(filter(d)));
    }

    @Override
    protected List<ReceivedMessage> received(String destination) {
        String stream = STREAM_OF_DESTINATION.get(destination);
        return stream == null ? List.of() : streams.received(stream);
    }

    @Override
    protected OutboxEvent failRetriably(OutboxEvent event) {
        OutboxEvent routed = event.toBuilder().eventType("Full").build();
        String destination = destinationOf(routed);
        streams.createFull(filter(destination), destination.replace(SubjectTemplate.AGGREGATE_ID, "filler"));
        return routed;
    }

    @Override
    protected OutboxEvent failPermanently(OutboxEvent event) {
        return event.toBuilder().eventType("Unrouted").build();
    }

    @Override
    protected void makeBrokerUnavailable() {
        proxy.cut();
    }

    @Override
    protected void makeBrokerAvailable() {
        proxy.restore();
    }

    private static String filter(String destination) {
        return destination.replace(SubjectTemplate.AGGREGATE_ID, "*");
    }
}

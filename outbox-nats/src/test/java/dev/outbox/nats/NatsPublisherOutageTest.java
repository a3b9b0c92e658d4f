package dev.outbox.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import dev.outbox.core.testing.TestEvents;
import dev.outbox.testkit.ReceivedMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server disappears in the middle of a stream of batches and comes back: a TCP proxy in this
 * JVM between publisher and server is cut and restored (the shared server keeps running). Sent
 * the way the relay sends (what was not published goes again, in order), nothing is lost, each
 * event is stored once, every aggregate's events are stored in order, and the outage costs no
 * event an attempt.
 */
class NatsPublisherOutageTest {
    private static final int AGGREGATES = 40;
    private static final int PER_AGGREGATE = 100;
    private static final int BATCH = 500;
    private static TestStreams streams;
    private static TcpProxy proxy;

    @BeforeAll
    static void server() {
        if (!RequiredNats.available()) {
            return;
        }
        streams = new TestStreams();
        proxy = new TcpProxy(RequiredNats.host(), RequiredNats.port());
    }

    @BeforeEach
    void requireServer() {
        RequiredNats.assume();
    }

    @AfterAll
    static void cleanUp() {
        if (proxy != null) {
            proxy.close();
        }
        if (streams != null) {
            streams.close();
        }
    }

    @Test
    void givenTheServerGoesAwayMidStream_nothingIsLost_orderIsKept_andTheOutageIsUnavailableNeverCharged()
            throws Exception {
        String prefix = "outage_" + TestStreams.RUN;
        String stream = streams.create(prefix + ".>");
        List<OutboxEvent> all = TestEvents.interleaved("Order", AGGREGATES, PER_AGGREGATE);
        Map<Status, Integer> duringOutage = new EnumMap<>(Status.class);
        Map<Status, Integer> overall = new EnumMap<>(Status.class);
        int publishedBeforeCut;

        try (NatsOutboxEventPublisher publisher = NatsOutboxEventPublisher.create(NatsPublisherConfig.builder()
                .serverUrl(proxy.url())
                .subjectTemplate(prefix + ".${aggregateType}.${aggregateId}").publishTimeout(Duration.ofSeconds(3))
                .reconnectWait(Duration.ofMillis(200)).build())) {
            List<OutboxEvent> pending = new ArrayList<>(all);
            // two batches while the server is up, then the cut under a batch in flight
            pending = publishRound(publisher, pending, overall);
            pending = publishRound(publisher, pending, overall);
            publishedBeforeCut = all.size() - pending.size();
            List<OutboxEvent> inFlight = pending.subList(0, Math.min(BATCH, pending.size()));
            CompletableFuture<List<PublishOutcome>> cutUnder = publisher.publish(List.copyOf(inFlight)).toCompletableFuture();
            proxy.cut();
            List<PublishOutcome> cutOutcomes;
            try {
                cutOutcomes = await(publisher, cutUnder);
                pending = unpublished(pending, inFlight, cutOutcomes, overall);
                for (int call = 0; call < 3; call++) {
                    List<OutboxEvent> batch = pending.subList(0, Math.min(BATCH, pending.size()));
                    List<PublishOutcome> outcomes = await(publisher, publisher.publish(List.copyOf(batch)).toCompletableFuture());
                    outcomes.forEach(o -> duringOutage.merge(o.status(), 1, Integer::sum));
                    pending = unpublished(pending, batch, outcomes, overall);
                }
            } finally {
                proxy.restore();
            }
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (!pending.isEmpty()) {
                assertThat(Instant.now()).as("all events published within 2 minutes of the restore").isBefore(deadline);
                List<OutboxEvent> before = pending;
                pending = publishRound(publisher, pending, overall);
                if (pending.size() == before.size()) {
                    Thread.sleep(200); // reconnecting: the calls report UNAVAILABLE at once
                }
            }
            assertThat(cutOutcomes).extracting(PublishOutcome::status)
                    .as("the batch the connection was cut under").doesNotContain(Status.RETRIABLE_FAILURE,
                            Status.PERMANENT_FAILURE);
        }

        assertThat(publishedBeforeCut).isPositive();
        assertThat(duringOutage).as("outcomes while the server was away").containsOnlyKeys(Status.UNAVAILABLE);
        assertThat(overall).as("outcomes overall: the outage is never the events' fault")
                .doesNotContainKeys(Status.RETRIABLE_FAILURE, Status.PERMANENT_FAILURE);
        List<ReceivedMessage> held = streams.received(stream);
        Map<UUID, Integer> copies = new HashMap<>();
        held.forEach(m -> copies.merge(m.id(), 1, Integer::sum));
        assertThat(all).allSatisfy(e -> assertThat(copies.get(e.id())).as("copies of %s", e.id()).isEqualTo(1));
        Map<String, List<UUID>> storedOrder = new LinkedHashMap<>();
        held.forEach(m -> storedOrder.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m.id()));
        for (int a = 0; a < AGGREGATES; a++) {
            String key = "agg-" + a;
            assertThat(storedOrder.get(key)).as("stream order of aggregate %s", key).containsExactlyElementsOf(
                    all.stream().filter(e -> e.aggregateId().equals(key)).map(OutboxEvent::id).toList());
        }
    }

    /** Publishes the first batch of {@code pending}; returns what is still to be published, in order. */
    private static List<OutboxEvent> publishRound(NatsOutboxEventPublisher publisher, List<OutboxEvent> pending,
            Map<Status, Integer> overall) throws Exception {
        List<OutboxEvent> batch = pending.subList(0, Math.min(BATCH, pending.size()));
        List<PublishOutcome> outcomes = await(publisher, publisher.publish(List.copyOf(batch)).toCompletableFuture());
        return unpublished(pending, batch, outcomes, overall);
    }

    private static List<OutboxEvent> unpublished(List<OutboxEvent> pending, List<OutboxEvent> batch,
            List<PublishOutcome> outcomes, Map<Status, Integer> overall) {
        assertThat(outcomes).extracting(PublishOutcome::eventId)
                .containsExactlyElementsOf(batch.stream().map(OutboxEvent::id).toList());
        List<OutboxEvent> rest = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            overall.merge(outcomes.get(i).status(), 1, Integer::sum);
            if (!outcomes.get(i).isPublished()) {
                rest.add(batch.get(i));
            }
        }
        rest.addAll(pending.subList(batch.size(), pending.size()));
        return rest;
    }

    private static List<PublishOutcome> await(NatsOutboxEventPublisher publisher,
            CompletableFuture<List<PublishOutcome>> stage) throws Exception {
        // within maxPublishDuration (+ scheduling slack): the relay's publish timeout must cover it
        return stage.get(publisher.maxPublishDuration().toMillis() + 5000, TimeUnit.MILLISECONDS);
    }
}

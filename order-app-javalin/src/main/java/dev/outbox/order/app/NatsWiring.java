package dev.outbox.order.app;

import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.nats.NatsHeaders;
import dev.outbox.nats.NatsOutboxEventPublisher;
import dev.outbox.nats.NatsPublisherConfig;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * {@code PUBLISHER=nats}: the JetStream publisher from {@link NatsSettings}, and the
 * {@code consume} command reading the stream. Kept apart from the Kafka wiring so each broker's
 * code sits in one place.
 */
final class NatsWiring {
    private NatsWiring() {
    }

    /** Builds the publisher: subjects from {@code NATS_SUBJECT}, messages required to land in {@code NATS_STREAM}. */
    static OutboxEventPublisher publisher(NatsSettings nats) {
        NatsPublisherConfig.Builder config = NatsPublisherConfig.builder().serverUrl(nats.url())
                .subjectTemplate(nats.subjectTemplate());
        if (nats.createStream()) {
            config.createStream(nats.stream(), nats.duplicateWindow());
        } else {
            config.expectedStream(nats.stream());
        }
        return NatsOutboxEventPublisher.create(config.build());
    }

    /**
     * Runs {@code consume [--topic SUBJECT-FILTER] [--from-beginning] [--max N] [--idle-seconds S]} on the
     * stream: prints each message's subject, stream sequence, event type, id, aggregate id, aggregate
     * sequence and payload. Without {@code --topic} every subject of the stream is read.
     */
    static int consume(NatsSettings nats, List<String> args, PrintStream out) throws InterruptedException {
        Arguments parsed = Arguments.parse(args, Set.of("topic", "max", "idle-seconds"), Set.of("from-beginning"));
        int max = parsed.intValue("max", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        int idleSeconds = parsed.intValue("idle-seconds", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        boolean fromBeginning = parsed.flag("from-beginning");
        String filter = parsed.value("topic").orElse(null);
        int seen = 0;
        try (Connection connection = Nats.connect(nats.url())) {
            JetStream jetStream = connection.jetStream();
            ConsumerConfiguration consumer = ConsumerConfiguration.builder()
                    .deliverPolicy(fromBeginning ? DeliverPolicy.All : DeliverPolicy.New)
                    .ackPolicy(AckPolicy.None).build();
            // no filter: every subject of the stream
            JetStreamSubscription subscription = jetStream.subscribe(filter,
                    PullSubscribeOptions.builder().stream(nats.stream()).configuration(consumer).build());
            out.println("Consuming " + (filter == null ? "every subject" : filter) + " of stream " + nats.stream() + " from " + nats.url()
                    + (fromBeginning ? " from the beginning" : " (new messages only; add --from-beginning for all)"));
            Instant last = Instant.now();
            while (seen < max && Duration.between(last, Instant.now()).toSeconds() < idleSeconds) {
                for (Message message : subscription.fetch(Math.min(100, max - seen), Duration.ofMillis(500))) {
                    last = Instant.now();
                    out.println(format(message));
                    seen++;
                }
            }
            subscription.unsubscribe();
        } catch (IOException | JetStreamApiException e) {
            throw new ConfigException("cannot read stream " + nats.stream() + " at " + nats.url()
                    + " (NATS_URL, NATS_STREAM): " + e.getMessage());
        }
        out.println(seen + " event(s) consumed.");
        return 0;
    }

    private static String format(Message message) {
        String sequence = message.getHeaders() == null ? null
                : message.getHeaders().getFirst(dev.outbox.core.OutboxEvent.SEQUENCE_HEADER);
        return message.getSubject() + "@" + message.metaData().streamSequence() + " "
                + header(message, NatsHeaders.EVENT_TYPE) + " id=" + header(message, NatsHeaders.ID)
                + " key=" + header(message, NatsHeaders.AGGREGATE_ID)
                + (sequence != null ? " sequence=" + sequence : "")
                + "\n  " + new String(message.getData() == null ? new byte[0] : message.getData(), StandardCharsets.UTF_8);
    }

    private static String header(Message message, String name) {
        return message.getHeaders() == null ? null : message.getHeaders().getFirst(name);
    }
}

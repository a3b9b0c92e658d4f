package dev.outbox.nats;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox events to NATS JetStream: one message per event on the subject its
 * {@link SubjectTemplate} gives, the event id as {@code Nats-Msg-Id}, acknowledged by a PubAck.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@code PUBLISHED} only after the event's PubAck: the stream stored it (a PubAck with
 *       {@code duplicate=true} too: the stream already holds that event id);
 *   <li>a redelivery of the same event within the stream's duplicate window is stored once (the
 *       server drops a message whose {@code Nats-Msg-Id} it has seen); after the window a
 *       consumer still tells it by the {@code id} header and the aggregate sequence;
 *   <li>per-aggregate order: an aggregate's next event is sent only after the previous one is
 *       stored, so a failure leaves no later event of it stored before it (those are
 *       {@code NOT_ATTEMPTED}); aggregates are pipelined, at most {@code maxPendingAcks}
 *       messages awaiting PubAcks per call;
 *   <li>bounded: a call completes within {@link #maxPublishDuration()} (publish timeout + 2 s),
 *       also while the server is down: a call made while the connection is not connected reports
 *       every event {@code UNAVAILABLE} at once, PubAcks not in by the deadline are
 *       {@code UNAVAILABLE}, events not sent by then {@code NOT_ATTEMPTED}.
 * </ul>
 * Failures are classified as {@link NatsErrorClassifier} describes; a subject no stream captures
 * is the event's {@code PERMANENT_FAILURE}.
 *
 * <p>JetStream's "expected last subject sequence" is not used: it needs the subject's last
 * sequence before each send (a lookup, or one aggregate per subject and no other writer), and the
 * chain rule above already keeps the order of what one publisher stores; across relays the outbox
 * claims keep an aggregate on one relay at a time.
 *
 * <p>The stream is the operator's by default: the publisher expects one whose subjects capture
 * the template's subjects. {@link NatsPublisherConfig.Builder#createStream} makes it create a missing one at start
 * (file storage, the given duplicate window), for demos and tests; an existing stream is left as is.
 *
 * <p>Thread-safe: several threads may publish at once over the one connection.
 */
public final class NatsOutboxEventPublisher implements OutboxEventPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(NatsOutboxEventPublisher.class);
    /** How long the stream lookup after a "no responders" may take. */
    static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(1);

    private final NatsPublisherConfig config;
    private final Connection connection;
    private final boolean ownsConnection;
    private final JetStream jetStream;
    private final JetStreamManagement management;
    private final PublishOptions options;
    private final ExecutorService completions;
    private volatile boolean closed;

    /**
     * Creates a publisher with its own connection from validated settings; the constructor
     * containers call. The server need not be up: the connection keeps trying in the background
     * (every {@code reconnectWait}, forever), and calls report {@code UNAVAILABLE} until it is.
     *
     * @throws OutboxException when the connection cannot be set up, or {@code createStream} is set
     *     and the stream cannot be created (the server must then be up)
     */
    @Inject
    public NatsOutboxEventPublisher(NatsPublisherConfig config) {
        this(config, connect(config), true);
    }

    /**
     * Creates a publisher with its own connection; see {@link #NatsOutboxEventPublisher(NatsPublisherConfig)}.
     *
     * @throws NullPointerException when the config has no {@code serverUrl}
     * @throws OutboxException when the connection or the stream cannot be set up
     */
    public static NatsOutboxEventPublisher create(NatsPublisherConfig config) {
        return new NatsOutboxEventPublisher(config);
    }

    /**
     * Creates a publisher that publishes over {@code connection}, one the caller opened (security,
     * several servers, its own reconnect policy) and closes: {@link #close()} leaves it open. The
     * config's {@code serverUrl}, {@code connectionTimeout} and {@code reconnectWait} are not used.
     *
     * @throws NullPointerException when an argument is null
     * @throws OutboxException when JetStream cannot be set up or the stream cannot be created
     */
    public static NatsOutboxEventPublisher create(NatsPublisherConfig config, Connection connection) {
        return new NatsOutboxEventPublisher(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(connection, "connection"), false);
    }

    private NatsOutboxEventPublisher(NatsPublisherConfig config, Connection connection, boolean ownsConnection) {
        this.config = Objects.requireNonNull(config, "config");
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        try {
            this.jetStream = connection.jetStream(JetStreamOptions.builder().requestTimeout(config.publishTimeout()).build());
            this.management = connection.jetStreamManagement(JetStreamOptions.builder().requestTimeout(LOOKUP_TIMEOUT).build());
            config.createStream().ifPresent(this::createStreamIfMissing);
        } catch (IOException | RuntimeException e) {
            closeConnection();
            throw e instanceof OutboxException oe ? oe : new OutboxException("cannot set up JetStream on NATS: " + e, e);
        }
        // null when there is nothing to expect: jnats then sends the message's own headers without copying them
        this.options = config.expectedStream().or(config::createStream)
                .map(stream -> PublishOptions.builder().expectedStream(stream).build()).orElse(null);
        this.completions = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "nats-outbox-publisher");
            thread.setDaemon(true);
            return thread;
        });
        LOG.info("NATS outbox publisher started: {}", config);
    }

    /** Returns the publisher's settings. */
    public NatsPublisherConfig config() {
        return config;
    }

    /**
     * Publishes the batch as described on the class and completes with one outcome per event, in
     * list order; the call does not wait for PubAcks (it may wait briefly while the client's outgoing
     * queue is full).
     *
     * @param events the events; an empty list completes at once with no outcomes
     * @return a stage that always completes normally within {@link #maxPublishDuration()}; after
     *     {@link #close()} every outcome is {@code UNAVAILABLE}
     */
    @Override
    public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (closed) {
            return CompletableFuture.completedFuture(DeliveryPolicy.unavailable(events,
                    new OutboxException("the NATS publisher is closed")));
        }
        Connection.Status status = connection.getStatus();
        if (status != Connection.Status.CONNECTED) {
            // buffering into a disconnected client only delays the outcome to the deadline
            return CompletableFuture.completedFuture(DeliveryPolicy.unavailable(events,
                    new OutboxException("the NATS connection is " + status + " (" + config.serverUrl().orElse("given")
                            + ")")));
        }
        return new NatsPublication(events, config.subjects(), jetStream, options, config.maxPendingAcks())
                .send(config.publishTimeout().toNanos(), this::streamExists, this::complete)
                .whenComplete((outcomes, error) -> logFailures(outcomes));
    }

    /** Returns {@link NatsPublisherConfig#maxPublishDuration()}: the publish timeout plus 2 s. */
    @Override
    public Duration maxPublishDuration() {
        return config.maxPublishDuration();
    }

    /**
     * Closes the publisher: calls made before keep their outcomes (each completes by its own
     * deadline), and the connection is drained (pending PubAcks waited for up to the publish
     * timeout) and closed when the publisher opened it. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeConnection();
        completions.shutdown();
        LOG.info("NATS outbox publisher closed");
    }

    private void closeConnection() {
        if (!ownsConnection) {
            return;
        }
        try {
            if (connection.getStatus() == Connection.Status.CONNECTED) {
                connection.drain(config.publishTimeout()).get();
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.debug("Draining the NATS connection failed", e);
        } finally {
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Builds a call's outcomes off the client's threads; inline once closed, so a call made before close still completes normally. */
    private void complete(Runnable outcomes) {
        try {
            completions.execute(outcomes);
        } catch (RejectedExecutionException e) {
            outcomes.run();
        }
    }

    /** Whether a stream captures {@code subject}; {@code null} when JetStream did not answer. */
    private Boolean streamExists(String subject) {
        try {
            return !management.getStreamNames(subject).isEmpty();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            LOG.debug("Stream lookup for subject {} failed", subject, e);
            return null;
        }
    }

    private void createStreamIfMissing(String name) {
        String subjects = config.subjects().streamSubjects();
        try {
            StreamInfo info = management.getStreamInfo(name);
            LOG.info("JetStream stream {} exists (subjects {}, duplicate window {}); left as is", name,
                    info.getConfiguration().getSubjects(), info.getConfiguration().getDuplicateWindow());
            return;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != 10059) { // stream not found
                throw new OutboxException("cannot look up JetStream stream " + name + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new OutboxException("cannot look up JetStream stream " + name + " (is the server up, with "
                    + "JetStream enabled?): " + e.getMessage(), e);
        }
        try {
            management.addStream(StreamConfiguration.builder().name(name).subjects(subjects)
                    .storageType(StorageType.File).duplicateWindow(config.duplicateWindow()).build());
            LOG.info("Created JetStream stream {} for subjects {} (duplicate window {})", name, subjects,
                    config.duplicateWindow());
        } catch (IOException | JetStreamApiException e) {
            throw new OutboxException("cannot create JetStream stream " + name + " for subjects " + subjects + ": "
                    + e.getMessage(), e);
        }
    }

    private static Connection connect(NatsPublisherConfig config) {
        String serverUrl = config.serverUrl().orElseThrow(() -> new NullPointerException("serverUrl is required "
                + "(e.g. nats://127.0.0.1:4222), or pass a connection to create(config, connection)"));
        Options options = new Options.Builder()
                .servers(serverUrl.split(","))
                .connectionName("outbox-publisher")
                .connectionTimeout(config.connectionTimeout())
                .reconnectWait(config.reconnectWait())
                .maxReconnects(-1)
                .build();
        try {
            // returns with the first attempt failed and keeps trying in the background: the server may start later
            return Nats.connectReconnectOnConnect(options);
        } catch (IOException e) {
            throw new OutboxException("cannot connect to NATS at " + serverUrl + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutboxException("interrupted while connecting to NATS", e);
        }
    }

    private static void logFailures(List<PublishOutcome> outcomes) {
        if (outcomes == null) {
            return;
        }
        Map<PublishOutcome.Status, Integer> counts = new EnumMap<>(PublishOutcome.Status.class);
        Throwable first = null;
        for (PublishOutcome outcome : outcomes) {
            if (!outcome.isPublished()) {
                counts.merge(outcome.status(), 1, Integer::sum);
                if (first == null) {
                    first = outcome.error();
                }
            }
        }
        if (first != null) {
            LOG.warn("NATS publish: {} of {} events not published {}; first error: {}",
                    counts.values().stream().mapToInt(Integer::intValue).sum(), outcomes.size(), counts,
                    String.valueOf(first));
        }
    }
}

package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox events to Kafka through one shared idempotent producer, as records shaped like
 * the Debezium Outbox Event Router's: topic from the {@link TopicNaming}, key = aggregate id as
 * UTF-8, headers {@code id}, the event type and the event's own headers, value from the
 * {@link PayloadFormat}.
 *
 * <pre>{@code
 * OutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder()
 *         .bootstrapServers("localhost:9092")
 *         .topicNaming(TopicNaming.aggregateType())
 *         .build());
 * }</pre>
 *
 * <p>A record counts as published only once the broker acknowledged it ({@code acks=all}). Each
 * failure is classified per event by whose fault it is ({@link PublishOutcome.Status}): only the
 * event's own failures cost it an attempt, an outage costs none. One publish call completes within
 * {@link #maxPublishDuration()}. The classification table, the time bound and the reasons for the
 * producer defaults are in outbox-kafka's README.
 *
 * <p>Thread-safe: several threads may publish at once; the producer is shared.
 */
public final class KafkaOutboxEventPublisher implements OutboxEventPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaOutboxEventPublisher.class);
    /** Batches smaller than this have their tail flushed even when other publish calls overlap them. */
    static final int ALWAYS_FLUSHED_BELOW = 100;
    /**
     * How long a topic found missing is not asked for again. A publish call that meets it would
     * otherwise block {@code max.block.ms} (10 s by default) on it every batch; after 30 s, a
     * topic an operator has created since is used again. Its events are charged attempts at the
     * relay's backoff either way: the cache saves the wait, it does not change the charging.
     */
    static final Duration MISSING_TOPIC_TTL = Duration.ofSeconds(30);

    private final KafkaPublisherConfig config;
    private final Producer<byte[], byte[]> producer;
    private final boolean ownsProducer;
    private final PayloadEncoder encoder;
    private final OutboxRecordFactory records;
    private final Set<String> warmTopics = ConcurrentHashMap.newKeySet();
    private final MissingTopics missingTopics;
    private final BatchTailFlusher flusher;
    /** Publish calls between their first send and their outcomes; decides whether a batch tail is flushed. */
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Creates a publisher and its own {@code KafkaProducer} from validated settings; the
     * constructor containers call. The producer connects lazily: the broker need not be up yet.
     * {@link #close()} closes the producer.
     *
     * @param config the settings, built by {@link KafkaPublisherConfig#builder()}
     * @throws IllegalArgumentException if the payload format cannot be set up (e.g. an unknown
     *     serializer class)
     * @throws org.apache.kafka.common.KafkaException if the producer rejects its properties
     */
    @Inject
    public KafkaOutboxEventPublisher(KafkaPublisherConfig config) {
        this(config, null, System::nanoTime);
    }

    /**
     * Creates a publisher with its own producer; see {@link #KafkaOutboxEventPublisher(KafkaPublisherConfig)}.
     *
     * @throws IllegalArgumentException if the payload format cannot be set up
     * @throws org.apache.kafka.common.KafkaException if the producer rejects its properties
     */
    public static KafkaOutboxEventPublisher create(KafkaPublisherConfig config) {
        return new KafkaOutboxEventPublisher(config);
    }

    /**
     * Creates a publisher that sends through {@code producer}: Kafka's {@code MockProducer} in a
     * test, or a producer the application shares or builds itself. The caller owns the producer:
     * {@link #close()} neither flushes nor closes it, so close it after the publisher. The config's
     * producer properties are not applied to it; give it the same ones
     * ({@code new KafkaProducer<>(config.producerProperties())}), or at least {@code acks=all},
     * idempotence and byte-array serializers, and a {@code max.block.ms} and
     * {@code delivery.timeout.ms} no longer than the config's, which bound each publish.
     *
     * @throws NullPointerException when an argument is null
     * @throws IllegalArgumentException if the payload format cannot be set up
     */
    public static KafkaOutboxEventPublisher create(KafkaPublisherConfig config, Producer<byte[], byte[]> producer) {
        return new KafkaOutboxEventPublisher(config, Objects.requireNonNull(producer, "producer"), System::nanoTime);
    }

    /**
     * The constructor behind the others, with the clock that expires known-missing topics.
     *
     * @param producer the caller's producer, left open on close; null to create (and own) a
     *     {@code KafkaProducer} from {@code config.producerProperties()}
     */
    KafkaOutboxEventPublisher(KafkaPublisherConfig config, Producer<byte[], byte[]> producer, LongSupplier nanoTime) {
        this.config = Objects.requireNonNull(config, "config");
        this.missingTopics = new MissingTopics(MISSING_TOPIC_TTL, nanoTime);
        this.encoder = config.payloadFormat().newEncoder(config.producerProperties());
        this.ownsProducer = producer == null;
        try {
            this.producer = ownsProducer ? new KafkaProducer<>(new LinkedHashMap<>(config.producerProperties())) : producer;
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
        this.records = new OutboxRecordFactory(config.topicNaming(), config.eventTypeHeader(), encoder);
        this.flusher = config.flushBatchTail() ? new BatchTailFlusher(this.producer) : null;
        LOG.info("Kafka outbox publisher started: {}", config);
    }

    /** Returns the publisher's settings. */
    public KafkaPublisherConfig config() {
        return config;
    }

    /**
     * Sends the batch without waiting per record and completes once every event has an outcome,
     * in list order. The call itself may block while the producer waits for metadata or buffer
     * space (at most {@code max.block.ms}, at most twice per batch) or while the schema registry registers
     * a new topic's schema; the stage completes within {@link KafkaPublisherConfig#publishTimeout()}
     * after that. The first batch that meets a topic also waits (at most that long again) for the
     * first record of each of the topic's partitions before sending the others, which works around
     * an idempotent-producer reordering on fresh partitions (KAFKA-15591). Events of one aggregate
     * are sent in list order; see the class description for how failures are classified.
     *
     * @param events the events; an empty list completes at once with no outcomes
     * @return a stage that always completes normally, with one outcome per event, within
     *     {@link #maxPublishDuration()} of the call; after {@link #close()} every outcome is
     *     {@code UNAVAILABLE}
     */
    @Override
    public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (closed) {
            return CompletableFuture.completedFuture(DeliveryPolicy.unavailable(events,
                    new OutboxException("the Kafka publisher is closed")));
        }
        boolean flushTail = outstanding.getAndIncrement() == 0 || events.size() < ALWAYS_FLUSHED_BELOW;
        CompletableFuture<List<PublishOutcome>> stage;
        try {
            stage = new BatchPublication(events, warmTopics, missingTopics).send(producer, records, config.maxBlock(),
                    config.publishTimeout());
        } catch (RuntimeException | Error e) {
            outstanding.decrementAndGet();
            throw e;
        }
        if (flusher != null && flushTail && !stage.isDone()) {
            flusher.requestFlush();
        }
        return stage.whenComplete((outcomes, error) -> {
            outstanding.decrementAndGet();
            logFailures(outcomes);
        });
    }

    /**
     * Returns how long a {@link #publish} call takes at most, from the call until its stage
     * completes: {@link KafkaPublisherConfig#maxPublishDuration()}, {@code max.block.ms} +
     * {@code delivery.timeout.ms} + 5 s (45 s with the defaults). Relays refuse a publish timeout
     * shorter than this.
     */
    @Override
    public Duration maxPublishDuration() {
        return config.maxPublishDuration();
    }

    /**
     * Flushes and closes the producer this publisher created, waiting at most the delivery timeout
     * for records in flight (a producer given to {@link #create(KafkaPublisherConfig, Producer)} is
     * left to its owner), then closes the payload encoder. Idempotent; publishing afterwards
     * reports every event {@code UNAVAILABLE}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (flusher != null) {
                flusher.close();
            }
            if (ownsProducer) {
                producer.close(config.deliveryTimeout());
            }
        } finally {
            encoder.close();
            LOG.info("Kafka outbox publisher closed");
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
            LOG.warn("Kafka publish: {} of {} events not published {}; first error: {}",
                    counts.values().stream().mapToInt(Integer::intValue).sum(), outcomes.size(), counts,
                    String.valueOf(first));
        }
    }
}

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
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox events to Kafka through one shared idempotent producer, as records shaped like
 * the Debezium Outbox Event Router's: topic from the {@link TopicNaming} (default
 * {@code outbox.event.<aggregateType>}), key = aggregate id as UTF-8, headers {@code id}, the
 * event type ({@code eventType} by default) and the event's own headers (trace context
 * included), value from the {@link PayloadFormat} (the JSON bytes by default).
 *
 * <pre>{@code
 * OutboxEventPublisher publisher = KafkaOutboxEventPublisher.builder()
 *         .bootstrapServers("localhost:9092")
 *         .topicNaming(TopicNaming.aggregateType())
 *         .build();
 * }</pre>
 *
 * <p>Delivery: {@code acks=all}, {@code enable.idempotence=true}, at most five requests in
 * flight and unlimited retries, so the producer keeps per-key order through its own retries.
 * Every failure is classified per event by whose fault it is (see {@link PublishOutcome.Status}):
 * the record itself at fault (serialization, too large, invalid record) is
 * {@code PERMANENT_FAILURE}; the event's own failure that may pass (not authorized for its topic,
 * invalid or unknown topic, a schema the registry rejects, unknown errors) is
 * {@code RETRIABLE_FAILURE}; the broker's or the network's (timeouts and expired records, leader
 * changes, too few replicas, disconnects, registry down, a {@code send()} that throws because the
 * cluster cannot be reached) is {@code UNAVAILABLE}, which costs the event no attempt. The
 * producer's "not present in metadata after N ms" is ambiguous (a missing topic or an outage): it
 * is the event's own {@code RETRIABLE_FAILURE} when another event of the same publish call was
 * acknowledged (the broker is up), else {@code UNAVAILABLE}. It stops only its topic for the rest
 * of the call; a second topic failing so stops the call (the broker is most likely down). A topic
 * found missing while the broker acknowledged other events is not asked for again for 30 s: its
 * events are reported with that error at once, so they are counted and dead-lettered in the end
 * without holding up other topics. Once an event of an aggregate (type and id) failed other than
 * permanently, the aggregate's later events in the call are not sent, or, if acknowledged anyway,
 * reported {@code NOT_ATTEMPTED}. A record counts as published only
 * once its acknowledgement arrived.
 *
 * <p>Time bound ({@link #maxPublishDuration()}), which the relay's publish timeout must cover:
 * a {@code send()} blocks at most {@code max.block.ms} (default 10 s instead of Kafka's 60 s), and
 * at most twice per batch (two topics not present in metadata; the second only while the deadline
 * leaves room for it); the whole call, including the first-batch pilot wait on a new topic,
 * has one deadline {@code max.block.ms} + {@code delivery.timeout.ms} (default 30 s) + 5 s after
 * it starts: records still without an acknowledgement then are {@code UNAVAILABLE}, records not
 * yet sent {@code NOT_ATTEMPTED}. With the defaults a publish completes within 45 s, which the
 * relays' default publish timeout (60 s) covers. (A schema registry call the first time Avro meets
 * a subject, and a {@code send()} waiting for buffer space, are inside the deadline but cannot be
 * cut short by it.)
 *
 * <p>Why {@code metadata.recovery.strategy=none} by default: with Kafka 4's default
 * {@code rebootstrap}, a producer can lose a topic's metadata during a broker outage; each
 * {@code send()} then blocks {@code max.block.ms} and fails "not present in metadata", and the
 * client never retries that record. With {@code none} the producer keeps the brokers it knows
 * and recovers when they return. Set it back through {@link Builder#producerProperty} when the
 * cluster's brokers may all be replaced behind a stable bootstrap address. Either way the
 * publisher treats a failed {@code send()} as unpublished.
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
    private final PayloadEncoder encoder;
    private final OutboxRecordFactory records;
    private final Set<String> warmTopics = ConcurrentHashMap.newKeySet();
    private final MissingTopics missingTopics;
    private final BatchTailFlusher flusher;
    /** Publish calls between their first send and their outcomes; decides whether a batch tail is flushed. */
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Creates a publisher and its producer from validated settings; the constructor containers
     * call. The producer connects lazily: the broker need not be up yet.
     *
     * @param config the settings, see {@link Builder#buildConfig()}
     * @throws IllegalArgumentException if the payload format cannot be set up (e.g. an unknown
     *     serializer class)
     * @throws org.apache.kafka.common.KafkaException if the producer rejects its properties
     */
    @Inject
    public KafkaOutboxEventPublisher(KafkaPublisherConfig config) {
        this(config, System::nanoTime);
    }

    /** As {@link #KafkaOutboxEventPublisher(KafkaPublisherConfig)}, with the clock that expires known-missing topics. */
    KafkaOutboxEventPublisher(KafkaPublisherConfig config, LongSupplier nanoTime) {
        this.config = Objects.requireNonNull(config, "config");
        this.missingTopics = new MissingTopics(MISSING_TOPIC_TTL, nanoTime);
        this.encoder = config.payloadFormat().newEncoder(config.producerProperties());
        try {
            this.producer = config.newProducer();
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
        this.records = new OutboxRecordFactory(config.topicNaming(), config.eventTypeHeader(), encoder);
        this.flusher = config.flushBatchTail() ? new BatchTailFlusher(producer) : null;
        LOG.info("Kafka outbox publisher started: {}", config);
    }

    /** Returns a new builder with the defaults described on its setters. */
    public static Builder builder() {
        return new Builder();
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
     * Flushes and closes the producer, waiting at most the delivery timeout for records in
     * flight, then closes the payload encoder. Idempotent; publishing afterwards reports every
     * event {@code UNAVAILABLE}.
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
            producer.close(config.deliveryTimeout());
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

    /**
     * Builds a {@link KafkaOutboxEventPublisher} or its {@link KafkaPublisherConfig}. Not
     * thread-safe; each setter returns this builder.
     */
    public static final class Builder {
        String bootstrapServers;
        TopicNaming topicNaming = TopicNaming.debezium();
        String eventTypeHeader = OutboxHeaders.EVENT_TYPE;
        PayloadFormat payloadFormat = PayloadFormat.json();
        Duration maxBlock = Duration.ofSeconds(10);
        Duration deliveryTimeout = Duration.ofSeconds(30);
        Duration requestTimeout = Duration.ofSeconds(10);
        boolean flushBatchTail = true;
        final Map<String, Object> producerProperties = new LinkedHashMap<>();
        Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory = KafkaPublisherConfig::kafkaProducer;

        private Builder() {
        }

        /** Sets the Kafka bootstrap servers, e.g. {@code localhost:9092}. Required (here or as a producer property). */
        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** Sets the topic naming; default {@link TopicNaming#debezium()}: {@code outbox.event.<aggregateType>}. */
        public Builder topicNaming(TopicNaming topicNaming) {
            this.topicNaming = topicNaming;
            return this;
        }

        /**
         * Sets the topic naming to a template, see {@link TopicNaming#template(String)}.
         *
         * @throws IllegalArgumentException if the template cannot give a legal topic name
         */
        public Builder topicTemplate(String template) {
            this.topicNaming = TopicNaming.template(template);
            return this;
        }

        /** Sets the name of the header carrying the event type; default {@value OutboxHeaders#EVENT_TYPE}. */
        public Builder eventTypeHeader(String eventTypeHeader) {
            this.eventTypeHeader = eventTypeHeader;
            return this;
        }

        /** Sets how payloads become record values; default {@link PayloadFormat#json()}. */
        public Builder payloadFormat(PayloadFormat payloadFormat) {
            this.payloadFormat = payloadFormat;
            return this;
        }

        /**
         * Sets {@code max.block.ms}, the longest a {@code send()} blocks for metadata or buffer
         * space; default 10 s (Kafka's own is 60 s).
         */
        public Builder maxBlock(Duration maxBlock) {
            this.maxBlock = maxBlock;
            return this;
        }

        /**
         * Sets {@code delivery.timeout.ms}, the longest a sent record waits for its acknowledgement
         * including the producer's retries; default 30 s (Kafka's own is 120 s). Must be at least
         * {@code linger.ms} plus the request timeout.
         */
        public Builder deliveryTimeout(Duration deliveryTimeout) {
            this.deliveryTimeout = deliveryTimeout;
            return this;
        }

        /** Sets {@code request.timeout.ms}, the longest one produce request waits; default 10 s. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /**
         * Passes one property to the producer (security, compression, {@code linger.ms},
         * {@code client.id}, a serializer's own settings...). It overrides the publisher's
         * defaults and the timeouts set above; settings that would break delivery guarantees
         * are refused by {@link #build()}.
         */
        public Builder producerProperty(String name, Object value) {
            Objects.requireNonNull(name, "producer property name");
            Objects.requireNonNull(value, () -> "producer property " + name + " must not be null");
            producerProperties.put(name, value);
            return this;
        }

        /** Passes several producer properties, as {@link #producerProperty} does for one. */
        public Builder producerProperties(Map<String, ?> properties) {
            properties.forEach(this::producerProperty);
            return this;
        }

        /**
         * Sets whether the tail of a batch is sent at once instead of after {@code linger.ms}:
         * once a batch is handed to the producer, a background thread calls
         * {@code producer.flush()}, so the batch's last records do not wait to fill a producer
         * batch while the caller waits for the whole outcome. This applies to every publish call
         * made while no other is outstanding (one relay thread awaiting each batch) and to every
         * batch of fewer than 100 events (light load, where latency matters). Large batches whose
         * calls overlap (several relays sharing this publisher through a backlog, or a caller
         * keeping several batches in flight) are not flushed: a flush makes the producer send
         * every partial batch at once for as long as it runs, which cost about 10% throughput in
         * {@code PublisherBenchmark}; their records fill producer batches as a bare producer's
         * would, and a tail waits at most {@code linger.ms} while the other calls keep the
         * producer busy. Default {@code true}; turn it off to leave batching entirely to
         * {@code linger.ms}.
         */
        public Builder flushBatchTail(boolean flushBatchTail) {
            this.flushBatchTail = flushBatchTail;
            return this;
        }

        Builder producerFactory(Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory) {
            this.producerFactory = producerFactory;
            return this;
        }

        /**
         * Validates the settings without creating a producer, for containers that inject the
         * configuration into {@link KafkaOutboxEventPublisher#KafkaOutboxEventPublisher(KafkaPublisherConfig)}.
         *
         * @throws IllegalArgumentException naming the invalid setting
         * @throws NullPointerException naming a missing setting
         */
        public KafkaPublisherConfig buildConfig() {
            return new KafkaPublisherConfig(this);
        }

        /**
         * Validates the settings and creates the publisher with its producer.
         *
         * @throws IllegalArgumentException naming the invalid setting
         * @throws NullPointerException naming a missing setting
         */
        public KafkaOutboxEventPublisher build() {
            return new KafkaOutboxEventPublisher(buildConfig());
        }
    }
}

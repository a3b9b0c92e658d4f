package dev.outbox.kafka;

import dev.outbox.core.internal.Checks;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The validated settings of a {@link KafkaOutboxEventPublisher}, built once by {@link #builder()}
 * and handed to {@link KafkaOutboxEventPublisher#create(KafkaPublisherConfig)} (or the publisher's
 * injectable constructor).
 *
 * <p>The producer properties are computed once, in this order (later wins): the publisher's
 * defaults ({@code acks=all}, {@code enable.idempotence=true},
 * {@code max.in.flight.requests.per.connection=5}, {@code retries=Integer.MAX_VALUE},
 * {@code metadata.recovery.strategy=none}), the builder's bootstrap servers and timeouts, then
 * the user's own producer properties. The result is checked: settings that would break
 * at-least-once or per-key order ({@code acks} other than {@code all}, idempotence off, more than
 * five requests in flight, a {@code transactional.id}) and key/value serializers (the publisher
 * encodes values itself, see {@link PayloadFormat}) are refused.
 *
 * <p>Immutable and thread-safe.
 */
public final class KafkaPublisherConfig {

    private final String bootstrapServers;
    private final TopicNaming topicNaming;
    private final String eventTypeHeader;
    private final PayloadFormat payloadFormat;
    private final Duration maxBlock;
    private final Duration deliveryTimeout;
    private final Duration requestTimeout;
    private final Map<String, Object> producerProperties;
    private final boolean flushBatchTail;

    private KafkaPublisherConfig(Builder builder) {
        this.topicNaming = Checks.notNull(builder.topicNaming, "topicNaming");
        this.eventTypeHeader = requireHeaderName(builder.eventTypeHeader);
        this.payloadFormat = Checks.notNull(builder.payloadFormat, "payloadFormat");
        this.flushBatchTail = builder.flushBatchTail;
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        props.put(ProducerConfig.RETRIES_CONFIG, String.valueOf(Integer.MAX_VALUE));
        props.put(CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG, "none");
        if (builder.bootstrapServers != null) {
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, builder.bootstrapServers);
        }
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis("maxBlock", builder.maxBlock));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis("deliveryTimeout", builder.deliveryTimeout));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis("requestTimeout", builder.requestTimeout));
        builder.producerProperties.forEach((key, value) -> props.put(key, value));
        validate(props);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producerProperties = Collections.unmodifiableMap(props);
        this.bootstrapServers = String.valueOf(props.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
        this.maxBlock = Duration.ofMillis(longValue(props, ProducerConfig.MAX_BLOCK_MS_CONFIG));
        this.deliveryTimeout = Duration.ofMillis(longValue(props, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
        this.requestTimeout = Duration.ofMillis(longValue(props, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    }

    /** Returns a builder holding the defaults described on its setters. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the bootstrap servers the producer connects to. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Returns how topics are named. */
    public TopicNaming topicNaming() {
        return topicNaming;
    }

    /** Returns the name of the header carrying the event type. */
    public String eventTypeHeader() {
        return eventTypeHeader;
    }

    /** Returns how payloads become record values. */
    public PayloadFormat payloadFormat() {
        return payloadFormat;
    }

    /** Returns the effective {@code max.block.ms}: the longest one {@code send()} may block. */
    public Duration maxBlock() {
        return maxBlock;
    }

    /** Returns the effective {@code delivery.timeout.ms}: the longest a sent record waits for its outcome. */
    public Duration deliveryTimeout() {
        return deliveryTimeout;
    }

    /** Returns the effective {@code request.timeout.ms}. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * Returns the guard timeout of one publish: the delivery timeout plus five seconds of slack for
     * the producer's callbacks. A publish as a whole takes at most this plus {@link #maxBlock()}
     * (see {@link #maxPublishDuration()}).
     */
    public Duration publishTimeout() {
        return deliveryTimeout.plusSeconds(5);
    }

    /**
     * Returns the longest one publish call takes, from the call until its stage completes:
     * {@link #maxBlock()} + {@link #publishTimeout()}, i.e. {@code max.block.ms} +
     * {@code delivery.timeout.ms} + 5 s (45 s with the defaults). The call's sends, its pilot wait
     * on a new topic and its wait for acknowledgements share this one deadline. A relay's publish
     * timeout must be at least this; the relays check it when they are built.
     */
    public Duration maxPublishDuration() {
        return maxBlock.plus(publishTimeout());
    }

    /** Returns whether each batch's tail is flushed at once (see {@link Builder#flushBatchTail}). */
    public boolean flushBatchTail() {
        return flushBatchTail;
    }

    /** Returns the effective producer properties, serializers included; unmodifiable. */
    public Map<String, Object> producerProperties() {
        return producerProperties;
    }

    private static String requireHeaderName(String name) {
        Checks.notNull(name, "eventTypeHeader");
        if (name.isBlank() || name.equals(OutboxHeaders.ID)) {
            throw new IllegalArgumentException("eventTypeHeader must be a non-blank name other than '"
                    + OutboxHeaders.ID + "', got '" + name + "'");
        }
        return name;
    }

    private static String millis(String setting, Duration duration) {
        return String.valueOf(Checks.positive(duration, setting).toMillis());
    }

    private static void validate(Map<String, Object> props) {
        Object servers = props.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null || String.valueOf(servers).isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must be set (or producer property "
                    + ProducerConfig.BOOTSTRAP_SERVERS_CONFIG + ")");
        }
        String acks = String.valueOf(props.get(ProducerConfig.ACKS_CONFIG)).trim();
        if (!acks.equals("all") && !acks.equals("-1")) {
            throw new IllegalArgumentException("producer property acks must be 'all' (at-least-once), got '" + acks + "'");
        }
        if (!String.valueOf(props.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).trim().equalsIgnoreCase("true")) {
            throw new IllegalArgumentException("producer property enable.idempotence must be true (per-key order "
                    + "on retries)");
        }
        long inFlight = longValue(props, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
        if (inFlight < 1 || inFlight > 5) {
            throw new IllegalArgumentException("producer property max.in.flight.requests.per.connection must be "
                    + "1 to 5 (per-key order on retries), got " + inFlight);
        }
        for (String refused : new String[] {ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG}) {
            if (props.containsKey(refused)) {
                throw new IllegalArgumentException("producer property " + refused + " is not supported: keys are "
                        + "aggregate ids as UTF-8, values come from payloadFormat(...), and sends are not transactional");
            }
        }
        long linger = props.containsKey(ProducerConfig.LINGER_MS_CONFIG)
                ? longValue(props, ProducerConfig.LINGER_MS_CONFIG) : 5;
        long delivery = longValue(props, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
        long request = longValue(props, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
        if (delivery < linger + request) {
            throw new IllegalArgumentException("deliveryTimeout (delivery.timeout.ms=" + delivery
                    + ") must be at least linger.ms + requestTimeout (" + linger + " + " + request + ")");
        }
    }

    private static long longValue(Map<String, Object> props, String key) {
        Object value = props.get(key);
        try {
            return Long.parseLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("producer property " + key + " must be a number, got '" + value + "'", e);
        }
    }

    /** Describes the settings without producer properties, which may hold credentials. */
    @Override
    public String toString() {
        return "KafkaPublisherConfig[bootstrapServers=" + bootstrapServers + ", topicNaming=" + topicNaming
                + ", eventTypeHeader=" + eventTypeHeader + ", payloadFormat=" + payloadFormat + ", maxBlock="
                + maxBlock + ", deliveryTimeout=" + deliveryTimeout + ", requestTimeout=" + requestTimeout
                + ", flushBatchTail=" + flushBatchTail + "]";
    }

    /**
     * Builds a {@link KafkaPublisherConfig}: the only place the publisher's settings are set, each
     * setter's javadoc stating its default. Not thread-safe; each setter returns this builder.
     */
    public static final class Builder {
        private String bootstrapServers;
        private TopicNaming topicNaming = TopicNaming.debezium();
        private String eventTypeHeader = OutboxHeaders.EVENT_TYPE;
        private PayloadFormat payloadFormat = PayloadFormat.json();
        private Duration maxBlock = Duration.ofSeconds(10);
        private Duration deliveryTimeout = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private boolean flushBatchTail = true;
        private final Map<String, Object> producerProperties = new LinkedHashMap<>();

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
         * Sets whether the tail of a batch is sent at once instead of after {@code linger.ms}: a
         * background thread calls {@code producer.flush()} once the batch is handed over, for a
         * publish call made while no other is outstanding and for any batch under 100 events, so
         * the relay awaiting a batch does not wait for its last records to fill a producer batch.
         * Default {@code true}; the measurements behind it are in outbox-kafka's README.
         */
        public Builder flushBatchTail(boolean flushBatchTail) {
            this.flushBatchTail = flushBatchTail;
            return this;
        }

        /**
         * Validates the settings and builds them; no producer is created.
         *
         * @throws IllegalArgumentException naming the invalid setting
         * @throws NullPointerException naming a missing setting
         */
        public KafkaPublisherConfig build() {
            return new KafkaPublisherConfig(this);
        }
    }
}

package dev.outbox.kafka;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The validated settings of a {@link KafkaOutboxEventPublisher}, built by
 * {@link KafkaOutboxEventPublisher#builder()}{@code ...}{@link KafkaOutboxEventPublisher.Builder#buildConfig()
 * buildConfig()} for containers that inject it into the publisher's constructor.
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
    private final Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory;
    private final boolean flushBatchTail;

    KafkaPublisherConfig(KafkaOutboxEventPublisher.Builder builder) {
        this.topicNaming = Objects.requireNonNull(builder.topicNaming, "topicNaming must not be null");
        this.eventTypeHeader = requireHeaderName(builder.eventTypeHeader);
        this.payloadFormat = Objects.requireNonNull(builder.payloadFormat, "payloadFormat must not be null");
        this.producerFactory = Objects.requireNonNull(builder.producerFactory, "producerFactory");
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

    /** Returns whether each batch's tail is flushed at once (see {@link KafkaOutboxEventPublisher.Builder#flushBatchTail}). */
    public boolean flushBatchTail() {
        return flushBatchTail;
    }

    /** Returns the effective producer properties, serializers included; unmodifiable. */
    public Map<String, Object> producerProperties() {
        return producerProperties;
    }

    Producer<byte[], byte[]> newProducer() {
        return producerFactory.apply(new LinkedHashMap<>(producerProperties));
    }

    static Producer<byte[], byte[]> kafkaProducer(Map<String, Object> properties) {
        return new KafkaProducer<>(properties);
    }

    private static String requireHeaderName(String name) {
        Objects.requireNonNull(name, "eventTypeHeader must not be null");
        if (name.isBlank() || name.equals(OutboxHeaders.ID)) {
            throw new IllegalArgumentException("eventTypeHeader must be a non-blank name other than '"
                    + OutboxHeaders.ID + "', got '" + name + "'");
        }
        return name;
    }

    private static String millis(String setting, Duration duration) {
        Objects.requireNonNull(duration, () -> setting + " must not be null");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(setting + " must be positive, got " + duration);
        }
        return String.valueOf(duration.toMillis());
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
}

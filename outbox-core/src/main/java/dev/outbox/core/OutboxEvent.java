package dev.outbox.core;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One event to deliver: an immutable, validated value.
 *
 * <p>The fields map one to one onto the Debezium Outbox Event Router's defaults: {@code id},
 * {@code aggregatetype} (routes to the topic), {@code aggregateid} (the Kafka key, so the
 * events of one aggregate stay ordered in one partition), {@code type} and {@code payload}.
 *
 * <p>Validation happens on construction and names the offending field:
 * <ul>
 *   <li>{@code aggregateType}: 1 to {@value #MAX_AGGREGATE_TYPE_LENGTH} characters of
 *       {@code [A-Za-z0-9._-]}, because it becomes part of a Kafka topic name;
 *   <li>{@code aggregateId}, {@code eventType}: not blank, at most {@value #MAX_NAME_LENGTH}
 *       characters;
 *   <li>{@code payload}: at most {@value #MAX_PAYLOAD_BYTES} bytes;
 *   <li>{@code headers}: names not blank, at most {@value #MAX_NAME_LENGTH} characters, not the
 *       reserved {@code id}; values not null; {@value #SEQUENCE_HEADER}, when present, a decimal
 *       number from 0 to {@link Long#MAX_VALUE}.
 * </ul>
 * {@code occurredAt} is truncated to microseconds, the precision PostgreSQL stores.
 *
 * <p>The header {@value #SEQUENCE_HEADER} is the aggregate sequence, reserved for stores: a store
 * sets it when it reads an event back (a claimed event carries it, and so does its Kafka record),
 * the append ports refuse an event that carries it. Within one aggregate a larger sequence means a
 * later commit; the numbers are not contiguous (see {@link #sequence()}). {@link #equals} leaves it
 * out, so an event read back from a store equals the event appended.
 *
 * <p>Instances are immutable and thread-safe; {@link #payload()} returns a copy.
 *
 * @param id             unique, time-ordered event id (UUID version 7 by default)
 * @param aggregateType  the kind of aggregate, e.g. {@code Order}; routes to the topic
 * @param aggregateId    the aggregate's id; the Kafka record key
 * @param eventType      what happened, e.g. {@code OrderCreated}
 * @param payload        the serialized payload
 * @param contentType    the payload's media type, {@link #JSON} by default
 * @param headers        extra headers carried to the Kafka record, e.g. {@code traceparent}
 * @param occurredAt     when the event happened
 */
public record OutboxEvent(
        UUID id,
        String aggregateType,
        String aggregateId,
        String eventType,
        byte[] payload,
        String contentType,
        Map<String, String> headers,
        Instant occurredAt) {

    /** Media type of a JSON payload; the default. */
    public static final String JSON = "application/json";
    /** Longest accepted aggregate type. */
    public static final int MAX_AGGREGATE_TYPE_LENGTH = 200;
    /** Longest accepted aggregate id, event type and header name. */
    public static final int MAX_NAME_LENGTH = 255;
    /** Largest accepted payload, one mebibyte: Kafka's default request limit. */
    public static final int MAX_PAYLOAD_BYTES = 1024 * 1024;
    /** Header name reserved for the event id on the Kafka record. */
    public static final String ID_HEADER = "id";
    /**
     * Header name reserved for the aggregate sequence, {@value}: set by the store, refused by the
     * append ports. See {@link #sequence()}.
     */
    public static final String SEQUENCE_HEADER = "aggregate-sequence";

    private static final Pattern AGGREGATE_TYPE = Pattern.compile("[A-Za-z0-9._-]+");

    /**
     * Validates and normalizes the fields.
     *
     * @throws IllegalArgumentException naming the invalid field
     * @throws NullPointerException naming the missing field
     */
    public OutboxEvent {
        Objects.requireNonNull(id, "id must not be null");
        requireText("aggregateType", aggregateType, MAX_AGGREGATE_TYPE_LENGTH);
        if (!AGGREGATE_TYPE.matcher(aggregateType).matches()) {
            throw new IllegalArgumentException("aggregateType must contain only letters, digits, '.', '_' "
                    + "and '-' (it becomes part of a Kafka topic name), got '" + aggregateType + "'");
        }
        requireText("aggregateId", aggregateId, MAX_NAME_LENGTH);
        requireText("eventType", eventType, MAX_NAME_LENGTH);
        Objects.requireNonNull(payload, "payload must not be null");
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("payload must be at most " + MAX_PAYLOAD_BYTES
                    + " bytes, got " + payload.length);
        }
        payload = payload.clone();
        requireText("contentType", contentType, MAX_NAME_LENGTH);
        headers = copyHeaders(headers);
        Objects.requireNonNull(occurredAt, "occurredAt must not be null");
        occurredAt = occurredAt.truncatedTo(ChronoUnit.MICROS);
    }

    /** Returns a new builder; {@link Builder#build()} fills in the id and time when unset. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates a JSON event with a fresh id and the current time.
     *
     * @param json the payload as JSON text, encoded as UTF-8
     */
    public static OutboxEvent json(String aggregateType, String aggregateId, String eventType, String json) {
        return builder().aggregateType(aggregateType).aggregateId(aggregateId).eventType(eventType)
                .payload(json).build();
    }

    /** Returns a copy of the payload bytes. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** Returns the payload decoded as UTF-8, for text payloads such as JSON. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** Returns the payload's size in bytes without copying it. */
    public int payloadSize() {
        return payload.length;
    }

    /**
     * Returns the aggregate sequence the store gave this event, empty for an event not yet stored.
     *
     * <p>Within one aggregate (type and id) the sequence grows in commit order: of two events of an
     * aggregate, the one with the larger sequence was committed later. It is not contiguous (other
     * aggregates' events and rolled-back appends take numbers in between), so a consumer compares
     * sequences and never expects the next one to be one more. It compares only within one aggregate.
     */
    public OptionalLong sequence() {
        String value = headers.get(SEQUENCE_HEADER);
        return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
    }

    /**
     * Returns a copy carrying {@code sequence} in the header {@value #SEQUENCE_HEADER}, replacing any
     * sequence it had; for stores, when they read an event back.
     *
     * @throws IllegalArgumentException when {@code sequence} is negative
     */
    public OutboxEvent withSequence(long sequence) {
        if (sequence < 0) {
            throw new IllegalArgumentException(SEQUENCE_HEADER + " must be at least 0, got " + sequence);
        }
        Map<String, String> sequenced = new LinkedHashMap<>(headers);
        sequenced.put(SEQUENCE_HEADER, Long.toString(sequence));
        return new OutboxEvent(id, aggregateType, aggregateId, eventType, payload, contentType, sequenced, occurredAt);
    }

    /**
     * Checks that the event carries no aggregate sequence: append ports call this, because the store
     * assigns the sequence.
     *
     * @return the event
     * @throws IllegalArgumentException when the header {@value #SEQUENCE_HEADER} is set
     */
    public OutboxEvent requireNoSequence() {
        if (headers.containsKey(SEQUENCE_HEADER)) {
            throw new IllegalArgumentException("header '" + SEQUENCE_HEADER + "' of event " + id
                    + " is reserved: the store assigns each appended event its aggregate sequence; append the event "
                    + "without it");
        }
        return this;
    }

    /** Returns a builder holding this event's values, for deriving a changed copy; the copy has no sequence. */
    public Builder toBuilder() {
        Builder builder = new Builder().id(id).aggregateType(aggregateType).aggregateId(aggregateId)
                .eventType(eventType).payload(payload).contentType(contentType).headers(headers).occurredAt(occurredAt);
        builder.headers.remove(SEQUENCE_HEADER);
        return builder;
    }

    /**
     * Compares every field, the headers without {@value #SEQUENCE_HEADER}: the sequence says where a
     * store put the event, it is not part of the event, so an event read back equals the one appended.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof OutboxEvent other
                && id.equals(other.id)
                && aggregateType.equals(other.aggregateType)
                && aggregateId.equals(other.aggregateId)
                && eventType.equals(other.eventType)
                && Arrays.equals(payload, other.payload)
                && contentType.equals(other.contentType)
                && headersEqualIgnoringSequence(other.headers)
                && occurredAt.equals(other.occurredAt);
    }

    /** Hashes what {@link #equals} compares. */
    @Override
    public int hashCode() {
        // a map's hash is the sum of its entries' hashes: subtract the sequence entry's
        String sequence = headers.get(SEQUENCE_HEADER);
        int headersHash = headers.hashCode()
                - (sequence == null ? 0 : SEQUENCE_HEADER.hashCode() ^ sequence.hashCode());
        return Objects.hash(id, aggregateType, aggregateId, eventType, Arrays.hashCode(payload), contentType,
                headersHash, occurredAt);
    }

    private boolean headersEqualIgnoringSequence(Map<String, String> others) {
        boolean mine = headers.containsKey(SEQUENCE_HEADER);
        boolean theirs = others.containsKey(SEQUENCE_HEADER);
        if (!mine && !theirs) {
            return headers.equals(others);
        }
        if (headers.size() - (mine ? 1 : 0) != others.size() - (theirs ? 1 : 0)) {
            return false;
        }
        for (Map.Entry<String, String> entry : headers.entrySet()) {
            if (!entry.getKey().equals(SEQUENCE_HEADER) && !entry.getValue().equals(others.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Describes the event without its payload, which may hold personal data. */
    @Override
    public String toString() {
        return "OutboxEvent[id=" + id + ", aggregateType=" + aggregateType + ", aggregateId=" + aggregateId
                + ", eventType=" + eventType + ", contentType=" + contentType + ", payloadBytes=" + payload.length
                + ", headers=" + headers.keySet() + ", occurredAt=" + occurredAt + "]";
    }

    private static void requireText(String field, String value, int maxLength) {
        Objects.requireNonNull(value, () -> field + " must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + " must be at most " + maxLength + " characters, got "
                    + value.length());
        }
    }

    private static void requireSequence(String value) {
        boolean valid = !value.isEmpty() && value.length() <= 19 && value.chars().allMatch(c -> c >= '0' && c <= '9');
        if (valid) {
            try {
                Long.parseLong(value);
            } catch (NumberFormatException e) {
                valid = false;
            }
        }
        if (!valid) {
            throw new IllegalArgumentException("header '" + SEQUENCE_HEADER + "' must be a decimal number from 0 to "
                    + Long.MAX_VALUE + ", got '" + value + "'");
        }
    }

    private static Map<String, String> copyHeaders(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            requireText("header name", name, MAX_NAME_LENGTH);
            if (name.equals(ID_HEADER)) {
                throw new IllegalArgumentException("header name '" + ID_HEADER + "' is reserved for the event id");
            }
            Objects.requireNonNull(value, () -> "header '" + name + "' must not have a null value");
            if (name.equals(SEQUENCE_HEADER)) {
                requireSequence(value);
            }
            copy.put(name, value);
        });
        return Collections.unmodifiableMap(copy);
    }

    /** Builds an {@link OutboxEvent}; not thread-safe, meant for one use on one thread. */
    public static final class Builder {
        private UUID id;
        private String aggregateType;
        private String aggregateId;
        private String eventType;
        private byte[] payload;
        private String contentType = JSON;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Instant occurredAt;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Sets the id; default: a fresh {@link EventIds#next()}. */
        public Builder id(UUID id) {
            this.id = id;
            return this;
        }

        /** Sets the aggregate type, e.g. {@code Order}. Required. */
        public Builder aggregateType(String aggregateType) {
            this.aggregateType = aggregateType;
            return this;
        }

        /** Sets the aggregate id, the Kafka key. Required. */
        public Builder aggregateId(String aggregateId) {
            this.aggregateId = aggregateId;
            return this;
        }

        /** Sets the event type, e.g. {@code OrderCreated}. Required. */
        public Builder eventType(String eventType) {
            this.eventType = eventType;
            return this;
        }

        /** Sets the payload bytes. Required. */
        public Builder payload(byte[] payload) {
            this.payload = payload == null ? null : payload.clone();
            return this;
        }

        /** Sets the payload from text, encoded as UTF-8. */
        public Builder payload(String payload) {
            this.payload = payload == null ? null : payload.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** Sets the payload's media type; default {@link OutboxEvent#JSON}. */
        public Builder contentType(String contentType) {
            this.contentType = contentType;
            return this;
        }

        /** Adds one header; a later call with the same name replaces the value. */
        public Builder header(String name, String value) {
            this.headers.put(name, value);
            return this;
        }

        /** Adds all the given headers. */
        public Builder headers(Map<String, String> headers) {
            this.headers.putAll(headers);
            return this;
        }

        /** Sets when the event happened; default: now, from the clock. */
        public Builder occurredAt(Instant occurredAt) {
            this.occurredAt = occurredAt;
            return this;
        }

        /** Sets the clock that supplies the default {@code occurredAt}; default: UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the event.
         *
         * @throws IllegalArgumentException naming an invalid field
         * @throws NullPointerException naming a missing required field
         */
        public OutboxEvent build() {
            return new OutboxEvent(id != null ? id : EventIds.next(), aggregateType, aggregateId, eventType,
                    payload, contentType, headers, occurredAt != null ? occurredAt : clock.instant());
        }
    }
}

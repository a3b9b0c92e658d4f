package dev.outbox.kafka;

import dev.outbox.kafka.avro.AvroPayloadCodec;
import dev.outbox.kafka.avro.ConfluentWireFormat;
import dev.outbox.kafka.avro.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns a consumed outbox record back into a {@link DecodedOutboxEvent}: the consumer-side
 * counterpart of {@link KafkaOutboxEventPublisher}, and able to read Debezium's outbox router
 * records too.
 *
 * <p>A value in the Confluent wire format (first byte {@code 0x00}, which JSON never starts with)
 * is decoded through the schema registry ({@code GET /schemas/ids/{id}}, cached per id) when one
 * is configured; any other value is taken as the payload bytes unchanged.
 *
 * <pre>{@code
 * OutboxRecordDecoder decoder = OutboxRecordDecoder.builder()
 *         .schemaRegistry(SchemaRegistryClient.confluent(URI.create(registryUrl)))
 *         .build();
 * DecodedOutboxEvent event = decoder.decode(record);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class OutboxRecordDecoder {

    private final SchemaRegistryClient registry;
    private final String eventTypeHeader;
    private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

    private OutboxRecordDecoder(Builder builder) {
        this.registry = builder.registry;
        this.eventTypeHeader = Objects.requireNonNull(builder.eventTypeHeader, "eventTypeHeader");
    }

    /** Returns a decoder of JSON (pass-through) records with the default event-type header. */
    public static OutboxRecordDecoder create() {
        return builder().build();
    }

    /** Returns a new builder: no schema registry, event-type header {@value OutboxHeaders#EVENT_TYPE}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Decodes a record.
     *
     * @param record a record written by the outbox publisher (or Debezium's outbox router)
     * @return the event
     * @throws OutboxDecodingException if the {@code id} header is missing or not a UUID, the
     *     {@value OutboxHeaders#SEQUENCE} header is present but not a decimal number from 0, the value
     *     is null, or an Avro value cannot be decoded (no registry configured, unknown schema id,
     *     body not matching its schema)
     * @throws dev.outbox.kafka.avro.SchemaRegistryException if the registry cannot be reached
     */
    public DecodedOutboxEvent decode(ConsumerRecord<byte[], byte[]> record) {
        Objects.requireNonNull(record, "record");
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : utf8(header.value()));
        }
        UUID id = eventId(headers.get(OutboxHeaders.ID), record);
        byte[] value = record.value();
        if (value == null) {
            throw new OutboxDecodingException("record " + where(record)
                    + " has no value (a tombstone is not an event)");
        }
        OptionalInt schemaId = OptionalInt.empty();
        byte[] payload = value;
        if (ConfluentWireFormat.isFramed(value)) {
            schemaId = OptionalInt.of(ConfluentWireFormat.schemaId(value));
            payload = decodeAvro(schemaId.getAsInt(), value, record);
        }
        headers.values().removeIf(Objects::isNull);
        requireSequence(headers.get(OutboxHeaders.SEQUENCE), record);
        String aggregateId = record.key() == null ? null : utf8(record.key());
        return new DecodedOutboxEvent(id, headers.get(eventTypeHeader), aggregateId, record.topic(),
                record.partition(), record.offset(), headers, payload, schemaId);
    }

    private byte[] decodeAvro(int schemaId, byte[] framed, ConsumerRecord<?, ?> record) {
        if (registry == null) {
            throw new OutboxDecodingException("record " + where(record) + " holds Avro (schema id " + schemaId
                    + ") but the decoder has no schema registry");
        }
        Schema schema = schemas.computeIfAbsent(schemaId, id -> parse(id, registry.schemaById(id), record));
        try {
            return AvroPayloadCodec.decodeToPayload(schema, ConfluentWireFormat.body(framed));
        } catch (RuntimeException e) {
            throw new OutboxDecodingException("record " + where(record) + " does not match its Avro schema id "
                    + schemaId, e);
        }
    }

    private static Schema parse(int schemaId, String schema, ConsumerRecord<?, ?> record) {
        try {
            return new Schema.Parser().parse(schema);
        } catch (RuntimeException e) {
            throw new OutboxDecodingException("record " + where(record) + " names schema id " + schemaId
                    + ", which is not a valid Avro schema", e);
        }
    }

    private static UUID eventId(String text, ConsumerRecord<?, ?> record) {
        if (text == null) {
            throw new OutboxDecodingException("record " + where(record) + " has no '" + OutboxHeaders.ID + "' header");
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new OutboxDecodingException("record " + where(record) + " has an '" + OutboxHeaders.ID
                    + "' header that is not a UUID", e);
        }
    }

    private static void requireSequence(String text, ConsumerRecord<?, ?> record) {
        if (text == null) {
            return; // a record from before sequences, or a Debezium router not configured to write it
        }
        boolean valid;
        try {
            valid = !text.isEmpty() && Character.isDigit(text.charAt(0)) && Long.parseLong(text) >= 0;
        } catch (NumberFormatException e) {
            valid = false;
        }
        if (!valid) {
            throw new OutboxDecodingException("record " + where(record) + " has a '" + OutboxHeaders.SEQUENCE
                    + "' header that is not a decimal number from 0 to " + Long.MAX_VALUE);
        }
    }

    /** Names a record in error messages: {@code topic-partition@offset}; built only when decoding fails. */
    private static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Builds an {@link OutboxRecordDecoder}; not thread-safe. */
    public static final class Builder {
        private SchemaRegistryClient registry;
        private String eventTypeHeader = OutboxHeaders.EVENT_TYPE;

        private Builder() {
        }

        /** Sets the registry that resolves Avro schema ids; default none (Avro values are then refused). */
        public Builder schemaRegistry(SchemaRegistryClient registry) {
            this.registry = registry;
            return this;
        }

        /** Sets the name of the event-type header; default {@value OutboxHeaders#EVENT_TYPE}. */
        public Builder eventTypeHeader(String eventTypeHeader) {
            this.eventTypeHeader = eventTypeHeader;
            return this;
        }

        /** Returns the decoder. */
        public OutboxRecordDecoder build() {
            return new OutboxRecordDecoder(this);
        }
    }
}

package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.kafka.avro.AvroPayloadCodec;
import dev.outbox.kafka.avro.ConfluentWireFormat;
import dev.outbox.kafka.avro.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class OutboxRecordDecoderTest {

    private static final UUID ID = UUID.fromString("0191e5d2-7c1a-7b3e-9f00-0123456789ab");

    private static ConsumerRecord<byte[], byte[]> record(byte[] value, boolean withId) {
        RecordHeaders headers = new RecordHeaders();
        if (withId) {
            headers.add("id", ID.toString().getBytes(StandardCharsets.UTF_8));
        }
        headers.add("eventType", "OrderCreated".getBytes(StandardCharsets.UTF_8));
        headers.add("traceparent", "00-abc-def-01".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>("outbox.event.Order", 2, 17L, 0L, TimestampType.CREATE_TIME, 0, 0,
                "o-1".getBytes(StandardCharsets.UTF_8), value, headers, Optional.empty());
    }

    @Test
    void jsonRecord_decodesToIdTypeKeyHeadersAndPayload() {
        DecodedOutboxEvent event = OutboxRecordDecoder.create()
                .decode(record("{\"a\":1}".getBytes(StandardCharsets.UTF_8), true));

        assertThat(event.id()).isEqualTo(ID);
        assertThat(event.eventType()).isEqualTo("OrderCreated");
        assertThat(event.aggregateId()).isEqualTo("o-1");
        assertThat(event.topic()).isEqualTo("outbox.event.Order");
        assertThat(event.partition()).isEqualTo(2);
        assertThat(event.offset()).isEqualTo(17L);
        assertThat(event.headers()).containsEntry("traceparent", "00-abc-def-01");
        assertThat(event.payloadAsString()).isEqualTo("{\"a\":1}");
        assertThat(event.schemaId()).isEmpty();
    }

    @Test
    void avroRecord_isDecodedThroughTheRegistry() {
        SchemaRegistryClient registry = new SchemaRegistryClient() {
            @Override
            public int register(String subject, String schema) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String schemaById(int id) {
                assertThat(id).isEqualTo(5);
                return AvroPayloadCodec.STRING_SCHEMA;
            }
        };
        byte[] value = ConfluentWireFormat.frame(5, AvroPayloadCodec.encodeString("{\"a\":1}"));

        DecodedOutboxEvent event = OutboxRecordDecoder.builder().schemaRegistry(registry).build()
                .decode(record(value, true));

        assertThat(event.payloadAsString()).isEqualTo("{\"a\":1}");
        assertThat(event.schemaId()).hasValue(5);
    }

    @Test
    void malformedRecords_areRefusedWithAClearError() {
        OutboxRecordDecoder decoder = OutboxRecordDecoder.create();
        byte[] avro = ConfluentWireFormat.frame(5, AvroPayloadCodec.encodeString("x"));

        assertThatThrownBy(() -> decoder.decode(record(new byte[] {'{', '}'}, false)))
                .isInstanceOf(OutboxDecodingException.class).hasMessageContaining("'id' header")
                .hasMessageContaining("outbox.event.Order-2@17");
        assertThatThrownBy(() -> decoder.decode(record(avro, true)))
                .isInstanceOf(OutboxDecodingException.class).hasMessageContaining("no schema registry");
        assertThatThrownBy(() -> decoder.decode(record(null, true)))
                .isInstanceOf(OutboxDecodingException.class).hasMessageContaining("tombstone");
    }
}

package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import dev.outbox.kafka.avro.AvroPayloadCodec;
import dev.outbox.kafka.avro.ConfluentWireFormat;
import dev.outbox.kafka.avro.SchemaRegistryClient;
import dev.outbox.kafka.avro.SchemaRegistryException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PayloadFormatTest {

    /** A registry double of our own port, recording registrations; the real registry runs in ApicurioAvroIT. */
    private static final class FakeRegistry implements SchemaRegistryClient {
        final List<String> registrations = new CopyOnWriteArrayList<>();
        volatile boolean down;

        @Override
        public int register(String subject, String schema) {
            registrations.add(subject + " " + schema);
            if (down) {
                throw new SchemaRegistryException("registry down", -1, null);
            }
            return 21;
        }

        @Override
        public String schemaById(int id) {
            return AvroPayloadCodec.STRING_SCHEMA;
        }
    }

    private static List<PublishOutcome> publish(PayloadFormat format, CountingMockProducer producer,
            List<OutboxEvent> events) throws Exception {
        try (KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers("unused:9092")
                .payloadFormat(format).producerProperty("custom.setting", "x").build(), producer)) {
            return publisher.publish(events).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void avro_framesAJsonPayloadAsAnAvroStringUnderTheTopicValueSubject() throws Exception {
        FakeRegistry registry = new FakeRegistry();
        CountingMockProducer producer = new CountingMockProducer(true);
        OutboxEvent event = TestEvents.order("o-1");

        publish(PayloadFormat.avro(registry), producer, List.of(event));

        byte[] value = producer.history().get(0).value();
        assertThat(value).startsWith(0, 0, 0, 0, 21);
        assertThat(ConfluentWireFormat.body(value)).isEqualTo(AvroPayloadCodec.encodeString(event.payloadAsString()));
        assertThat(registry.registrations).containsExactly("outbox.event.Order-value {\"type\":\"string\"}");
    }

    @Test
    void avro_registersEachTopicsSchemaOnceAcrossEventsAndBatches() throws Exception {
        FakeRegistry registry = new FakeRegistry(); // caches nothing: every call is counted
        CountingMockProducer producer = new CountingMockProducer(true);
        try (KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers("unused:9092")
                .payloadFormat(PayloadFormat.avro(registry)).build(), producer)) {
            for (int batch = 0; batch < 2; batch++) {
                assertThat(publisher.publish(List.of(TestEvents.order("a"), TestEvents.order("b")))
                        .toCompletableFuture().get(10, TimeUnit.SECONDS)).allMatch(PublishOutcome::isPublished);
            }
        }

        assertThat(producer.history()).hasSize(4)
                .allSatisfy(record -> assertThat(ConfluentWireFormat.schemaId(record.value())).isEqualTo(21));
        assertThat(registry.registrations).containsExactly("outbox.event.Order-value {\"type\":\"string\"}");
    }

    @Test
    void avro_writesABinaryPayloadAsAvroBytes() throws Exception {
        FakeRegistry registry = new FakeRegistry();
        CountingMockProducer producer = new CountingMockProducer(true);
        OutboxEvent event = TestEvents.order("o-1").toBuilder().contentType("application/octet-stream")
                .payload(new byte[] {1, 2}).build();

        publish(PayloadFormat.avro(registry), producer, List.of(event));

        assertThat(ConfluentWireFormat.body(producer.history().get(0).value())).containsExactly(4, 1, 2);
        assertThat(registry.registrations).containsExactly("outbox.event.Order-value {\"type\":\"bytes\"}");
    }

    @Test
    void avro_registryDown_isUnavailableAndCalledOncePerTopicAndBatch() throws Exception {
        FakeRegistry registry = new FakeRegistry();
        registry.down = true;
        CountingMockProducer producer = new CountingMockProducer(true);

        List<PublishOutcome> outcomes = publish(PayloadFormat.avro(registry), producer,
                List.of(TestEvents.order("a"), TestEvents.order("b"), TestEvents.order("c")));

        assertThat(outcomes).extracting(PublishOutcome::status)
                .containsExactly(Status.UNAVAILABLE, Status.NOT_ATTEMPTED, Status.NOT_ATTEMPTED);
        assertThat(registry.registrations).hasSize(1);
        assertThat(producer.sendAttempts).hasValue(0);
    }

    @Test
    void serializerByClassName_isConfiguredAsValueSerializerAndGetsTextPayloadsAsStrings() throws Exception {
        RecordingSerializer.CALLS.clear();
        CountingMockProducer producer = new CountingMockProducer(true);
        OutboxEvent event = TestEvents.order("o-1");

        List<PublishOutcome> outcomes = publish(PayloadFormat.serializer(RecordingSerializer.class.getName()),
                producer, List.of(event));

        assertThat(outcomes.get(0).isPublished()).isTrue();
        assertThat(new String(producer.history().get(0).value(), StandardCharsets.UTF_8))
                .isEqualTo("S:" + event.payloadAsString());
        assertThat(RecordingSerializer.CALLS).containsExactly("configure isKey=false custom=x",
                "serialize outbox.event.Order String id-header=true", "close");
    }

    @Test
    void serializerFailure_isPermanent() throws Exception {
        CountingMockProducer producer = new CountingMockProducer(true);
        OutboxEvent binary = TestEvents.order("o-1").toBuilder().contentType("application/octet-stream").build();

        List<PublishOutcome> outcomes = publish(PayloadFormat.serializer(RecordingSerializer.class.getName()),
                producer, List.of(binary));

        assertThat(outcomes.get(0).status()).isEqualTo(Status.PERMANENT_FAILURE);
        assertThat(outcomes.get(0).error()).isInstanceOf(PayloadEncodingException.class);
    }

    @Test
    void unknownSerializerClass_isRefusedWhenThePublisherIsBuilt() {
        assertThatThrownBy(() -> KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers("unused:9092")
                .payloadFormat(PayloadFormat.serializer("com.example.Missing")).build(), new CountingMockProducer(true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("com.example.Missing");
    }
}

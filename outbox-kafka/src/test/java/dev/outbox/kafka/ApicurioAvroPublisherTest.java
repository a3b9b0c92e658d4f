package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.embedded.ApicurioRegistryServer;
import dev.outbox.embedded.EmbeddedKafkaBroker;
import dev.outbox.kafka.avro.AvroPayloadCodec;
import dev.outbox.kafka.avro.ConfluentWireFormat;
import dev.outbox.kafka.avro.SchemaRegistryClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Avro in the Confluent wire format against a real Apicurio Registry (its Confluent-compatible API) and a real broker. */
class ApicurioAvroPublisherTest {

    private static EmbeddedKafkaBroker broker;
    private static ApicurioRegistryServer registry;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.builder().start();
        registry = ApicurioRegistryServer.start(ApicurioRegistryServer.locateDistribution());
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void avroRecords_carryTheWireFormatHeader_registerTheTopicValueSubject_andDecodeBack() throws Exception {
        URI api = URI.create(registry.confluentApiUrl());
        List<OutboxEvent> events = List.of(
                OutboxEvent.json("Invoice", "inv-1", "InvoiceIssued", "{\"invoice_id\":\"inv-1\",\"total\":\"19.99\"}"),
                OutboxEvent.json("Invoice", "inv-2", "InvoiceIssued", "{\"invoice_id\":\"inv-2\",\"total\":\"5.00\"}"),
                OutboxEvent.json("Invoice", "inv-1", "InvoicePaid", "{\"invoice_id\":\"inv-1\",\"note\":\"é ✓\"}"));
        try (KafkaOutboxEventPublisher publisher = KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder()
                .bootstrapServers(broker.bootstrapServers())
                .payloadFormat(PayloadFormat.avro(SchemaRegistryClient.confluent(api))).build())) {
            List<PublishOutcome> outcomes = publisher.publish(events).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(outcomes).allMatch(PublishOutcome::isPublished);
        }

        List<ConsumerRecord<byte[], byte[]>> records =
                TopicReader.readAtLeast(broker.bootstrapServers(), "outbox.event.Invoice", events.size());
        assertThat(records).hasSize(events.size());
        JsonNode latest = latestVersion(api, "outbox.event.Invoice-value");
        int registeredId = latest.get("id").asInt();
        assertThat(new Schema.Parser().parse(latest.get("schema").asText()).getType()).isEqualTo(Schema.Type.STRING);
        for (ConsumerRecord<byte[], byte[]> record : records) {
            byte[] value = record.value();
            assertThat(value[0]).as("magic byte").isEqualTo(ConfluentWireFormat.MAGIC_BYTE);
            assertThat(ConfluentWireFormat.schemaId(value)).as("big-endian schema id").isEqualTo(registeredId);
        }

        // a fresh client (empty cache) so that the decoder really resolves the id through the registry
        OutboxRecordDecoder decoder = OutboxRecordDecoder.builder()
                .schemaRegistry(SchemaRegistryClient.confluent(api)).build();
        Map<UUID, String> sent = new HashMap<>();
        events.forEach(e -> sent.put(e.id(), e.payloadAsString()));
        for (ConsumerRecord<byte[], byte[]> record : records) {
            DecodedOutboxEvent decoded = decoder.decode(record);
            assertThat(decoded.payloadAsString()).isEqualTo(sent.get(decoded.id()));
            assertThat(decoded.schemaId()).hasValue(registeredId);
            assertThat(ConfluentWireFormat.body(record.value()))
                    .isEqualTo(AvroPayloadCodec.encodeString(sent.get(decoded.id())));
        }
    }

    private static JsonNode latestVersion(URI api, String subject) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(api + "/subjects/" + subject + "/versions/latest")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET subject %s: %s", subject, response.body()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }
}

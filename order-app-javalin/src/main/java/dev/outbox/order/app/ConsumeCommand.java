package dev.outbox.order.app;

import dev.outbox.kafka.DecodedOutboxEvent;
import dev.outbox.kafka.OutboxRecordDecoder;
import dev.outbox.kafka.avro.SchemaRegistryClient;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code consume --topic T [--from-beginning] [--max N] [--idle-seconds S]}: prints the events
 * on a topic, decoded with {@link OutboxRecordDecoder} (Avro through {@code SCHEMA_REGISTRY_URL}
 * when set). Without {@code --max} it runs until interrupted; with {@code --idle-seconds} it
 * stops after that long without a record.
 */
final class ConsumeCommand {
    private ConsumeCommand() {
    }

    static int run(String bootstrapServers, Optional<String> registryUrl, List<String> args, PrintStream out) {
        Arguments parsed = Arguments.parse(args, Set.of("topic", "max", "idle-seconds"), Set.of("from-beginning"));
        String topic = parsed.value("topic")
                .orElseThrow(() -> new Arguments.UsageException("consume needs --topic, e.g. --topic Order"));
        int max = parsed.intValue("max", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        int idleSeconds = parsed.intValue("idle-seconds", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        OutboxRecordDecoder.Builder decoder = OutboxRecordDecoder.builder();
        registryUrl.ifPresent(url -> decoder.schemaRegistry(SchemaRegistryClient.confluent(URI.create(url))));
        OutboxRecordDecoder decode = decoder.build();
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "order-cli-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, parsed.flag("from-beginning") ? "earliest" : "latest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        int seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            out.println("Consuming " + topic + " from " + bootstrapServers + (parsed.flag("from-beginning")
                    ? " from the beginning" : " (new records only; add --from-beginning for all)"));
            Instant lastRecord = Instant.now();
            while (seen < max && Duration.between(lastRecord, Instant.now()).toSeconds() < idleSeconds) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    lastRecord = Instant.now();
                    out.println(format(decode, record));
                    if (++seen >= max) {
                        break;
                    }
                }
            }
        }
        out.println(seen + " event(s) consumed.");
        return 0;
    }

    private static String format(OutboxRecordDecoder decoder, ConsumerRecord<byte[], byte[]> record) {
        try {
            DecodedOutboxEvent event = decoder.decode(record);
            return event.topic() + "[" + event.partition() + "]@" + event.offset() + " " + event.eventType() + " id="
                    + event.id() + " key=" + event.aggregateId()
                    + (event.sequence().isPresent() ? " sequence=" + event.sequence().getAsLong() : "")
                    + (event.schemaId().isPresent() ? " schema=" + event.schemaId().getAsInt() : "")
                    + "\n  " + event.payloadAsString();
        } catch (RuntimeException e) {
            return record.topic() + "[" + record.partition() + "]@" + record.offset() + " undecodable: " + e.getMessage();
        }
    }
}

package dev.outbox.benchmarks.relays;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.debezium.ConnectWorkerConversion;
import dev.outbox.embedded.EmbeddedPostgresServer;
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Debezium's embedded engine with the connector configuration shipped by outbox-debezium-compat
 * (only the connection and the offset storage, a temporary file, overridden), producing each
 * batch to the broker with a producer of our publisher's settings and committing offsets once
 * the batch is acknowledged, as a Connect worker would.
 */
final class DebeziumLeg implements RelayLeg {

    private static final String CONFIG_RESOURCE = "/debezium/outbox-connector.json";

    private final BenchmarkEnvironment environment;
    private final Map<String, String> config;
    private final Properties engineProperties;
    private final ConnectWorkerConversion conversion;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Path offsets;
    private ExecutorService executor;
    private DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;

    DebeziumLeg(BenchmarkEnvironment environment) throws IOException {
        this.environment = environment;
        this.config = shippedConfig();
        this.offsets = Files.createTempFile("debezium-offsets-", ".dat");
        EmbeddedPostgresServer postgres = environment.postgres();
        engineProperties = new Properties();
        engineProperties.putAll(config);
        engineProperties.putAll(Map.of(
                "database.hostname", "127.0.0.1",
                "database.port", String.valueOf(postgres.port()),
                "database.user", EmbeddedPostgresServer.USER,
                "database.password", "",
                "database.dbname", EmbeddedPostgresServer.DEFAULT_DATABASE,
                "offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore",
                "offset.storage.file.filename", offsets.toString(),
                "offset.flush.interval.ms", "1000"));
        this.conversion = ConnectWorkerConversion.of(config);
        this.producer = new KafkaProducer<>(environment.publisherProducerProperties());
    }

    @Override
    public String name() {
        return "Debezium embedded engine";
    }

    @Override
    public void start() throws InterruptedException {
        engine = DebeziumEngine.create(Connect.class)
                .using(engineProperties)
                .notifying(this::sendBatch)
                .using((success, message, error) -> {
                    if (!success) {
                        failure.set(error != null ? error : new IllegalStateException(message));
                    }
                })
                .build();
        executor = Executors.newSingleThreadExecutor();
        executor.execute(engine);
        environment.awaitSlotActive(config.get("slot.name"));
    }

    private void sendBatch(List<ChangeEvent<SourceRecord, SourceRecord>> records,
            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (ChangeEvent<SourceRecord, SourceRecord> record : records) {
            acks.add(producer.send(conversion.toProducerRecord(record.value())));
        }
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("Kafka refused a Debezium record", e.getCause());
            }
        }
        for (ChangeEvent<SourceRecord, SourceRecord> record : records) {
            committer.markProcessed(record);
        }
        committer.markBatchFinished();
    }

    @Override
    public void stop() throws IOException {
        if (engine != null) {
            engine.close();
            executor.shutdown();
            try {
                executor.awaitTermination(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            engine = null;
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the Debezium engine failed", failure.get());
        }
    }

    @Override
    public void release() throws IOException, InterruptedException {
        try {
            stop();
        } finally {
            producer.close();
            environment.dropSlotAndPublication(config.get("slot.name"), config.get("publication.name"));
            Files.deleteIfExists(offsets);
        }
    }

    private static Map<String, String> shippedConfig() {
        try (InputStream in = DebeziumLeg.class.getResourceAsStream(CONFIG_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CONFIG_RESOURCE + " not on the class path (outbox-debezium-compat)");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, String> config = new LinkedHashMap<>();
            root.required("config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
            config.put("name", root.required("name").asText());
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + CONFIG_RESOURCE, e);
        }
    }
}

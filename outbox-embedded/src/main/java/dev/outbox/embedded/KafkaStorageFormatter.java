package dev.outbox.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * Formats a KRaft log directory exactly as {@code kafka-storage format -t <id> -c <config>}
 * does, by running Kafka's own storage tool in-process; the tool's command line is Kafka's
 * stable interface, its internal formatter classes are not.
 */
final class KafkaStorageFormatter {
    private KafkaStorageFormatter() {
    }

    /** Formats {@code logDir} with a new cluster id unless it already holds {@code meta.properties}. */
    static void formatIfNeeded(Path logDir, Map<String, String> brokerConfig) {
        if (Files.isRegularFile(logDir.resolve("meta.properties"))) {
            return;
        }
        Path configFile = null;
        try {
            Files.createDirectories(logDir);
            configFile = Files.createTempFile("embedded-kafka-", ".properties");
            Properties properties = new Properties();
            properties.putAll(brokerConfig);
            try (Writer writer = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
                properties.store(writer, "embedded Kafka broker");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int status;
            try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                String[] args = {"format", "--cluster-id", Uuid.randomUuid().toString(),
                    "--config", configFile.toString()};
                status = StorageTool.execute(args, out);
            }
            if (status != 0) {
                throw new EmbeddedServerException("kafka-storage format of " + logDir + " failed with status "
                        + status + ": " + output.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new EmbeddedServerException("cannot prepare Kafka log dir " + logDir, e);
        } catch (EmbeddedServerException e) {
            throw e;
        } catch (Exception e) {
            throw new EmbeddedServerException("kafka-storage format of " + logDir + " failed", e);
        } finally {
            if (configFile != null) {
                try {
                    Files.deleteIfExists(configFile);
                } catch (IOException ignored) {
                    // A leftover temp file holds no secret and no data.
                }
            }
        }
    }
}

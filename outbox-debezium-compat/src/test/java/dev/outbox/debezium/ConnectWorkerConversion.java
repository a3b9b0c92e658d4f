package dev.outbox.debezium;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.HeaderConverter;

/**
 * Does what a Kafka Connect worker does with a transformed source record before its producer
 * sends it: the connector's key, value and header converters, configured from the
 * {@code key.converter.*}, {@code value.converter.*} and {@code header.converter.*} settings,
 * turn it into bytes. The embedded engine's Connect format hands over records without this step.
 *
 * <p>Test support, published in this module's test-jar for the relay benchmark. Not thread-safe.
 */
public final class ConnectWorkerConversion {

    private final Converter keyConverter;
    private final Converter valueConverter;
    private final HeaderConverter headerConverter;

    private ConnectWorkerConversion(Converter keyConverter, Converter valueConverter, HeaderConverter headerConverter) {
        this.keyConverter = keyConverter;
        this.valueConverter = valueConverter;
        this.headerConverter = headerConverter;
    }

    /** Creates the converters the connector configuration names; each one must be named there. */
    public static ConnectWorkerConversion of(Map<String, String> connectorConfig) {
        Converter key = instantiate(connectorConfig, "key.converter", Converter.class);
        key.configure(withPrefix(connectorConfig, "key.converter."), true);
        Converter value = instantiate(connectorConfig, "value.converter", Converter.class);
        value.configure(withPrefix(connectorConfig, "value.converter."), false);
        HeaderConverter header = instantiate(connectorConfig, "header.converter", HeaderConverter.class);
        Map<String, Object> headerConfig = withPrefix(connectorConfig, "header.converter.");
        headerConfig.put("converter.type", "header");
        header.configure(headerConfig);
        return new ConnectWorkerConversion(key, value, header);
    }

    /** Converts a transformed record into the producer record the worker would send. */
    public ProducerRecord<byte[], byte[]> toProducerRecord(SourceRecord record) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            headers.add(header.key(),
                    headerConverter.fromConnectHeader(record.topic(), header.key(), header.schema(), header.value()));
        }
        byte[] key = keyConverter.fromConnectData(record.topic(), headers, record.keySchema(), record.key());
        byte[] value = valueConverter.fromConnectData(record.topic(), headers, record.valueSchema(), record.value());
        Long timestamp = record.timestamp() == null || record.timestamp() < 0 ? null : record.timestamp();
        return new ProducerRecord<>(record.topic(), record.kafkaPartition(), timestamp, key, value, headers);
    }

    private static <T> T instantiate(Map<String, String> config, String setting, Class<T> type) {
        String className = config.get(setting);
        if (className == null) {
            throw new IllegalStateException("the connector configuration must name its " + setting);
        }
        try {
            return type.cast(Class.forName(className).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + setting + " " + className, e);
        }
    }

    private static Map<String, Object> withPrefix(Map<String, String> config, String prefix) {
        Map<String, Object> result = new HashMap<>();
        config.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                result.put(key.substring(prefix.length()), value);
            }
        });
        return result;
    }
}

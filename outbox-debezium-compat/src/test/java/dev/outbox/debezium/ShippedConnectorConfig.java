package dev.outbox.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The connector configuration this module ships ({@value #RESOURCE}), read the way Kafka
 * Connect's REST API reads it: a name and a flat map of string settings.
 */
record ShippedConnectorConfig(String name, Map<String, String> config) {

    static final String RESOURCE = "/debezium/outbox-connector.json";

    static ShippedConnectorConfig load() {
        try (InputStream in = ShippedConnectorConfig.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing class-path resource " + RESOURCE);
            }
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, String> config = new LinkedHashMap<>();
            root.required("config").properties().forEach(e -> {
                if (!e.getValue().isTextual()) {
                    throw new IllegalStateException("setting " + e.getKey() + " must be a JSON string");
                }
                config.put(e.getKey(), e.getValue().asText());
            });
            return new ShippedConnectorConfig(root.required("name").asText(), Map.copyOf(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * Returns the settings for Debezium's embedded engine: the shipped ones, with {@code overrides}
     * on top (connection settings and offset storage only, by convention of the callers).
     */
    Properties engineProperties(Map<String, String> overrides) {
        Properties properties = new Properties();
        properties.putAll(config);
        properties.setProperty("name", name);
        properties.putAll(overrides);
        return properties;
    }
}

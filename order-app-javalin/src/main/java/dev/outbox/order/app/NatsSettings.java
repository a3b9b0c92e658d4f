package dev.outbox.order.app;

import dev.outbox.nats.SubjectTemplate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The settings of {@code PUBLISHER=nats}, read from the environment and validated at start with
 * a {@link ConfigException} naming the variable; read only when {@code PUBLISHER=nats}.
 *
 * @param url             {@code NATS_URL}, default {@code nats://127.0.0.1:4222}
 * @param subjectTemplate {@code NATS_SUBJECT}, default {@code outbox.${aggregateType}.${aggregateId}}
 * @param stream          {@code NATS_STREAM}: the JetStream stream the events must land in, default {@code OUTBOX}
 * @param createStream    {@code NATS_CREATE_STREAM}: create the stream at start when it is missing, default {@code true}
 * @param duplicateWindow {@code NATS_DUPLICATE_WINDOW}: the created stream's duplicate window, default 2m
 */
record NatsSettings(String url, String subjectTemplate, String stream, boolean createStream, Duration duplicateWindow) {

    /** Reads the settings; missing or blank variables take their default. */
    static NatsSettings from(Map<String, String> env) {
        Function<String, Optional<String>> get = name -> Optional.ofNullable(env.get(name)).map(String::strip)
                .filter(v -> !v.isEmpty());
        String url = get.apply("NATS_URL").orElse("nats://127.0.0.1:4222");
        if (!url.matches("(nats|tls)://[^\\s,]+(,(nats|tls)://[^\\s,]+)*")) {
            throw new ConfigException("NATS_URL must be nats://host:port (or tls://, several separated by ','), got '"
                    + url + "'");
        }
        String template = get.apply("NATS_SUBJECT").orElse(SubjectTemplate.DEFAULT);
        try {
            SubjectTemplate.of(template);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("NATS_SUBJECT: " + e.getMessage());
        }
        String stream = get.apply("NATS_STREAM").orElse("OUTBOX");
        if (!stream.matches("[A-Za-z0-9_-]{1,255}")) {
            throw new ConfigException("NATS_STREAM must be a stream name of letters, digits, '_' and '-', got '"
                    + stream + "'");
        }
        String create = get.apply("NATS_CREATE_STREAM").orElse("true");
        if (!create.equalsIgnoreCase("true") && !create.equalsIgnoreCase("false")) {
            throw new ConfigException("NATS_CREATE_STREAM must be true or false, got '" + create + "'");
        }
        Duration window = AppConfig.duration("NATS_DUPLICATE_WINDOW", get.apply("NATS_DUPLICATE_WINDOW").orElse("2m"),
                false);
        return new NatsSettings(url, template, stream, Boolean.parseBoolean(create), window);
    }

    @Override
    public String toString() {
        return "nats=" + url + " subject " + subjectTemplate + " stream " + stream
                + (createStream ? " (created if missing, duplicate window " + AppConfig.label(duplicateWindow) + ")" : "");
    }
}

package dev.outbox.order.app;

import dev.outbox.jdbc.replication.TableMode;
import dev.outbox.kafka.TopicNaming;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service's configuration, read from environment variables, each with a default that works
 * on a fresh machine, validated at start: an invalid value fails with a {@link ConfigException}
 * naming the variable. The README's configuration table lists them all.
 *
 * @param databaseUrl            {@code DATABASE_URL}: JDBC URL of PostgreSQL; empty for the embedded server
 * @param databaseUser           {@code DATABASE_USER}
 * @param databasePassword       {@code DATABASE_PASSWORD}
 * @param embeddedPostgresDir    {@code EMBEDDED_POSTGRES_DIR}, default {@code ./.outbox-data/postgres}
 * @param embeddedPostgresPort   {@code EMBEDDED_POSTGRES_PORT}, default 54329 (0 for any free port)
 * @param kafkaBootstrapServers  {@code KAFKA_BOOTSTRAP_SERVERS}; empty for the in-process broker
 * @param embeddedKafkaDir       {@code EMBEDDED_KAFKA_DIR}, default {@code ./.outbox-data/kafka}
 * @param embeddedKafkaPort      {@code EMBEDDED_KAFKA_PORT}, default 19092 (0 for any free port)
 * @param schemaRegistryUrl      {@code SCHEMA_REGISTRY_URL}: Avro through this registry when set, JSON otherwise
 * @param relayMode              {@code RELAY_MODE}: {@code polling} (default), {@code log-tailing} or {@code none}
 * @param tableMode              {@code OUTBOX_TABLE_MODE}: {@code keep-rows} (default) or {@code log-only} (needs
 *                               {@code RELAY_MODE=log-tailing})
 * @param replicationSlot        {@code REPLICATION_SLOT}: the log-tailing relay's slot, default {@code outbox_slot}
 * @param replicationPublication {@code REPLICATION_PUBLICATION}: its publication, default {@code outbox_pub}
 * @param publisher              {@code PUBLISHER}: {@code kafka} (default), {@code log}, {@code rabbitmq} or {@code nats}
 * @param topicTemplate          {@code TOPIC_TEMPLATE}, default {@code ${aggregateType}}; {@code ${eventType}} too
 * @param pollInterval           {@code RELAY_POLL_INTERVAL}, default 1s
 * @param batchSize              {@code RELAY_BATCH_SIZE}, default 500
 * @param maxAttempts            {@code RELAY_MAX_ATTEMPTS}, default 10
 * @param retention              {@code OUTBOX_RETENTION}: how long published events are kept for replay, default 24h
 * @param host                   {@code HOST}, default {@code 0.0.0.0}
 * @param port                   {@code PORT}, default 8080 (0 for any free port)
 * @param databaseConnectionTimeout {@code DATABASE_CONNECTION_TIMEOUT}: how long a request (or the relay) waits for
 *                               a pooled connection before it fails, default 2s (250ms to 60s); while the database is
 *                               down, requests are answered 503 after at most this long
 * @param idempotencyKeyRetention {@code IDEMPOTENCY_KEY_RETENTION}: how long an {@code Idempotency-Key} and its
 *                               answer are kept, default 24h (greater than zero)
 * @param healthDeliveryStall    {@code HEALTH_DELIVERY_STALL}: how long delivery may make no progress before
 *                               {@code /health} is DOWN, default 60s ({@code 0} turns the check off)
 * @param replicationLeaderTimeout {@code REPLICATION_LEADER_TIMEOUT}: how long a silent log-tailing leader keeps the
 *                               slot before a standby replaces it, default 30s (at least 1s)
 * @param rabbitMq               the {@code RABBITMQ_*} settings, present with {@code PUBLISHER=rabbitmq}
 *                               (see {@link RabbitMqSettings})
 * @param nats                   the {@code NATS_*} settings, present when {@code PUBLISHER=nats} (see {@link NatsSettings})
 */
public record AppConfig(
        Optional<String> databaseUrl,
        Optional<String> databaseUser,
        Optional<String> databasePassword,
        Path embeddedPostgresDir,
        int embeddedPostgresPort,
        Optional<String> kafkaBootstrapServers,
        Path embeddedKafkaDir,
        int embeddedKafkaPort,
        Optional<String> schemaRegistryUrl,
        RelayMode relayMode,
        TableMode tableMode,
        String replicationSlot,
        String replicationPublication,
        PublisherKind publisher,
        String topicTemplate,
        Duration pollInterval,
        int batchSize,
        int maxAttempts,
        Duration retention,
        String host,
        int port,
        Duration databaseConnectionTimeout,
        Duration idempotencyKeyRetention,
        Duration healthDeliveryStall,
        Duration replicationLeaderTimeout,
        Optional<RabbitMqSettings> rabbitMq,
        Optional<NatsSettings> nats) {

    /** How events leave the database. */
    public enum RelayMode {
        /** The polling relay runs in this process. */
        POLLING,
        /** The log-tailing relay (PostgreSQL logical replication) runs in this process. */
        LOG_TAILING,
        /** No relay in this process (another instance or Debezium delivers). */
        NONE
    }

    /** Where the relay publishes. */
    public enum PublisherKind {
        /** Apache Kafka. */
        KAFKA,
        /** Only log each event: the publisher port swapped without touching anything else. */
        LOG,
        /** RabbitMQ with publisher confirms ({@link RabbitMqWiring}). */
        RABBITMQ,
        /** NATS JetStream ({@code NATS_*} settings, see {@link NatsSettings}). */
        NATS
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Pattern PG_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** Reads the configuration from the process environment. */
    public static AppConfig fromEnvironment() {
        return from(System.getenv());
    }

    /**
     * Reads the configuration from {@code env}; missing or blank variables take their default.
     *
     * @throws ConfigException naming the first invalid variable
     */
    public static AppConfig from(Map<String, String> env) {
        Function<String, Optional<String>> get = name -> Optional.ofNullable(env.get(name))
                .map(String::strip).filter(v -> !v.isEmpty());
        Optional<String> databaseUrl = get.apply("DATABASE_URL");
        databaseUrl.ifPresent(url -> {
            if (!url.startsWith("jdbc:postgresql://")) {
                throw new ConfigException("DATABASE_URL must be a PostgreSQL JDBC URL such as "
                        + "jdbc:postgresql://localhost:5432/orders, got '" + url + "'");
            }
        });
        Optional<String> registry = get.apply("SCHEMA_REGISTRY_URL");
        registry.ifPresent(url -> requireHttpUrl("SCHEMA_REGISTRY_URL", url));
        Optional<String> bootstrap = get.apply("KAFKA_BOOTSTRAP_SERVERS");
        bootstrap.ifPresent(servers -> {
            if (!servers.matches("[A-Za-z0-9._\\-\\[\\]:]+:\\d+(,[A-Za-z0-9._\\-\\[\\]:]+:\\d+)*")) {
                throw new ConfigException("KAFKA_BOOTSTRAP_SERVERS must be host:port[,host:port...], got '" + servers + "'");
            }
        });
        String template = get.apply("TOPIC_TEMPLATE").orElse("${aggregateType}");
        try {
            TopicNaming.template(template); // the publisher's own check: one owner of the template rules
        } catch (IllegalArgumentException e) {
            throw new ConfigException("TOPIC_TEMPLATE is invalid: " + e.getMessage());
        }
        RelayMode relayMode = choice("RELAY_MODE", get.apply("RELAY_MODE").orElse("polling"), RelayMode.class);
        TableMode tableMode = choice("OUTBOX_TABLE_MODE", get.apply("OUTBOX_TABLE_MODE").orElse("keep-rows"),
                TableMode.KEEP_ROWS, TableMode.LOG_ONLY);
        if (tableMode == TableMode.LOG_ONLY && relayMode != RelayMode.LOG_TAILING) {
            throw new ConfigException("OUTBOX_TABLE_MODE=log-only needs RELAY_MODE=log-tailing (only the log-tailing "
                    + "relay sees events that never stay in the table), got RELAY_MODE=" + label(relayMode));
        }
        PublisherKind publisher = choice("PUBLISHER", get.apply("PUBLISHER").orElse("kafka"), PublisherKind.class);
        Optional<NatsSettings> nats = publisher == PublisherKind.NATS ? Optional.of(NatsSettings.from(env)) : Optional.empty();
        return new AppConfig(
                databaseUrl,
                get.apply("DATABASE_USER"),
                get.apply("DATABASE_PASSWORD"),
                Path.of(get.apply("EMBEDDED_POSTGRES_DIR").orElse("./.outbox-data/postgres")),
                port("EMBEDDED_POSTGRES_PORT", get.apply("EMBEDDED_POSTGRES_PORT").orElse("54329")),
                bootstrap,
                Path.of(get.apply("EMBEDDED_KAFKA_DIR").orElse("./.outbox-data/kafka")),
                port("EMBEDDED_KAFKA_PORT", get.apply("EMBEDDED_KAFKA_PORT").orElse("19092")),
                registry,
                relayMode,
                tableMode,
                pgName("REPLICATION_SLOT", get.apply("REPLICATION_SLOT").orElse("outbox_slot")),
                pgName("REPLICATION_PUBLICATION", get.apply("REPLICATION_PUBLICATION").orElse("outbox_pub")),
                publisher,
                template,
                duration("RELAY_POLL_INTERVAL", get.apply("RELAY_POLL_INTERVAL").orElse("1s"), false),
                integer("RELAY_BATCH_SIZE", get.apply("RELAY_BATCH_SIZE").orElse("500"), 1, 10_000),
                integer("RELAY_MAX_ATTEMPTS", get.apply("RELAY_MAX_ATTEMPTS").orElse("10"), 1, 1_000),
                duration("OUTBOX_RETENTION", get.apply("OUTBOX_RETENTION").orElse("24h"), true),
                get.apply("HOST").orElse("0.0.0.0"),
                port("PORT", get.apply("PORT").orElse("8080")),
                connectionTimeout(get.apply("DATABASE_CONNECTION_TIMEOUT").orElse("2s")),
                duration("IDEMPOTENCY_KEY_RETENTION", get.apply("IDEMPOTENCY_KEY_RETENTION").orElse("24h"), false),
                duration("HEALTH_DELIVERY_STALL", get.apply("HEALTH_DELIVERY_STALL").orElse("60s"), true),
                leaderTimeout(get.apply("REPLICATION_LEADER_TIMEOUT").orElse("30s")),
                publisher == PublisherKind.RABBITMQ ? Optional.of(RabbitMqSettings.from(get)) : Optional.empty(),
                nats);
    }

    /** Returns whether the database is the embedded server. */
    public boolean embeddedPostgres() {
        return databaseUrl.isEmpty();
    }

    /** Returns whether the broker is the in-process one. */
    public boolean embeddedKafka() {
        return kafkaBootstrapServers.isEmpty();
    }

    /** Describes the configuration without the password. */
    @Override
    public String toString() {
        return "AppConfig[database=" + databaseUrl.orElse("embedded " + embeddedPostgresDir)
                + ", kafka=" + kafkaBootstrapServers.orElse("in-process " + embeddedKafkaDir)
                + ", schemaRegistry=" + schemaRegistryUrl.orElse("none (JSON)") + ", relay=" + label(relayMode)
                + (relayMode == RelayMode.LOG_TAILING ? " (" + label(tableMode) + ", slot " + replicationSlot
                        + ", publication " + replicationPublication + ")" : "")
                + ", publisher=" + publisher + rabbitMq.map(r -> " (" + r + ")").orElse("")
                + nats.map(n -> " (" + n + ")").orElse("") + ", topicTemplate=" + topicTemplate + ", pollInterval=" + pollInterval
                + ", batchSize=" + batchSize + ", maxAttempts=" + maxAttempts + ", retention=" + retention
                + ", http=" + host + ":" + port + ", connectionTimeout=" + label(databaseConnectionTimeout)
                + ", idempotencyKeyRetention=" + label(idempotencyKeyRetention)
                + ", healthDeliveryStall=" + label(healthDeliveryStall)
                + (relayMode == RelayMode.LOG_TAILING ? ", leaderTimeout=" + label(replicationLeaderTimeout) : "")
                + "]";
    }

    private static Duration leaderTimeout(String value) {
        Duration timeout = duration("REPLICATION_LEADER_TIMEOUT", value, false);
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("REPLICATION_LEADER_TIMEOUT must be at least 1s (the leader renews its lease "
                    + "every sixth of it), got " + value);
        }
        return timeout;
    }

    static int integer(String name, String value, int min, int max) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(name + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }

    /** Hikari refuses less than 250 ms; more than a minute would hold requests as long as the old fixed wait did. */
    private static Duration connectionTimeout(String value) {
        Duration timeout = duration("DATABASE_CONNECTION_TIMEOUT", value, false);
        if (timeout.compareTo(Duration.ofMillis(250)) < 0 || timeout.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new ConfigException("DATABASE_CONNECTION_TIMEOUT must be from 250ms to 60s, got '" + value + "'");
        }
        return timeout;
    }

    /** Returns how a duration is spelled in the environment: {@code 60s}, {@code 500ms}, {@code 24h}. */
    static String label(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0 && millis > 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    private static int port(String name, String value) {
        return integer(name, value, 0, 65_535);
    }

    static Duration duration(String name, String value, boolean zeroAllowed) {
        Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
        Duration parsed = null;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            parsed = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else if (value.equals("0")) {
            parsed = Duration.ZERO;
        }
        if (parsed == null || (parsed.isZero() && !zeroAllowed)) {
            throw new ConfigException(name + " must be a duration such as 500ms, 2s, 5m, 24h or 7d"
                    + (zeroAllowed ? " (or 0)" : " greater than zero") + ", got '" + value + "'");
        }
        return parsed;
    }

    /** Returns how an enum constant is spelled in the environment: lower case, dashes ({@code log-tailing}). */
    static String label(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String pgName(String name, String value) {
        if (!PG_NAME.matcher(value).matches()) {
            throw new ConfigException(name + " must be a lower-case PostgreSQL identifier ([a-z_][a-z0-9_]*, at most "
                    + "63 characters), got '" + value + "'");
        }
        return value;
    }

    private static <E extends Enum<E>> E choice(String name, String value, Class<E> type) {
        return choice(name, value, type.getEnumConstants());
    }

    /** Returns the constant labelled {@code value}; the error lists {@code constants} in the order given. */
    @SafeVarargs
    private static <E extends Enum<E>> E choice(String name, String value, E... constants) {
        for (E constant : constants) {
            if (label(constant).equalsIgnoreCase(value) || constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E constant : constants) {
            allowed.append(allowed.length() == 0 ? "" : "|").append(label(constant));
        }
        throw new ConfigException(name + " must be one of " + allowed + ", got '" + value + "'");
    }

    private static void requireHttpUrl(String name, String value) {
        try {
            URI uri = URI.create(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ConfigException(name + " must be an http(s) URL such as http://localhost:8081, got '" + value + "'");
    }
}

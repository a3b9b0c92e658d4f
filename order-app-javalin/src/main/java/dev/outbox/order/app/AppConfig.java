package dev.outbox.order.app;

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
 * @param relayMode              {@code RELAY_MODE}: {@code polling} (default) or {@code none}
 * @param publisher              {@code PUBLISHER}: {@code kafka} (default) or {@code log}
 * @param topicTemplate          {@code TOPIC_TEMPLATE}, default {@code ${aggregateType}}
 * @param pollInterval           {@code RELAY_POLL_INTERVAL}, default 1s
 * @param batchSize              {@code RELAY_BATCH_SIZE}, default 500
 * @param maxAttempts            {@code RELAY_MAX_ATTEMPTS}, default 10
 * @param retention              {@code OUTBOX_RETENTION}: how long published events are kept for replay, default 24h
 * @param host                   {@code HOST}, default {@code 0.0.0.0}
 * @param port                   {@code PORT}, default 8080 (0 for any free port)
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
        PublisherKind publisher,
        String topicTemplate,
        Duration pollInterval,
        int batchSize,
        int maxAttempts,
        Duration retention,
        String host,
        int port) {

    /** How events leave the database. */
    public enum RelayMode {
        /** The polling relay runs in this process. */
        POLLING,
        /** No relay in this process (another instance or Debezium delivers). */
        NONE
    }

    /** Where the relay publishes. */
    public enum PublisherKind {
        /** Apache Kafka. */
        KAFKA,
        /** Only log each event: the publisher port swapped without touching anything else. */
        LOG
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

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
        if (!template.replace("${aggregateType}", "x").replace("${routedByValue}", "x").matches("[A-Za-z0-9._-]{1,249}")) {
            throw new ConfigException("TOPIC_TEMPLATE may hold only [A-Za-z0-9._-] around ${aggregateType}, got '"
                    + template + "'");
        }
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
                choice("RELAY_MODE", get.apply("RELAY_MODE").orElse("polling"), RelayMode.class),
                choice("PUBLISHER", get.apply("PUBLISHER").orElse("kafka"), PublisherKind.class),
                template,
                duration("RELAY_POLL_INTERVAL", get.apply("RELAY_POLL_INTERVAL").orElse("1s"), false),
                integer("RELAY_BATCH_SIZE", get.apply("RELAY_BATCH_SIZE").orElse("500"), 1, 10_000),
                integer("RELAY_MAX_ATTEMPTS", get.apply("RELAY_MAX_ATTEMPTS").orElse("10"), 1, 1_000),
                duration("OUTBOX_RETENTION", get.apply("OUTBOX_RETENTION").orElse("24h"), true),
                get.apply("HOST").orElse("0.0.0.0"),
                port("PORT", get.apply("PORT").orElse("8080")));
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
                + ", schemaRegistry=" + schemaRegistryUrl.orElse("none (JSON)") + ", relay=" + relayMode
                + ", publisher=" + publisher + ", topicTemplate=" + topicTemplate + ", pollInterval=" + pollInterval
                + ", batchSize=" + batchSize + ", maxAttempts=" + maxAttempts + ", retention=" + retention
                + ", http=" + host + ":" + port + "]";
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

    private static <E extends Enum<E>> E choice(String name, String value, Class<E> type) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : "|").append(constant.name().toLowerCase(Locale.ROOT));
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

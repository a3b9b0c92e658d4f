package dev.outbox.kafka;

import dev.outbox.kafka.avro.SchemaRegistryClient;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serializer;

/**
 * How an event's payload becomes the Kafka record value. Choose one of the factories:
 *
 * <ul>
 *   <li>{@link #json()} (the default): the payload bytes unchanged, as Debezium's outbox router
 *       with a {@code StringConverter} or {@code JsonConverter} without schemas gives them;
 *   <li>{@link #avro(SchemaRegistryClient)}: Avro in the Confluent wire format, the schema
 *       registered under {@code <topic>-value}; a JSON payload travels as an Avro
 *       {@code string}, as Debezium's router with Confluent's Avro converter gives it;
 *   <li>{@link #serializer(String)}: any Kafka {@link Serializer}, e.g. Confluent's
 *       {@code io.confluent.kafka.serializers.KafkaAvroSerializer} when its jar is on the
 *       class path.
 * </ul>
 *
 * <p>Instances are immutable and thread-safe; one format may serve several publishers. Encoding
 * failures are reported per event: a serializer's {@code SerializationException} or a
 * {@link PayloadEncodingException} as a permanent failure, an unreachable schema registry as
 * {@code UNAVAILABLE} (no attempt counted), a schema the registry rejects as the event's own
 * retriable failure.
 */
public abstract class PayloadFormat {

    PayloadFormat() {
    }

    /** Creates the encoder one publisher uses, given the publisher's effective producer properties. */
    abstract PayloadEncoder newEncoder(Map<String, Object> producerProperties);

    /** Returns the pass-through format: the record value is the payload bytes, unchanged. The default. */
    public static PayloadFormat json() {
        return Json.INSTANCE;
    }

    /**
     * Returns Avro in the Confluent wire format, registering schemas through {@code registry}.
     * A text payload (JSON, {@code text/*}) is written as an Avro {@code string} (schema
     * {@code {"type":"string"}}), any other payload as an Avro {@code bytes}.
     *
     * @param registry the registry client; its request timeout bounds how long a publish waits
     *     for the registry the first time a topic is seen
     */
    public static PayloadFormat avro(SchemaRegistryClient registry) {
        return new Avro(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * Returns Avro in the Confluent wire format against the registry at {@code registryUrl}.
     *
     * @param registryUrl the Confluent REST API root, e.g. {@code http://localhost:8081} or
     *     Apicurio's {@code http://localhost:8080/apis/ccompat/v7}
     * @throws IllegalArgumentException if the URL is not an absolute http(s) URL
     */
    public static PayloadFormat avro(String registryUrl) {
        Objects.requireNonNull(registryUrl, "registryUrl");
        return avro(SchemaRegistryClient.confluent(URI.create(registryUrl)));
    }

    /**
     * Returns a format that delegates to a Kafka {@link Serializer}, instantiated by class name
     * through its public no-argument constructor when the publisher is built, then configured
     * with the publisher's producer properties (so put e.g. {@code schema.registry.url} among
     * them) and {@code isKey = false}, and closed with the publisher.
     *
     * <p>The serializer receives {@code serialize(topic, headers, value)} with the record's topic,
     * its headers (already holding {@code id}, the event type and the event's headers), and as
     * value the payload as a {@code String} (UTF-8 decoded) when the content type is text
     * ({@code application/json}, {@code *+json}, {@code text/*}), otherwise the payload
     * {@code byte[]}. Confluent's {@code KafkaAvroSerializer} thus writes a JSON payload as an
     * Avro {@code string}, like Debezium with Confluent's Avro converter.
     *
     * @param className the serializer's fully qualified class name
     * @throws IllegalArgumentException (when the publisher is built) if the class cannot be
     *     loaded, is not a {@link Serializer} or cannot be instantiated
     */
    public static PayloadFormat serializer(String className) {
        Objects.requireNonNull(className, "className");
        return new SerializerFormat(className);
    }

    /** The pass-through format. */
    private static final class Json extends PayloadFormat {
        static final Json INSTANCE = new Json();

        @Override
        PayloadEncoder newEncoder(Map<String, Object> producerProperties) {
            return new JsonPayloadEncoder();
        }

        @Override
        public String toString() {
            return "PayloadFormat.json()";
        }
    }

    /** Avro in the Confluent wire format. */
    private static final class Avro extends PayloadFormat {
        private final SchemaRegistryClient registry;

        Avro(SchemaRegistryClient registry) {
            this.registry = registry;
        }

        @Override
        PayloadEncoder newEncoder(Map<String, Object> producerProperties) {
            return new AvroPayloadEncoder(registry);
        }

        @Override
        public String toString() {
            return "PayloadFormat.avro()";
        }
    }

    /** A Kafka serializer named by class. */
    private static final class SerializerFormat extends PayloadFormat {
        private final String className;

        SerializerFormat(String className) {
            this.className = className;
        }

        @Override
        @SuppressWarnings("unchecked")
        PayloadEncoder newEncoder(Map<String, Object> producerProperties) {
            Object instance;
            try {
                Class<?> type = Class.forName(className, true, classLoader());
                instance = type.getConstructor().newInstance();
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException("payload serializer class '" + className + "' not found", e);
            } catch (ReflectiveOperationException | LinkageError e) {
                Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
                throw new IllegalArgumentException("payload serializer class '" + className
                        + "' cannot be instantiated through a public no-argument constructor", cause);
            }
            if (!(instance instanceof Serializer<?> serializer)) {
                throw new IllegalArgumentException("payload serializer class '" + className + "' does not implement "
                        + Serializer.class.getName());
            }
            return new SerializerPayloadEncoder((Serializer<Object>) serializer, producerProperties);
        }

        private static ClassLoader classLoader() {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            return context != null ? context : PayloadFormat.class.getClassLoader();
        }

        @Override
        public String toString() {
            return "PayloadFormat.serializer(" + className + ")";
        }
    }
}

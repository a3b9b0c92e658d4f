package dev.outbox.kafka.avro;

import java.net.URI;
import java.time.Duration;

/**
 * The two schema registry operations the outbox needs, in the Confluent REST API's terms.
 *
 * <p>Implementations are thread-safe and cache what they learn: a schema registered under a
 * subject keeps its id, and an id always names the same schema.
 */
public interface SchemaRegistryClient {

    /** Default timeout of one HTTP request: 10 seconds. */
    Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Registers a schema under a subject, or finds it if it is already there
     * ({@code POST /subjects/{subject}/versions}).
     *
     * @param subject the subject, e.g. {@code outbox.event.Order-value}
     * @param schema the Avro schema as JSON text
     * @return the registry's global id of the schema
     * @throws SchemaRegistryException if the registry is unreachable or refuses the schema
     */
    int register(String subject, String schema);

    /**
     * Looks a schema up by its global id ({@code GET /schemas/ids/{id}}).
     *
     * @return the Avro schema as JSON text
     * @throws SchemaRegistryException if the registry is unreachable or does not know the id
     */
    String schemaById(int id);

    /**
     * Returns a client of a registry speaking the Confluent REST API, with the
     * {@linkplain #DEFAULT_REQUEST_TIMEOUT default request timeout}.
     *
     * @param baseUri the API root, e.g. {@code http://localhost:8081} for Confluent Schema
     *     Registry or {@code http://localhost:8080/apis/ccompat/v7} for Apicurio Registry
     * @throws IllegalArgumentException if the URI is not absolute http(s)
     */
    static SchemaRegistryClient confluent(URI baseUri) {
        return confluent(baseUri, DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * Returns a client of a registry speaking the Confluent REST API.
     *
     * @param baseUri the API root (see {@link #confluent(URI)})
     * @param requestTimeout the timeout of one HTTP request (also the connect timeout); it
     *     bounds how long a publish can wait for the registry
     * @throws IllegalArgumentException if the URI is not absolute http(s) or the timeout not positive
     */
    static SchemaRegistryClient confluent(URI baseUri, Duration requestTimeout) {
        return new ConfluentSchemaRegistryClient(baseUri, requestTimeout);
    }
}

package dev.outbox.kafka.avro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.core.internal.Checks;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** {@link SchemaRegistryClient} over {@link HttpClient}, caching ids per subject and schemas per id. */
final class ConfluentSchemaRegistryClient implements SchemaRegistryClient {

    private static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUri;
    private final Duration requestTimeout;
    private final HttpClient http;
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, String> schemasById = new ConcurrentHashMap<>();

    ConfluentSchemaRegistryClient(URI baseUri, Duration requestTimeout) {
        Objects.requireNonNull(baseUri, "baseUri");
        String scheme = baseUri.getScheme();
        if (!baseUri.isAbsolute() || !("http".equals(scheme) || "https".equals(scheme))) {
            throw new IllegalArgumentException("schema registry URL must be an absolute http(s) URL, got " + baseUri);
        }
        Checks.positive(requestTimeout, "schema registry request timeout");
        String text = baseUri.toString();
        this.baseUri = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(requestTimeout).build();
    }

    @Override
    public int register(String subject, String schema) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        String key = subject + '\u0000' + schema;
        Integer cached = idsBySubjectAndSchema.get(key);
        if (cached != null) {
            return cached;
        }
        String body = JSON.createObjectNode().put("schema", schema).toString();
        HttpRequest request = request("/subjects/" + encode(subject) + "/versions")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", MEDIA_TYPE)
                .build();
        int id = field(call(request, "registering a schema under subject '" + subject + "'"), "id",
                "subject '" + subject + "'").asInt();
        idsBySubjectAndSchema.putIfAbsent(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public String schemaById(int id) {
        String cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        HttpRequest request = request("/schemas/ids/" + id).GET().build();
        String schema = field(call(request, "looking up schema id " + id), "schema", "schema id " + id).asText();
        schemasById.putIfAbsent(id, schema);
        return schema;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUri + path))
                .timeout(requestTimeout)
                .header("Accept", MEDIA_TYPE + ", application/json");
    }

    private JsonNode call(HttpRequest request, String what) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SchemaRegistryException("schema registry unreachable while " + what + ": " + e, -1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while " + what, -1, e);
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw new SchemaRegistryException("schema registry answered HTTP " + status + " while " + what
                    + ": " + abbreviate(response.body()), status, null);
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException("schema registry sent an unreadable answer while " + what, status, e);
        }
    }

    private static JsonNode field(JsonNode answer, String name, String what) {
        JsonNode value = answer == null ? null : answer.get(name);
        if (value == null || value.isNull()) {
            throw new SchemaRegistryException("schema registry answer for " + what + " has no '" + name + "'",
                    200, null);
        }
        return value;
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String body) {
        if (body == null) {
            return "";
        }
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }
}

package dev.outbox.order.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outbox.order.domain.FieldError;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * Writes RFC 9457 problem details ({@code application/problem+json}): {@code type},
 * {@code title}, {@code status}, {@code detail}, {@code instance} and an {@code errors} list of
 * {@code {"field", "message"}} (empty when no field is to blame). Stateless and thread-safe.
 */
final class Problems {
    static final String CONTENT_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:outbox:order:problem:";

    private final ObjectMapper mapper;

    Problems(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void write(Context ctx, int status, String slug, String detail, List<FieldError> errors) {
        ObjectNode body = mapper.createObjectNode();
        body.put("type", TYPE_PREFIX + slug);
        body.put("title", HttpStatus.forStatus(status).getMessage());
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", ctx.path());
        ArrayNode list = body.putArray("errors");
        for (FieldError error : errors) {
            list.addObject().put("field", error.field()).put("message", error.message());
        }
        ctx.status(status).contentType(CONTENT_TYPE).result(body.toString());
    }
}

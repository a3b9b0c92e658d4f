package dev.outbox.order.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outbox.order.domain.ConfirmOrderCommand;
import dev.outbox.order.domain.FieldError;
import dev.outbox.order.domain.IllegalOrderTransitionException;
import dev.outbox.order.domain.InvalidOrderException;
import dev.outbox.order.domain.ListOrdersQuery;
import dev.outbox.order.domain.Order;
import dev.outbox.order.domain.OrderNotFoundException;
import dev.outbox.order.domain.OrderStatus;
import dev.outbox.order.domain.OrderUseCases;
import dev.outbox.order.domain.StaleOrderException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Order service's HTTP API on Javalin: the order routes of the API contract plus
 * {@code GET /health} and {@code GET /metrics}. Build with {@link #create}, then
 * {@link Javalin#start(String, int)}.
 *
 * <p>Errors are RFC 9457 problem details: invalid input 400 (each field named), unknown order
 * 404, refused status change or stale version 409, body over {@value #MAX_BODY_BYTES} bytes 413,
 * a body without a JSON {@code Content-Type} 415 (whether it is framed by Content-Length or
 * chunked), anything unexpected 500 (details only in the log). The optional
 * {@code If-Match: "<version>"} header on confirm and cancel makes the change conditional on the
 * order's version; responses carry the version as {@code ETag}.
 */
public final class OrderHttpApi {
    /** Largest accepted request body: room for 100 lines with generous whitespace. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(OrderHttpApi.class);

    private final OrderUseCases orders;
    private final RequestParser parser = new RequestParser();
    private final OrderJson json;
    private final Problems problems;
    private final Supplier<HealthReport> health;
    private final Supplier<String> metrics;

    private OrderHttpApi(OrderUseCases orders, ObjectMapper mapper, Supplier<HealthReport> health,
                         Supplier<String> metrics) {
        this.orders = orders;
        this.json = new OrderJson(mapper);
        this.problems = new Problems(mapper);
        this.health = health;
        this.metrics = metrics;
    }

    /**
     * Creates the Javalin server with every route; not started.
     *
     * @param orders  the use cases
     * @param health  computes the health report on each {@code GET /health}
     * @param metrics renders the Prometheus text on each {@code GET /metrics}
     */
    public static Javalin create(OrderUseCases orders, Supplier<HealthReport> health, Supplier<String> metrics) {
        OrderHttpApi api = new OrderHttpApi(Objects.requireNonNull(orders, "orders"), new ObjectMapper(),
                Objects.requireNonNull(health, "health"), Objects.requireNonNull(metrics, "metrics"));
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.router.ignoreTrailingSlashes = true;
        });
        api.routes(app);
        return app;
    }

    private void routes(Javalin app) {
        app.before(OrderHttpApi::checkBody);
        app.post("/orders", this::place);
        app.get("/orders", this::list);
        app.get("/orders/{id}", ctx -> respond(ctx, 200, orders.get().handle(orderId(ctx))));
        app.post("/orders/{id}/confirm", this::confirm);
        app.post("/orders/{id}/cancel", this::cancel);
        app.get("/health", this::health);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.get()));
        app.exception(InvalidOrderException.class, (e, ctx) ->
                problems.write(ctx, 400, "invalid-input", "The request has invalid fields.", e.errors()));
        app.exception(OrderNotFoundException.class, (e, ctx) ->
                problems.write(ctx, 404, "order-not-found", e.getMessage(), List.of()));
        app.exception(IllegalOrderTransitionException.class, (e, ctx) ->
                problems.write(ctx, 409, "illegal-transition", e.getMessage(), List.of()));
        app.exception(StaleOrderException.class, (e, ctx) ->
                problems.write(ctx, 409, "stale-version", e.getMessage(), List.of()));
        app.exception(RefusedBodyException.class, (e, ctx) ->
                problems.write(ctx, e.status(), slug(e.status()), e.getMessage(), List.of(e.error())));
        app.exception(HttpResponseException.class, (e, ctx) ->
                problems.write(ctx, e.getStatus(), slug(e.getStatus()), e.getMessage(), List.of()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Request {} {} failed", ctx.method(), ctx.path(), e);
            problems.write(ctx, 500, "internal-error", "The request failed; see the service log.", List.of());
        });
    }

    private static String slug(int status) {
        return HttpStatus.forStatus(status).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Refuses oversized and non-JSON bodies on every route before any handler reads them. */
    private static void checkBody(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        if (length > MAX_BODY_BYTES) {
            throw RefusedBodyException.tooLarge(MAX_BODY_BYTES);
        }
        // HTTP/1.1 frames a request body by Content-Length or by Transfer-Encoding (chunked), and a
        // request with neither has none (RFC 9112, section 6.3).
        if (length > 0 || ctx.header("Transfer-Encoding") != null) {
            requireJson(ctx);
        }
    }

    /** Accepts {@code application/json} (and problem+json) in any case, with any parameters. */
    private static void requireJson(Context ctx) {
        String type = ctx.header("Content-Type");
        String essence = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!essence.equals("application/json") && !essence.equals(Problems.CONTENT_TYPE)) {
            throw RefusedBodyException.notJson(type);
        }
    }

    private void place(Context ctx) {
        Order order = orders.place().handle(parser.placeOrder(body(ctx)));
        ctx.header("Location", "/orders/" + order.id());
        ctx.header("ETag", etag(order));
        ctx.status(201).contentType("application/json").result(json.created(order).toString());
    }

    private void confirm(Context ctx) {
        UUID id = orderId(ctx);
        parser.confirmOrder(body(ctx));
        respond(ctx, 200, orders.confirm().handle(new ConfirmOrderCommand(id, ifMatch(ctx))));
    }

    private void cancel(Context ctx) {
        UUID id = orderId(ctx);
        respond(ctx, 200, orders.cancel().handle(parser.cancelOrder(id, body(ctx), ifMatch(ctx))));
    }

    private void list(Context ctx) {
        Optional<UUID> customer = query(ctx, "customer_id").map(v -> RequestParser.uuidParameter("customer_id", v));
        Optional<OrderStatus> status = query(ctx, "status").map(v -> OrderStatus.parse("status", v));
        int limit = ListOrdersQuery.DEFAULT_LIMIT;
        String limitText = query(ctx, "limit").orElse(null);
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                throw new InvalidOrderException(FieldError.of("limit", "must be a whole number between 1 and "
                        + ListOrdersQuery.MAX_LIMIT));
            }
        }
        ListOrdersQuery query = new ListOrdersQuery(customer, status, limit, query(ctx, "after"));
        ctx.contentType("application/json").result(json.page(orders.list().handle(query)).toString());
    }

    /** Returns a query parameter; an empty one ({@code ?status=}) counts as absent. */
    private static Optional<String> query(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).filter(v -> !v.isBlank());
    }

    private void health(Context ctx) {
        HealthReport report = health.get();
        ctx.status(report.up() ? 200 : 503).contentType("application/json").result(report.json());
    }

    private void respond(Context ctx, int status, Order order) {
        ObjectNode body = json.order(order);
        ctx.header("ETag", etag(order));
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    private static UUID orderId(Context ctx) {
        return RequestParser.uuidParameter("id", ctx.pathParam("id"));
    }

    /**
     * Reads the body, at most {@value #MAX_BODY_BYTES} + 1 bytes: the Content-Length check in
     * {@link #checkBody} does not cover chunked bodies, and Javalin's own limit (used by
     * {@code ctx.body()}, which reads a chunked body whole) only checks the header. Any bytes read
     * must be JSON whatever {@link #checkBody} made of the framing, so that no other body is parsed.
     */
    private static byte[] body(Context ctx) {
        byte[] bytes;
        try {
            bytes = ctx.req().getInputStream().readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw new InvalidOrderException(FieldError.of("body", "could not be read: " + e.getMessage()));
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw RefusedBodyException.tooLarge(MAX_BODY_BYTES);
        }
        if (bytes.length > 0) {
            requireJson(ctx);
        }
        return bytes;
    }

    private static String etag(Order order) {
        return "\"" + order.version() + "\"";
    }

    private static OptionalLong ifMatch(Context ctx) {
        String header = ctx.header("If-Match");
        if (header == null || header.isBlank() || header.strip().equals("*")) {
            return OptionalLong.empty();
        }
        String value = header.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        value = value.replace("\"", "");
        try {
            return OptionalLong.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw new InvalidOrderException(FieldError.of("If-Match", "must be an order version such as \"3\""));
        }
    }
}

package dev.outbox.order.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outbox.core.UnitOfWork;
import dev.outbox.order.domain.CancelOrderCommand;
import dev.outbox.order.domain.ConfirmOrderCommand;
import dev.outbox.order.domain.FieldError;
import dev.outbox.order.domain.IllegalOrderTransitionException;
import dev.outbox.order.domain.InvalidOrderException;
import dev.outbox.order.domain.ListOrdersQuery;
import dev.outbox.order.domain.Order;
import dev.outbox.order.domain.OrderNotFoundException;
import dev.outbox.order.domain.OrderStatus;
import dev.outbox.order.domain.OrderUseCases;
import dev.outbox.order.domain.PlaceOrderCommand;
import dev.outbox.order.domain.StaleOrderException;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
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
 * chunked), the database unreachable 503 with {@code Retry-After: }{@value #RETRY_AFTER_SECONDS}
 * (a pool that timed out, a refused connection, a server shutting down or restarting: see
 * {@link DatabaseUnavailable}), anything else unexpected 500 (details only in the log). The optional
 * {@code If-Match: "<version>"} header on confirm and cancel makes the change conditional on the
 * order's version; responses carry the version as {@code ETag}.
 *
 * <p>The optional {@code Idempotency-Key} header (1 to 255 printable ASCII characters, else 400) on
 * {@code POST /orders}, {@code /orders/{id}/confirm} and {@code /orders/{id}/cancel} makes a retry
 * safe: the first successful answer is stored with the change, in its transaction, and a request
 * with the same key gets that answer again (same status, body, {@code Location} and {@code ETag},
 * plus {@code Idempotent-Replayed: true}) without writing. The same key with another method, path
 * or body is 422; while the first request with a key is in flight, a second one waits for it (then
 * 409 if it is still not done). See {@link IdempotentWrites}.
 */
public final class OrderHttpApi {
    /** Largest accepted request body: room for 100 lines with generous whitespace. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    /** How much of a refused body is read and dropped before the answer. */
    private static final long DRAIN_LIMIT = 4L * 1024 * 1024;
    /** What {@code Retry-After} says while the database is unavailable: long enough for a restart to begin. */
    public static final int RETRY_AFTER_SECONDS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(OrderHttpApi.class);

    private final OrderUseCases orders;
    private final RequestParser parser = new RequestParser();
    private final OrderJson json;
    private final Problems problems;
    private final Supplier<HealthReport> health;
    private final Supplier<String> metrics;
    private final IdempotentWrites writes;
    private final UnavailableLog unavailableLog = new UnavailableLog();

    private OrderHttpApi(OrderUseCases orders, IdempotentWrites writes, ObjectMapper mapper,
                         Supplier<HealthReport> health, Supplier<String> metrics) {
        this.orders = orders;
        this.writes = writes;
        this.json = new OrderJson(mapper);
        this.problems = new Problems(mapper);
        this.health = health;
        this.metrics = metrics;
    }

    /**
     * Creates the Javalin server with every route; not started.
     *
     * @param orders          the use cases
     * @param unitOfWork      the use cases' unit of work, which idempotency keys join
     * @param idempotencyKeys where {@code Idempotency-Key}s and their answers are kept
     * @param clock           the time a key is first used
     * @param health          computes the health report on each {@code GET /health}
     * @param metrics         renders the Prometheus text on each {@code GET /metrics}
     */
    public static Javalin create(OrderUseCases orders, UnitOfWork unitOfWork, IdempotencyKeys idempotencyKeys,
                                 Clock clock, Supplier<HealthReport> health, Supplier<String> metrics) {
        IdempotentWrites writes = new IdempotentWrites(Objects.requireNonNull(unitOfWork, "unitOfWork"),
                Objects.requireNonNull(idempotencyKeys, "idempotencyKeys"), Objects.requireNonNull(clock, "clock"));
        OrderHttpApi api = new OrderHttpApi(Objects.requireNonNull(orders, "orders"), writes, new ObjectMapper(),
                Objects.requireNonNull(health, "health"), Objects.requireNonNull(metrics, "metrics"));
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.router.ignoreTrailingSlashes = true;
            api.routes(config.routes);
        });
    }

    // Javalin 7 takes routes and exception handlers in the config block, before the server exists.
    private void routes(RoutesConfig routes) {
        routes.before(OrderHttpApi::checkBody);
        routes.post("/orders", this::place);
        routes.get("/orders", this::list);
        routes.get("/orders/{id}", ctx -> respond(ctx, 200, orders.get().handle(orderId(ctx))));
        routes.post("/orders/{id}/confirm", this::confirm);
        routes.post("/orders/{id}/cancel", this::cancel);
        routes.get("/health", this::health);
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.get()));
        routes.exception(InvalidOrderException.class, (e, ctx) ->
                problems.write(ctx, 400, "invalid-input", "The request has invalid fields.", e.errors()));
        routes.exception(OrderNotFoundException.class, (e, ctx) ->
                problems.write(ctx, 404, "order-not-found", e.getMessage(), List.of()));
        routes.exception(IllegalOrderTransitionException.class, (e, ctx) ->
                problems.write(ctx, 409, "illegal-transition", e.getMessage(), List.of()));
        routes.exception(StaleOrderException.class, (e, ctx) ->
                problems.write(ctx, 409, "stale-version", e.getMessage(), List.of()));
        routes.exception(RefusedBodyException.class, (e, ctx) -> {
            // read what is left of the refused body so that the answer arrives, then end the connection
            // (a body over DRAIN_LIMIT is left unread) and say so, so that a pooling client opens a new one
            drain(ctx, e.status() == 413);
            ctx.header("Connection", "close");
            problems.write(ctx, e.status(), slug(e.status()), e.getMessage(), List.of(e.error()));
        });
        routes.exception(HttpResponseException.class, (e, ctx) ->
                problems.write(ctx, e.getStatus(), slug(e.getStatus()), e.getMessage(), List.of()));
        routes.exception(IdempotentWrites.IdempotencyKeyReusedException.class, (e, ctx) ->
                problems.write(ctx, 422, "idempotency-key-reused", e.getMessage(), List.of(FieldError.of(
                        IdempotentWrites.HEADER, "was first used for another request"))));
        routes.exception(IdempotencyKeys.KeyInUseException.class, (e, ctx) ->
                problems.write(ctx, 409, "idempotency-key-in-use", e.getMessage(), List.of(FieldError.of(
                        IdempotentWrites.HEADER, "is in use by a request still in progress"))));
        routes.exception(Exception.class, (e, ctx) -> {
            if (DatabaseUnavailable.causedBy(e)) {
                unavailableLog.failed(e);
                ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
                problems.write(ctx, 503, "database-unavailable",
                        "The database is unavailable; retry after " + RETRY_AFTER_SECONDS + " seconds.", List.of());
                return;
            }
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

    /**
     * Reads and drops what is left of a refused body before the answer: Jetty 12 drops a keep-alive
     * connection whose body was left unread without answering, and a connection closed with unread
     * bytes is reset, which can lose the answer too. A body of known length is read up to
     * {@link #DRAIN_LIMIT}; a chunked one up to {@link #MAX_BODY_BYTES}, and not at all when it is
     * refused for its size (its end may never come: the answer goes out at once).
     */
    private static void drain(Context ctx, boolean tooLarge) {
        long length = ctx.req().getContentLengthLong();
        long left = length >= 0 ? Math.min(length, DRAIN_LIMIT) : tooLarge ? 0 : MAX_BODY_BYTES + 1L;
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[8192];
            for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) {
                left -= n;
            }
        } catch (IOException ignored) {
            // the client went away; the answer goes nowhere either
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
        byte[] body = body(ctx);
        PlaceOrderCommand command = parser.placeOrder(body);
        writes.run(ctx, body, () -> {
            Order order = orders.place().handle(command);
            return new IdempotencyKeys.Response(201, json.created(order).toString(),
                    Optional.of("/orders/" + order.id()), Optional.of(etag(order)));
        });
    }

    private void confirm(Context ctx) {
        UUID id = orderId(ctx);
        byte[] body = body(ctx);
        parser.confirmOrder(body);
        ConfirmOrderCommand command = new ConfirmOrderCommand(id, ifMatch(ctx));
        writes.run(ctx, body, () -> changed(orders.confirm().handle(command)));
    }

    private void cancel(Context ctx) {
        UUID id = orderId(ctx);
        byte[] body = body(ctx);
        CancelOrderCommand command = parser.cancelOrder(id, body, ifMatch(ctx));
        writes.run(ctx, body, () -> changed(orders.cancel().handle(command)));
    }

    private IdempotencyKeys.Response changed(Order order) {
        return new IdempotencyKeys.Response(200, json.order(order).toString(), Optional.empty(),
                Optional.of(etag(order)));
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

    /**
     * Logs database outages seen by requests at most once per {@value #LOG_EVERY_SECONDS} s, with
     * how many requests were refused since: during an outage every request fails the same way.
     */
    private static final class UnavailableLog {
        private static final long LOG_EVERY_SECONDS = 10;
        private final AtomicLong nextLogAt = new AtomicLong();
        private final AtomicLong refused = new AtomicLong();

        void failed(Exception e) {
            long count = refused.incrementAndGet();
            long now = System.nanoTime();
            long next = nextLogAt.get();
            if ((next == 0 || now - next >= 0) && nextLogAt.compareAndSet(next, now + LOG_EVERY_SECONDS * 1_000_000_000L)) {
                refused.addAndGet(-count);
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                LOG.warn("Database unavailable: answered {} request(s) 503 since the last report; cause {}: {}", count,
                        root.getClass().getSimpleName(), String.valueOf(root.getMessage()).lines().findFirst().orElse(""));
            }
        }
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

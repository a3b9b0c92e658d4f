package dev.outbox.order.app.http;

import dev.outbox.core.UnitOfWork;
import dev.outbox.order.domain.FieldError;
import dev.outbox.order.domain.InvalidOrderException;
import io.javalin.http.Context;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs a writing route under its optional {@code Idempotency-Key} header: the key is claimed, the
 * change made and its answer stored in one unit of work, so a retry with the same key (say after
 * the connection broke past the commit) is answered from the store instead of writing again. Only
 * successful answers are stored: a refused request rolls its key back with everything else, so
 * its retry runs again. Thread-safe.
 */
final class IdempotentWrites {
    static final String HEADER = "Idempotency-Key";
    static final String REPLAYED_HEADER = "Idempotent-Replayed";
    static final int MAX_KEY_LENGTH = 255;

    private final UnitOfWork unitOfWork;
    private final IdempotencyKeys keys;
    private final Clock clock;

    IdempotentWrites(UnitOfWork unitOfWork, IdempotencyKeys keys, Clock clock) {
        this.unitOfWork = unitOfWork;
        this.keys = keys;
        this.clock = clock;
    }

    /**
     * Answers {@code ctx} with what {@code change} returns, or with the stored answer of an earlier
     * request with the same key.
     *
     * @throws InvalidOrderException        (400) when the header is not a valid key
     * @throws IdempotencyKeyReusedException (422) when the key was first used for another request
     */
    void run(Context ctx, byte[] body, Supplier<IdempotencyKeys.Response> change) {
        Optional<String> key = key(ctx.header(HEADER));
        if (key.isEmpty()) {
            write(ctx, change.get(), false);
            return;
        }
        IdempotencyKeys.Request request = new IdempotencyKeys.Request(key.get(), ctx.method().name(), ctx.path(),
                sha256(body));
        IdempotencyKeys.Stored answer = unitOfWork.inTransaction(() -> {
            Optional<IdempotencyKeys.Stored> stored = keys.claim(request, clock.instant());
            if (stored.isPresent()) {
                return stored.get();
            }
            IdempotencyKeys.Response response = change.get();
            keys.complete(request, response);
            return new IdempotencyKeys.Stored(request, response);
        });
        boolean replayed = answer.request() != request;
        if (replayed && !answer.request().sameAs(request)) {
            throw new IdempotencyKeyReusedException(answer.request());
        }
        write(ctx, answer.response(), replayed);
    }

    /** Returns the key; empty without the header. Printable ASCII keeps keys safe to log and compare. */
    static Optional<String> key(String header) {
        if (header == null) {
            return Optional.empty();
        }
        boolean printable = header.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
        if (header.isBlank() || header.length() > MAX_KEY_LENGTH || !printable) {
            throw new InvalidOrderException(FieldError.of(HEADER,
                    "must be 1 to " + MAX_KEY_LENGTH + " printable ASCII characters, such as a UUID"));
        }
        return Optional.of(header);
    }

    private static void write(Context ctx, IdempotencyKeys.Response response, boolean replayed) {
        response.location().ifPresent(location -> ctx.header("Location", location));
        response.etag().ifPresent(etag -> ctx.header("ETag", etag));
        if (replayed) {
            ctx.header(REPLAYED_HEADER, "true");
        }
        ctx.status(response.status()).contentType("application/json").result(response.body());
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The key was first used for another request: a different path, method or body. */
    static final class IdempotencyKeyReusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        IdempotencyKeyReusedException(IdempotencyKeys.Request first) {
            super("The Idempotency-Key was first used for another request (" + first.method() + " " + first.path()
                    + " with its own body); send a new key with each new request.");
        }
    }
}

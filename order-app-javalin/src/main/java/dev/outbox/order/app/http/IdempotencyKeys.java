package dev.outbox.order.app.http;

import java.time.Instant;
import java.util.Optional;

/**
 * The port where the HTTP API keeps {@code Idempotency-Key}s with the answers they got. Both
 * methods run inside the caller's unit of work, so a key is stored in the same database
 * transaction as the change it answers (and that change's outbox event): either all of them
 * commit or none does. Implementations must be thread-safe.
 */
public interface IdempotencyKeys {

    /**
     * Claims {@code request}'s key for this transaction, or finds what it answered before. A
     * concurrent transaction holding the same key is waited for (for a bounded time).
     *
     * @param request the keyed request
     * @param now     when the key is first used
     * @return empty when the key is new (and now held by this transaction); otherwise the
     *         request that first used it and its answer
     * @throws KeyInUseException when another request with the key is still in flight after the wait
     */
    Optional<Stored> claim(Request request, Instant now);

    /** Stores {@code response} as the answer of the key {@link #claim claimed} in this transaction. */
    void complete(Request request, Response response);

    /**
     * A request carrying an {@code Idempotency-Key}.
     *
     * @param key      the header's value (1 to 255 printable ASCII characters)
     * @param method   the HTTP method, e.g. {@code POST}
     * @param path     the request path, e.g. {@code /orders}
     * @param bodyHash the SHA-256 of the request body, in hex
     */
    record Request(String key, String method, String path, String bodyHash) {
        /** Returns whether {@code other} is the same request (method, path and body), whatever its key. */
        boolean sameAs(Request other) {
            return method.equals(other.method) && path.equals(other.path) && bodyHash.equals(other.bodyHash);
        }
    }

    /**
     * A successful answer, replayed as it was.
     *
     * @param status   the HTTP status
     * @param body     the JSON body
     * @param location the {@code Location} header, when there was one
     * @param etag     the {@code ETag} header, when there was one
     */
    record Response(int status, String body, Optional<String> location, Optional<String> etag) {
    }

    /**
     * What a key was first used for.
     *
     * @param request  the first request with the key
     * @param response its answer
     */
    record Stored(Request request, Response response) {
    }

    /** Another request with the same key is still being handled. */
    final class KeyInUseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** Creates the exception with its cause (the database's lock timeout). */
        public KeyInUseException(Throwable cause) {
            super("another request with this Idempotency-Key is still in progress; retry after it finished", cause);
        }
    }
}

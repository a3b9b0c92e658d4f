package dev.outbox.order.app.jdbi;

import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.order.app.http.IdempotencyKeys;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * {@link IdempotencyKeys} in the table {@code idempotency_key} (see {@link OrderSchema}), written on
 * the current {@link JdbiUnitOfWork unit of work's handle}, so a key commits with the change it
 * answers. A key is claimed by inserting its row first: a concurrent request with the same key
 * then waits on that row's lock (at most {@link #LOCK_WAIT}) until the first commits, and is
 * answered from it, or until it rolls back, and goes on itself. Keys are kept for the retention
 * given at construction and removed by {@link #purgeExpired}. Thread-safe.
 */
public final class JdbiIdempotencyKeys implements IdempotencyKeys {
    /** How long a request waits for another one holding the same key. */
    static final Duration LOCK_WAIT = Duration.ofSeconds(5);
    /** Rows deleted per purge statement: each is a short transaction, however many keys expired. */
    static final int PURGE_BATCH = 1_000;
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final JdbiUnitOfWork unitOfWork;
    private final Duration retention;

    /**
     * Creates the store.
     *
     * @param unitOfWork the unit of work the writing routes run in
     * @param retention  how long a key is kept ({@code IDEMPOTENCY_KEY_RETENTION}); positive
     */
    public JdbiIdempotencyKeys(JdbiUnitOfWork unitOfWork, Duration retention) {
        this.unitOfWork = Objects.requireNonNull(unitOfWork, "unitOfWork");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive: " + retention);
        }
        this.retention = retention;
    }

    @Override
    public Optional<Stored> claim(Request request, Instant now) {
        Handle handle = unitOfWork.currentHandle();
        int inserted;
        try {
            // bounds the wait on a concurrent holder of the key; SET LOCAL ends with this transaction
            handle.execute("SET LOCAL lock_timeout = '" + LOCK_WAIT.toMillis() + "ms'");
            inserted = handle.createUpdate("INSERT INTO idempotency_key (key, request_method, request_path, "
                            + "request_hash, created_at) VALUES (:key, :method, :path, :hash, :now) "
                            + "ON CONFLICT (key) DO NOTHING")
                    .bind("key", request.key())
                    .bind("method", request.method())
                    .bind("path", request.path())
                    .bind("hash", request.bodyHash())
                    .bind("now", now.atOffset(ZoneOffset.UTC))
                    .execute();
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                throw new KeyInUseException(e);
            }
            throw e;
        }
        if (inserted == 1) {
            return Optional.empty();
        }
        // the conflicting row committed (a rolled-back one would have let the insert through)
        Optional<Stored> stored = handle.createQuery("SELECT request_method, request_path, request_hash, status, "
                        + "response_body, location, etag FROM idempotency_key WHERE key = :key AND status IS NOT NULL")
                .bind("key", request.key())
                .map((rs, ctx) -> new Stored(
                        new Request(request.key(), rs.getString("request_method"), rs.getString("request_path"),
                                rs.getString("request_hash")),
                        new Response(rs.getInt("status"), rs.getString("response_body"),
                                Optional.ofNullable(rs.getString("location")), Optional.ofNullable(rs.getString("etag")))))
                .findOne();
        if (stored.isEmpty()) {
            // purged between the insert and this read: rare, and a retry then runs as new
            throw new KeyInUseException(null);
        }
        return stored;
    }

    @Override
    public void complete(Request request, Response response) {
        int updated = unitOfWork.currentHandle().createUpdate("UPDATE idempotency_key SET status = :status, "
                        + "response_body = :body, location = :location, etag = :etag WHERE key = :key")
                .bind("status", response.status())
                .bind("body", response.body())
                .bind("location", response.location().orElse(null))
                .bind("etag", response.etag().orElse(null))
                .bind("key", request.key())
                .execute();
        if (updated != 1) {
            throw new IllegalStateException("idempotency key not claimed in this transaction");
        }
    }

    /**
     * Deletes the keys older than the retention at {@code now}, in batches of {@value #PURGE_BATCH}
     * rows, each its own short transaction; a retry with a deleted key runs as a new request.
     *
     * @return how many keys were deleted
     */
    public long purgeExpired(Instant now) {
        Instant cutoff = now.minus(retention);
        long purged = 0;
        int deleted;
        do {
            deleted = unitOfWork.jdbi().withHandle(h -> h.createUpdate("DELETE FROM idempotency_key WHERE key IN "
                            + "(SELECT key FROM idempotency_key WHERE created_at < :cutoff ORDER BY created_at "
                            + "LIMIT :batch)")
                    .bind("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                    .bind("batch", PURGE_BATCH)
                    .execute());
            purged += deleted;
        } while (deleted == PURGE_BATCH);
        return purged;
    }

    /** Returns how long keys are kept. */
    public Duration retention() {
        return retention;
    }
}

package dev.outbox.core.relay;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxBacklog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Observes an {@link OutboxRelay}: the hook for metrics, logs and health checks. Every method
 * has a no-op default, so implement only what you need.
 *
 * <p>Methods are called on the relay's thread (or the thread calling
 * {@link OutboxRelay#runOnce()}) after the store recorded the outcome; they must be quick and
 * should not throw. An exception thrown by a listener is logged and otherwise ignored.
 */
public interface RelayListener {

    /** A listener that does nothing; the default. */
    RelayListener NO_OP = new RelayListener() { };

    /** Called after {@code events} were acknowledged by the broker and marked published. */
    default void onPublished(List<OutboxEvent> events) {
    }

    /**
     * Called after an event that was not published was rescheduled (its own failure, attempt
     * counted) or given back without counting an attempt (broker unavailable, not attempted, or
     * held back behind an earlier failed event of its aggregate; then {@code attempts} is
     * unchanged and {@code nextAttemptAt} is now).
     *
     * @param attempts      counted failures so far
     * @param nextAttemptAt when the event is due again
     * @param error         why it failed (or that an earlier event of its aggregate failed)
     */
    default void onRetryScheduled(OutboxEvent event, int attempts, Instant nextAttemptAt, Throwable error) {
    }

    /**
     * Called after an event was dead-lettered: it failed permanently or ran out of attempts.
     *
     * @param attempts failed attempts
     * @param error    the last failure
     */
    default void onDeadLettered(OutboxEvent event, int attempts, Throwable error) {
    }

    /**
     * Called after each non-empty batch was handled.
     *
     * @param size     events in the batch
     * @param duration from claim to the outcomes being stored
     */
    default void onBatch(int size, Duration duration) {
    }

    /**
     * Called with a sample of the store's backlog, at most once per
     * {@link RelayConfig.Builder#backlogSampleInterval backlog sample interval}.
     */
    default void onBacklog(OutboxBacklog backlog, Duration oldestPendingAge) {
    }

    /** Called when a store call failed (e.g. the database is down); the relay backs off and retries. */
    default void onError(Throwable error) {
    }
}

package dev.outbox.core.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Where committed events wait for a relay: the port the polling relay reads and writes.
 *
 * <p>Every adapter must pass the contract tests in {@code outbox-testkit}
 * ({@code OutboxStoreContract}). The rules they check:
 * <ul>
 *   <li><b>Exclusive claims.</b> {@link #claim} hands each event to one claimant at a time; the
 *       claim lasts for the lease, after which another relay may claim the event again (its
 *       first claimant is presumed dead).
 *   <li><b>Per-aggregate order.</b> {@link #claim} never returns an event while an earlier
 *       event of the same aggregate (earlier in append order) is still pending, whether it is
 *       claimed by someone else, not yet due, or returned in the same call (then it comes first).
 *       Dead letters do not block their aggregate: a dead-lettered event is out of the queue.
 *   <li><b>Aggregate sequence.</b> Every event a store returns carries the sequence it was stored
 *       with ({@link dev.outbox.core.OutboxEvent#sequence()}), growing in append order within each
 *       aggregate; the append ports refuse events that carry one.
 *   <li><b>Nothing lost.</b> An event leaves the pending state only through
 *       {@link #markPublished} or {@link #deadLetter}; a dead letter only through
 *       {@link #requeueDeadLetters} (back to pending) or {@link #deleteDeadLetters}.
 * </ul>
 *
 * <p>Implementations are thread-safe and may be shared by several relays in one process.
 * Failures of the underlying technology surface as {@link dev.outbox.core.OutboxException}.
 */
public interface OutboxStore {

    /**
     * Claims up to {@code limit} due events for {@code claimant}, oldest first, in append
     * order within each aggregate.
     *
     * @param claimant an id of the calling relay instance, unique among live relays
     * @param limit    the most events to return, at least 1
     * @param now      the current time; events with a next attempt after it are not due
     * @param lease    how long the claim lasts before another relay may take the events
     * @return the claimed events; empty when nothing is due
     */
    List<ClaimedEvent> claim(String claimant, int limit, Instant now, Duration lease);

    /**
     * Records that the broker acknowledged these events: they are deleted, or kept as
     * published until {@link #purgePublished} when the adapter is configured to retain them.
     * Unknown ids are ignored (another relay may have finished them after a lease expired).
     */
    void markPublished(Collection<UUID> eventIds, Instant now);

    /**
     * Releases the claims on failed events and makes each due again at its
     * {@link FailedDelivery#nextAttemptAt()}, recording the attempt count and error.
     */
    void reschedule(Collection<FailedDelivery> failures);

    /**
     * Moves events to the dead letters: kept, no longer pending, no longer holding up their
     * aggregate.
     */
    void deadLetter(Collection<FailedDelivery> failures);

    /**
     * Gives back claims without counting an attempt, as a relay does on a graceful stop.
     * Only claims held by {@code claimant} are released.
     */
    void release(String claimant, Collection<UUID> eventIds);

    /**
     * Lists dead letters, oldest dead-lettered first.
     *
     * @param limit the most to return, at least 1
     */
    List<DeadLetter> deadLetters(int limit);

    /**
     * Puts dead letters back in the queue as pending and due at {@code now}, with the attempt
     * count reset. Ids that are not dead letters are ignored.
     *
     * @return how many events were requeued
     */
    int requeueDeadLetters(Collection<UUID> eventIds, Instant now);

    /**
     * Deletes dead letters for good, for operators who decided they are not to be delivered.
     *
     * @return how many were deleted
     */
    int deleteDeadLetters(Collection<UUID> eventIds);

    /**
     * Deletes up to {@code limit} events published before {@code publishedBefore}; a no-op for
     * adapters that delete on {@link #markPublished}. Call repeatedly until it returns less
     * than {@code limit} to purge everything due.
     *
     * @return how many rows were deleted
     */
    int purgePublished(Instant publishedBefore, int limit);

    /** Returns what waits in the store, for metrics and health checks. */
    OutboxBacklog backlog();

    /**
     * Registers a callback run soon after new events commit, so an idle relay wakes up at
     * once instead of at its next poll. The callback must be cheap and must not block.
     * Adapters without such a signal return a no-op subscription; the relay then polls.
     *
     * @return a handle that ends the subscription when closed
     */
    default Subscription subscribe(Runnable onNewEvents) {
        return () -> { };
    }

    /** A handle on a {@link #subscribe} registration. */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        /** Ends the subscription; idempotent, never throws. */
        @Override
        void close();
    }
}

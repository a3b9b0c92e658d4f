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
 *   <li><b>One bad row stops nothing.</b> A stored row that no {@link dev.outbox.core.OutboxEvent}
 *       can hold (written around the append port by another writer: a payload over
 *       {@link dev.outbox.core.OutboxEvent#MAX_PAYLOAD_BYTES}, an aggregate type a topic name cannot
 *       carry, a blank type) never fails {@link #claim}: the claim dead-letters it with the validation
 *       message as its last error, its attempts as they were, and returns the rest of the batch;
 *       {@link #deadLetters} lists it as a {@link DeadLetter} without an event. Stores that hold only
 *       valid events have no such rows.
 *   <li><b>Writes fenced by the claim.</b> {@link #markPublished}, {@link #reschedule},
 *       {@link #deadLetter} and {@link #release} change only events that are still pending and
 *       whose claim is held by the writing claimant, checked atomically with the write. A relay
 *       whose lease ran out and whose events another relay has claimed since (after a pause or a
 *       slow broker) therefore cannot change them; its outcome is ignored and the event's new
 *       holder decides. A claimant whose lease ran out but whose events nobody claimed since
 *       still holds them alone, so its writes take effect: refusing them would only deliver an
 *       acknowledged event again or lose the attempt a failure counted. Each write returns how
 *       many events it changed, so a relay can tell and report ignored outcomes.
 *   <li><b>Renewable claims.</b> {@link #extendClaims} moves the lease end of claims the caller
 *       still holds, fenced the same way; a claimant whose events another relay took cannot
 *       extend them.
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
     * @return the claimed events; empty when nothing is due. Rows no event can hold are dead-lettered
     *         instead of returned (see the class rules), so a claim may return fewer than it took.
     */
    List<ClaimedEvent> claim(String claimant, int limit, Instant now, Duration lease);

    /**
     * Records that the broker acknowledged these events: they are deleted, or kept as
     * published until {@link #purgePublished} when the adapter is configured to retain them.
     * Only events still pending and claimed by {@code claimant} change (see the class rules);
     * other and unknown ids are ignored (another relay may have claimed or finished them after
     * this claimant's lease expired).
     *
     * @param claimant the claimant that claimed the events
     * @param eventIds the acknowledged events
     * @param now      the current time, recorded as the publication time
     * @return how many events were marked published
     */
    int markPublished(String claimant, Collection<UUID> eventIds, Instant now);

    /**
     * Releases the claims on failed events and makes each due again at its
     * {@link FailedDelivery#nextAttemptAt()}, recording the attempt count and error. Only events
     * still pending and claimed by {@code claimant} change; others are ignored.
     *
     * @param claimant the claimant that claimed the events
     * @param failures the failed events with their new attempt counts
     * @return how many events were rescheduled
     */
    int reschedule(String claimant, Collection<FailedDelivery> failures);

    /**
     * Moves events to the dead letters: kept, no longer pending, no longer holding up their
     * aggregate. Only events still pending and claimed by {@code claimant} change; others are
     * ignored.
     *
     * @param claimant the claimant that claimed the events
     * @param failures the events given up on, {@link FailedDelivery#nextAttemptAt()} being the time of death
     * @return how many events were dead-lettered
     */
    int deadLetter(String claimant, Collection<FailedDelivery> failures);

    /**
     * Extends the claims {@code claimant} still holds on these events until {@code until}, as a
     * live relay does every third of its lease while it waits for the broker, so that a short
     * lease only lapses when the relay stops renewing it (it died or hangs). Fenced like the
     * outcome writes: only events still pending and claimed by {@code claimant} change (a lapsed
     * claim nobody took over is still held and is extended); others and unknown ids are ignored.
     *
     * @param claimant the claimant that claimed the events
     * @param eventIds the events being published
     * @param until    the new end of the claims
     * @return how many claims were extended; fewer than {@code eventIds} means the others were
     *         taken over (or finished) and this claimant's outcomes for them will be ignored
     */
    int extendClaims(String claimant, Collection<UUID> eventIds, Instant until);

    /**
     * Gives back claims without counting an attempt, as a relay does on a graceful stop.
     * Only claims held by {@code claimant} on pending events are released.
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
     * count reset. Ids that are not dead letters are ignored. A row that is no valid event may be
     * requeued too (an operator may have fixed it in the table); if it is still invalid, the next
     * claim dead-letters it again with its reason.
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

package dev.outbox.core.spi;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * The one delivery policy: what a batch's publish outcomes mean for each event. Both relays
 * (polling and log-tailing) decide through {@link #decide}; publishers apply its order rule with
 * {@link #holdBackSuccessors}.
 *
 * <p>The rules, per event in batch order:
 * <ul>
 *   <li><b>Hold back successors.</b> Once an event of an aggregate ({@link AggregateKey}: type
 *       and id) did not get through (any outcome but {@code PUBLISHED} and
 *       {@code PERMANENT_FAILURE}), every later event of that aggregate in the batch is sent
 *       again after it, whatever its own outcome (even {@code PUBLISHED}), without counting an
 *       attempt: it never gains attempts, nor is it dead-lettered, for someone else's failure,
 *       also when the failed event itself is dead-lettered here for using up its attempts. Only
 *       a {@code PERMANENT_FAILURE} of its own still dead-letters it.
 *   <li>{@code PUBLISHED}: {@link Verdict#PUBLISHED}.
 *   <li>{@code PERMANENT_FAILURE}: {@link Verdict#DEAD_LETTER} at once, with {@code attempts + 1}.
 *       Dead letters do not hold back their aggregate.
 *   <li>{@code RETRIABLE_FAILURE} (the event's own): {@link Verdict#RETRY_COUNTED} with
 *       {@code attempts + 1}, due at {@code now + retryDelay(attempts + 1)}; or
 *       {@link Verdict#DEAD_LETTER} once {@code attempts + 1 >= maxAttempts}.
 *   <li>{@code UNAVAILABLE}, {@code NOT_ATTEMPTED}, or no outcome at all:
 *       {@link Verdict#RETRY_UNCOUNTED}, attempts unchanged, due at once: an outage of any length
 *       dead-letters nothing. Relays back off as a whole instead (see {@link Decisions#outage()}).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class DeliveryPolicy {
    private final int maxAttempts;
    private final IntFunction<Duration> retryDelay;

    /**
     * Creates a policy.
     *
     * @param maxAttempts counted failures after which an event is dead-lettered, at least 1
     * @param retryDelay  the delay after the {@code n}-th counted failure ({@code n >= 1}), e.g.
     *                    {@code backoffPolicy::delay}
     * @throws IllegalArgumentException when {@code maxAttempts < 1}
     */
    public DeliveryPolicy(int maxAttempts, IntFunction<Duration> retryDelay) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
    }

    /** What happens to one event. */
    public enum Verdict {
        /** Acknowledged: mark it published (or confirm past it). */
        PUBLISHED,
        /** Its own failure: retry later with the attempt counted. */
        RETRY_COUNTED,
        /** Not its failure (outage, not attempted, held back): retry with attempts unchanged. */
        RETRY_UNCOUNTED,
        /** Cannot succeed, or used up {@code maxAttempts}: dead-letter it. */
        DEAD_LETTER
    }

    /**
     * The decision for one event.
     *
     * @param claimed  the event and its attempts before this batch
     * @param verdict  what to do
     * @param attempts its attempt count after this batch
     * @param at       when it is due again (retries), or now (published, dead letters, uncounted retries)
     * @param error    why it is not published, {@code null} when it is
     */
    public record Decision(ClaimedEvent claimed, Verdict verdict, int attempts, Instant at, Throwable error) {
        /** Returns the event. */
        public OutboxEvent event() {
            return claimed.event();
        }
    }

    /**
     * A batch's decisions.
     *
     * @param all    one decision per event, in batch order
     * @param outage whether the batch published nothing because the broker could not be used:
     *               nothing was published and some outcome was {@code UNAVAILABLE}, or every
     *               event is an uncounted retry. Relays back off as a whole after such a batch.
     */
    public record Decisions(List<Decision> all, boolean outage) {
        /** Copies the list. */
        public Decisions {
            all = List.copyOf(all);
        }

        /** Returns the decisions with {@code verdict}, in batch order. */
        public List<Decision> of(Verdict verdict) {
            return all.stream().filter(d -> d.verdict() == verdict).toList();
        }
    }

    /**
     * Decides what happens to each event of a batch; writes nothing.
     *
     * @param batch    the events sent, with their attempts so far, in batch order
     * @param outcomes the publisher's outcomes by event id; a missing one counts as {@code UNAVAILABLE}
     * @param now      the current time
     */
    public Decisions decide(List<ClaimedEvent> batch, Map<UUID, PublishOutcome> outcomes, Instant now) {
        List<Decision> decisions = new ArrayList<>(batch.size());
        Map<AggregateKey, UUID> blockers = new HashMap<>();
        boolean unavailable = false;
        for (ClaimedEvent claimed : batch) {
            OutboxEvent event = claimed.event();
            PublishOutcome outcome = outcomes.get(event.id());
            if (outcome == null) {
                outcome = PublishOutcome.unavailable(event.id(), new OutboxException("the publisher reported no outcome"));
            }
            unavailable |= outcome.status() == PublishOutcome.Status.UNAVAILABLE;
            // most batches never fail: skip building keys until one event has to be sent again
            AggregateKey key = blockers.isEmpty() ? null : AggregateKey.of(event);
            UUID blocker = key == null ? null : blockers.get(key);
            Decision decision;
            if (blocker != null && outcome.status() != PublishOutcome.Status.PERMANENT_FAILURE) {
                decision = uncounted(claimed, now, heldBack(blocker, event, outcome));
            } else {
                decision = decide(claimed, outcome, now);
            }
            if (blocker == null && blocks(outcome)) {
                blockers.put(key != null ? key : AggregateKey.of(event), event.id());
            }
            decisions.add(decision);
        }
        boolean published = decisions.stream().anyMatch(d -> d.verdict() == Verdict.PUBLISHED);
        boolean allUncounted = decisions.stream().allMatch(d -> d.verdict() == Verdict.RETRY_UNCOUNTED);
        return new Decisions(decisions, !decisions.isEmpty() && !published && (unavailable || allUncounted));
    }

    private Decision decide(ClaimedEvent claimed, PublishOutcome outcome, Instant now) {
        int counted = claimed.attempts() + 1;
        return switch (outcome.status()) {
            case PUBLISHED -> new Decision(claimed, Verdict.PUBLISHED, claimed.attempts(), now, null);
            case PERMANENT_FAILURE -> new Decision(claimed, Verdict.DEAD_LETTER, counted, now, outcome.error());
            case RETRIABLE_FAILURE -> counted >= maxAttempts
                    ? new Decision(claimed, Verdict.DEAD_LETTER, counted, now, outcome.error())
                    : new Decision(claimed, Verdict.RETRY_COUNTED, counted, now.plus(retryDelay.apply(counted)),
                            outcome.error());
            case NOT_ATTEMPTED, UNAVAILABLE -> uncounted(claimed, now, outcome.error());
        };
    }

    private static Decision uncounted(ClaimedEvent claimed, Instant now, Throwable error) {
        return new Decision(claimed, Verdict.RETRY_UNCOUNTED, claimed.attempts(), now, error);
    }

    /**
     * Whether an outcome holds back the later events of its aggregate: every failure but a
     * permanent one. Even when it used up its attempts and is dead-lettered here, its successors
     * were held back by the publisher (or sent out of order) because of it, so they must not pay.
     */
    private static boolean blocks(PublishOutcome outcome) {
        return !outcome.isPublished() && outcome.status() != PublishOutcome.Status.PERMANENT_FAILURE;
    }

    /**
     * Applies the hold-back rule to one publish call's outcomes, for publishers: an event whose
     * earlier event of the same aggregate in the call did not get through (any outcome but
     * {@code PUBLISHED} and {@code PERMANENT_FAILURE}) and that was acknowledged anyway (the
     * failure came asynchronously) is reported {@code NOT_ATTEMPTED}, so it is sent again after
     * its predecessor and the aggregate's last records on the topic keep their order. Other
     * outcomes are kept.
     *
     * @param events   the events of the call, in order
     * @param outcomes one outcome per event, in the same order
     * @return the outcomes, a new list only when one changed
     * @throws IllegalArgumentException when the lists differ in size
     */
    public static List<PublishOutcome> holdBackSuccessors(List<OutboxEvent> events, List<PublishOutcome> outcomes) {
        if (events.size() != outcomes.size()) {
            throw new IllegalArgumentException(outcomes.size() + " outcomes for " + events.size() + " events");
        }
        List<PublishOutcome> result = null;
        Map<AggregateKey, UUID> blockers = null;
        for (int i = 0; i < outcomes.size(); i++) {
            PublishOutcome outcome = outcomes.get(i);
            if (outcome.isPublished()) {
                UUID blocker = blockers == null ? null : blockers.get(AggregateKey.of(events.get(i)));
                if (blocker != null) {
                    if (result == null) {
                        result = new ArrayList<>(outcomes);
                    }
                    result.set(i, PublishOutcome.notAttempted(outcome.eventId(), heldBack(blocker, events.get(i), outcome)));
                }
            } else if (blocks(outcome)) {
                if (blockers == null) {
                    blockers = new HashMap<>();
                }
                blockers.putIfAbsent(AggregateKey.of(events.get(i)), outcome.eventId());
            }
        }
        return result != null ? result : outcomes;
    }

    /**
     * Returns one {@code UNAVAILABLE} outcome per event, for a publish call that failed as a whole
     * (threw, completed exceptionally, timed out, returned no usable outcomes).
     */
    public static List<PublishOutcome> unavailable(List<OutboxEvent> events, Throwable error) {
        Objects.requireNonNull(error, "error");
        return events.stream().map(e -> PublishOutcome.unavailable(e.id(), error)).toList();
    }

    /**
     * Checks the time bound relays share: a publish timeout must cover the publisher's own
     * longest publish, or a relay gives up on (and sends again) batches still being delivered.
     *
     * @param setting        the relay setting's name, for the message
     * @param publishTimeout the relay's publish timeout
     * @param publisher      the publisher, whose {@link OutboxEventPublisher#maxPublishDuration()} is read
     * @throws IllegalArgumentException naming both settings and their values when it does not fit
     */
    public static void requireCovers(String setting, Duration publishTimeout, OutboxEventPublisher publisher) {
        Duration longest = Objects.requireNonNull(publisher.maxPublishDuration(),
                () -> publisher.getClass().getName() + ".maxPublishDuration() returned null");
        if (publishTimeout.compareTo(longest) < 0) {
            throw new IllegalArgumentException(setting + " (" + publishTimeout + ") must be at least the publisher's "
                    + "maxPublishDuration (" + longest + ") of " + publisher.getClass().getSimpleName()
                    + ", or the relay gives up on batches the publisher is still delivering; raise " + setting
                    + " or lower the publisher's timeouts");
        }
    }

    private static Throwable heldBack(UUID blocker, OutboxEvent event, PublishOutcome own) {
        OutboxException error = new OutboxException("held back: the earlier event " + blocker + " of aggregate "
                + AggregateKey.of(event) + " did not get through and is sent again first");
        if (own.error() != null && own.status() != PublishOutcome.Status.NOT_ATTEMPTED) {
            error.addSuppressed(own.error());
        }
        return error;
    }
}

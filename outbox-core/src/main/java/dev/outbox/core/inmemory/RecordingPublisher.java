package dev.outbox.core.inmemory;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.AggregateKey;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * An {@link OutboxEventPublisher} that records what it is asked to send, for tests. By default
 * every event is {@link PublishOutcome.Status#PUBLISHED} and the stage completes at once;
 * outcomes can be programmed per event, per aggregate or per call:
 * <pre>{@code
 * RecordingPublisher publisher = RecordingPublisher.create();
 * publisher.failRetriably(event.id(), 2);      // the next two sends of this event fail
 * publisher.failPermanently(poison.id());      // this event can never be delivered
 * publisher.failAggregate("Order", "42", 1);   // the next send of each event of Order 42 fails
 * publisher.failNextCalls(1);                  // the next publish call completes exceptionally
 * publisher.holdCalls();                       // stages stay incomplete until releaseHeldCalls()
 * }</pre>
 * The first matching rule decides an event's outcome; a rule with a count is used up one send
 * at a time. As the publisher contract demands, once an event of an aggregate failed (other than
 * permanently), the aggregate's later events in the call are not sent: they are
 * {@code NOT_ATTEMPTED} and use up no rule.
 *
 * <p>{@link #published()} lists the events that got a {@code PUBLISHED} outcome, in the order
 * their stages completed; {@link #sent()} lists every event handed to {@link #publish},
 * whatever its outcome.
 *
 * <p>Thread-safe.
 */
public final class RecordingPublisher implements OutboxEventPublisher {
    private final Object lock = new Object();
    private final List<OutboxEvent> sent = new ArrayList<>();
    private final List<OutboxEvent> published = new ArrayList<>();
    private final List<OutcomeRule> rules = new ArrayList<>();
    private final List<HeldCall> held = new ArrayList<>();
    private int calls;
    private int failingCalls;
    private boolean holding;
    private boolean closed;

    private RecordingPublisher() {
    }

    /** Creates a publisher that publishes everything at once. */
    public static RecordingPublisher create() {
        return new RecordingPublisher();
    }

    /** Makes the next {@code times} sends of the event fail with a retriable error (its own, counted). */
    public RecordingPublisher failRetriably(UUID eventId, int times) {
        return addRule(e -> e.id().equals(eventId), PublishOutcome.Status.RETRIABLE_FAILURE, times);
    }

    /** Makes every send of the event fail permanently. */
    public RecordingPublisher failPermanently(UUID eventId) {
        return addRule(e -> e.id().equals(eventId), PublishOutcome.Status.PERMANENT_FAILURE, Integer.MAX_VALUE);
    }

    /** Makes the next {@code times} sends of events of the aggregate fail with a retriable error. */
    public RecordingPublisher failAggregate(String aggregateType, String aggregateId, int times) {
        AggregateKey aggregate = new AggregateKey(aggregateType, aggregateId);
        return addRule(e -> AggregateKey.of(e).equals(aggregate), PublishOutcome.Status.RETRIABLE_FAILURE, times);
    }

    /** Makes the next {@code count} events sent, of any aggregate, fail with a retriable error. */
    public RecordingPublisher failNext(int count) {
        return addRule(e -> true, PublishOutcome.Status.RETRIABLE_FAILURE, count);
    }

    /**
     * Makes the next {@code count} publish calls complete exceptionally (a broker outage; the
     * relays count it as {@code UNAVAILABLE} for every event, without an attempt).
     */
    public RecordingPublisher failNextCalls(int count) {
        synchronized (lock) {
            failingCalls += requireNonNegative(count);
        }
        return this;
    }

    /** Keeps the stages of later calls incomplete until {@link #releaseHeldCalls()}. */
    public RecordingPublisher holdCalls() {
        synchronized (lock) {
            holding = true;
        }
        return this;
    }

    /** Stops holding and completes every held stage with its outcomes. */
    public void releaseHeldCalls() {
        List<HeldCall> toComplete;
        synchronized (lock) {
            holding = false;
            toComplete = List.copyOf(held);
            held.clear();
        }
        toComplete.forEach(HeldCall::complete);
    }

    /** Returns how many calls wait in {@link #holdCalls()} mode. */
    public int heldCallCount() {
        synchronized (lock) {
            return held.size();
        }
    }

    @Override
    public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
        List<OutboxEvent> batch = List.copyOf(events);
        CompletableFuture<List<PublishOutcome>> stage = new CompletableFuture<>();
        HeldCall call;
        synchronized (lock) {
            calls++;
            sent.addAll(batch);
            if (failingCalls > 0) {
                failingCalls--;
                stage.completeExceptionally(new IllegalStateException("simulated broker outage"));
                return stage;
            }
            call = new HeldCall(stage, batch, outcomesFor(batch));
            if (holding) {
                held.add(call);
                return stage;
            }
        }
        call.complete();
        return stage;
    }

    /** Returns the events published so far, in order. */
    public List<OutboxEvent> published() {
        synchronized (lock) {
            return List.copyOf(published);
        }
    }

    /** Returns the ids of the events published so far, in order. */
    public List<UUID> publishedIds() {
        return published().stream().map(OutboxEvent::id).toList();
    }

    /** Returns the events of one aggregate published so far, in order. */
    public List<OutboxEvent> publishedFor(String aggregateType, String aggregateId) {
        AggregateKey aggregate = new AggregateKey(aggregateType, aggregateId);
        return published().stream().filter(e -> AggregateKey.of(e).equals(aggregate)).toList();
    }

    /** Returns every event handed to {@link #publish}, in order, whatever its outcome (held back ones too). */
    public List<OutboxEvent> sent() {
        synchronized (lock) {
            return List.copyOf(sent);
        }
    }

    /** Returns how many times {@link #publish} was called. */
    public int callCount() {
        synchronized (lock) {
            return calls;
        }
    }

    /**
     * Waits until at least {@code count} events were published, polling every 10 ms.
     *
     * @return whether the count was reached before {@code timeout}
     */
    public boolean awaitPublished(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (published().size() < count) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Returns whether {@link #close()} was called. */
    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Marks the publisher closed; it keeps working, so tests can check who closed it. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    /** Decides each event's outcome in order; an aggregate's events after its failed one are held back. */
    private List<PublishOutcome> outcomesFor(List<OutboxEvent> batch) {
        List<PublishOutcome> outcomes = new ArrayList<>(batch.size());
        Map<AggregateKey, UUID> failed = new HashMap<>();
        for (OutboxEvent event : batch) {
            AggregateKey aggregate = AggregateKey.of(event);
            UUID blocker = failed.get(aggregate);
            if (blocker != null) {
                outcomes.add(PublishOutcome.notAttempted(event.id(), new IllegalStateException("held back: the "
                        + "earlier event " + blocker + " of aggregate " + aggregate + " failed in this call")));
                continue;
            }
            PublishOutcome outcome = outcomeFor(event);
            if (!outcome.isPublished() && outcome.status() != PublishOutcome.Status.PERMANENT_FAILURE) {
                failed.put(aggregate, event.id());
            }
            outcomes.add(outcome);
        }
        return outcomes;
    }

    private PublishOutcome outcomeFor(OutboxEvent event) {
        for (OutcomeRule rule : rules) {
            if (rule.remaining > 0 && rule.matches.test(event)) {
                if (rule.remaining != Integer.MAX_VALUE) {
                    rule.remaining--;
                }
                Exception error = new IllegalStateException("simulated " + rule.status + " of " + event.id());
                return new PublishOutcome(event.id(), rule.status, error);
            }
        }
        return PublishOutcome.published(event.id());
    }

    private RecordingPublisher addRule(Predicate<OutboxEvent> matches, PublishOutcome.Status status, int times) {
        synchronized (lock) {
            rules.add(new OutcomeRule(matches, status, requireNonNegative(times)));
        }
        return this;
    }

    private static int requireNonNegative(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        return count;
    }

    private static final class OutcomeRule {
        final Predicate<OutboxEvent> matches;
        final PublishOutcome.Status status;
        int remaining;

        OutcomeRule(Predicate<OutboxEvent> matches, PublishOutcome.Status status, int remaining) {
            this.matches = Objects.requireNonNull(matches);
            this.status = status;
            this.remaining = remaining;
        }
    }

    private final class HeldCall {
        final CompletableFuture<List<PublishOutcome>> stage;
        final List<OutboxEvent> batch;
        final List<PublishOutcome> outcomes;

        HeldCall(CompletableFuture<List<PublishOutcome>> stage, List<OutboxEvent> batch,
                List<PublishOutcome> outcomes) {
            this.stage = stage;
            this.batch = batch;
            this.outcomes = outcomes;
        }

        void complete() {
            synchronized (lock) {
                for (int i = 0; i < batch.size(); i++) {
                    if (outcomes.get(i).isPublished()) {
                        published.add(batch.get(i));
                    }
                }
            }
            stage.complete(outcomes);
        }
    }
}

package dev.outbox.nats;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.AggregateKey;
import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import io.nats.client.JetStream;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One {@code publish} call: JetStream async publishes with one PubAck future each, at most
 * {@code maxPendingAcks} outstanding, and one outcome per event once all are in or the call's
 * deadline passed.
 *
 * <p>Order per aggregate: the events of one aggregate ({@link AggregateKey}) form a chain, and a
 * chain has at most one message awaiting its PubAck: the next event of the aggregate is sent only
 * after the previous one is stored. Different aggregates are pipelined. So a failure never leaves
 * a later event of its aggregate stored before it: the later ones are not sent
 * ({@code NOT_ATTEMPTED}) and go out after it on the relay's next try. (Sending them anyway and
 * resending later, as a Kafka producer may, would not restore the order here: the stream's
 * duplicate window drops the resent later event, so it would stay before the failed one.)
 * A permanent failure does not hold its chain back: it is dead-lettered, the rest goes on.
 *
 * <p>Each message is built when it is sent, so building overlaps the earlier sends; an event whose
 * message cannot be built (subject or header refused) is {@code PERMANENT_FAILURE}.
 *
 * <p>"No responders" (nothing answered on the subject) is settled when the call ends, with one
 * stream lookup per subject: no stream captures the subject → {@code PERMANENT_FAILURE} with an
 * error saying so; a stream exists, or the lookup fails → {@code UNAVAILABLE}.
 */
final class NatsPublication {

    /** Stands for "acknowledged" until {@link #finish} builds the real outcomes. */
    private static final PublishOutcome ACKNOWLEDGED = PublishOutcome.published(new UUID(0, 0));

    private final List<OutboxEvent> events;
    private final Message[] messages;
    private final AtomicReferenceArray<PublishOutcome> outcomes;
    private final AtomicIntegerArray sent;
    private final AtomicInteger pending;
    private final ConcurrentLinkedQueue<Chain> ready = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger pumping = new AtomicInteger();
    private final CompletableFuture<Void> allIn = new CompletableFuture<>();
    private final JetStream jetStream;
    private final SubjectTemplate subjects;
    private final PublishOptions options;
    private final int window;
    /** Set when nothing more may be sent: the deadline passed, or a send threw for a reason not the event's. */
    private volatile Throwable halted;

    NatsPublication(List<OutboxEvent> events, SubjectTemplate subjects, JetStream jetStream, PublishOptions options,
            int window) {
        this.events = events;
        this.jetStream = jetStream;
        this.options = options;
        this.window = window;
        this.messages = new Message[events.size()];
        this.outcomes = new AtomicReferenceArray<>(events.size());
        this.sent = new AtomicIntegerArray(events.size());
        this.pending = new AtomicInteger(events.size());
        this.subjects = subjects;
        Map<AggregateKey, List<Integer>> chains = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            chains.computeIfAbsent(AggregateKey.of(events.get(i)), k -> new ArrayList<>()).add(i);
        }
        chains.values().forEach(indexes -> ready.add(new Chain(indexes.stream().mapToInt(Integer::intValue).toArray())));
    }

    /**
     * Sends the batch and returns the stage of its outcomes, in event order, completing within
     * {@code timeoutNanos} plus the stream lookups (each bounded by the management request timeout).
     */
    CompletableFuture<List<PublishOutcome>> send(long timeoutNanos, StreamLookup lookup, Executor executor) {
        if (pending.get() == 0) {
            allIn.complete(null);
        }
        pump();
        return allIn.orTimeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)), TimeUnit.MILLISECONDS)
                .handleAsync((ignored, error) -> finish(error, lookup), executor);
    }

    /** Sends what the window allows; re-entrant calls (a PubAck completing inside publishAsync) only ask for another round. */
    private void pump() {
        if (pumping.getAndIncrement() != 0) {
            return;
        }
        do {
            while (halted == null && inFlight.get() < window) {
                Chain chain = ready.poll();
                if (chain == null) {
                    break;
                }
                sendNext(chain);
            }
            if (halted != null) {
                for (Chain chain = ready.poll(); chain != null; chain = ready.poll()) {
                    for (int index = chain.next(); index >= 0; index = chain.next()) {
                        complete(index, PublishOutcome.notAttempted(events.get(index).id(),
                                new OutboxException("not sent: an earlier send of this call failed", halted)));
                    }
                }
            }
        } while (pumping.decrementAndGet() != 0);
    }

    private void sendNext(Chain chain) {
        int index = chain.next();
        // built as it is sent, as a hand-written producer would: building overlaps the earlier sends
        Message message = build(index);
        if (message == null) { // refused (permanent): the rest of the chain goes on
            chain.requeueIfMore(ready);
            return;
        }
        inFlight.incrementAndGet();
        sent.set(index, 1);
        CompletableFuture<PublishAck> ack;
        try {
            ack = jetStream.publishAsync(message, options);
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            PublishOutcome outcome = NatsErrorClassifier.outcome(events.get(index).id(), e);
            if (outcome.status() == Status.PERMANENT_FAILURE) {
                complete(index, outcome);
                chain.requeueIfMore(ready);
            } else {
                halted = e; // connection closed or its buffer full: every further send would fail alike
                complete(index, outcome);
                holdBack(chain, index);
            }
            return;
        }
        ack.whenComplete((pubAck, error) -> acknowledged(chain, index, pubAck, error));
    }

    /** Builds event {@code index}'s message, or completes its outcome permanent and returns null when it cannot travel. */
    private Message build(int index) {
        OutboxEvent event = events.get(index);
        try {
            String subject = subjects.subjectFor(event);
            String problem = SubjectTemplate.subjectProblem(subject);
            if (problem != null) {
                throw new IllegalArgumentException("subject '" + subject + "' of event " + event.id()
                        + " is not a valid NATS subject: " + problem);
            }
            messages[index] = NatsHeaders.message(event, subject);
            return messages[index];
        } catch (IllegalArgumentException e) {
            complete(index, PublishOutcome.permanent(event.id(), e));
            return null;
        }
    }

    private void acknowledged(Chain chain, int index, PublishAck pubAck, Throwable error) {
        inFlight.decrementAndGet();
        PublishOutcome outcome;
        if (error == null && pubAck != null) {
            outcome = ACKNOWLEDGED; // a duplicate too: the stream already holds this event id
        } else {
            outcome = NatsErrorClassifier.outcome(events.get(index).id(),
                    error != null ? error : new OutboxException("JetStream returned no PubAck"));
        }
        complete(index, outcome);
        if (outcome == ACKNOWLEDGED || outcome.status() == Status.PERMANENT_FAILURE) {
            chain.requeueIfMore(ready);
        } else {
            holdBack(chain, index);
        }
        pump();
    }

    /** Reports the chain's events after {@code failed} not attempted: they must not be stored before it. */
    private void holdBack(Chain chain, int failed) {
        AggregateKey aggregate = AggregateKey.of(events.get(failed));
        for (int index = chain.next(); index >= 0; index = chain.next()) {
            complete(index, PublishOutcome.notAttempted(events.get(index).id(), new OutboxException("not sent: the "
                    + "earlier event " + events.get(failed).id() + " of aggregate " + aggregate
                    + " did not get through in this call")));
        }
    }

    private void complete(int index, PublishOutcome outcome) {
        if (outcomes.compareAndSet(index, null, outcome) && pending.decrementAndGet() == 0) {
            allIn.complete(null);
        }
    }

    /** Builds the outcomes once all are in or the deadline passed; settles "no responders" with stream lookups. */
    private List<PublishOutcome> finish(Throwable timedOut, StreamLookup lookup) {
        if (halted == null) {
            halted = timedOut != null ? timedOut : new OutboxException("the publish call ended");
        }
        List<PublishOutcome> result = new ArrayList<>(events.size());
        Map<String, Boolean> streamExists = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            UUID id = events.get(i).id();
            PublishOutcome outcome = outcomes.get(i);
            if (outcome == ACKNOWLEDGED) {
                outcome = PublishOutcome.published(id);
            } else if (outcome == null) {
                outcome = sent.get(i) == 1
                        ? PublishOutcome.unavailable(id, new TimeoutException("no PubAck within the publish call's "
                                + "time (publishTimeout)"))
                        : PublishOutcome.notAttempted(id, new OutboxException("not sent: the publish call's time "
                                + "(publishTimeout) ran out, or an earlier send failed", halted));
            } else if (outcome.status() != Status.PERMANENT_FAILURE && NatsErrorClassifier.isNoResponders(outcome.error())) {
                String subject = messages[i].getSubject();
                Boolean exists = streamExists.computeIfAbsent(subject, lookup::streamExists);
                outcome = Boolean.FALSE.equals(exists)
                        ? PublishOutcome.permanent(id, new OutboxException("no JetStream stream captures subject '"
                                + subject + "': add the subject to a stream (or let the publisher create one, "
                                + "createStream), then requeue the event", outcome.error()))
                        : PublishOutcome.unavailable(id, new OutboxException("JetStream did not answer on subject '"
                                + subject + "'" + (exists == null ? " and the stream lookup failed" : " although a stream "
                                + "captures it"), outcome.error()));
            }
            result.add(outcome);
        }
        return DeliveryPolicy.holdBackSuccessors(events, result);
    }

    /** Looks up whether a stream captures a subject: {@code null} when the lookup itself failed. */
    interface StreamLookup {
        Boolean streamExists(String subject);
    }

    /** One aggregate's events of the call, in order; owned by one thread at a time (queued, or its message in flight). */
    private static final class Chain {
        private final int[] indexes;
        private int next;

        Chain(int[] indexes) {
            this.indexes = indexes;
        }

        /** Returns the next index, or -1 when done. */
        int next() {
            return next < indexes.length ? indexes[next++] : -1;
        }

        void requeueIfMore(ConcurrentLinkedQueue<Chain> ready) {
            if (next < indexes.length) {
                ready.add(this);
            }
        }
    }
}

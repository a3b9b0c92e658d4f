package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * One {@code publish} call: sends every event without waiting, collects one outcome per event
 * from the producer's callbacks, and completes once all are in (or the guard timeout passes).
 *
 * <p>Rules that keep it bounded and ordered:
 * <ul>
 *   <li>when {@code send()} itself throws a transient error (typically "not present in
 *       metadata" after blocking {@code max.block.ms}), the rest of the batch is not sent and
 *       reported retriable, so a batch blocks at most once;
 *   <li>when encoding fails transiently for a topic (schema registry down), the rest of that
 *       topic's events are reported retriable without calling the registry again;
 *   <li>once an event of an aggregate failed transiently, the later events of the same
 *       aggregate in the batch are not sent, and any that were acknowledged anyway (the failure
 *       came asynchronously) are reported retriable too: they will be sent again after the
 *       failed one, so the aggregate's last records on the topic keep the commit order.
 * </ul>
 */
final class BatchPublication {

    private final List<OutboxEvent> events;
    private final AtomicReferenceArray<PublishOutcome> outcomes;
    private final AtomicInteger pending;
    private final CompletableFuture<List<PublishOutcome>> done = new CompletableFuture<>();

    BatchPublication(List<OutboxEvent> events) {
        this.events = events;
        this.outcomes = new AtomicReferenceArray<>(events.size());
        this.pending = new AtomicInteger(events.size() + 1);
    }

    /** Sends the batch and returns the stage of its outcomes, in event order. */
    CompletableFuture<List<PublishOutcome>> send(Producer<byte[], byte[]> producer, OutboxRecordFactory records,
            Duration guard) {
        Set<String> failedAggregates = new HashSet<>();
        Map<String, RuntimeException> failedTopics = new HashMap<>();
        RuntimeException sendFailure = null;
        for (int i = 0; i < events.size(); i++) {
            OutboxEvent event = events.get(i);
            if (sendFailure != null) {
                complete(i, PublishOutcome.retriable(event.id(),
                        new OutboxException("not sent: an earlier send of this batch failed", sendFailure)));
                continue;
            }
            if (failedAggregates.contains(event.aggregateId())) {
                complete(i, PublishOutcome.retriable(event.id(), new OutboxException(
                        "not sent: an earlier event of aggregate " + event.aggregateId() + " failed in this batch")));
                continue;
            }
            ProducerRecord<byte[], byte[]> record;
            try {
                RuntimeException topicFailure = failedTopics.get(event.aggregateType());
                if (topicFailure != null) {
                    throw new OutboxException("not encoded: encoding for the same aggregate type failed earlier in "
                            + "this batch", topicFailure);
                }
                record = records.toRecord(event);
            } catch (RuntimeException e) {
                PublishOutcome outcome = PublishErrorClassifier.outcome(event.id(), e);
                if (!outcome.isPublished() && outcome.status() == PublishOutcome.Status.RETRIABLE_FAILURE) {
                    failedAggregates.add(event.aggregateId());
                    failedTopics.putIfAbsent(event.aggregateType(), e);
                }
                complete(i, outcome);
                continue;
            }
            int index = i;
            try {
                producer.send(record, (metadata, error) -> complete(index, error == null
                        ? PublishOutcome.published(event.id())
                        : PublishErrorClassifier.outcome(event.id(), error)));
            } catch (RuntimeException e) {
                PublishOutcome outcome = PublishErrorClassifier.outcome(event.id(), e);
                if (outcome.status() == PublishOutcome.Status.RETRIABLE_FAILURE) {
                    failedAggregates.add(event.aggregateId());
                    sendFailure = e;
                }
                complete(index, outcome);
            }
        }
        arrive();
        return done.orTimeout(guard.toMillis(), TimeUnit.MILLISECONDS)
                .handle((list, error) -> list != null ? list : snapshot(guard));
    }

    private void complete(int index, PublishOutcome outcome) {
        if (outcomes.compareAndSet(index, null, outcome)) {
            arrive();
        }
    }

    private void arrive() {
        if (pending.decrementAndGet() == 0) {
            done.complete(orderGuarded(snapshot(null)));
        }
    }

    private List<PublishOutcome> snapshot(Duration timedOut) {
        PublishOutcome[] result = new PublishOutcome[events.size()];
        for (int i = 0; i < result.length; i++) {
            PublishOutcome outcome = outcomes.get(i);
            result[i] = outcome != null ? outcome : PublishOutcome.retriable(events.get(i).id(),
                    new TimeoutException("no acknowledgement within " + timedOut + " (publish guard timeout)"));
        }
        return timedOut == null ? Arrays.asList(result) : orderGuarded(Arrays.asList(result));
    }

    private List<PublishOutcome> orderGuarded(List<PublishOutcome> raw) {
        List<PublishOutcome> result = null;
        Set<String> failed = null;
        for (int i = 0; i < raw.size(); i++) {
            PublishOutcome outcome = raw.get(i);
            String aggregate = events.get(i).aggregateId();
            if (outcome.status() == PublishOutcome.Status.RETRIABLE_FAILURE) {
                if (failed == null) {
                    failed = new HashSet<>();
                }
                failed.add(aggregate);
            } else if (outcome.isPublished() && failed != null && failed.contains(aggregate)) {
                if (result == null) {
                    result = new ArrayList<>(raw);
                }
                result.set(i, PublishOutcome.retriable(outcome.eventId(), new OutboxException("acknowledged, but an "
                        + "earlier event of aggregate " + aggregate + " failed: reported for a resend to keep order")));
            }
        }
        return result != null ? result : raw;
    }
}

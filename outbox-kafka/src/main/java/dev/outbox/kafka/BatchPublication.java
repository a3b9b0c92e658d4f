package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.utils.Utils;

/**
 * One {@code publish} call: sends every event without waiting, collects one outcome per event
 * from the producer's callbacks, and completes once all are in (or the guard timeout passes).
 *
 * <p>Rules that keep it bounded and ordered:
 * <ul>
 *   <li>when {@code send()} itself throws a transient error (typically "not present in
 *       metadata" after blocking {@code max.block.ms}), the rest of the batch is not sent and
 *       reported retriable, so a batch blocks at most once;
 *   <li>when encoding fails transiently for an aggregate type (schema registry down), the rest of
 *       that type's events are reported retriable without calling the registry again;
 *   <li>once an event of an aggregate failed transiently, the later events of the same
 *       aggregate in the batch are not sent, and any that were acknowledged anyway (the failure
 *       came asynchronously) are reported retriable too: they will be sent again after the
 *       failed one, so the aggregate's last records on the topic keep the commit order;
 *   <li>the first time the publisher meets a topic, the first record of each partition is sent
 *       alone and awaited before the others. A fresh partition can otherwise reorder an idempotent
 *       producer's in-flight requests: the first fails NOT_LEADER_OR_FOLLOWER while the broker
 *       applies the topic creation, the second is accepted, and every retry of the first then
 *       fails OUT_OF_ORDER_SEQUENCE_NUMBER until it expires (KAFKA-15591, KAFKA-14312,
 *       KAFKA-19880; seen with the 4.3.1 broker on auto-created topics).
 * </ul>
 */
final class BatchPublication {

    /** Stands for "acknowledged" in {@link #outcomes} until {@link #snapshot} builds the real outcome. */
    private static final PublishOutcome ACKNOWLEDGED = PublishOutcome.published(new UUID(0, 0));

    private final List<OutboxEvent> events;
    private final Set<String> warmTopics;
    private final AtomicReferenceArray<PublishOutcome> outcomes;
    private final AtomicInteger pending;
    private final CompletableFuture<List<PublishOutcome>> done = new CompletableFuture<>();
    private final Set<String> failedAggregates = new HashSet<>();
    private RuntimeException sendFailure;

    BatchPublication(List<OutboxEvent> events, Set<String> warmTopics) {
        this.events = events;
        this.warmTopics = warmTopics;
        this.outcomes = new AtomicReferenceArray<>(events.size());
        this.pending = new AtomicInteger(events.size() + 1);
    }

    /**
     * Sends the batch and returns the stage of its outcomes, in event order. Each record is sent
     * as soon as it is encoded, so encoding overlaps with the producer's network I/O; records of
     * topics this publisher has not written yet are held back for {@link #sendPilots}.
     */
    CompletableFuture<List<PublishOutcome>> send(Producer<byte[], byte[]> producer, OutboxRecordFactory records,
            Duration guard) {
        Map<String, RuntimeException> failedTypes = new HashMap<>();
        Map<Integer, ProducerRecord<byte[], byte[]>> cold = null;
        for (int i = 0; i < events.size(); i++) {
            ProducerRecord<byte[], byte[]> record = sendFailure == null ? encode(i, records, failedTypes) : null;
            if (record == null) {
                if (sendFailure != null) {
                    refuse(i);
                }
            } else if (warmTopics.contains(record.topic())) {
                sendOne(producer, i, record, null);
            } else {
                if (cold == null) {
                    cold = new LinkedHashMap<>();
                }
                cold.put(i, record);
            }
        }
        if (cold != null) {
            sendPilots(producer, cold, guard);
            cold.forEach((index, record) -> {
                if (outcomes.get(index) == null) {
                    sendOne(producer, index, record, null);
                }
            });
        }
        arrive();
        return done.orTimeout(guard.toMillis(), TimeUnit.MILLISECONDS)
                .handle((list, error) -> list != null ? list : orderGuarded(snapshot(guard)));
    }

    /** Builds the record of event {@code i}, or completes its outcome and returns null when that fails. */
    private ProducerRecord<byte[], byte[]> encode(int i, OutboxRecordFactory records,
            Map<String, RuntimeException> failedTypes) {
        OutboxEvent event = events.get(i);
        try {
            RuntimeException typeFailure = failedTypes.get(event.aggregateType());
            if (typeFailure != null) {
                throw new OutboxException("not encoded: encoding failed for an earlier " + event.aggregateType()
                        + " event of this batch", typeFailure);
            }
            return records.toRecord(event);
        } catch (RuntimeException e) {
            PublishOutcome outcome = PublishErrorClassifier.outcome(event.id(), e);
            if (outcome.status() == Status.RETRIABLE_FAILURE) {
                failedTypes.putIfAbsent(event.aggregateType(), e);
            }
            complete(i, outcome);
            return null;
        }
    }

    /**
     * Sends and awaits the first record of each partition of topics this publisher has not
     * written yet (in event order), then marks the topics warm when all their pilots succeeded.
     */
    private void sendPilots(Producer<byte[], byte[]> producer, Map<Integer, ProducerRecord<byte[], byte[]>> cold,
            Duration guard) {
        if (sendFailure != null) {
            return; // the broker is not answering: the held-back records are refused by the caller
        }
        Map<String, Integer> partitionsByTopic = new HashMap<>();
        Map<String, Map<Integer, Integer>> firstIndexByPartition = new LinkedHashMap<>();
        for (Map.Entry<Integer, ProducerRecord<byte[], byte[]>> entry : cold.entrySet()) {
            ProducerRecord<byte[], byte[]> record = entry.getValue();
            Integer partitions = partitionsByTopic.get(record.topic());
            if (partitions == null) {
                try {
                    partitions = producer.partitionsFor(record.topic()).size();
                } catch (RuntimeException e) {
                    sendFailed(entry.getKey(), e);
                    return;
                }
                partitionsByTopic.put(record.topic(), partitions);
                if (partitions <= 0) {
                    warmTopics.add(record.topic()); // nothing known to warm (a test double without a cluster)
                }
            }
            if (partitions > 0) {
                int partition = Utils.toPositive(Utils.murmur2(record.key())) % partitions;
                firstIndexByPartition.computeIfAbsent(record.topic(), t -> new HashMap<>())
                        .putIfAbsent(partition, entry.getKey());
            }
        }
        List<Integer> pilots = new ArrayList<>();
        firstIndexByPartition.values().forEach(byPartition -> pilots.addAll(byPartition.values()));
        if (pilots.isEmpty()) {
            return;
        }
        pilots.sort(null);
        CountDownLatch acknowledged = new CountDownLatch(pilots.size());
        for (int index : pilots) {
            if (!sendOne(producer, index, cold.get(index), acknowledged)) {
                acknowledged.countDown();
            }
        }
        try {
            acknowledged.await(guard.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Set<String> notWarm = new HashSet<>();
        for (int index : pilots) {
            PublishOutcome outcome = outcomes.get(index);
            if (outcome == null || !outcome.isPublished()) {
                notWarm.add(cold.get(index).topic());
            }
            if (outcome == null || outcome.status() == Status.RETRIABLE_FAILURE) {
                failedAggregates.add(events.get(index).aggregateId());
            }
        }
        firstIndexByPartition.keySet().stream().filter(topic -> !notWarm.contains(topic)).forEach(warmTopics::add);
    }

    private void refuse(int index) {
        complete(index, PublishOutcome.retriable(events.get(index).id(),
                new OutboxException("not sent: an earlier send of this batch failed", sendFailure)));
    }

    /** Sends one record unless a rule says otherwise; returns whether the producer accepted it. */
    private boolean sendOne(Producer<byte[], byte[]> producer, int index, ProducerRecord<byte[], byte[]> record,
            CountDownLatch pilot) {
        OutboxEvent event = events.get(index);
        if (sendFailure != null) {
            refuse(index);
            return false;
        }
        if (failedAggregates.contains(event.aggregateId())) {
            complete(index, PublishOutcome.retriable(event.id(), new OutboxException(
                    "not sent: an earlier event of aggregate " + event.aggregateId() + " failed in this batch")));
            return false;
        }
        try {
            producer.send(record, (metadata, error) -> {
                // runs on the producer's I/O thread, once per record: an acknowledgement only stores a
                // shared marker; the outcome objects are built once the whole batch is in (see snapshot)
                complete(index, error == null ? ACKNOWLEDGED : PublishErrorClassifier.outcome(event.id(), error));
                if (pilot != null) {
                    pilot.countDown();
                }
            });
            return true;
        } catch (RuntimeException e) {
            sendFailed(index, e);
            return false;
        }
    }

    private void sendFailed(int index, RuntimeException e) {
        PublishOutcome outcome = PublishErrorClassifier.outcome(events.get(index).id(), e);
        if (outcome.status() == Status.RETRIABLE_FAILURE) {
            failedAggregates.add(events.get(index).aggregateId());
            sendFailure = e;
        }
        complete(index, outcome);
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
            if (outcome == ACKNOWLEDGED) {
                result[i] = PublishOutcome.published(events.get(i).id());
            } else {
                result[i] = outcome != null ? outcome : PublishOutcome.retriable(events.get(i).id(),
                        new TimeoutException("no acknowledgement within " + timedOut + " (publish guard timeout)"));
            }
        }
        return Arrays.asList(result);
    }

    private List<PublishOutcome> orderGuarded(List<PublishOutcome> raw) {
        List<PublishOutcome> result = null;
        Set<String> failed = null;
        for (int i = 0; i < raw.size(); i++) {
            PublishOutcome outcome = raw.get(i);
            String aggregate = events.get(i).aggregateId();
            if (outcome.status() == Status.RETRIABLE_FAILURE) {
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

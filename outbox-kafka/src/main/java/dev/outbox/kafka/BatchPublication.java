package dev.outbox.kafka;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.AggregateKey;
import dev.outbox.core.spi.DeliveryPolicy;
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
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Rules that keep it bounded and ordered (failures are classified by
 * {@link PublishErrorClassifier}):
 * <ul>
 *   <li>the whole call has one deadline, {@code max.block.ms} + the guard timeout from its start:
 *       the pilot wait and the wait for acknowledgements share it, and records still unsent when
 *       it has passed are reported {@code NOT_ATTEMPTED} (see
 *       {@link KafkaPublisherConfig#maxPublishDuration()});
 *   <li>"not present in metadata" (after blocking {@code max.block.ms} in {@code partitionsFor}
 *       or {@code send}, thrown or reported to the callback on the calling thread) stops that topic
 *       only: its later events are reported {@code NOT_ATTEMPTED} without another blocking call,
 *       and the call goes on with the other topics. When a second topic fails so, or
 *       {@code send()} throws anything else that is not permanent, the rest of the batch is not
 *       sent and reported {@code NOT_ATTEMPTED}: the broker is most likely down, so a batch blocks
 *       at most twice;
 *   <li>a topic in {@link MissingTopics} (found missing in a recent call) is not asked for: its
 *       events are reported with the cached metadata error at once, classified as a fresh one. A
 *       topic not present in metadata is added there when the broker named it unknown (the
 *       timeout's cause, as KafkaProducer reports it), or when another event of the call was
 *       acknowledged and the call did not stop for a likely outage; an outage never adds one;
 *   <li>when encoding fails because the schema registry is unavailable, the rest of that
 *       aggregate type's events are reported {@code NOT_ATTEMPTED} without calling the registry again;
 *   <li>once an event of an aggregate ({@link AggregateKey}: type and id) failed other than
 *       permanently, the later events of the same aggregate in the batch are not sent
 *       ({@code NOT_ATTEMPTED}), and any that were acknowledged anyway (the failure came
 *       asynchronously) are reported {@code NOT_ATTEMPTED} too
 *       ({@link DeliveryPolicy#holdBackSuccessors}): they will be sent again after the failed one,
 *       so the aggregate's last records on the topic keep the commit order;
 *   <li>a "not present in metadata" timeout is {@code UNAVAILABLE} unless another event of the
 *       call was acknowledged (the broker is up, so the topic is missing): then it is the event's
 *       own {@code RETRIABLE_FAILURE};
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
    private final MissingTopics missingTopics;
    private final AtomicReferenceArray<PublishOutcome> outcomes;
    private final AtomicInteger pending;
    private final CompletableFuture<List<PublishOutcome>> done = new CompletableFuture<>();
    /**
     * Aggregates with an event that did not get through, and the index of their earliest such event:
     * only the aggregate's events after it are held back (the pilots of new topics are sent before
     * the rest, so a failure can be found before an earlier event is sent). Calling thread only.
     */
    private final Map<AggregateKey, Integer> failedAggregates = new HashMap<>();
    /**
     * Topics that failed "not present in metadata" in this call, with the error: their later
     * events are not sent. Written by the calling thread, read by {@link #finish} on any thread.
     */
    private final Map<String, RuntimeException> failedTopics = new ConcurrentHashMap<>();
    /** Set when a failure makes further sends pointless (the broker is most likely down); stops the call. */
    private volatile RuntimeException sendFailure;
    private long deadlineNanos;
    private long maxBlockNanos;

    BatchPublication(List<OutboxEvent> events, Set<String> warmTopics, MissingTopics missingTopics) {
        this.events = events;
        this.warmTopics = warmTopics;
        this.missingTopics = missingTopics;
        this.outcomes = new AtomicReferenceArray<>(events.size());
        this.pending = new AtomicInteger(events.size() + 1);
    }

    /**
     * Sends the batch and returns the stage of its outcomes, in event order. Each record is sent
     * as soon as it is encoded, so encoding overlaps with the producer's network I/O; records of
     * topics this publisher has not written yet are held back for {@link #sendPilots}.
     */
    CompletableFuture<List<PublishOutcome>> send(Producer<byte[], byte[]> producer, OutboxRecordFactory records,
            Duration maxBlock, Duration guard) {
        maxBlockNanos = maxBlock.toNanos();
        deadlineNanos = System.nanoTime() + maxBlockNanos + guard.toNanos();
        Map<String, RuntimeException> failedTypes = new HashMap<>();
        Map<Integer, ProducerRecord<byte[], byte[]>> cold = null;
        for (int i = 0; i < events.size(); i++) {
            ProducerRecord<byte[], byte[]> record = sendFailure == null ? encode(i, records, failedTypes) : null;
            if (record == null) {
                if (sendFailure != null) {
                    refuse(i);
                }
            } else if (knownMissing(i, record.topic())) {
                continue;
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
            sendPilots(producer, cold);
            cold.forEach((index, record) -> {
                if (outcomes.get(index) == null) {
                    if (nanosLeft() > 0) {
                        sendOne(producer, index, record, null);
                    } else {
                        fail(index, PublishOutcome.notAttempted(events.get(index).id(), new OutboxException(
                                "not sent: the publish call's time (max.block.ms + delivery.timeout.ms + 5 s) ran out")));
                    }
                }
            });
        }
        arrive();
        Duration bound = maxBlock.plus(guard);
        return done.orTimeout(Math.max(1, nanosLeft() / 1_000_000), TimeUnit.MILLISECONDS)
                .handle((list, error) -> list != null ? list : finish(snapshot(bound)));
    }

    /**
     * Reports event {@code i} with the cached metadata error when its topic was found missing in
     * a recent call, classified as a fresh one would be: the event's own {@code RETRIABLE_FAILURE}
     * when the broker named the topic unknown, else {@code UNAVAILABLE}, which {@link #finish}
     * makes the event's own failure when the broker acknowledges another event of this call.
     * Returns whether it did.
     */
    private boolean knownMissing(int i, String topic) {
        RuntimeException cached = missingTopics.errorFor(topic);
        if (cached == null) {
            return false;
        }
        fail(i, PublishErrorClassifier.outcome(events.get(i).id(), new OutboxException("not sent: topic " + topic
                + " was not present in metadata in a recent publish call", cached)));
        return true;
    }

    private long nanosLeft() {
        return deadlineNanos - System.nanoTime();
    }

    /** Builds the record of event {@code i}, or completes its outcome and returns null when that fails. */
    private ProducerRecord<byte[], byte[]> encode(int i, OutboxRecordFactory records,
            Map<String, RuntimeException> failedTypes) {
        OutboxEvent event = events.get(i);
        RuntimeException typeFailure = failedTypes.get(event.aggregateType());
        if (typeFailure != null) {
            fail(i, PublishOutcome.notAttempted(event.id(), new OutboxException("not encoded: encoding failed for an "
                    + "earlier " + event.aggregateType() + " event of this batch", typeFailure)));
            return null;
        }
        try {
            return records.toRecord(event);
        } catch (RuntimeException e) {
            PublishOutcome outcome = PublishErrorClassifier.outcome(event.id(), e);
            if (outcome.status() == Status.UNAVAILABLE) {
                failedTypes.putIfAbsent(event.aggregateType(), e); // the registry is down: spare it the rest
            }
            fail(i, outcome);
            return null;
        }
    }

    /**
     * Sends and awaits the first record of each partition of topics this publisher has not
     * written yet (in event order), then marks the topics warm when all their pilots succeeded.
     */
    private void sendPilots(Producer<byte[], byte[]> producer, Map<Integer, ProducerRecord<byte[], byte[]>> cold) {
        if (sendFailure != null) {
            return; // the broker is not answering: the held-back records are refused by the caller
        }
        Map<String, Integer> partitionsByTopic = new HashMap<>();
        Map<String, Map<Integer, Integer>> firstIndexByPartition = new LinkedHashMap<>();
        for (Map.Entry<Integer, ProducerRecord<byte[], byte[]>> entry : cold.entrySet()) {
            ProducerRecord<byte[], byte[]> record = entry.getValue();
            Integer partitions = partitionsByTopic.get(record.topic());
            if (failedTopics.containsKey(record.topic())) {
                continue; // refused by sendOne when the caller sends the held-back records
            }
            if (partitions == null) {
                if (!failedTopics.isEmpty() && nanosLeft() < maxBlockNanos) {
                    // a second lookup could block max.block.ms again and overrun the call's deadline
                    sendFailure = new OutboxException("not sent: a topic of this batch was not present in metadata "
                            + "and too little of the publish call's time is left for another metadata lookup");
                    return;
                }
                try {
                    partitions = producer.partitionsFor(record.topic()).size();
                } catch (RuntimeException e) {
                    sendFailed(entry.getKey(), record.topic(), e);
                    if (sendFailure != null) {
                        return;
                    }
                    continue;
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
            acknowledged.await(Math.max(0, nanosLeft()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Set<String> notWarm = new HashSet<>();
        for (int index : pilots) {
            PublishOutcome outcome = outcomes.get(index);
            if (outcome == null || !outcome.isPublished()) {
                notWarm.add(cold.get(index).topic());
            }
            if (outcome == null || blocks(outcome)) {
                holdBackAfter(index);
            }
        }
        firstIndexByPartition.keySet().stream().filter(topic -> !notWarm.contains(topic)).forEach(warmTopics::add);
    }

    private void refuse(int index) {
        fail(index, PublishOutcome.notAttempted(events.get(index).id(),
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
        RuntimeException topicFailure = failedTopics.get(record.topic());
        if (topicFailure != null) {
            fail(index, PublishOutcome.notAttempted(event.id(), new OutboxException("not sent: topic " + record.topic()
                    + " was not present in metadata for an earlier event of this batch", topicFailure)));
            return false;
        }
        AggregateKey aggregate = AggregateKey.of(event);
        Integer blocker = failedAggregates.get(aggregate);
        if (blocker != null && blocker < index) {
            fail(index, PublishOutcome.notAttempted(event.id(), new OutboxException("not sent: the earlier event "
                    + events.get(blocker).id() + " of aggregate " + aggregate + " failed in this batch")));
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
        } catch (RuntimeException e) {
            sendFailed(index, record.topic(), e);
            return false;
        }
        PublishOutcome reported = outcomes.get(index);
        if (reported != null && !reported.isPublished() && PublishErrorClassifier.isMissingMetadata(reported.error())) {
            // KafkaProducer reports its metadata timeout through the callback, on this thread, after blocking
            holdBackAfter(index);
            topicFailed(record.topic(), reported.error() instanceof RuntimeException e ? e
                    : new OutboxException("send failed", reported.error()));
        }
        return true;
    }

    private void sendFailed(int index, String topic, RuntimeException e) {
        PublishOutcome outcome = PublishErrorClassifier.outcome(events.get(index).id(), e);
        if (PublishErrorClassifier.isMissingMetadata(e)) {
            topicFailed(topic, e);
        } else if (blocks(outcome)) {
            sendFailure = e; // the next send would most likely block max.block.ms again: stop here
        }
        fail(index, outcome);
    }

    /**
     * A "not present in metadata" timeout on one topic may be that topic missing: the call goes
     * on with the other topics. A second topic failing the same way means the broker is most
     * likely down, and every further send would block {@code max.block.ms} again: stop here.
     */
    private void topicFailed(String topic, RuntimeException e) {
        if (!failedTopics.isEmpty() && !failedTopics.containsKey(topic)) {
            sendFailure = e;
        }
        failedTopics.putIfAbsent(topic, e);
    }

    /** Completes a failure found on the calling thread; one that blocks its aggregate holds back its successors. */
    private void fail(int index, PublishOutcome outcome) {
        if (blocks(outcome)) {
            holdBackAfter(index);
        }
        complete(index, outcome);
    }

    /**
     * Holds back the events of event {@code index}'s aggregate that come after it in the batch. An
     * earlier one is still sent: holding it back for a later event's failure would leave the
     * aggregate stuck, since the relay then counts no attempt for the later event either.
     */
    private void holdBackAfter(int index) {
        failedAggregates.merge(AggregateKey.of(events.get(index)), index, Math::min);
    }

    private static boolean isOwn(Throwable error) {
        return PublishErrorClassifier.outcome(new UUID(0, 0), error).status() == Status.RETRIABLE_FAILURE;
    }

    private static boolean blocks(PublishOutcome outcome) {
        return !outcome.isPublished() && outcome.status() != Status.PERMANENT_FAILURE;
    }

    private void complete(int index, PublishOutcome outcome) {
        if (outcomes.compareAndSet(index, null, outcome)) {
            arrive();
        }
    }

    private void arrive() {
        if (pending.decrementAndGet() == 0) {
            done.complete(finish(snapshot(null)));
        }
    }

    private List<PublishOutcome> snapshot(Duration timedOut) {
        PublishOutcome[] result = new PublishOutcome[events.size()];
        for (int i = 0; i < result.length; i++) {
            PublishOutcome outcome = outcomes.get(i);
            if (outcome == ACKNOWLEDGED) {
                result[i] = PublishOutcome.published(events.get(i).id());
            } else {
                result[i] = outcome != null ? outcome : PublishOutcome.unavailable(events.get(i).id(),
                        new TimeoutException("no acknowledgement within " + timedOut + " of the publish call "
                                + "(publish guard timeout)"));
            }
        }
        return Arrays.asList(result);
    }

    /** Settles the ambiguous metadata timeouts, then applies the core's hold-back rule. */
    private List<PublishOutcome> finish(List<PublishOutcome> raw) {
        boolean acknowledged = raw.stream().anyMatch(PublishOutcome::isPublished);
        failedTopics.forEach((topic, error) -> {
            // missing for sure when the broker named it unknown (the error's cause), or when the
            // broker acknowledged another event and the call did not stop for a likely outage
            if (isOwn(error) || acknowledged && sendFailure == null) {
                missingTopics.remember(topic, error);
            }
        });
        if (acknowledged) {
            for (int i = 0; i < raw.size(); i++) {
                PublishOutcome outcome = raw.get(i);
                if (outcome.status() == Status.UNAVAILABLE && PublishErrorClassifier.isMissingMetadata(outcome.error())) {
                    // the broker acknowledged another event of this call: the topic is missing, not the broker
                    raw.set(i, PublishOutcome.retriable(outcome.eventId(), outcome.error()));
                }
            }
        }
        return DeliveryPolicy.holdBackSuccessors(events, raw);
    }
}

package dev.outbox.kafka;

import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.kafka.avro.SchemaRegistryException;
import java.io.IOException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Decides whose fault a failed send is, which decides what it costs the event (see
 * {@link PublishOutcome.Status}). The whole cause chain is inspected.
 *
 * <ul>
 *   <li><b>{@code PERMANENT_FAILURE}</b>, the record itself can never be sent: serialization
 *       failures ({@link SerializationException}, {@link PayloadEncodingException}), records or
 *       batches too large, invalid records; unless a cause in the chain is transient (Confluent's
 *       serializer, for one, wraps an unreachable registry's {@link IOException} in a
 *       {@link SerializationException}).
 *   <li><b>{@code RETRIABLE_FAILURE}</b>, the event's own failure that may pass (counted toward
 *       its attempts): not authorized for its topic, an invalid or unknown topic or partition, a
 *       corrupt record, a schema the registry rejects (4xx), and anything unknown, so an event
 *       that fails for a reason we do not know is dead-lettered in the end instead of holding up
 *       its aggregate for ever.
 *   <li><b>{@code UNAVAILABLE}</b>, not the event's fault (no attempt counted): timeouts and
 *       expired records, the network, leaders moving, too few in-sync replicas, disconnects,
 *       any other {@link RetriableException}, I/O errors, an unreachable or failing (5xx)
 *       registry, an interrupted send.
 * </ul>
 *
 * <p>One timeout is ambiguous: "not present in metadata after N ms" means either that the
 * broker cannot be reached or that the topic does not exist (with auto-creation off). When the
 * broker answered, KafkaProducer attaches the topic's error as the cause
 * ({@link UnknownTopicOrPartitionException}), which makes it {@code RETRIABLE_FAILURE}; without
 * a cause it is {@code UNAVAILABLE} here; {@link BatchPublication} turns it into the event's own
 * {@code RETRIABLE_FAILURE} when another event of the same publish call was acknowledged, since
 * the broker is up then, and stops only that topic for the rest of the call.
 */
final class PublishErrorClassifier {

    private PublishErrorClassifier() {
    }

    /** Returns the outcome of a failed event. */
    static PublishOutcome outcome(UUID eventId, Throwable error) {
        if (isPermanent(error)) {
            return PublishOutcome.permanent(eventId, error);
        }
        if (!anyCause(error, PublishErrorClassifier::isOwn) && anyCause(error, PublishErrorClassifier::isUnavailable)) {
            return PublishOutcome.unavailable(eventId, error);
        }
        return PublishOutcome.retriable(eventId, error);
    }

    /** True when no cause in the chain is transient and at least one marks the record as unsendable. */
    static boolean isPermanent(Throwable error) {
        return !anyCause(error, PublishErrorClassifier::isUnavailable)
                && !anyCause(error, PublishErrorClassifier::isOwn)
                && anyCause(error, PublishErrorClassifier::isUnsendable);
    }

    /** True when some cause in the chain is transient (I/O, timeout, retriable Kafka error, registry). */
    static boolean hasTransientCause(Throwable error) {
        return anyCause(error, PublishErrorClassifier::isUnavailable);
    }

    /** True when the chain holds the producer's "not present in metadata" timeout: a missing topic or an outage. */
    static boolean isMissingMetadata(Throwable error) {
        return anyCause(error, t -> t instanceof TimeoutException && t.getMessage() != null
                && t.getMessage().contains("not present in metadata"));
    }

    /** Walks the cause chain once, stopping at a cycle. */
    private static boolean anyCause(Throwable error, Predicate<Throwable> test) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }

    /** The event's own failures that may pass; checked before the retriable Kafka errors they extend. */
    private static boolean isOwn(Throwable t) {
        return t instanceof AuthorizationException
                || t instanceof InvalidTopicException
                || t instanceof UnknownTopicOrPartitionException
                || t instanceof CorruptRecordException
                || t instanceof SchemaRegistryException registry
                        && registry.statusCode() >= 400 && registry.statusCode() < 500;
    }

    private static boolean isUnavailable(Throwable t) {
        return t instanceof RetriableException
                || t instanceof IOException
                || t instanceof SchemaRegistryException
                || t instanceof InterruptException
                || t instanceof InterruptedException
                || t instanceof java.util.concurrent.TimeoutException;
    }

    private static boolean isUnsendable(Throwable t) {
        return t instanceof SerializationException
                || t instanceof PayloadEncodingException
                || t instanceof RecordTooLargeException
                || t instanceof RecordBatchTooLargeException
                || t instanceof InvalidRecordException;
    }
}

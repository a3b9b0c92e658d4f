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
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Decides whether a failed send may succeed later.
 *
 * <p>Permanent: the record itself is at fault and would fail the same way again: serialization
 * failures ({@link SerializationException}, {@link PayloadEncodingException}), records or
 * batches too large, invalid records, illegal topic names. Retriable: everything else (timeouts,
 * broker or registry unavailable, unknown errors), since reporting a failure that could pass as
 * permanent would dead-letter a good event. The whole cause chain is inspected and a retriable
 * cause wins: Confluent's serializer, for one, wraps an unreachable registry's
 * {@link IOException} in a {@link SerializationException}.
 */
final class PublishErrorClassifier {

    private PublishErrorClassifier() {
    }

    /** Returns the outcome of a failed event. */
    static PublishOutcome outcome(UUID eventId, Throwable error) {
        return isPermanent(error) ? PublishOutcome.permanent(eventId, error) : PublishOutcome.retriable(eventId, error);
    }

    /** True when no cause in the chain is transient and at least one marks the record as unsendable. */
    static boolean isPermanent(Throwable error) {
        return !hasTransientCause(error) && anyCause(error, PublishErrorClassifier::isUnsendable);
    }

    /** True when some cause in the chain is transient (I/O, timeout, retriable Kafka error, registry). */
    static boolean hasTransientCause(Throwable error) {
        return anyCause(error, PublishErrorClassifier::isTransient);
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

    private static boolean isTransient(Throwable t) {
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
                || t instanceof InvalidRecordException
                || t instanceof InvalidTopicException;
    }
}

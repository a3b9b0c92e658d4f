package dev.outbox.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Topics found missing in a recent publish call ("not present in metadata" while the broker
 * acknowledged another event of the same call), so later calls report their events at once
 * instead of blocking {@code max.block.ms} per call on a topic that does not exist. An entry
 * expires after its time to live; the topic is then tried again.
 *
 * <p>Thread-safe: shared by every publish call of one publisher.
 */
final class MissingTopics {

    private record Entry(RuntimeException error, long expiresAtNanos) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Duration timeToLive;
    private final LongSupplier nanoTime;

    MissingTopics(Duration timeToLive, LongSupplier nanoTime) {
        this.timeToLive = timeToLive;
        this.nanoTime = nanoTime;
    }

    /** Returns the metadata error the topic last failed with, or null when it is not known missing (any more). */
    RuntimeException errorFor(String topic) {
        Entry entry = entries.get(topic);
        if (entry == null) {
            return null;
        }
        if (nanoTime.getAsLong() - entry.expiresAtNanos() >= 0) {
            entries.remove(topic, entry);
            return null;
        }
        return entry.error();
    }

    /** Remembers that the topic is missing, for the time to live from now. */
    void remember(String topic, RuntimeException error) {
        entries.put(topic, new Entry(error, nanoTime.getAsLong() + timeToLive.toNanos()));
    }

}

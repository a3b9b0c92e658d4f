package dev.outbox.core;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates time-ordered event ids: UUID version 7 (RFC 9562), a 48-bit millisecond timestamp
 * followed by random bits. Ids from one JVM are strictly increasing even within a
 * millisecond, so they sort in creation order and index well.
 *
 * <p>Thread-safe.
 */
public final class EventIds {
    /** The last (millis << 12 | counter) handed out; keeps ids monotonic within a millisecond. */
    private static final AtomicLong LAST = new AtomicLong();

    private EventIds() {
    }

    /** Returns a new UUID version 7. */
    public static UUID next() {
        long stamp = LAST.updateAndGet(prev -> Math.max(prev + 1, System.currentTimeMillis() << 12));
        long millis = stamp >>> 12;
        long counter = stamp & 0xFFF;
        long msb = (millis << 16) | 0x7000L | counter;
        long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}

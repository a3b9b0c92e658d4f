package dev.outbox.core.relay;

import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.DeadLetter;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.core.spi.OutboxBacklog;
import dev.outbox.core.spi.OutboxStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** Delegates to a store and records which methods were called, without its subscription. */
final class CountingStore implements OutboxStore {
    final List<String> calls = new CopyOnWriteArrayList<>();
    /** The {@code until} of every {@link #extendClaims} call, in call order. */
    final List<Instant> extendedUntil = new CopyOnWriteArrayList<>();
    /** When set, {@link #extendClaims} blocks until it is counted down. */
    volatile CountDownLatch renewalsFrozen;
    private final OutboxStore delegate;

    CountingStore(OutboxStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public List<ClaimedEvent> claim(String claimant, int limit, Instant now, Duration lease) {
        calls.add("claim");
        return delegate.claim(claimant, limit, now, lease);
    }

    @Override
    public int markPublished(String claimant, Collection<UUID> eventIds, Instant now) {
        calls.add("markPublished");
        return delegate.markPublished(claimant, eventIds, now);
    }

    @Override
    public int reschedule(String claimant, Collection<FailedDelivery> failures) {
        calls.add("reschedule");
        return delegate.reschedule(claimant, failures);
    }

    @Override
    public int deadLetter(String claimant, Collection<FailedDelivery> failures) {
        calls.add("deadLetter");
        return delegate.deadLetter(claimant, failures);
    }

    @Override
    public int extendClaims(String claimant, Collection<UUID> eventIds, Instant until) {
        calls.add("extendClaims");
        CountDownLatch frozen = renewalsFrozen;
        if (frozen != null) {
            try {
                frozen.await(); // a relay that hangs (or died) mid-publish: it renews nothing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while frozen", e);
            }
        }
        extendedUntil.add(until);
        return delegate.extendClaims(claimant, eventIds, until);
    }

    @Override
    public void release(String claimant, Collection<UUID> eventIds) {
        calls.add("release");
        delegate.release(claimant, eventIds);
    }

    @Override
    public List<DeadLetter> deadLetters(int limit) {
        return delegate.deadLetters(limit);
    }

    @Override
    public int requeueDeadLetters(Collection<UUID> eventIds, Instant now) {
        return delegate.requeueDeadLetters(eventIds, now);
    }

    @Override
    public int deleteDeadLetters(Collection<UUID> eventIds) {
        return delegate.deleteDeadLetters(eventIds);
    }

    @Override
    public int purgePublished(Instant publishedBefore, int limit) {
        return delegate.purgePublished(publishedBefore, limit);
    }

    @Override
    public OutboxBacklog backlog() {
        calls.add("backlog");
        return delegate.backlog();
    }
}

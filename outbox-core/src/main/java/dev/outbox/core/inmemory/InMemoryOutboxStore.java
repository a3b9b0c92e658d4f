package dev.outbox.core.inmemory;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.internal.Checks;
import dev.outbox.core.spi.AggregateKey;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.DeadLetter;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.core.spi.OutboxBacklog;
import dev.outbox.core.spi.OutboxStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link OutboxStore} held in memory, for unit tests, demos and benchmarks. It obeys every
 * rule of the store contract: exclusive claims with lease expiry, per-aggregate order, dead
 * letters that do not block their aggregate, and {@link #subscribe} callbacks run after each
 * commit. Nothing survives the JVM.
 *
 * <p>Events enter through {@link #append(List)} (one committed transaction), usually via
 * {@link InMemoryUnitOfWork} and {@link InMemoryOutbox}:
 * <pre>{@code
 * InMemoryOutboxStore store = InMemoryOutboxStore.create();
 * InMemoryUnitOfWork unitOfWork = InMemoryUnitOfWork.create(store);
 * Outbox outbox = InMemoryOutbox.create(unitOfWork);
 * unitOfWork.useTransaction(() -> outbox.append(OutboxEvent.json("Order", "42", "OrderCreated", "{}")));
 * }</pre>
 *
 * <p>By default {@link #markPublished} deletes events; {@link #retainingPublished()} keeps them
 * until {@link #purgePublished}. {@link #simulateOutage(boolean)} makes every call fail, to test
 * how callers survive a database outage.
 *
 * <p>Thread-safe: every operation is atomic under one lock; callbacks run outside it.
 */
public final class InMemoryOutboxStore implements OutboxStore {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryOutboxStore.class);
    private final boolean retainPublished;
    private final Object lock = new Object();
    /** Every event not yet deleted, in append order. */
    private final Map<UUID, StoredEvent> events = new LinkedHashMap<>();
    private final List<Runnable> subscribers = new CopyOnWriteArrayList<>();
    private long nextSequence = 1;
    private volatile boolean outage;

    private InMemoryOutboxStore(boolean retainPublished) {
        this.retainPublished = retainPublished;
    }

    /** Creates an empty store that deletes events when they are marked published. */
    public static InMemoryOutboxStore create() {
        return new InMemoryOutboxStore(false);
    }

    /** Creates an empty store that keeps published events until {@link #purgePublished}. */
    public static InMemoryOutboxStore retainingPublished() {
        return new InMemoryOutboxStore(true);
    }

    /**
     * Commits events as one transaction, in list order, then notifies subscribers. Each event is
     * stored with the next aggregate sequence ({@link OutboxEvent#sequence()}, one counter for the
     * whole store, from 1), which claims and dead letters carry. The batch is refused whole when an
     * id is already stored or repeated, or when an event already carries a sequence.
     *
     * @throws IllegalArgumentException on a duplicate id or an event carrying
     *     {@value OutboxEvent#SEQUENCE_HEADER}, storing nothing
     * @throws OutboxException during a simulated outage
     */
    public void append(List<OutboxEvent> batch) {
        Objects.requireNonNull(batch, "events");
        checkAvailable();
        synchronized (lock) {
            Set<UUID> ids = new HashSet<>();
            for (OutboxEvent event : batch) {
                Objects.requireNonNull(event, "event").requireNoSequence();
                if (events.containsKey(event.id()) || !ids.add(event.id())) {
                    throw new IllegalArgumentException("duplicate event id " + event.id() + ": nothing appended");
                }
            }
            for (OutboxEvent event : batch) {
                long sequence = nextSequence++;
                events.put(event.id(), new StoredEvent(event.withSequence(sequence), sequence));
            }
        }
        if (!batch.isEmpty()) {
            notifySubscribers();
        }
    }

    /** Commits one event; see {@link #append(List)}. */
    public void append(OutboxEvent event) {
        append(List.of(event));
    }

    /**
     * Makes every later call throw {@link OutboxException} while {@code down} is true, as if the
     * database were unreachable; state is kept and returns when set back to false.
     */
    public void simulateOutage(boolean down) {
        this.outage = down;
    }

    /** Returns the events not yet published nor dead-lettered, in append order. */
    public List<OutboxEvent> pending() {
        synchronized (lock) {
            return events.values().stream().filter(e -> e.state == StoredEvent.State.PENDING)
                    .map(e -> e.event).toList();
        }
    }

    /** Returns whether the event is pending (neither published nor dead-lettered). */
    public boolean isPending(UUID eventId) {
        synchronized (lock) {
            StoredEvent stored = events.get(eventId);
            return stored != null && stored.state == StoredEvent.State.PENDING;
        }
    }

    /** Returns the claimant holding a live or expired claim on the event, if any. */
    public Optional<String> claimantOf(UUID eventId) {
        synchronized (lock) {
            StoredEvent stored = events.get(eventId);
            return Optional.ofNullable(stored == null ? null : stored.claimant);
        }
    }

    @Override
    public List<ClaimedEvent> claim(String claimant, int limit, Instant now, Duration lease) {
        Objects.requireNonNull(claimant, "claimant");
        Checks.atLeast(limit, 1, "limit");
        checkAvailable();
        Instant leaseUntil = now.plus(lease);
        List<ClaimedEvent> claimed = new ArrayList<>();
        synchronized (lock) {
            Set<AggregateKey> blocked = new HashSet<>();
            for (StoredEvent stored : events.values()) {
                if (claimed.size() == limit) {
                    break;
                }
                if (stored.state != StoredEvent.State.PENDING || blocked.contains(stored.aggregateKey)) {
                    continue;
                }
                if (!stored.isDue(now) || stored.isClaimed(now)) {
                    blocked.add(stored.aggregateKey);
                    continue;
                }
                stored.claimant = claimant;
                stored.leaseUntil = leaseUntil;
                claimed.add(new ClaimedEvent(stored.event, stored.attempts));
            }
        }
        return claimed;
    }

    @Override
    public int markPublished(String claimant, Collection<UUID> eventIds, Instant now) {
        Objects.requireNonNull(claimant, "claimant");
        checkAvailable();
        int marked = 0;
        synchronized (lock) {
            for (UUID id : eventIds) {
                StoredEvent stored = heldOrNull(claimant, id);
                if (stored == null) {
                    continue;
                }
                if (retainPublished) {
                    stored.state = StoredEvent.State.PUBLISHED;
                    stored.publishedAt = now;
                    stored.clearClaim();
                } else {
                    events.remove(id);
                }
                marked++;
            }
        }
        return marked;
    }

    @Override
    public int reschedule(String claimant, Collection<FailedDelivery> failures) {
        return recordFailures(claimant, failures, (stored, failure) -> stored.nextAttemptAt = failure.nextAttemptAt());
    }

    @Override
    public int deadLetter(String claimant, Collection<FailedDelivery> failures) {
        return recordFailures(claimant, failures, (stored, failure) -> {
            stored.state = StoredEvent.State.DEAD;
            stored.deadLetteredAt = failure.nextAttemptAt();
        });
    }

    @Override
    public int extendClaims(String claimant, Collection<UUID> eventIds, Instant until) {
        Objects.requireNonNull(claimant, "claimant");
        Objects.requireNonNull(until, "until");
        checkAvailable();
        int extended = 0;
        synchronized (lock) {
            for (UUID id : eventIds) {
                StoredEvent stored = heldOrNull(claimant, id);
                if (stored != null) {
                    stored.leaseUntil = until;
                    extended++;
                }
            }
        }
        return extended;
    }

    @Override
    public void release(String claimant, Collection<UUID> eventIds) {
        checkAvailable();
        synchronized (lock) {
            for (UUID id : eventIds) {
                StoredEvent stored = heldOrNull(claimant, id);
                if (stored != null) {
                    stored.clearClaim();
                }
            }
        }
    }

    @Override
    public List<DeadLetter> deadLetters(int limit) {
        Checks.atLeast(limit, 1, "limit");
        checkAvailable();
        synchronized (lock) {
            return events.values().stream().filter(e -> e.state == StoredEvent.State.DEAD)
                    .sorted(Comparator.comparing((StoredEvent e) -> e.deadLetteredAt)
                            .thenComparingLong(e -> e.sequence))
                    .limit(limit)
                    .map(e -> new DeadLetter(e.event, e.attempts, e.lastError, e.deadLetteredAt))
                    .toList();
        }
    }

    @Override
    public int requeueDeadLetters(Collection<UUID> eventIds, Instant now) {
        checkAvailable();
        int requeued = 0;
        synchronized (lock) {
            for (UUID id : eventIds) {
                StoredEvent stored = events.get(id);
                if (stored != null && stored.state == StoredEvent.State.DEAD) {
                    stored.state = StoredEvent.State.PENDING;
                    stored.attempts = 0;
                    stored.nextAttemptAt = now;
                    stored.lastError = "";
                    stored.deadLetteredAt = null;
                    requeued++;
                }
            }
        }
        if (requeued > 0) {
            notifySubscribers();
        }
        return requeued;
    }

    @Override
    public int deleteDeadLetters(Collection<UUID> eventIds) {
        checkAvailable();
        synchronized (lock) {
            int deleted = 0;
            for (UUID id : eventIds) {
                StoredEvent stored = events.get(id);
                if (stored != null && stored.state == StoredEvent.State.DEAD) {
                    events.remove(id);
                    deleted++;
                }
            }
            return deleted;
        }
    }

    @Override
    public int purgePublished(Instant publishedBefore, int limit) {
        Checks.atLeast(limit, 1, "limit");
        checkAvailable();
        synchronized (lock) {
            List<UUID> due = events.values().stream()
                    .filter(e -> e.state == StoredEvent.State.PUBLISHED && e.publishedAt.isBefore(publishedBefore))
                    .limit(limit).map(e -> e.event.id()).toList();
            due.forEach(events::remove);
            return due.size();
        }
    }

    @Override
    public OutboxBacklog backlog() {
        checkAvailable();
        synchronized (lock) {
            long pending = 0;
            long dead = 0;
            Instant oldest = null;
            for (StoredEvent stored : events.values()) {
                if (stored.state == StoredEvent.State.PENDING) {
                    pending++;
                    Instant at = stored.event.occurredAt();
                    oldest = oldest == null || at.isBefore(oldest) ? at : oldest;
                } else if (stored.state == StoredEvent.State.DEAD) {
                    dead++;
                }
            }
            return new OutboxBacklog(pending, Optional.ofNullable(oldest), dead);
        }
    }

    @Override
    public Subscription subscribe(Runnable onNewEvents) {
        Objects.requireNonNull(onNewEvents, "onNewEvents");
        subscribers.add(onNewEvents);
        return () -> subscribers.remove(onNewEvents);
    }

    /**
     * Records each failure's attempts and error on its pending event held by {@code claimant},
     * releases its claim, then runs {@code then}; returns how many events changed.
     */
    private int recordFailures(String claimant, Collection<FailedDelivery> failures,
            BiConsumer<StoredEvent, FailedDelivery> then) {
        Objects.requireNonNull(claimant, "claimant");
        checkAvailable();
        int changed = 0;
        synchronized (lock) {
            for (FailedDelivery failure : failures) {
                StoredEvent stored = heldOrNull(claimant, failure.eventId());
                if (stored != null) {
                    stored.attempts = failure.attempts();
                    stored.lastError = failure.lastError();
                    stored.clearClaim();
                    then.accept(stored, failure);
                    changed++;
                }
            }
        }
        return changed;
    }

    /**
     * Returns the event if it is pending and its claim is {@code claimant}'s, expired or not: the
     * fence of every outcome write. An expired claim nobody took over is still the claimant's alone.
     */
    private StoredEvent heldOrNull(String claimant, UUID id) {
        StoredEvent stored = events.get(id);
        return stored != null && stored.state == StoredEvent.State.PENDING && claimant.equals(stored.claimant)
                ? stored : null;
    }

    private void notifySubscribers() {
        for (Runnable subscriber : subscribers) {
            try {
                subscriber.run();
            } catch (RuntimeException e) {
                // the events are committed; a failing callback only delays the relay to its next poll
                LOG.warn("outbox subscriber callback failed", e);
            }
        }
    }

    private void checkAvailable() {
        if (outage) {
            throw new OutboxException("in-memory outbox store is unavailable (simulated outage)");
        }
    }
}

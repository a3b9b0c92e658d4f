package dev.outbox.core.relay;

import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.OutboxBacklog;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.OutboxStore;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The polling relay: claims due events from an {@link OutboxStore}, hands them to an
 * {@link OutboxEventPublisher} and records the outcomes, on one daemon thread named
 * {@code outbox-relay-<claimant>}.
 *
 * <pre>{@code
 * OutboxRelay relay = OutboxRelay.builder(store, publisher).batchSize(200).build();
 * relay.start();
 * ...
 * relay.close();   // lets the in-flight batch finish, up to the shutdown timeout
 * }</pre>
 *
 * <p>Each cycle claims up to {@code batchSize} events, publishes them as one batch, waits for
 * the publisher's stage (at most {@code publishTimeout} from the publish call, after which the
 * batch is {@code UNAVAILABLE}; meanwhile it {@link OutboxStore#extendClaims renews} the batch's
 * claims every {@code lease / 3}, so a live relay keeps them and a dead one loses them within one
 * lease) and then writes the {@link DeliveryPolicy} decisions in at most four store calls. An event is marked published only when its outcome says so. Events that
 * failed on their own are retried with {@link BackoffPolicy backoff} and dead-lettered after
 * {@code maxAttempts} or at once on a permanent failure; events the broker could not take
 * ({@code UNAVAILABLE}), events not attempted and later events of a failed event's aggregate are
 * given back without counting an attempt, so an outage of any length dead-letters nothing, and
 * the store hands them out again after their predecessor. After a batch the broker could not
 * take at all the relay pauses ({@code outageBackoff}, 500 ms doubling up to 30 s by default) and
 * logs the outage once when it starts, once a minute while it lasts and once when it ends (see
 * {@link RelayConfig} for all settings). After a batch that handled any event the relay claims again at once; only after a
 * claim that found nothing due does it sleep, until {@link #wakeUp()} (which the store's
 * {@link OutboxStore#subscribe subscription} calls on new commits) or a timeout. The timeout
 * starts at {@value #FIRST_IDLE_WAIT_MILLIS} ms after the relay was busy and doubles with each
 * further empty claim up to {@code pollInterval}: a wake-up may come late or coalesced
 * (PostgreSQL's JDBC driver, for one, hands over a steady stream of notifications only when it
 * pauses), and this bounds what such a delay costs right after a burst. The price is a handful
 * of empty claims each time the relay runs out of work; an idle relay polls every
 * {@code pollInterval}.
 *
 * <p>A failing store does not stop the relay: it logs the first failure (with its stack trace),
 * then at most once a minute while the store keeps failing (with the count of failures and the
 * time since the first) and once on recovery; it calls
 * {@link RelayListener#onError}, waits {@code min(pollInterval * 2^(n-1), 30 s)} after the
 * {@code n}-th failure in a row and tries again, so it survives a database restart.
 *
 * <p>Thread-safe. {@link #start()}, {@link #stop()} and {@link #close()} are idempotent; a
 * stopped relay cannot be started again. The relay owns neither the store nor the publisher
 * and closes neither.
 */
public final class OutboxRelay implements AutoCloseable {
    /** First idle timeout after the relay handled events; doubles per empty claim up to pollInterval. */
    static final long FIRST_IDLE_WAIT_MILLIS = 10;
    private static final int MAX_IDLE_DOUBLINGS = 20;
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration MAX_ERROR_BACKOFF = Duration.ofSeconds(30);

    private final OutboxStore store;
    private final RelayConfig config;
    private final RelayListener listener;
    private final RelayCycle cycle;
    private final ReentrantLock cycleLock = new ReentrantLock();
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wakeSignal = wakeLock.newCondition();
    private final Object lifecycle = new Object();
    private boolean wakeRequested;
    /** Empty claims since the relay last handled an event; starts high so an idle start waits pollInterval. */
    private int emptyClaims = MAX_IDLE_DOUBLINGS;
    private volatile boolean running;
    private volatile boolean stopped;
    private Thread thread;
    private OutboxStore.Subscription subscription;
    private final OutageLog storeFailures;
    private Instant lastBacklogSample;

    /**
     * Creates a relay; the constructor for dependency-injection containers. Nothing runs until
     * {@link #start()}.
     *
     * @throws NullPointerException when an argument is null
     * @throws IllegalArgumentException when {@code config.publishTimeout()} is shorter than the
     *         publisher's {@link OutboxEventPublisher#maxPublishDuration()}
     */
    @Inject
    public OutboxRelay(OutboxStore store, OutboxEventPublisher publisher, RelayConfig config) {
        this.store = Objects.requireNonNull(store, "store");
        this.config = Objects.requireNonNull(config, "config");
        DeliveryPolicy.requireCovers("publishTimeout", config.publishTimeout(), Objects.requireNonNull(publisher, "publisher"));
        this.listener = new SafeListener(config.listener());
        this.cycle = new RelayCycle(store, Objects.requireNonNull(publisher, "publisher"), config, listener);
        this.storeFailures = OutageLog.store(config.claimant(), config.clock());
    }

    /** Returns a builder for a relay reading {@code store} and publishing to {@code publisher}. */
    public static Builder builder(OutboxStore store, OutboxEventPublisher publisher) {
        return new Builder(store, publisher);
    }

    /** Returns the settings. */
    public RelayConfig config() {
        return config;
    }

    /** Returns whether the relay thread was started and not stopped. */
    public boolean isRunning() {
        return running;
    }

    /**
     * Starts the relay thread and subscribes to the store's new-event signal; does nothing if
     * already running.
     *
     * @throws IllegalStateException when the relay was stopped
     */
    public void start() {
        synchronized (lifecycle) {
            if (stopped) {
                throw new IllegalStateException("outbox relay " + config.claimant() + " was stopped; build a new one");
            }
            if (running) {
                return;
            }
            running = true;
            try {
                subscription = store.subscribe(this::wakeUp);
            } catch (RuntimeException e) {
                LOG.warn("outbox relay {} could not subscribe to new events; it polls only", config.claimant(), e);
            }
            thread = new Thread(this::loop, "outbox-relay-" + config.claimant());
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> {
                running = false;
                LOG.error("outbox relay {} thread died; events wait for another relay", config.claimant(), e);
            });
            thread.start();
            LOG.info("outbox relay {} started (batchSize {}, pollInterval {}, maxAttempts {})", config.claimant(),
                    config.batchSize(), config.pollInterval(), config.maxAttempts());
        }
    }

    /**
     * Stops the relay: ends the subscription, lets the in-flight batch finish and its outcomes be
     * recorded, waiting up to {@code shutdownTimeout}. A batch still unpublished by then has its
     * claims released (never marked published), so other relays can take it at once. Returns
     * when the relay thread ended or, if a store call hangs, after about twice the shutdown
     * timeout. Idempotent; safe to call from any thread; a never-started relay just becomes stopped.
     */
    public void stop() {
        synchronized (lifecycle) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (!running) {
                return;
            }
            running = false;
            if (subscription != null) {
                subscription.close();
            }
            signal();
            if (Thread.currentThread() == thread) {
                // called from a listener on the relay thread: it ends after the current cycle
                LOG.info("outbox relay {} stopping from its own thread", config.claimant());
                return;
            }
            if (!join(config.shutdownTimeout())) {
                cycle.abandonInFlight();
                thread.interrupt();
                if (!join(config.shutdownTimeout())) {
                    LOG.warn("outbox relay {} thread did not end; a store call may hang", config.claimant());
                }
            }
            LOG.info("outbox relay {} stopped", config.claimant());
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /**
     * Asks an idle relay to claim at once instead of at its next poll. Cheap and non-blocking
     * enough to call from a commit hook; a wake-up arriving while a batch runs is kept and
     * honoured after it.
     */
    public void wakeUp() {
        wakeLock.lock();
        try {
            wakeRequested = true;
            wakeSignal.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    /**
     * Runs one claim, publish, apply cycle on the calling thread and returns how many events it
     * handled (published, rescheduled or dead-lettered); 0 when nothing was due, after
     * {@link #stop()}, or when the calling thread was interrupted while waiting for the publisher
     * (the claims are then released). For tests, benchmarks and callers that schedule the relay
     * themselves; calls are serialized with the relay thread's own cycles.
     *
     * @throws dev.outbox.core.OutboxException when a store call fails (the relay thread catches
     *         this itself; a direct caller sees it)
     */
    public int runOnce() {
        if (stopped) {
            return 0;
        }
        cycleLock.lock();
        try {
            return cycle.run(() -> stopped);
        } finally {
            cycleLock.unlock();
        }
    }

    private void loop() {
        while (running) {
            try {
                int handled = runOnce();
                storeRecovered();
                sampleBacklogIfDue();
                int outages = cycle.consecutiveOutages();
                if (outages > 0) {
                    // the broker took nothing: pause the whole relay (not wakeable by new commits)
                    awaitWakeUp(config.outageBackoff().delay(outages), false);
                } else if (handled == 0) {
                    awaitWakeUp(idleWait(), true);
                    emptyClaims = Math.min(emptyClaims + 1, MAX_IDLE_DOUBLINGS);
                } else {
                    emptyClaims = 0;
                }
            } catch (RuntimeException e) {
                storeFailed(e);
                awaitWakeUp(errorBackoff(), false);
            }
        }
    }

    private Duration idleWait() {
        Duration wait = Duration.ofMillis(FIRST_IDLE_WAIT_MILLIS << emptyClaims);
        return wait.compareTo(config.pollInterval()) < 0 ? wait : config.pollInterval();
    }

    private void sampleBacklogIfDue() {
        Instant now = config.clock().instant();
        if (lastBacklogSample != null && now.isBefore(lastBacklogSample.plus(config.backlogSampleInterval()))) {
            return;
        }
        lastBacklogSample = now;
        OutboxBacklog backlog = store.backlog();
        listener.onBacklog(backlog, backlog.oldestPendingAge(now));
    }

    private void storeFailed(RuntimeException e) {
        storeFailures.failed("a store call failed; backing off and retrying", e, true);
        listener.onError(e);
    }

    private void storeRecovered() {
        storeFailures.succeeded();
    }

    private Duration errorBackoff() {
        int doublings = Math.min(storeFailures.consecutive() - 1, 20);
        Duration backoff = config.pollInterval().multipliedBy(1L << doublings);
        return backoff.compareTo(MAX_ERROR_BACKOFF) > 0 ? MAX_ERROR_BACKOFF : backoff;
    }

    /** Sleeps up to {@code timeout}, until stopped or, when {@code wakeable}, woken up. */
    private void awaitWakeUp(Duration timeout, boolean wakeable) {
        wakeLock.lock();
        try {
            long nanos = saturatedNanos(timeout);
            while (running && !(wakeable && wakeRequested) && nanos > 0) {
                nanos = wakeSignal.awaitNanos(nanos);
            }
            if (wakeable) {
                wakeRequested = false;
            }
        } catch (InterruptedException e) {
            // only stop() interrupts this thread; the loop sees running == false and ends
        } finally {
            wakeLock.unlock();
        }
    }

    private void signal() {
        wakeLock.lock();
        try {
            wakeSignal.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    private boolean join(Duration timeout) {
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Builds an {@link OutboxRelay}; the setters are those of {@link RelayConfig.Builder}, whose
     * javadoc states each default. Not thread-safe.
     */
    public static final class Builder {
        private final OutboxStore store;
        private final OutboxEventPublisher publisher;
        private final RelayConfig.Builder config = RelayConfig.builder();

        private Builder(OutboxStore store, OutboxEventPublisher publisher) {
            this.store = Objects.requireNonNull(store, "store");
            this.publisher = Objects.requireNonNull(publisher, "publisher");
        }

        /** See {@link RelayConfig.Builder#batchSize}; default 500. */
        public Builder batchSize(int batchSize) {
            config.batchSize(batchSize);
            return this;
        }

        /** See {@link RelayConfig.Builder#pollInterval}; default 1 s. */
        public Builder pollInterval(Duration pollInterval) {
            config.pollInterval(pollInterval);
            return this;
        }

        /** See {@link RelayConfig.Builder#maxAttempts}; default 10 counted (own) failures. */
        public Builder maxAttempts(int maxAttempts) {
            config.maxAttempts(maxAttempts);
            return this;
        }

        /** See {@link RelayConfig.Builder#backoff}; default {@link BackoffPolicy#defaults()}. */
        public Builder backoff(BackoffPolicy backoff) {
            config.backoff(backoff);
            return this;
        }

        /** See {@link RelayConfig.Builder#outageBackoff}; default {@link RelayDefaults#outageBackoff()}. */
        public Builder outageBackoff(BackoffPolicy outageBackoff) {
            config.outageBackoff(outageBackoff);
            return this;
        }

        /** See {@link RelayConfig.Builder#lease}; default 15 s, renewed every lease / 3 while a batch is published. */
        public Builder lease(Duration lease) {
            config.lease(lease);
            return this;
        }

        /** See {@link RelayConfig.Builder#publishTimeout}; default 60 s, at least the publisher's maxPublishDuration. */
        public Builder publishTimeout(Duration publishTimeout) {
            config.publishTimeout(publishTimeout);
            return this;
        }

        /** See {@link RelayConfig.Builder#shutdownTimeout}; default 30 s. */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            config.shutdownTimeout(shutdownTimeout);
            return this;
        }

        /** See {@link RelayConfig.Builder#backlogSampleInterval}; default 5 s. */
        public Builder backlogSampleInterval(Duration backlogSampleInterval) {
            config.backlogSampleInterval(backlogSampleInterval);
            return this;
        }

        /** See {@link RelayConfig.Builder#claimant}; default {@code hostname-pid-random}. */
        public Builder claimant(String claimant) {
            config.claimant(claimant);
            return this;
        }

        /** See {@link RelayConfig.Builder#listener}; default {@link RelayListener#NO_OP}. */
        public Builder listener(RelayListener listener) {
            config.listener(listener);
            return this;
        }

        /** See {@link RelayConfig.Builder#clock}; default the UTC system clock. */
        public Builder clock(Clock clock) {
            config.clock(clock);
            return this;
        }

        /**
         * Validates the settings and builds the relay (not started).
         *
         * @throws IllegalArgumentException naming the invalid setting, also when publishTimeout is
         *         shorter than the publisher's {@link OutboxEventPublisher#maxPublishDuration()}
         */
        public OutboxRelay build() {
            return new OutboxRelay(store, publisher, config.build());
        }
    }
}

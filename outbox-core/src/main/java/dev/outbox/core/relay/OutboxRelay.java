package dev.outbox.core.relay;

import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.OutboxBacklog;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.OutboxStore;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The polling relay: claims due events from an {@link OutboxStore}, hands them to an
 * {@link OutboxEventPublisher} and records the outcomes by the one {@link DeliveryPolicy}, on one
 * daemon thread named {@code outbox-relay-<claimant>}.
 *
 * <pre>{@code
 * OutboxRelay relay = OutboxRelay.create(store, publisher, RelayConfig.builder().batchSize(200).build());
 * relay.start();
 * ...
 * relay.close();   // lets the in-flight batch finish, up to the stop timeout
 * }</pre>
 *
 * <p>Each cycle claims up to {@code batchSize} events, publishes them, renews their claims every
 * {@code lease / 3} until the outcome (or {@code publishTimeout}) and writes the decisions. An
 * outage or a failing store dead-letters nothing: the relay backs off and tries again. After a
 * claim that found nothing due it sleeps until {@link #wakeUp()} or a timeout that grows from
 * {@value #FIRST_IDLE_WAIT_MILLIS} ms to {@code pollInterval}. Settings: {@link RelayConfig}; the
 * cycle, its timings and why: outbox-core's README, "The polling relay".
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

    /**
     * Creates a relay with the default settings ({@link RelayConfig#defaults()}), not started.
     *
     * @throws NullPointerException when an argument is null
     * @throws IllegalArgumentException when the default publish timeout is shorter than the
     *         publisher's {@link OutboxEventPublisher#maxPublishDuration()}
     */
    public static OutboxRelay create(OutboxStore store, OutboxEventPublisher publisher) {
        return new OutboxRelay(store, publisher, RelayConfig.defaults());
    }

    /**
     * Creates a relay with {@code config} (built by {@link RelayConfig#builder()}), not started.
     *
     * @throws NullPointerException when an argument is null
     * @throws IllegalArgumentException when {@code config.publishTimeout()} is shorter than the
     *         publisher's {@link OutboxEventPublisher#maxPublishDuration()}
     */
    public static OutboxRelay create(OutboxStore store, OutboxEventPublisher publisher, RelayConfig config) {
        return new OutboxRelay(store, publisher, config);
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
     * recorded, waiting up to {@code stopTimeout}. A batch still unpublished by then has its
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
            if (!join(config.stopTimeout())) {
                cycle.abandonInFlight();
                thread.interrupt();
                if (!join(config.stopTimeout())) {
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
}

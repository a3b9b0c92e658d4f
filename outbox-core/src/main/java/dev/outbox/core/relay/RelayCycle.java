package dev.outbox.core.relay;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.OutboxStore;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One claim, publish, apply cycle of the relay; one cycle at a time (the relay serializes calls). */
final class RelayCycle {
    private static final Logger LOG = LoggerFactory.getLogger(RelayCycle.class);

    private final OutboxStore store;
    private final OutboxEventPublisher publisher;
    private final RelayConfig config;
    private final RelayListener listener;
    private final DeliveryPolicy policy;
    private final OutcomeApplier applier;
    private final OutageLog outages;
    private final AtomicReference<InFlightBatch> inFlight = new AtomicReference<>();
    /** One daemon thread for the claim renewals of every relay in the JVM; it ends when idle. */
    private static final ScheduledThreadPoolExecutor RENEWALS = renewalThread();

    RelayCycle(OutboxStore store, OutboxEventPublisher publisher, RelayConfig config, RelayListener listener) {
        this.store = store;
        this.publisher = publisher;
        this.config = config;
        this.listener = listener;
        this.policy = new DeliveryPolicy(config.maxAttempts(), config.backoff()::delay);
        this.applier = new OutcomeApplier(store, config.claimant(), listener);
        this.outages = OutageLog.broker(config.claimant(), config.clock());
    }

    /**
     * Runs one cycle.
     *
     * @param stopping tells whether the relay is stopping; a batch claimed while stopping is
     *                 released unpublished
     * @return events handled; 0 when nothing was due or the batch was given back
     */
    int run(BooleanSupplier stopping) {
        // read before the claim: the lease runs from no earlier than this, so renewals counted from it are never late
        long started = System.nanoTime();
        List<ClaimedEvent> claimed = store.claim(config.claimant(), config.batchSize(), config.clock().instant(),
                config.lease());
        if (claimed.isEmpty()) {
            return 0;
        }
        List<OutboxEvent> events = claimed.stream().map(ClaimedEvent::event).toList();
        InFlightBatch batch = new InFlightBatch(events);
        inFlight.set(batch);
        try {
            if (stopping.getAsBoolean()) {
                abandon(batch);
                return 0;
            }
            Map<UUID, PublishOutcome> outcomes;
            try {
                outcomes = publish(events, batch, started);
            } catch (InterruptedException e) {
                abandon(batch);
                return 0;
            }
            if (!batch.startApplying()) {
                return 0;
            }
            Instant now = config.clock().instant();
            DeliveryPolicy.Decisions decisions = policy.decide(claimed, outcomes, now);
            applier.apply(decisions, now);
            outages.batch(decisions.outage(), claimed.size(), firstError(decisions));
            listener.onBatch(claimed.size(), Duration.ofNanos(System.nanoTime() - started));
            return claimed.size();
        } finally {
            inFlight.set(null);
        }
    }

    /** Returns how many batches in a row the broker could not take; the relay backs off while this is positive. */
    int consecutiveOutages() {
        return outages.consecutive();
    }

    private static Throwable firstError(DeliveryPolicy.Decisions decisions) {
        return decisions.all().stream().map(DeliveryPolicy.Decision::error).filter(Objects::nonNull).findFirst()
                .orElse(null);
    }

    /**
     * Gives back the claims of the batch being published, unless its outcomes are already being
     * applied; called by a stop that ran out of patience.
     *
     * @return whether a batch was abandoned
     */
    boolean abandonInFlight() {
        InFlightBatch batch = inFlight.get();
        return batch != null && abandon(batch);
    }

    private boolean abandon(InFlightBatch batch) {
        if (!batch.abandon()) {
            return false;
        }
        List<UUID> eventIds = batch.eventIds();
        try {
            store.release(config.claimant(), eventIds);
            LOG.warn("outbox relay {} released {} claimed events unpublished while stopping", config.claimant(),
                    eventIds.size());
        } catch (RuntimeException e) {
            LOG.warn("outbox relay {} could not release {} claims; they expire after the lease", config.claimant(),
                    eventIds.size(), e);
        }
        return true;
    }

    /**
     * Publishes and waits until {@code publishTimeout} after the call (a {@code publish()} that
     * blocks uses up the time too), renewing the batch's claims every third of the lease until
     * then; a call that throws, fails or times out makes every event {@code UNAVAILABLE}.
     */
    private Map<UUID, PublishOutcome> publish(List<OutboxEvent> events, InFlightBatch batch, long claimedAt)
            throws InterruptedException {
        long deadline = System.nanoTime() + config.publishTimeout().toNanos();
        ScheduledFuture<?> renewals = scheduleRenewals(batch, claimedAt, deadline);
        CompletableFuture<List<PublishOutcome>> result = new CompletableFuture<>();
        try {
            publisher.publish(events).whenComplete((outcomes, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(outcomes);
                }
            });
            return byEventId(result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS), events);
        } catch (TimeoutException e) {
            return allUnavailable(events, new OutboxException("the publisher did not complete within publishTimeout "
                    + config.publishTimeout() + " of the publish call"));
        } catch (ExecutionException e) {
            return allUnavailable(events, e.getCause() != null ? e.getCause() : e);
        } catch (RuntimeException e) {
            return allUnavailable(events, e);
        } finally {
            renewals.cancel(false);
        }
    }

    /**
     * Renews the batch's claims every {@code lease / 3} (counted from the claim) until the publish
     * deadline, on the renewal thread: a publisher may block inside {@code publish()} (Kafka's
     * metadata and first-send waits, up to its {@code maxPublishDuration}), longer than the lease,
     * and a live relay must keep its claims meanwhile. Past the deadline nothing renews, so a relay
     * that hangs loses its claims within {@code publishTimeout + lease}.
     */
    private ScheduledFuture<?> scheduleRenewals(InFlightBatch batch, long claimedAt, long deadline) {
        long every = renewalInterval(config.lease()).toNanos();
        long firstIn = Math.max(0, claimedAt + every - System.nanoTime());
        return RENEWALS.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - deadline < 0) {
                renew(batch);
            }
        }, firstIn, every, TimeUnit.NANOSECONDS);
    }

    private static ScheduledThreadPoolExecutor renewalThread() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "outbox-relay-claim-renewal");
            thread.setDaemon(true);
            return thread;
        });
        executor.setKeepAliveTime(1, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Returns how often a relay renews its claims while it waits for the publisher: a third of the lease. */
    static Duration renewalInterval(Duration lease) {
        return lease.dividedBy(3);
    }

    private void renew(InFlightBatch batch) {
        if (!batch.isPublishing()) {
            return; // a stop released the claims; renewing them now would only report them as taken over
        }
        List<UUID> eventIds = batch.eventIds();
        try {
            int extended = store.extendClaims(config.claimant(), eventIds, config.clock().instant().plus(config.lease()));
            if (extended < eventIds.size() && batch.reportTakeOver()) {
                LOG.warn("outbox relay {}: {} of {} claims in flight were taken over by another relay; their "
                        + "outcomes will be ignored", config.claimant(), eventIds.size() - extended, eventIds.size());
            }
        } catch (RuntimeException e) {
            // the publish may still succeed; if the claims lapse meanwhile, the fenced writes sort it out
            LOG.warn("outbox relay {}: could not renew {} claims in flight; they lapse after the lease {}: {}",
                    config.claimant(), eventIds.size(), config.lease(), FailedDelivery.describe(e));
        }
    }

    private static Map<UUID, PublishOutcome> byEventId(List<PublishOutcome> outcomes, List<OutboxEvent> events) {
        if (outcomes == null) {
            return allUnavailable(events, new OutboxException("the publisher completed without outcomes"));
        }
        Map<UUID, PublishOutcome> byId = new HashMap<>();
        for (PublishOutcome outcome : outcomes) {
            if (outcome != null) {
                byId.putIfAbsent(outcome.eventId(), outcome);
            }
        }
        return byId;
    }

    private static Map<UUID, PublishOutcome> allUnavailable(List<OutboxEvent> events, Throwable error) {
        Map<UUID, PublishOutcome> failed = new HashMap<>();
        DeliveryPolicy.unavailable(events, error).forEach(o -> failed.put(o.eventId(), o));
        return failed;
    }
}

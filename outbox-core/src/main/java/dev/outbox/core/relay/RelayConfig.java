package dev.outbox.core.relay;

import dev.outbox.core.internal.Checks;
import java.time.Clock;
import java.time.Duration;

/**
 * The settings of an {@link OutboxRelay}, validated once when built. Build them with
 * {@link #builder()} (or take {@link #defaults()}) and hand them to
 * {@link OutboxRelay#create(dev.outbox.core.spi.OutboxStore, dev.outbox.core.spi.OutboxEventPublisher, RelayConfig)}
 * or to the relay's injectable constructor: this builder is the only place the settings are set.
 *
 * <p>Each setting's default is stated on its {@link Builder} setter and kept in {@link RelayDefaults};
 * the settings table with the reasons is in outbox-core's README ("The polling relay").
 *
 * <p>Time bounds: {@code publishTimeout} must cover the publisher's own longest publish (checked
 * when the relay is built); the lease need not exceed it, because the relay renews its claims every
 * {@code lease / 3} until the publish deadline, so two renewals may be late before a claim lapses.
 *
 * <p>Immutable and thread-safe.
 *
 * @param batchSize             most events per batch
 * @param pollInterval          idle sleep
 * @param maxAttempts           attempts before dead-lettering
 * @param backoff               retry delays
 * @param outageBackoff         relay-wide pauses during a broker outage
 * @param lease                 claim duration
 * @param publishTimeout        bound on waiting for the publisher
 * @param stopTimeout           bound on waiting for the in-flight batch on stop
 * @param backlogSampleInterval least time between backlog samples
 * @param claimant              this relay's claimant id
 * @param listener              the observer
 * @param clock                 the time source
 */
public record RelayConfig(
        int batchSize,
        Duration pollInterval,
        int maxAttempts,
        BackoffPolicy backoff,
        BackoffPolicy outageBackoff,
        Duration lease,
        Duration publishTimeout,
        Duration stopTimeout,
        Duration backlogSampleInterval,
        String claimant,
        RelayListener listener,
        Clock clock) {

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the invalid setting
     * @throws NullPointerException naming the missing setting
     */
    public RelayConfig {
        Checks.atLeast(batchSize, 1, "batchSize");
        Checks.atLeast(maxAttempts, 1, "maxAttempts");
        Checks.positive(pollInterval, "pollInterval");
        Checks.positive(lease, "lease");
        Checks.positive(publishTimeout, "publishTimeout");
        Checks.positive(stopTimeout, "stopTimeout");
        Checks.positive(backlogSampleInterval, "backlogSampleInterval");
        if (lease.compareTo(RelayDefaults.MIN_LEASE) < 0) {
            throw new IllegalArgumentException("lease must be at least " + RelayDefaults.MIN_LEASE + ", got " + lease
                    + ": the relay renews its claims every lease / 3 and each renewal is a store round trip");
        }
        Checks.notNull(backoff, "backoff");
        Checks.notNull(outageBackoff, "outageBackoff");
        Checks.nonBlank(claimant, "claimant");
        Checks.notNull(listener, "listener");
        Checks.notNull(clock, "clock");
    }

    /** Returns the default settings with a fresh default claimant id. */
    public static RelayConfig defaults() {
        return builder().build();
    }

    /** Returns a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link RelayConfig}; not thread-safe. Each setter's javadoc states the default. */
    public static final class Builder {
        private int batchSize = RelayDefaults.BATCH_SIZE;
        private Duration pollInterval = RelayDefaults.POLL_INTERVAL;
        private int maxAttempts = RelayDefaults.MAX_ATTEMPTS;
        private BackoffPolicy backoff = RelayDefaults.backoff();
        private BackoffPolicy outageBackoff = RelayDefaults.outageBackoff();
        private Duration lease = RelayDefaults.LEASE;
        private Duration publishTimeout = RelayDefaults.PUBLISH_TIMEOUT;
        private Duration stopTimeout = RelayDefaults.STOP_TIMEOUT;
        private Duration backlogSampleInterval = RelayDefaults.BACKLOG_SAMPLE_INTERVAL;
        private String claimant;
        private RelayListener listener = RelayListener.NO_OP;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Most events claimed and published per batch; default 500. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** How long an idle relay sleeps when nothing is due and no wake-up came; default 1 s. */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * Counted failures (the event's own, see {@link dev.outbox.core.spi.PublishOutcome.Status})
         * after which an event is dead-lettered; default 10. Outages and held-back events count none.
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Delay before retrying a failed event; default {@link BackoffPolicy#defaults()}. */
        public Builder backoff(BackoffPolicy backoff) {
            this.backoff = backoff;
            return this;
        }

        /**
         * How long the relay pauses after each consecutive batch that the broker could not take
         * (published nothing, some outcome {@code UNAVAILABLE}); the {@code n}-th such batch in a
         * row waits {@code outageBackoff.delay(n)}. Default {@link RelayDefaults#outageBackoff()}:
         * 500 ms doubling up to 30 s, so delivery resumes within about 30 s of the broker's return.
         */
        public Builder outageBackoff(BackoffPolicy outageBackoff) {
            this.outageBackoff = outageBackoff;
            return this;
        }

        /**
         * How long a claim lasts unless renewed; default {@link RelayDefaults#LEASE} (15 s), at least
         * 1 s. The relay renews the claims of the batch in flight every {@code lease / 3} while it
         * waits for the publisher, so the lease bounds how long a dead relay's events wait for
         * another relay, not how long a publish may take.
         */
        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        /**
         * How long to wait for a publish call, timed from the call (a {@code publish()} that
         * blocks counts), before every event of the batch is {@code UNAVAILABLE} (retried without
         * counting an attempt); default 60 s. Must be at least the publisher's
         * {@link dev.outbox.core.spi.OutboxEventPublisher#maxPublishDuration()}, checked when the
         * relay is built.
         */
        public Builder publishTimeout(Duration publishTimeout) {
            this.publishTimeout = publishTimeout;
            return this;
        }

        /** How long {@link OutboxRelay#stop()} waits for the in-flight batch; default 30 s. */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
            return this;
        }

        /** Least time between two {@link RelayListener#onBacklog} samples; default 5 s. */
        public Builder backlogSampleInterval(Duration backlogSampleInterval) {
            this.backlogSampleInterval = backlogSampleInterval;
            return this;
        }

        /** This relay's id in the store's claims; default {@code hostname-pid-random}. */
        public Builder claimant(String claimant) {
            this.claimant = claimant;
            return this;
        }

        /** The observer for metrics and logs; default {@link RelayListener#NO_OP}. */
        public Builder listener(RelayListener listener) {
            this.listener = listener;
            return this;
        }

        /** The time source for the store and backoff; default the UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Validates and builds the settings.
         *
         * @throws IllegalArgumentException naming the invalid setting
         */
        public RelayConfig build() {
            return new RelayConfig(batchSize, pollInterval, maxAttempts, backoff, outageBackoff, lease, publishTimeout,
                    stopTimeout, backlogSampleInterval, claimant != null ? claimant : ClaimantIds.next(),
                    listener, clock);
        }
    }
}

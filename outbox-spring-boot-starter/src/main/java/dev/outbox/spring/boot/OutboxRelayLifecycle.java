package dev.outbox.spring.boot;

import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.OutboxStore;
import java.util.Objects;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the polling {@link OutboxRelay} with the application context: started in the last lifecycle phase, once every singleton is built
 * (so after the schema and the publisher), stopped first at shutdown before the DataSource and the publisher are closed,
 * letting the in-flight batch finish up to the relay's stop timeout. A relay cannot restart, so each
 * {@link #start()} after a {@link #stop()} builds a new one. Thread-safe.
 */
public final class OutboxRelayLifecycle implements SmartLifecycle {
    private final OutboxStore store;
    private final OutboxEventPublisher publisher;
    private final RelayConfig config;
    private OutboxRelay relay;

    /** Creates the lifecycle; nothing runs until {@link #start()}. */
    public OutboxRelayLifecycle(OutboxStore store, OutboxEventPublisher publisher, RelayConfig config) {
        this.store = Objects.requireNonNull(store, "store");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Starts a relay; does nothing when one is running. */
    @Override
    public synchronized void start() {
        if (relay == null) {
            OutboxRelay created = OutboxRelay.create(store, publisher, config);
            created.start();
            relay = created;
        }
    }

    /** Stops the relay, waiting for its in-flight batch up to the relay's stop timeout; does nothing when stopped. */
    @Override
    public synchronized void stop() {
        if (relay != null) {
            relay.close();
            relay = null;
        }
    }

    /** Whether a relay is running. */
    @Override
    public synchronized boolean isRunning() {
        return relay != null && relay.isRunning();
    }

    /** Returns the relay's settings. */
    public RelayConfig config() {
        return config;
    }
}

package dev.outbox.benchmarks.relays;

import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.jdbc.PostgresOutboxStore;
import dev.outbox.kafka.KafkaOutboxEventPublisher;

/** The polling {@link OutboxRelay} on {@link PostgresOutboxStore}, woken by LISTEN/NOTIFY; default settings. */
final class PollingLeg implements RelayLeg {

    private final PostgresOutboxStore store;
    private final TimedPublisher publisher;
    private final BatchStats stats = new BatchStats();
    private OutboxRelay relay;

    PollingLeg(BenchmarkEnvironment environment) {
        this.store = PostgresOutboxStore.builder().jdbi(environment.jdbi()).build();
        this.publisher = new TimedPublisher(
                KafkaOutboxEventPublisher.builder().bootstrapServers(environment.bootstrapServers()).build());
    }

    @Override
    public String name() {
        return "polling relay (LISTEN/NOTIFY wake-up)";
    }

    @Override
    public void start() {
        relay = OutboxRelay.builder(store, publisher).listener(stats).build();
        relay.start();
    }

    @Override
    public void stop() {
        if (relay != null) {
            relay.close();
            relay = null;
            Progress.line(name(), "relay stopped: %s; %s", stats.summarizeAndReset(), publisher.summarizeAndReset());
        }
    }

    @Override
    public void release() {
        stop();
        publisher.close();
    }
}

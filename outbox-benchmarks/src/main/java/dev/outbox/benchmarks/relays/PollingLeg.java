package dev.outbox.benchmarks.relays;

import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import dev.outbox.jdbc.PostgresOutboxStore;
import dev.outbox.kafka.KafkaOutboxEventPublisher;
import dev.outbox.kafka.KafkaPublisherConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The polling {@link OutboxRelay} on {@link PostgresOutboxStore}, woken by LISTEN/NOTIFY; default
 * settings. With {@code relays > 1}, that many relays share the store and one publisher, as
 * several relay instances in one process would: while one awaits its batch's acknowledgements,
 * another claims and sends the next.
 */
final class PollingLeg implements RelayLeg {

    private final PostgresOutboxStore store;
    private final TimedPublisher publisher;
    private final BatchStats stats = new BatchStats();
    private final int relayCount;
    private final List<OutboxRelay> relays = new ArrayList<>();

    PollingLeg(BenchmarkEnvironment environment, int relayCount) {
        this.relayCount = relayCount;
        this.store = PostgresOutboxStore.builder().jdbi(environment.jdbi()).build();
        this.publisher = new TimedPublisher(
                KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers(environment.bootstrapServers()).build()));
    }

    @Override
    public String name() {
        return relayCount == 1 ? "polling relay (LISTEN/NOTIFY wake-up)"
                : "polling relay x" + relayCount + " (LISTEN/NOTIFY wake-up)";
    }

    @Override
    public void start() {
        for (int i = 0; i < relayCount; i++) {
            OutboxRelay relay = OutboxRelay.create(store, publisher, RelayConfig.builder().listener(stats).build());
            relays.add(relay);
            relay.start();
        }
    }

    @Override
    public void stop() {
        if (!relays.isEmpty()) {
            relays.forEach(OutboxRelay::close);
            relays.clear();
            Progress.line(name(), "relay stopped: %s; %s", stats.summarizeAndReset(), publisher.summarizeAndReset());
        }
    }

    @Override
    public void release() {
        stop();
        publisher.close();
    }
}

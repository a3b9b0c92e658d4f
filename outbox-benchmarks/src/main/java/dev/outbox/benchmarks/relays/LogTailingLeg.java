package dev.outbox.benchmarks.relays;

import dev.outbox.jdbc.replication.LogTailingRelay;
import dev.outbox.jdbc.replication.LogTailingRelayConfig;
import dev.outbox.kafka.KafkaOutboxEventPublisher;
import dev.outbox.kafka.KafkaPublisherConfig;

/** The {@link LogTailingRelay} on pgoutput with its default settings (KEEP_ROWS, slot outbox_slot). */
final class LogTailingLeg implements RelayLeg {

    private static final String SLOT = "outbox_slot";
    private static final String PUBLICATION = "outbox_pub";

    private final BenchmarkEnvironment environment;
    private final TimedPublisher publisher;
    private final LogTailingRelay relay;

    LogTailingLeg(BenchmarkEnvironment environment) {
        this.environment = environment;
        this.publisher = new TimedPublisher(
                KafkaOutboxEventPublisher.create(KafkaPublisherConfig.builder().bootstrapServers(environment.bootstrapServers()).build()));
        this.relay = LogTailingRelay.create(environment.pool(), publisher,
                LogTailingRelayConfig.builder().slotName(SLOT).publicationName(PUBLICATION).build());
    }

    @Override
    public String name() {
        return "log-tailing relay (pgoutput)";
    }

    @Override
    public void start() throws InterruptedException {
        relay.start();
        environment.awaitSlotActive(SLOT);
    }

    @Override
    public void stop() {
        relay.stop();
        Progress.line(name(), "relay stopped: %s", publisher.summarizeAndReset());
    }

    @Override
    public void release() throws InterruptedException {
        relay.close();
        Progress.line(name(), "relay closed: %s", publisher.summarizeAndReset());
        publisher.close();
        environment.dropSlotAndPublication(SLOT, PUBLICATION);
    }
}

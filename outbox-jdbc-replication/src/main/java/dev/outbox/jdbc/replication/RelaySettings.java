package dev.outbox.jdbc.replication;

import dev.outbox.core.relay.BackoffPolicy;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.jdbc.OutboxTable;
import java.time.Duration;

/** The validated configuration of one {@link LogTailingRelay}; immutable. */
record RelaySettings(
        ConnectionSource connections,
        OutboxEventPublisher publisher,
        OutboxTable table,
        String slotName,
        String publicationName,
        TableMode mode,
        int batchSize,
        Duration maxBatchDelay,
        Duration heartbeatInterval,
        Duration standbyRetryInterval,
        Duration statusInterval,
        Duration leaderTimeout,
        BackoffPolicy backoff,
        BackoffPolicy outageBackoff,
        Duration publishTimeout,
        int maxAttempts,
        Duration retention,
        int purgeBatchSize,
        Duration stopTimeout,
        SafeRelayListener listener) {
}

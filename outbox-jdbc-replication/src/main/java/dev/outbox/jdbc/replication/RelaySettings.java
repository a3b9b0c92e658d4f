package dev.outbox.jdbc.replication;

import dev.outbox.core.spi.OutboxEventPublisher;

/**
 * What one {@link LogTailingRelay}'s threads share: where its connections come from, the publisher,
 * the validated settings, and the listener wrapped so that its exceptions are logged; immutable.
 */
record RelaySettings(
        ConnectionSource connections,
        OutboxEventPublisher publisher,
        LogTailingRelayConfig config,
        SafeRelayListener listener) {
}

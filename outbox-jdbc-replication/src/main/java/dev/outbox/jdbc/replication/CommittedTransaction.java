package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One decoded transaction's outbox events; filled by the session thread only. */
final class CommittedTransaction {
    final Instant commitTime;
    final List<OutboxEvent> events = new ArrayList<>();
    long endLsn;

    CommittedTransaction(Instant commitTime) {
        this.commitTime = commitTime;
    }
}

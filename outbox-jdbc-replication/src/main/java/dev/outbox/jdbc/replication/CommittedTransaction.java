package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One decoded transaction's outbox events; filled by the session thread only. */
final class CommittedTransaction {
    final Instant commitTime;
    /** The transaction's id as pgoutput sends it (32 bits, no epoch). */
    final int xid;
    final List<OutboxEvent> events = new ArrayList<>();
    long endLsn;

    CommittedTransaction(Instant commitTime, int xid) {
        this.commitTime = commitTime;
        this.xid = xid;
    }
}

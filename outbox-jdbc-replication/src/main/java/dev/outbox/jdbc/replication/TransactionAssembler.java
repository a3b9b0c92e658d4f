package dev.outbox.jdbc.replication;

import dev.outbox.jdbc.OutboxTable;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns the decoded pgoutput messages of one stream into whole transactions of outbox events:
 * remembers the outbox table's Relation messages, collects the pending rows inserted between a
 * Begin and its Commit, and ignores everything else. Confined to the session thread.
 */
final class TransactionAssembler {

    /** Receives a row that no {@link dev.outbox.core.OutboxEvent} can hold. */
    @FunctionalInterface
    interface InvalidRowHandler {
        void onInvalidRow(RelationColumns mapper, String[] values, RuntimeException error) throws SQLException;
    }

    private final OutboxTable table;
    private final InvalidRowHandler invalidRows;
    private final Map<Integer, RelationColumns> relations = new HashMap<>();
    private CommittedTransaction open;

    TransactionAssembler(OutboxTable table, InvalidRowHandler invalidRows) {
        this.table = table;
        this.invalidRows = invalidRows;
    }

    /**
     * Takes the next message; returns the finished transaction when it was a Commit of a
     * transaction with outbox events, {@code null} otherwise.
     */
    CommittedTransaction accept(PgOutputDecoder.Message message) throws SQLException {
        if (message instanceof PgOutputDecoder.Begin begin) {
            open = new CommittedTransaction(begin.commitTime(), begin.xid());
        } else if (message instanceof PgOutputDecoder.Relation relation) {
            if (relation.namespace().equals(table.schema()) && relation.name().equals(table.table())) {
                relations.put(relation.id(), new RelationColumns(relation));
            } else {
                relations.remove(relation.id());
            }
        } else if (message instanceof PgOutputDecoder.Insert insert) {
            onInsert(insert);
        } else if (message instanceof PgOutputDecoder.Commit commit) {
            CommittedTransaction transaction = open;
            open = null;
            if (transaction != null && !transaction.events.isEmpty()) {
                transaction.endLsn = commit.endLsn();
                return transaction;
            }
        }
        return null;
    }

    /** Returns whether a transaction has begun and not yet committed. */
    boolean inTransaction() {
        return open != null;
    }

    private void onInsert(PgOutputDecoder.Insert insert) throws SQLException {
        RelationColumns mapper = relations.get(insert.relationId());
        if (mapper == null || open == null || !mapper.isPending(insert.values())) {
            return;
        }
        try {
            open.events.add(mapper.event(insert.values(), open.commitTime));
        } catch (RuntimeException e) {
            invalidRows.onInvalidRow(mapper, insert.values(), e);
        }
    }
}

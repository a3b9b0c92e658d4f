package dev.outbox.jdbc.replication;

/**
 * What happens to outbox rows once the log-tailing relay has read them from the write-ahead log.
 *
 * <p>Both modes publish only {@code INSERT}s of rows whose {@code status} is {@code pending};
 * the publication is created with {@code publish = 'insert'}, so updates and deletes of the table
 * never reach the relay.
 */
public enum TableMode {

    /**
     * The writer inserts the row and deletes it in the same transaction (use {@link LogOnlyOutbox});
     * the table stays empty and the log alone carries the event. The relay writes to the table
     * only to record a dead letter (a row with {@code status = 'dead'}) or to park an event that
     * failed on its own (a pending row with {@code next_attempt_at} set, deleted once delivered).
     */
    LOG_ONLY,

    /**
     * Rows stay in the table: after the broker acknowledged them the relay marks them
     * {@code published} (with {@code published_at}), and a bounded purge deletes published rows
     * older than the {@linkplain LogTailingRelayConfig#retention() retention}.
     * Works with a plain {@code dev.outbox.jdbc.JdbiOutbox} writer.
     *
     * <p>Never run the polling {@code OutboxRelay} on the same table at the same time: both would
     * publish every event. Run after the log-tailing relay, it delivers the rows that relay left
     * parked as its own scheduled retries.
     */
    KEEP_ROWS
}

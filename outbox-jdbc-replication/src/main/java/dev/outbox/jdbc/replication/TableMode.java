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
     * the table stays empty and the log alone carries the event. The relay never writes to the
     * table except to record a dead letter (a row with {@code status = 'dead'}).
     */
    LOG_ONLY,

    /**
     * Rows stay in the table: after the broker acknowledged them the relay marks them
     * {@code published} (with {@code published_at}), and a bounded purge deletes published rows
     * older than the {@linkplain LogTailingRelay.Builder#retention(java.time.Duration) retention}.
     * Works with a plain {@code dev.outbox.jdbc.JdbiOutbox} writer.
     *
     * <p>Never run the polling {@code OutboxRelay} on the same table at the same time: both would
     * publish every event.
     */
    KEEP_ROWS
}

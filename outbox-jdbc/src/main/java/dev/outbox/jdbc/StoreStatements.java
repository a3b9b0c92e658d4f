package dev.outbox.jdbc;

/** The SQL of {@link PostgresOutboxStore}, written for one table. Immutable. */
final class StoreStatements {
    /** Run before {@link #claim} in the same transaction: walk the pending index in order, never sort the backlog. */
    static final String CLAIM_PLANNER_SETTINGS = "SELECT set_config('enable_sort', 'off', true)";
    final NamedSql claim;
    final String deletePublished;
    final String markPublished;
    final String reschedule;
    final String deadLetter;
    final String release;
    final String deadLetters;
    final String requeue;
    final String deleteDeadLetters;
    final String purgePublished;
    final String backlog;

    StoreStatements(OutboxTable outboxTable) {
        String t = outboxTable.qualifiedName();
        String available = "e.status = 'pending' AND e.next_attempt_at <= :now AND (e.claimed_until IS NULL OR e.claimed_until <= :now)";
        // How order per aggregate survives concurrent claims, in three steps:
        // 'locked' walks due rows in append order, leaves out rows whose aggregate has an earlier row
        //   that is claimed or scheduled (the small held index holds exactly those rows), and locks up to
        //   :limit rows with SKIP LOCKED, so concurrent claims take disjoint rows. A row changed by a claim
        //   that committed after this statement's snapshot is re-checked by PostgreSQL and left out.
        // 'skipped' lists the rows the walk passed over although they look due in the snapshot: locked
        //   by a concurrent claim, or changed since the snapshot (a hashed grouping, linear in the batch).
        // 'granted' keeps a locked row only if no earlier row of its aggregate was skipped. So a relay
        //   never takes an event while another relay is taking (or has just taken) an earlier one.
        // OFFSET 0 keeps the check a correlated subplan: one probe of the held index per row walked,
        // whatever the statistics say, instead of a join over the whole held set.
        this.claim = new NamedSql("""
                WITH locked AS MATERIALIZED (
                    SELECT e.id, e.seq, e.aggregatetype, e.aggregateid
                    FROM %1$s e
                    WHERE %2$s
                      AND NOT EXISTS (
                          SELECT 1 FROM %1$s b
                          WHERE b.aggregatetype = e.aggregatetype AND b.aggregateid = e.aggregateid AND b.seq < e.seq
                            AND b.status = 'pending' AND (b.claimed_until IS NOT NULL OR b.next_attempt_at > '-infinity')
                            AND (b.claimed_until > :now OR b.next_attempt_at > :now)
                          OFFSET 0)
                    ORDER BY e.seq
                    LIMIT :limit
                    FOR UPDATE SKIP LOCKED
                ), skipped AS MATERIALIZED (
                    SELECT f.seq, f.aggregatetype, f.aggregateid
                    FROM (
                        SELECT l.seq, l.aggregatetype, l.aggregateid, true AS mine FROM locked l
                        UNION ALL
                        SELECT e.seq, e.aggregatetype, e.aggregateid, false FROM %1$s e
                        WHERE %2$s AND e.seq < (SELECT max(l.seq) FROM locked l)
                    ) f
                    GROUP BY f.seq, f.aggregatetype, f.aggregateid
                    HAVING NOT bool_or(f.mine)
                ), granted AS (
                    SELECT l.id FROM locked l
                    WHERE NOT EXISTS (
                        SELECT 1 FROM skipped s
                        WHERE s.aggregatetype = l.aggregatetype AND s.aggregateid = l.aggregateid AND s.seq < l.seq)
                )
                UPDATE %1$s e SET claimed_by = :claimant, claimed_until = :until
                FROM granted g
                WHERE e.id = g.id
                RETURNING %3$s
                """.formatted(t, available, EventRows.SELECT_COLUMNS));
        this.deletePublished = "DELETE FROM " + t + " WHERE id = ANY (?::uuid[]) AND status = 'pending'";
        this.markPublished = "UPDATE " + t + " SET status = 'published', published_at = ?, claimed_by = NULL, "
                + "claimed_until = NULL WHERE id = ANY (?::uuid[]) AND status = 'pending'";
        String failures = " FROM unnest(?::uuid[], ?::int[], ?::text[], ?::text[]) AS f(id, attempts, at, error)"
                + " WHERE e.id = f.id AND e.status = 'pending'";
        this.reschedule = "UPDATE " + t + " e SET attempts = f.attempts, next_attempt_at = f.at::timestamptz, "
                + "last_error = f.error, claimed_by = NULL, claimed_until = NULL" + failures;
        this.deadLetter = "UPDATE " + t + " e SET status = 'dead', attempts = f.attempts, dead_lettered_at = f.at::timestamptz, "
                + "last_error = f.error, claimed_by = NULL, claimed_until = NULL" + failures;
        this.release = "UPDATE " + t + " SET claimed_by = NULL, claimed_until = NULL "
                + "WHERE id = ANY (?::uuid[]) AND claimed_by = ? AND status = 'pending'";
        this.deadLetters = "SELECT " + EventRows.SELECT_COLUMNS + ", e.last_error, e.dead_lettered_at FROM " + t
                + " e WHERE e.status = 'dead' ORDER BY e.dead_lettered_at, e.seq LIMIT ?";
        this.requeue = "UPDATE " + t + " SET status = 'pending', attempts = 0, next_attempt_at = ?, dead_lettered_at = NULL, "
                + "claimed_by = NULL, claimed_until = NULL WHERE id = ANY (?::uuid[]) AND status = 'dead'";
        this.deleteDeadLetters = "DELETE FROM " + t + " WHERE id = ANY (?::uuid[]) AND status = 'dead'";
        this.purgePublished = "DELETE FROM " + t + " WHERE id IN (SELECT id FROM " + t
                + " WHERE status = 'published' AND published_at < ? ORDER BY published_at LIMIT ?)";
        this.backlog = "SELECT (SELECT count(*) FROM " + t + " WHERE status = 'pending'), "
                + "(SELECT min(occurred_at) FROM " + t + " WHERE status = 'pending'), "
                + "(SELECT count(*) FROM " + t + " WHERE status = 'dead')";
    }
}

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
    final String deadLetterInvalid;
    final String release;
    final String extendClaims;
    final String deadLetters;
    final String requeue;
    final String deleteDeadLetters;
    final String purgePublished;
    final String backlog;

    StoreStatements(OutboxTable outboxTable) {
        String t = outboxTable.qualifiedName();
        // How order per aggregate survives concurrent claims, in three steps:
        // 'locked' walks due, unclaimed rows in append order and locks up to :limit of them with SKIP
        //   LOCKED, so concurrent claims take disjoint rows. It passes over rows whose aggregate has an
        //   earlier row scheduled for a retry (the small retry index holds only such rows), so a failing
        //   event does not fill every batch with rows that cannot be granted. A row changed by a claim that
        //   committed after this statement's snapshot is re-checked by PostgreSQL and left out.
        // 'skipped' lists every pending row before the last locked one that this claim did not lock:
        //   claimed by another relay, being claimed right now (skipped lock), changed since the snapshot,
        //   or scheduled for later (a hashed grouping, linear in the rows walked).
        // 'granted' keeps a locked row only if no earlier row of its aggregate was skipped. So a relay never
        //   takes an event while an earlier one of its aggregate is pending anywhere else.
        // The update finds its rows by ctid (they are locked, so it cannot change), sparing an index descent
        // per row. OFFSET 0 keeps the retry check a correlated subplan: one probe of the retry index per row walked.
        this.claim = new NamedSql("""
                WITH locked AS MATERIALIZED (
                    SELECT e.ctid AS row_id, e.id, e.seq, e.aggregatetype, e.aggregateid
                    FROM %1$s e
                    WHERE e.status = 'pending' AND e.next_attempt_at <= :now
                      AND (e.claimed_until IS NULL OR e.claimed_until <= :now)
                      AND NOT EXISTS (
                          SELECT 1 FROM %1$s b
                          WHERE b.aggregatetype = e.aggregatetype AND b.aggregateid = e.aggregateid AND b.seq < e.seq
                            AND b.status = 'pending' AND b.next_attempt_at > '-infinity' AND b.next_attempt_at > :now
                          OFFSET 0)
                    ORDER BY e.seq
                    LIMIT :limit
                    FOR NO KEY UPDATE SKIP LOCKED
                ), skipped AS MATERIALIZED (
                    SELECT f.seq, f.aggregatetype, f.aggregateid
                    FROM (
                        SELECT l.seq, l.aggregatetype, l.aggregateid, true AS mine FROM locked l
                        UNION ALL
                        SELECT e.seq, e.aggregatetype, e.aggregateid, false FROM %1$s e
                        WHERE e.status = 'pending' AND e.seq < (SELECT max(l.seq) FROM locked l)
                    ) f
                    GROUP BY f.seq, f.aggregatetype, f.aggregateid
                    HAVING NOT bool_or(f.mine)
                ), granted AS (
                    SELECT l.row_id, l.id FROM locked l
                    WHERE NOT EXISTS (
                        SELECT 1 FROM skipped s
                        WHERE s.aggregatetype = l.aggregatetype AND s.aggregateid = l.aggregateid AND s.seq < l.seq)
                )
                UPDATE %1$s e SET claimed_by = :claimant, claimed_until = :until
                FROM granted g
                WHERE e.ctid = g.row_id AND e.id = g.id
                RETURNING %2$s
                """.formatted(t, EventRows.SELECT_COLUMNS));
        // "status NOT IN ('published', 'dead')" means status = 'pending' (the check constraint allows no third
        // value) but cannot match the pending partial index. With "status = 'pending'", a table never analyzed
        // (fresh, or just truncated, that meets a backlog) looks to the planner as if it held few pending rows,
        // so it ANDs the pending index into the plan and every batch walks the whole backlog.
        // Every outcome write is fenced by the claim: it changes a row only while the writer's claim is on it
        // (claimed_by, set by the claim and cleared by every outcome). The lease end is deliberately not checked:
        // a lapsed claim nobody took over is still the writer's alone. A concurrent claim by another relay locks
        // the row first, and the write then re-checks claimed_by on the new row version and skips it.
        String unpublished = " AND status NOT IN ('published', 'dead')";
        String held = " AND claimed_by = ?";
        this.deletePublished = "DELETE FROM " + t + " WHERE id = ANY (?::uuid[])" + held + unpublished;
        this.markPublished = "UPDATE " + t + " SET status = 'published', published_at = ?, claimed_by = NULL, "
                + "claimed_until = NULL WHERE id = ANY (?::uuid[])" + held + unpublished;
        String failures = " FROM unnest(?::uuid[], ?::int[], ?::text[], ?::text[]) AS f(id, attempts, at, error)"
                + " WHERE e.id = f.id AND e.status = 'pending' AND e.claimed_by = ?";
        this.reschedule = "UPDATE " + t + " e SET attempts = f.attempts, next_attempt_at = f.at::timestamptz, "
                + "last_error = f.error, claimed_by = NULL, claimed_until = NULL" + failures;
        this.deadLetter = "UPDATE " + t + " e SET status = 'dead', attempts = f.attempts, dead_lettered_at = f.at::timestamptz, "
                + "last_error = f.error, claimed_by = NULL, claimed_until = NULL" + failures;
        // Rows the claim just took that no OutboxEvent can hold: dead with their reason, attempts as they were.
        this.deadLetterInvalid = "UPDATE " + t + " e SET status = 'dead', dead_lettered_at = ?, last_error = f.error, "
                + "claimed_by = NULL, claimed_until = NULL FROM unnest(?::uuid[], ?::text[]) AS f(id, error)"
                + " WHERE e.id = f.id AND e.status = 'pending' AND e.claimed_by = ?";
        this.release = "UPDATE " + t + " SET claimed_by = NULL, claimed_until = NULL "
                + "WHERE id = ANY (?::uuid[]) AND claimed_by = ? AND status = 'pending'";
        // Renewing a claim touches only claimed_until, which no index holds: a HOT update, like the claim itself.
        this.extendClaims = "UPDATE " + t + " SET claimed_until = ? "
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

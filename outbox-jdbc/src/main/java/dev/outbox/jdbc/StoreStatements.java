package dev.outbox.jdbc;

/** The SQL of {@link PostgresOutboxStore}, written for one table. Immutable. */
final class StoreStatements {
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
        // Why three steps: 'candidate' reads the first due rows in append order whose aggregate has no
        // earlier row that is claimed or scheduled (the held index holds exactly those rows); it is
        // closed downwards per aggregate. 'locked' takes row locks with SKIP LOCKED; a row another
        // claim holds, or that changed since the snapshot (re-checked by PostgreSQL), drops out.
        // 'granted' then keeps a row only if every earlier candidate of its aggregate was locked too,
        // so a relay can never take an event while another relay is taking an earlier one.
        this.claim = new NamedSql("""
                WITH candidate AS MATERIALIZED (
                    SELECT e.id, e.seq, e.aggregatetype, e.aggregateid
                    FROM %1$s e
                    WHERE %2$s
                      AND NOT EXISTS (
                          SELECT 1 FROM %1$s b
                          WHERE b.aggregatetype = e.aggregatetype AND b.aggregateid = e.aggregateid AND b.seq < e.seq
                            AND b.status = 'pending' AND (b.claimed_until IS NOT NULL OR b.next_attempt_at > '-infinity')
                            AND (b.claimed_until > :now OR b.next_attempt_at > :now))
                    ORDER BY e.seq
                    LIMIT :limit
                ), locked AS MATERIALIZED (
                    SELECT e.id FROM %1$s e
                    WHERE e.id = ANY (ARRAY(SELECT c.id FROM candidate c)) AND %2$s
                    FOR UPDATE SKIP LOCKED
                ), granted AS (
                    SELECT c.id FROM candidate c
                    WHERE EXISTS (SELECT 1 FROM locked l WHERE l.id = c.id)
                      AND NOT EXISTS (
                          SELECT 1 FROM candidate m
                          WHERE m.aggregatetype = c.aggregatetype AND m.aggregateid = c.aggregateid AND m.seq < c.seq
                            AND NOT EXISTS (SELECT 1 FROM locked l2 WHERE l2.id = m.id))
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

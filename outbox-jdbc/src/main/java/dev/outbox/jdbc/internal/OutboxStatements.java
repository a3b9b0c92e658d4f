package dev.outbox.jdbc.internal;

/**
 * Every SQL statement against the outbox table, written for one table: the append, the polling store's
 * claim and outcome writes, the replay reads, and the log-tailing relay's writes. Statements the store runs
 * through JDBI take {@code :named} parameters; the append's, bound positionally on its hot path, take
 * {@code ?}. Shared by outbox-jdbc and outbox-jdbc-replication; not API. Immutable and thread-safe.
 */
public final class OutboxStatements {
    /** Run before {@link #claim} in the same transaction: walk the pending index in order, never sort the backlog. */
    public static final String CLAIM_PLANNER_SETTINGS = "SELECT set_config('enable_sort', 'off', true)";
    /** The columns an append writes, in the order of its parameters. */
    public static final int APPEND_COLUMNS = 9;

    private final String table;
    /** {@code :now, :limit, :claimant, :until}. */
    public final String claim;
    /** {@code :ids, :claimant}. */
    public final String deletePublished;
    /** {@code :now, :ids, :claimant}. */
    public final String markPublished;
    /** {@code :ids, :attempts, :times, :errors, :claimant}. */
    public final String reschedule;
    /** {@code :ids, :attempts, :times, :errors, :claimant}. */
    public final String deadLetter;
    /** {@code :now, :ids, :errors, :claimant}. */
    public final String deadLetterInvalid;
    /** {@code :ids, :claimant}. */
    public final String release;
    /** {@code :until, :ids, :claimant}. */
    public final String extendClaims;
    /** {@code :limit}. */
    public final String deadLetters;
    /** {@code :now, :ids}. */
    public final String requeue;
    /** {@code :ids}. */
    public final String deleteDeadLetters;
    /** {@code :before, :limit}. */
    public final String purgePublished;
    /** No parameters: pending count, oldest pending occurred-at, dead count. */
    public final String backlog;
    /** {@code :type, :since}: how many published rows of an aggregate type, occurred since, the table keeps. */
    public final String countRetained;
    /** {@code :type, :since, :after, :limit}: those rows after sequence {@code :after}, in sequence order. */
    public final String retained;

    // The log-tailing relay's leader, over plain JDBC on its work connection: positional parameters.
    /**
     * Upserts a dead letter: id, aggregate type, aggregate id, type, payload (json text), payload_bytes (bytea hex),
     * content type, headers (json text), occurred-at (text; null: now), attempts, last error.
     */
    public final String leaderDeadLetter;
    /** Marks pending rows published and bumps their attempts (the delivery that succeeded): ids (uuid[]); returns ids. */
    public final String leaderMarkPublished;
    /** Deletes published rows older than a retention: seconds, limit. */
    public final String leaderPurge;
    /** Replaces dead rows by fresh pending inserts in their original order: ids (uuid[]). */
    public final String leaderRequeue;
    /** Deletes the requeued rows again (log-only tables): ids (uuid[]). */
    public final String leaderDeleteRequeued;
    /**
     * Parks an event (a pending row with {@code next_attempt_at > '-infinity'}), an upsert: seq (null: a new one),
     * id, aggregate type, aggregate id, type, payload (json text), payload_bytes (bytea hex), content type, headers
     * (json text), occurred-at, attempts, next attempt at, last error.
     */
    public final String park;
    /** The head (lowest seq) of each parked aggregate: aggregate type, aggregate id, next attempt at. */
    public final String parkedHeads;
    /** Parked rows (read with {@link OutboxEventMapper}) of the aggregates whose head is due: now, limit. */
    public final String parkedDue;
    /** Reschedules a parked row: attempts, next attempt at, last error, id. */
    public final String parkedReschedule;
    /** Deletes delivered parked rows: ids (uuid[]). */
    public final String parkedDelete;
    /** Dead-letters a parked row no event can hold, attempts as they are: last error, id. */
    public final String parkedDeadLetterInvalid;

    /**
     * Writes the statements for one table.
     *
     * @param qualifiedTable {@code schema.table} as {@code dev.outbox.jdbc.OutboxTable#qualifiedName()} gives it,
     *     validated there (it is written into the SQL text); a String so that this package does not depend back
     *     on {@code dev.outbox.jdbc}
     */
    public OutboxStatements(String qualifiedTable) {
        String t = qualifiedTable;
        this.table = t;
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
        this.claim = """
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
                """.formatted(t, OutboxEventMapper.SELECT_COLUMNS);
        // "status NOT IN ('published', 'dead')" means status = 'pending' (the check constraint allows no third
        // value) but cannot match the pending partial index. With "status = 'pending'", a table never analyzed
        // (fresh, or just truncated, that meets a backlog) looks to the planner as if it held few pending rows,
        // so it ANDs the pending index into the plan and every batch walks the whole backlog.
        // Every outcome write is fenced by the claim: it changes a row only while the writer's claim is on it
        // (claimed_by, set by the claim and cleared by every outcome). The lease end is deliberately not checked:
        // a lapsed claim nobody took over is still the writer's alone. A concurrent claim by another relay locks
        // the row first, and the write then re-checks claimed_by on the new row version and skips it.
        String unpublished = " AND status NOT IN ('published', 'dead')";
        String held = " AND claimed_by = :claimant";
        this.deletePublished = "DELETE FROM " + t + " WHERE id = ANY (:ids::uuid[])" + held + unpublished;
        this.markPublished = "UPDATE " + t + " SET status = 'published', published_at = :now, claimed_by = NULL, "
                + "claimed_until = NULL WHERE id = ANY (:ids::uuid[])" + held + unpublished;
        String failures = " FROM unnest(:ids::uuid[], :attempts::int[], :times::text[], :errors::text[]) AS f(id, attempts, at, error)"
                + " WHERE e.id = f.id AND e.status = 'pending' AND e.claimed_by = :claimant";
        this.reschedule = "UPDATE " + t + " e SET attempts = f.attempts, next_attempt_at = f.at::timestamptz, "
                + "last_error = f.error, claimed_by = NULL, claimed_until = NULL" + failures;
        this.deadLetter = "UPDATE " + t + " e SET status = 'dead', attempts = f.attempts, dead_lettered_at = f.at::timestamptz, "
                + "last_error = f.error, claimed_by = NULL, claimed_until = NULL" + failures;
        // Rows the claim just took that no OutboxEvent can hold: dead with their reason, attempts as they were.
        this.deadLetterInvalid = "UPDATE " + t + " e SET status = 'dead', dead_lettered_at = :now, last_error = f.error, "
                + "claimed_by = NULL, claimed_until = NULL FROM unnest(:ids::uuid[], :errors::text[]) AS f(id, error)"
                + " WHERE e.id = f.id AND e.status = 'pending' AND e.claimed_by = :claimant";
        this.release = "UPDATE " + t + " SET claimed_by = NULL, claimed_until = NULL "
                + "WHERE id = ANY (:ids::uuid[]) AND claimed_by = :claimant AND status = 'pending'";
        // Renewing a claim touches only claimed_until, which no index holds: a HOT update, like the claim itself.
        this.extendClaims = "UPDATE " + t + " SET claimed_until = :until "
                + "WHERE id = ANY (:ids::uuid[]) AND claimed_by = :claimant AND status = 'pending'";
        this.deadLetters = "SELECT " + OutboxEventMapper.SELECT_COLUMNS + ", e.last_error, e.dead_lettered_at FROM " + t
                + " e WHERE e.status = 'dead' ORDER BY e.dead_lettered_at, e.seq LIMIT :limit";
        this.requeue = "UPDATE " + t + " SET status = 'pending', attempts = 0, next_attempt_at = :now, dead_lettered_at = NULL, "
                + "claimed_by = NULL, claimed_until = NULL WHERE id = ANY (:ids::uuid[]) AND status = 'dead'";
        this.deleteDeadLetters = "DELETE FROM " + t + " WHERE id = ANY (:ids::uuid[]) AND status = 'dead'";
        this.purgePublished = "DELETE FROM " + t + " WHERE id IN (SELECT id FROM " + t
                + " WHERE status = 'published' AND published_at < :before ORDER BY published_at LIMIT :limit)";
        this.backlog = "SELECT (SELECT count(*) FROM " + t + " WHERE status = 'pending'), "
                + "(SELECT min(occurred_at) FROM " + t + " WHERE status = 'pending'), "
                + "(SELECT count(*) FROM " + t + " WHERE status = 'dead')";
        String retainedRows = " FROM " + t + " e WHERE e.status = 'published' AND e.aggregatetype = :type "
                + "AND e.occurred_at >= :since";
        this.countRetained = "SELECT count(*)" + retainedRows;
        this.retained = "SELECT " + OutboxEventMapper.SELECT_COLUMNS + retainedRows
                + " AND e.seq > :after ORDER BY e.seq LIMIT :limit";

        this.leaderDeadLetter = "INSERT INTO " + t + " (id, aggregatetype, aggregateid, type, payload, payload_bytes, "
                + "content_type, headers, occurred_at, status, attempts, last_error, dead_lettered_at) "
                + "VALUES (?::uuid, ?, ?, ?, ?::jsonb, ?::bytea, coalesce(?, 'application/json'), coalesce(?::jsonb, '{}'), "
                + "coalesce(?::timestamptz, now()), 'dead', ?, ?, now()) "
                + "ON CONFLICT (id) DO UPDATE SET status = 'dead', attempts = EXCLUDED.attempts, "
                + "last_error = EXCLUDED.last_error, dead_lettered_at = now(), claimed_by = NULL, claimed_until = NULL";
        // As in markPublished above: NOT IN ('published', 'dead') keeps a never-analyzed table probed by primary key.
        this.leaderMarkPublished = "UPDATE " + t + " SET status = 'published', published_at = now(), attempts = attempts + 1 "
                + "WHERE id = ANY (?) AND status NOT IN ('published', 'dead') RETURNING id";
        this.leaderPurge = "DELETE FROM " + t + " WHERE id IN (SELECT id FROM " + t
                + " WHERE status = 'published' AND published_at < now() - make_interval(secs => ?) "
                + "ORDER BY published_at LIMIT ?)";
        String columns = "id, aggregatetype, aggregateid, type, payload, payload_bytes, content_type, headers, occurred_at";
        this.leaderRequeue = "WITH dead AS (DELETE FROM " + t + " WHERE status = 'dead' AND id = ANY (?) RETURNING seq, "
                + columns + ") INSERT INTO " + t + " (" + columns + ") SELECT " + columns + " FROM dead ORDER BY seq";
        this.leaderDeleteRequeued = "DELETE FROM " + t + " WHERE id = ANY (?) AND status = 'pending'";
        String parked = "status = 'pending' AND next_attempt_at > '-infinity'";
        String literal = t.replace("'", "''");
        // An upsert: in KEEP_ROWS the row is there (or still becoming visible: ON CONFLICT waits for its
        // inserting transaction), in LOG_ONLY it was deleted by its writer and comes back with its seq.
        // A row already parked, published or dead is left as it is: a re-sent stream event changes nothing.
        this.park = "INSERT INTO " + t + " AS e (seq, id, aggregatetype, aggregateid, type, payload, payload_bytes, "
                + "content_type, headers, occurred_at, attempts, next_attempt_at, last_error) OVERRIDING SYSTEM VALUE "
                + "VALUES (coalesce(?::bigint, nextval(pg_get_serial_sequence('" + literal + "', 'seq'))), ?::uuid, ?, ?, "
                + "?, ?::jsonb, ?::bytea, ?, ?::jsonb, ?::timestamptz, ?, ?::timestamptz, ?) "
                + "ON CONFLICT (id) DO UPDATE SET attempts = EXCLUDED.attempts, next_attempt_at = EXCLUDED.next_attempt_at, "
                + "last_error = EXCLUDED.last_error, claimed_by = NULL, claimed_until = NULL "
                + "WHERE e.status = 'pending' AND e.next_attempt_at = '-infinity'";
        // One row per aggregate, walking the retry index (aggregatetype, aggregateid, seq) WHERE parked.
        this.parkedHeads = "SELECT DISTINCT ON (aggregatetype, aggregateid) aggregatetype, aggregateid, next_attempt_at FROM "
                + t + " WHERE " + parked + " ORDER BY aggregatetype, aggregateid, seq";
        // The parked rows of the aggregates whose head is due, in seq order: a prefix of each aggregate's rows.
        this.parkedDue = "SELECT " + OutboxEventMapper.SELECT_COLUMNS + " FROM " + t + " e "
                + "WHERE e." + parked.replace("AND ", "AND e.") + " AND (e.aggregatetype, e.aggregateid) IN ("
                + "SELECT h.aggregatetype, h.aggregateid FROM (" + parkedHeads + ") h WHERE h.next_attempt_at <= ?::timestamptz) "
                + "ORDER BY e.seq LIMIT ?";
        this.parkedReschedule = "UPDATE " + t + " SET attempts = ?, next_attempt_at = ?::timestamptz, last_error = ? "
                + "WHERE id = ?::uuid AND " + parked;
        this.parkedDelete = "DELETE FROM " + t + " WHERE id = ANY (?) AND " + parked;
        this.parkedDeadLetterInvalid = "UPDATE " + t + " SET status = 'dead', dead_lettered_at = now(), last_error = ? "
                + "WHERE id = ?::uuid AND " + parked;
    }

    /**
     * Returns the append's four statements for this table, index {@code (many ? 2 : 0) + (commit ? 1 : 0)}:
     * one event (parameters: the {@value #APPEND_COLUMNS} columns, then aggregate type and id again for the lock
     * key) or several (the columns as {@value #APPEND_COLUMNS} text arrays), each without or with {@code ; COMMIT}
     * in the same round trip. In log-only mode a {@code ; DELETE} of the inserted ids (one more text array
     * parameter) follows the insert.
     *
     * @param notifyChannel the channel to notify in the insert, or null for none
     */
    public String[] append(String notifyChannel, boolean logOnly) {
        String columns = "INSERT INTO " + table
                + " (id, aggregatetype, aggregateid, type, payload, payload_bytes, content_type, headers, occurred_at) ";
        String notify = notifyChannel != null ? " CROSS JOIN (SELECT pg_notify('" + notifyChannel + "', '')) n" : "";
        // The lock subqueries are volatile, so PostgreSQL neither flattens nor drops them: the join
        // runs them before it yields a row, and so before the identity default gives the row its seq.
        // One event: type and id are bound a second time for the key (parameters 10 and 11), which
        // measured cheaper on the server than a VALUES row joined LATERAL to its lock.
        String insertOne = columns + "SELECT ?::uuid, ?, ?, ?, ?::jsonb, ?::bytea, ?, ?::jsonb, ?::timestamptz "
                + "FROM (SELECT pg_advisory_xact_lock(hashtextextended(?::text || ':' || ?::text, 0))) l" + notify;
        // Several aggregates: each key once, in ascending order, so that two multi-aggregate appends
        // take their common locks in the same order and cannot deadlock each other.
        String insertMany = "WITH u AS (SELECT * FROM "
                + "unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) "
                + "WITH ORDINALITY AS u(id, aggregatetype, aggregateid, type, payload, payload_bytes, content_type, headers, "
                + "occurred_at, ord)), "
                + "l AS (SELECT count(pg_advisory_xact_lock(k.key)) FROM "
                + "(SELECT DISTINCT " + lockKey("u") + " AS key FROM u ORDER BY 1) k) "
                + columns
                + "SELECT u.id::uuid, u.aggregatetype, u.aggregateid, u.type, u.payload::jsonb, decode(u.payload_bytes, 'base64'), "
                + "u.content_type, u.headers::jsonb, u.occurred_at::timestamptz "
                + "FROM u CROSS JOIN l" + notify
                + " ORDER BY u.ord";
        String delete = logOnly ? "; DELETE FROM " + table + " WHERE id = ANY (?::uuid[])" : "";
        return new String[] {insertOne + delete, insertOne + delete + "; COMMIT",
                insertMany + delete, insertMany + delete + "; COMMIT"};
    }

    /**
     * The advisory lock key of the aggregate of row {@code alias}: a 64-bit hash of its type and id
     * joined by ':', which no aggregate type contains, so that distinct aggregates give distinct text.
     * The single-event insert spells out the same expression over its parameters.
     */
    private static String lockKey(String alias) {
        return "hashtextextended(" + alias + ".aggregatetype || ':' || " + alias + ".aggregateid, 0)";
    }
}

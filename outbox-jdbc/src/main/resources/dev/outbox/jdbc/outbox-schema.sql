-- Transactional outbox table for PostgreSQL 12 or newer, shipped with outbox-jdbc.
--
-- Plain SQL, idempotent (safe to run again). Two placeholders, written the way Flyway and
-- Liquibase write theirs: ${outbox_schema} and ${outbox_table}. OutboxSchema.create(...)
-- replaces them itself; defaults are public and outbox_event.
--
-- The first five columns carry the Debezium Outbox Event Router's default names (id,
-- aggregatetype, aggregateid, type, payload), so a Debezium connector can read this table
-- unchanged. The other columns are the polling relay's bookkeeping; Debezium ignores them.
-- payload is jsonb and holds JSON events; a non-JSON payload goes to payload_bytes and
-- payload is null. jsonb normalizes JSON text (whitespace, key order, duplicate keys); the
-- polling relay sends payload::text, which is what Debezium sends too.
--
-- The status check is status IN ('pending', 'published', 'dead') written as PostgreSQL can use it
-- cheaply: PostgreSQL reads and simplifies a table's check expressions again at every INSERT
-- execution, and IN (...) on a varchar column is stored as an ARRAY[...]::varchar[] cast to text[]
-- that it would evaluate each time; a text[] literal is one constant (about 1.7 us less per append).
--
-- fillfactor 50 leaves room on each page for the claim's update (claimed_by, claimed_until), which
-- touches no indexed column and so stays a HOT update: no index entries per claim. Rows live only
-- until they are published, so the table stays small; set it to 100 if you retain published rows
-- for long and space matters more than drain speed.

CREATE SCHEMA IF NOT EXISTS ${outbox_schema};

CREATE TABLE IF NOT EXISTS ${outbox_schema}.${outbox_table} (
    id               uuid         PRIMARY KEY,
    aggregatetype    varchar(200) NOT NULL,
    aggregateid      varchar(255) NOT NULL,
    type             varchar(255) NOT NULL,
    payload          jsonb,
    payload_bytes    bytea,
    content_type     varchar(255) NOT NULL DEFAULT 'application/json',
    headers          jsonb        NOT NULL DEFAULT '{}',
    occurred_at      timestamptz  NOT NULL,
    seq              bigint       GENERATED ALWAYS AS IDENTITY,
    status           varchar(9)   NOT NULL DEFAULT 'pending',
    attempts         integer      NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz  NOT NULL DEFAULT '-infinity',
    claimed_by       varchar(255),
    claimed_until    timestamptz,
    last_error       text,
    published_at     timestamptz,
    dead_lettered_at timestamptz,
    CONSTRAINT ${outbox_table}_status_check CHECK (status::text = ANY ('{pending,published,dead}'::text[])),
    CONSTRAINT ${outbox_table}_one_payload_check CHECK (payload IS NULL OR payload_bytes IS NULL)
) WITH (fillfactor = 50);

-- The claim walks pending rows in append order.
CREATE INDEX IF NOT EXISTS ${outbox_table}_pending_seq_idx
    ON ${outbox_schema}.${outbox_table} (seq)
    WHERE status = 'pending';

-- Pending rows scheduled for a retry (or requeued): lets the claim pass over the later rows of an
-- aggregate held up by a retry without locking them. Small (failing rows only), so the per-row check
-- is cheap. No index covers claimed_by/claimed_until, so that a claim can be a HOT update.
CREATE INDEX IF NOT EXISTS ${outbox_table}_retry_idx
    ON ${outbox_schema}.${outbox_table} (aggregatetype, aggregateid, seq)
    WHERE status = 'pending' AND next_attempt_at > '-infinity';

-- Dead letters, oldest first.
CREATE INDEX IF NOT EXISTS ${outbox_table}_dead_idx
    ON ${outbox_schema}.${outbox_table} (dead_lettered_at, seq)
    WHERE status = 'dead';

-- Published rows kept for a retention period, purged oldest first.
CREATE INDEX IF NOT EXISTS ${outbox_table}_published_idx
    ON ${outbox_schema}.${outbox_table} (published_at)
    WHERE status = 'published';

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
    CONSTRAINT ${outbox_table}_status_check CHECK (status IN ('pending', 'published', 'dead')),
    CONSTRAINT ${outbox_table}_one_payload_check CHECK (payload IS NULL OR payload_bytes IS NULL)
);

-- The claim walks pending rows in append order.
CREATE INDEX IF NOT EXISTS ${outbox_table}_pending_seq_idx
    ON ${outbox_schema}.${outbox_table} (seq)
    WHERE status = 'pending';

-- Pending rows that may hold up their aggregate: claimed now or once, or scheduled for a retry.
-- Small (only rows in flight or failing), so the per-aggregate order check stays cheap.
CREATE INDEX IF NOT EXISTS ${outbox_table}_held_idx
    ON ${outbox_schema}.${outbox_table} (aggregatetype, aggregateid, seq)
    WHERE status = 'pending' AND (claimed_until IS NOT NULL OR next_attempt_at > '-infinity');

-- Dead letters, oldest first.
CREATE INDEX IF NOT EXISTS ${outbox_table}_dead_idx
    ON ${outbox_schema}.${outbox_table} (dead_lettered_at, seq)
    WHERE status = 'dead';

-- Published rows kept for a retention period, purged oldest first.
CREATE INDEX IF NOT EXISTS ${outbox_table}_published_idx
    ON ${outbox_schema}.${outbox_table} (published_at)
    WHERE status = 'published';

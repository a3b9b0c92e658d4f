-- Idempotency-Key of the writing routes and the answer each got. Idempotent: applied at every start by OrderSchema.
-- A row is written in the transaction of the change it answers; status and response_body are
-- NULL only inside that transaction (no other one sees the row before it commits).

CREATE TABLE IF NOT EXISTS idempotency_key (
    key            varchar(255) PRIMARY KEY,
    request_method varchar(16)  NOT NULL,
    request_path   text         NOT NULL,
    request_hash   char(64)     NOT NULL,
    status         smallint,
    response_body  text,
    location       text,
    etag           text,
    created_at     timestamptz  NOT NULL
);

-- The purge deletes the oldest keys in batches.
CREATE INDEX IF NOT EXISTS idempotency_key_created_at_idx ON idempotency_key (created_at);

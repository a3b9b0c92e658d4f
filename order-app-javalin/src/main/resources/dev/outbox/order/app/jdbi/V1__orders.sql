-- The Order service's tables. Idempotent: applied at every start by OrderSchema.

CREATE TABLE IF NOT EXISTS orders (
    id                  uuid        PRIMARY KEY,
    customer_id         uuid        NOT NULL,
    status              varchar(16) NOT NULL,
    cancellation_reason text,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             bigint      NOT NULL,
    CONSTRAINT orders_status_check CHECK (status IN ('PENDING', 'CONFIRMED', 'SHIPPED', 'CANCELLED')),
    CONSTRAINT orders_version_check CHECK (version >= 0)
);

-- Listing by customer or by status pages by id (time-ordered UUID v7).
CREATE INDEX IF NOT EXISTS orders_customer_id_idx ON orders (customer_id, id);
CREATE INDEX IF NOT EXISTS orders_status_id_idx ON orders (status, id);

CREATE TABLE IF NOT EXISTS order_lines (
    id          uuid           PRIMARY KEY,
    order_id    uuid           NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no     integer        NOT NULL,
    product_id  uuid           NOT NULL,
    quantity    integer        NOT NULL,
    unit_price  numeric(12, 2) NOT NULL,
    CONSTRAINT order_lines_order_line_no_key UNIQUE (order_id, line_no),
    CONSTRAINT order_lines_quantity_check CHECK (quantity > 0),
    CONSTRAINT order_lines_unit_price_check CHECK (unit_price >= 0)
);

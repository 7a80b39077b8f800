-- Tables used by the classic ASP and ASP.NET examples (SQL Server 2005 or later).

-- One row per event the gateway delivered and we processed. webhook_id is the gateway's
-- stable event id (msg_ + 32 hex characters), the same on every retry of that event: the
-- primary key is what makes processing exactly-once even when a delivery is repeated.
CREATE TABLE processed_webhooks (
    webhook_id   VARCHAR(64)  NOT NULL CONSTRAINT pk_processed_webhooks PRIMARY KEY,
    out_trade_no NVARCHAR(64) NOT NULL,
    trade_status VARCHAR(32)  NOT NULL,
    received_at  DATETIME     NOT NULL
);

-- The examples update your existing orders table. They need these columns (rename them in the
-- example's SQL if yours differ). Shown as a CREATE for a fresh test database:
CREATE TABLE orders (
    out_trade_no    NVARCHAR(64)  NOT NULL CONSTRAINT uq_orders_out_trade_no UNIQUE,
    amount          DECIMAL(12,2) NOT NULL,                  -- what the buyer must pay, in yuan
    status          VARCHAR(16)   NOT NULL DEFAULT 'unpaid', -- 'unpaid', 'paid', 'cancelled', ...
    paid_at         DATETIME      NULL,
    alipay_trade_no VARCHAR(64)   NULL
);

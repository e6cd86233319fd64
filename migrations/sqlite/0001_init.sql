-- +goose Up
-- Table and column names are those of the system gambler replaces; every
-- column added beyond them is nullable or has a default, so rows written with
-- only the original columns stay valid.
CREATE TABLE IF NOT EXISTS trading_sessions (
    session_id              text PRIMARY KEY,
    instance_id             integer NOT NULL DEFAULT 1,
    strategy_name           text,
    start_time              text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    end_time                text,
    status                  text NOT NULL DEFAULT 'active',
    symbols                 text,
    duration_minutes        integer,
    scan_interval_seconds   integer,
    initial_portfolio_value text,
    final_portfolio_value   text,
    pnl                     text,
    pnl_pct                 text,
    total_trades            integer DEFAULT 0,
    allocated_capital       text,
    created_at              text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_at              text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    -- added by gambler
    settings                text,
    lease_host              text,
    lease_pid               integer,
    lease_since             text,
    lease_heartbeat         text
);
CREATE INDEX IF NOT EXISTS trading_sessions_start_idx ON trading_sessions (start_time DESC);
CREATE INDEX IF NOT EXISTS trading_sessions_status_idx ON trading_sessions (status, start_time DESC);

CREATE TABLE IF NOT EXISTS positions (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id            text NOT NULL REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    symbol                text NOT NULL,
    entry_time            text NOT NULL,
    entry_price           text NOT NULL,
    exit_time             text,
    exit_price            text,
    qty                   text NOT NULL,
    direction             text NOT NULL,
    side                  text NOT NULL,
    stop_loss             text,
    take_profit           text,
    order_id              text,
    status                text NOT NULL DEFAULT 'active',
    exit_reason           text,
    pnl                   text,
    pnl_pct               text,
    duration_minutes      text,
    created_at            text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_at            text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    -- added by gambler
    entry_client_order_id text,
    repair_count          integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS positions_one_active_idx
    ON positions (session_id, symbol) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS positions_session_idx ON positions (session_id, status);

CREATE TABLE IF NOT EXISTS position_checkpoints (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id             text NOT NULL REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    checkpoint_time        text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    positions_snapshot     text NOT NULL,
    account_snapshot       text,
    active_positions_count integer NOT NULL DEFAULT 0,
    closed_trades_count    integer NOT NULL DEFAULT 0,
    created_at             text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    -- added by gambler
    sequence               integer,
    trigger                text,
    duration_ms            real,
    size_bytes             integer,
    checksum               text
);
-- The covering columns let list and stats read the index, not the payloads.
CREATE INDEX IF NOT EXISTS position_checkpoints_session_time_idx
    ON position_checkpoints (session_id, checkpoint_time DESC, id DESC);
CREATE UNIQUE INDEX IF NOT EXISTS position_checkpoints_session_seq_idx
    ON position_checkpoints (session_id, sequence) WHERE sequence IS NOT NULL;

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS position_checkpoints_no_update
    BEFORE UPDATE ON position_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoint rows are immutable');
END;
-- +goose StatementEnd

CREATE TABLE IF NOT EXISTS order_journal (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id             text NOT NULL REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    client_order_id        text NOT NULL UNIQUE,
    seq                    integer,
    broker_order_id        text,
    parent_client_order_id text,
    symbol                 text NOT NULL,
    order_type             text NOT NULL DEFAULT 'market',
    order_class            text NOT NULL DEFAULT 'simple',
    side                   text NOT NULL,
    qty                    text NOT NULL,
    limit_price            text,
    stop_price             text,
    take_profit_price      text,
    stop_loss_price        text,
    status                 text NOT NULL DEFAULT 'intent',
    filled_qty             text NOT NULL DEFAULT '0',
    filled_avg_price       text,
    purpose                text,
    rejection_reason       text,
    created_at             text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    submitted_at           text,
    acknowledged_at        text,
    updated_at             text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX IF NOT EXISTS order_journal_session_idx ON order_journal (session_id, seq);

CREATE TABLE IF NOT EXISTS fills (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    fill_id         text NOT NULL UNIQUE,
    session_id      text NOT NULL REFERENCES trading_sessions (session_id) ON DELETE CASCADE,
    client_order_id text,
    broker_order_id text,
    symbol          text NOT NULL,
    side            text NOT NULL,
    qty             text NOT NULL,
    price           text NOT NULL,
    filled_at       text NOT NULL,
    created_at      text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX IF NOT EXISTS fills_session_idx ON fills (session_id, id);

-- +goose Down
DROP TABLE IF EXISTS fills;
DROP TABLE IF EXISTS order_journal;
DROP TABLE IF EXISTS position_checkpoints;
DROP TABLE IF EXISTS positions;
DROP TABLE IF EXISTS trading_sessions;

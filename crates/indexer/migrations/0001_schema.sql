-- The backend's schema, one file for SQLite and PostgreSQL (sqlx's Any driver runs it on both):
-- only types both spell alike (BIGINT, TEXT), no autoincrement, natural keys everywhere.
-- uint256 amounts are decimal TEXT (neither database has a 256-bit integer; sums are done in
-- Rust with U256), addresses and hashes lowercase 0x-hex, flags BIGINT 0/1, times unix seconds.

-- How far each follower got, per (chain, contract).
CREATE TABLE cursors (
    chain_id BIGINT NOT NULL,
    contract TEXT NOT NULL,
    kind TEXT NOT NULL,
    next_block BIGINT NOT NULL,
    PRIMARY KEY (chain_id, contract)
);

-- Hashes of the blocks a follower processed recently, to notice a reorg (per contract: each
-- follower must notice it for itself).
CREATE TABLE blocks (
    chain_id BIGINT NOT NULL,
    contract TEXT NOT NULL,
    number BIGINT NOT NULL,
    hash TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    PRIMARY KEY (chain_id, contract, number)
);

-- Every pool event, raw and decoded; the key makes indexing idempotent.
CREATE TABLE events (
    chain_id BIGINT NOT NULL,
    tx_hash TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash TEXT NOT NULL,
    block_timestamp BIGINT NOT NULL,
    contract TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    signature TEXT NOT NULL,
    pool_id BIGINT,
    account TEXT,
    topics TEXT NOT NULL,
    data TEXT NOT NULL,
    decoded TEXT NOT NULL,
    PRIMARY KEY (chain_id, tx_hash, log_index)
);
CREATE INDEX events_by_block ON events (chain_id, contract, block_number);
CREATE INDEX events_by_pool ON events (chain_id, contract, pool_id, block_number);
CREATE INDEX events_by_account ON events (chain_id, account, block_number);

-- Contract-wide state.
CREATE TABLE contracts (
    chain_id BIGINT NOT NULL,
    contract TEXT NOT NULL,
    kind TEXT NOT NULL,
    usdc TEXT NOT NULL,
    paused BIGINT NOT NULL,
    fees TEXT NOT NULL,
    updated_block BIGINT NOT NULL,
    PRIMARY KEY (chain_id, contract)
);

-- Tokens seen (USDC and collateral), with their units.
CREATE TABLE tokens (
    chain_id BIGINT NOT NULL,
    token TEXT NOT NULL,
    symbol TEXT NOT NULL,
    decimals BIGINT NOT NULL,
    PRIMARY KEY (chain_id, token)
);

CREATE TABLE collateral_pools (
    chain_id BIGINT NOT NULL,
    contract TEXT NOT NULL,
    pool_id BIGINT NOT NULL,
    collateral_token TEXT NOT NULL,
    price_feed TEXT NOT NULL,
    sequencer_feed TEXT NOT NULL,
    max_capacity TEXT NOT NULL,
    min_lended TEXT NOT NULL,
    min_borrow TEXT NOT NULL,
    collateral_factor BIGINT NOT NULL,
    ltv_bps BIGINT NOT NULL,
    interest_bps BIGINT NOT NULL,
    end_time BIGINT NOT NULL,
    lended TEXT NOT NULL,
    claimed TEXT NOT NULL,
    borrowed TEXT NOT NULL,
    repaid TEXT NOT NULL,
    rewards TEXT NOT NULL,
    claimed_rewards TEXT NOT NULL,
    collateral_amount TEXT NOT NULL,
    available_usdc TEXT NOT NULL,
    collateral_held TEXT NOT NULL,
    created_block BIGINT NOT NULL,
    updated_block BIGINT NOT NULL,
    PRIMARY KEY (chain_id, contract, pool_id)
);

CREATE TABLE lend_positions (
    chain_id BIGINT NOT NULL,
    contract TEXT NOT NULL,
    pool_id BIGINT NOT NULL,
    account TEXT NOT NULL,
    lend_id BIGINT NOT NULL,
    starting_amount TEXT NOT NULL,
    amount TEXT NOT NULL,
    reward_per_token_ignored TEXT NOT NULL,
    updated_block BIGINT NOT NULL,
    PRIMARY KEY (chain_id, contract, pool_id, account, lend_id)
);
CREATE INDEX lend_positions_by_account ON lend_positions (chain_id, account);

CREATE TABLE borrow_positions (
    chain_id BIGINT NOT NULL,
    contract TEXT NOT NULL,
    pool_id BIGINT NOT NULL,
    account TEXT NOT NULL,
    borrow_id BIGINT NOT NULL,
    starting_amount TEXT NOT NULL,
    amount TEXT NOT NULL,
    collateral_amount TEXT NOT NULL,
    borrow_time BIGINT NOT NULL,
    interest_bps BIGINT NOT NULL,
    updated_block BIGINT NOT NULL,
    PRIMARY KEY (chain_id, contract, pool_id, account, borrow_id)
);
CREATE INDEX borrow_positions_by_account ON borrow_positions (chain_id, account);

-- Counterparty pools of both variants; collectable/closable/archivable are derived from the
-- contract's poolActions at the latest block by the status worker, as time passes.
CREATE TABLE counterparty_pools (
    chain_id BIGINT NOT NULL,
    contract TEXT NOT NULL,
    kind TEXT NOT NULL,
    pool_id BIGINT NOT NULL,
    owner TEXT NOT NULL,
    soft_cap TEXT NOT NULL,
    hard_cap TEXT NOT NULL,
    committed TEXT NOT NULL,
    rewards TEXT NOT NULL,
    paid_out TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deadline BIGINT NOT NULL,
    closed_at BIGINT NOT NULL,
    minimum_apr BIGINT NOT NULL,
    status TEXT NOT NULL,
    repayment_date BIGINT NOT NULL,
    defaulted BIGINT NOT NULL,
    collectable BIGINT NOT NULL,
    closable BIGINT NOT NULL,
    archivable BIGINT NOT NULL,
    actions_checked_at BIGINT NOT NULL,
    updated_block BIGINT NOT NULL,
    PRIMARY KEY (chain_id, contract, pool_id)
);

CREATE TABLE commits (
    chain_id BIGINT NOT NULL,
    contract TEXT NOT NULL,
    pool_id BIGINT NOT NULL,
    account TEXT NOT NULL,
    amount TEXT NOT NULL,
    claimed TEXT NOT NULL,
    updated_block BIGINT NOT NULL,
    PRIMARY KEY (chain_id, contract, pool_id, account)
);
CREATE INDEX commits_by_account ON commits (chain_id, account);

-- Per pool and UTC day, the last balances seen that day (USDC base units); a day without
-- activity has no row and takes the previous day's.
CREATE TABLE daily_snapshots (
    chain_id BIGINT NOT NULL,
    contract TEXT NOT NULL,
    pool_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    supplied TEXT NOT NULL,
    borrowed TEXT NOT NULL,
    available TEXT NOT NULL,
    block_number BIGINT NOT NULL,
    PRIMARY KEY (chain_id, contract, pool_id, day)
);

-- Collateral prices from the pools' own Chainlink feeds, one row per block read.
CREATE TABLE token_prices (
    chain_id BIGINT NOT NULL,
    token TEXT NOT NULL,
    feed TEXT NOT NULL,
    block_number BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    price TEXT NOT NULL,
    decimals BIGINT NOT NULL,
    PRIMARY KEY (chain_id, token, block_number)
);

-- Off-chain metadata of pools and tokens (JSON documents, their IPFS CIDs).
CREATE TABLE pool_metadata (
    chain_id BIGINT NOT NULL,
    contract TEXT NOT NULL,
    pool_id BIGINT NOT NULL,
    document TEXT NOT NULL,
    cid TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (chain_id, contract, pool_id)
);

CREATE TABLE token_metadata (
    chain_id BIGINT NOT NULL,
    token TEXT NOT NULL,
    document TEXT NOT NULL,
    cid TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (chain_id, token)
);

-- Sign-In with Ethereum: nonces handed out (single use) and rotating refresh tokens (only
-- their SHA-256 is stored; a reused, rotated token revokes its whole family).
CREATE TABLE auth_nonces (
    nonce TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    account TEXT NOT NULL,
    role TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    rotated BIGINT NOT NULL,
    revoked BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);

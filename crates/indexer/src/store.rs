//! The database: SQLite (a file, the default) or PostgreSQL (by URL), one set of migrations
//! for both through sqlx's Any driver. Writes come in [`Batch`]es applied in one transaction
//! with the follower's cursor, so a crash never leaves half a batch; every write is an upsert
//! keyed on natural keys, so re-applying a batch changes nothing.

use std::{str::FromStr, time::Duration};

use eyre::{Result, WrapErr, bail};
use serde::Serialize;
use sqlx::{
    Any, AnyPool, Row, Transaction,
    any::{AnyPoolOptions, AnyRow},
};

/// The embedded default database file.
pub const DEFAULT_SQLITE: &str = "sqlite://pools.db";

/// Which database engine a [`Store`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file or memory.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// A connection pool to the backend's database, migrated.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// One raw and decoded event.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRow {
    /// Chain id.
    pub chain_id: i64,
    /// Transaction hash.
    pub tx_hash: String,
    /// Index of the log in its block.
    pub log_index: i64,
    /// Block number.
    pub block_number: i64,
    /// Block hash.
    pub block_hash: String,
    /// Block timestamp.
    pub block_timestamp: i64,
    /// Emitting contract.
    pub contract: String,
    /// Its kind (`collateral`, `counterparty`, `admin-counterparty`).
    pub kind: String,
    /// Event name.
    pub name: String,
    /// Event signature.
    pub signature: String,
    /// The pool it is about.
    pub pool_id: Option<i64>,
    /// The account it is about.
    pub account: Option<String>,
    /// Topics, JSON array of hex strings.
    pub topics: String,
    /// Data, hex.
    pub data: String,
    /// Decoded fields, JSON object.
    pub decoded: String,
}

/// Contract-wide state.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractRow {
    /// Chain id.
    pub chain_id: i64,
    /// Address.
    pub contract: String,
    /// Kind.
    pub kind: String,
    /// Its USDC.
    pub usdc: String,
    /// Paused.
    pub paused: bool,
    /// Protocol fees withdrawable, USDC base units.
    pub fees: String,
    /// Block read at.
    pub updated_block: i64,
}

/// A token and its units.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRow {
    /// Chain id.
    pub chain_id: i64,
    /// Address.
    pub token: String,
    /// Symbol.
    pub symbol: String,
    /// Decimals.
    pub decimals: i64,
}

/// A pool of a collateral-pool contract (amounts in base units).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CollateralPoolRow {
    /// Chain id.
    pub chain_id: i64,
    /// Contract.
    pub contract: String,
    /// Pool id.
    pub pool_id: i64,
    /// Collateral token.
    pub collateral_token: String,
    /// Its price feed.
    pub price_feed: String,
    /// Its sequencer feed (zero address on L1).
    pub sequencer_feed: String,
    /// Lending capacity, USDC.
    pub max_capacity: String,
    /// Smallest lend, USDC.
    pub min_lended: String,
    /// Smallest borrow, USDC.
    pub min_borrow: String,
    /// Collateral factor.
    pub collateral_factor: i64,
    /// Loan-to-value, bps.
    pub ltv_bps: i64,
    /// Yearly interest, bps.
    pub interest_bps: i64,
    /// Lending end.
    pub end_time: i64,
    /// USDC lent, ever.
    pub lended: String,
    /// Principal claimed back.
    pub claimed: String,
    /// USDC borrowed, ever.
    pub borrowed: String,
    /// Principal repaid.
    pub repaid: String,
    /// Rewards accrued.
    pub rewards: String,
    /// Rewards claimed.
    pub claimed_rewards: String,
    /// Collateral locked by open loans.
    pub collateral_amount: String,
    /// Free USDC.
    pub available_usdc: String,
    /// Collateral held.
    pub collateral_held: String,
    /// First block it was seen in.
    pub created_block: i64,
    /// Block read at.
    pub updated_block: i64,
}

/// A lend position.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LendRow {
    /// Chain id.
    pub chain_id: i64,
    /// Contract.
    pub contract: String,
    /// Pool id.
    pub pool_id: i64,
    /// Lender.
    pub account: String,
    /// Position id.
    pub lend_id: i64,
    /// Lent at first.
    pub starting_amount: String,
    /// Still lent.
    pub amount: String,
    /// Reward per token at lending.
    pub reward_per_token_ignored: String,
    /// Block read at.
    pub updated_block: i64,
}

/// A borrow position.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BorrowRow {
    /// Chain id.
    pub chain_id: i64,
    /// Contract.
    pub contract: String,
    /// Pool id.
    pub pool_id: i64,
    /// Borrower.
    pub account: String,
    /// Position id.
    pub borrow_id: i64,
    /// Borrowed at first.
    pub starting_amount: String,
    /// Principal owed.
    pub amount: String,
    /// Collateral locked.
    pub collateral_amount: String,
    /// When borrowed.
    pub borrow_time: i64,
    /// Its interest, bps.
    pub interest_bps: i64,
    /// Block read at.
    pub updated_block: i64,
}

/// A counterparty pool (either variant).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CounterpartyPoolRow {
    /// Chain id.
    pub chain_id: i64,
    /// Contract.
    pub contract: String,
    /// `counterparty` or `admin-counterparty`.
    pub kind: String,
    /// Pool id.
    pub pool_id: i64,
    /// Borrower.
    pub owner: String,
    /// Soft cap, USDC.
    pub soft_cap: String,
    /// Hard cap, USDC.
    pub hard_cap: String,
    /// Committed, USDC.
    pub committed: String,
    /// Rewards deposited, USDC.
    pub rewards: String,
    /// Rewards paid out, USDC.
    pub paid_out: String,
    /// Creation time.
    pub created_at: i64,
    /// Commit deadline.
    pub deadline: i64,
    /// Close time (0 while open).
    pub closed_at: i64,
    /// Minimum APR (1e8 scale).
    pub minimum_apr: i64,
    /// On-chain status: CREATED, ACTIVE, CLOSED, ARCHIVED.
    pub status: String,
    /// Repayment date (0 if none).
    pub repayment_date: i64,
    /// Defaulted.
    pub defaulted: bool,
    /// Derived: the owner can collect now.
    pub collectable: bool,
    /// Derived: it can be closed now.
    pub closable: bool,
    /// Derived: it can be archived now.
    pub archivable: bool,
    /// Chain time the derived statuses were computed at.
    pub actions_checked_at: i64,
    /// Block read at.
    pub updated_block: i64,
}

/// A commit to a counterparty pool.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitRow {
    /// Chain id.
    pub chain_id: i64,
    /// Contract.
    pub contract: String,
    /// Pool id.
    pub pool_id: i64,
    /// Lender.
    pub account: String,
    /// Committed, USDC.
    pub amount: String,
    /// Rewards claimed, USDC.
    pub claimed: String,
    /// Block read at.
    pub updated_block: i64,
}

/// A pool's balances at the end of a UTC day (last state seen that day).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotRow {
    /// Chain id.
    pub chain_id: i64,
    /// Contract.
    pub contract: String,
    /// Pool id.
    pub pool_id: i64,
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    /// Supplied by lenders and not claimed back, USDC.
    pub supplied: String,
    /// Borrowed and not repaid, USDC.
    pub borrowed: String,
    /// Free to borrow or claim, USDC.
    pub available: String,
    /// Block the balances were read at.
    pub block_number: i64,
}

/// A price read from a pool's feed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceRow {
    /// Chain id.
    pub chain_id: i64,
    /// Token priced.
    pub token: String,
    /// Feed.
    pub feed: String,
    /// Block read at.
    pub block_number: i64,
    /// Feed's `updatedAt`.
    pub updated_at: i64,
    /// Answer.
    pub price: String,
    /// Feed decimals.
    pub decimals: i64,
}

/// An entity that vanished (its read reverts, as after a reorg removed its creation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gone {
    /// A collateral pool.
    CollateralPool(i64),
    /// A lend position (pool, account, id).
    Lend(i64, String, i64),
    /// A borrow position (pool, account, id).
    Borrow(i64, String, i64),
    /// A counterparty pool.
    CounterpartyPool(i64),
    /// A commit (pool, account).
    Commit(i64, String),
}

/// Everything one follower step writes, applied atomically with the cursor.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    /// Events.
    pub events: Vec<EventRow>,
    /// Processed block hashes (number, hash, timestamp).
    pub blocks: Vec<(i64, String, i64)>,
    /// Contract state.
    pub contract: Option<ContractRow>,
    /// Tokens.
    pub tokens: Vec<TokenRow>,
    /// Collateral pools.
    pub collateral_pools: Vec<CollateralPoolRow>,
    /// Lend positions.
    pub lends: Vec<LendRow>,
    /// Borrow positions.
    pub borrows: Vec<BorrowRow>,
    /// Counterparty pools.
    pub counterparty_pools: Vec<CounterpartyPoolRow>,
    /// Commits.
    pub commits: Vec<CommitRow>,
    /// Daily snapshots.
    pub snapshots: Vec<SnapshotRow>,
    /// Prices.
    pub prices: Vec<PriceRow>,
    /// Entities to delete.
    pub gone: Vec<Gone>,
}

impl Store {
    /// Connects to `url` and runs the migrations: `sqlite://path` (created if missing),
    /// `sqlite::memory:`, `postgres://…`, or a plain file path (SQLite).
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let pool = match backend {
            // In-memory SQLite is one database per connection: keep a single one.
            Backend::Sqlite if url.contains(":memory:") => options.max_connections(1).min_connections(1),
            Backend::Sqlite => options.max_connections(4),
            Backend::Postgres => options.max_connections(16),
        }
        .connect(&url)
        .await
        .wrap_err_with(|| format!("connecting to the database at {}", redact(&url)))?;
        if backend == Backend::Sqlite && !url.contains(":memory:") {
            // Readers (the API) never wait for the follower's writes in WAL mode.
            sqlx::query("PRAGMA journal_mode=WAL").execute(&pool).await.wrap_err("switching SQLite to WAL")?;
        }
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .wrap_err_with(|| format!("migrating the database at {}", redact(&url)))?;
        Ok(Self { pool, backend })
    }

    /// The engine behind it.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for queries of other crates.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Where a follower resumes: its stored cursor, or `start` the first time.
    pub async fn cursor(&self, chain_id: i64, contract: &str, kind: &str, start: i64) -> Result<i64> {
        let row = sqlx::query("SELECT next_block FROM cursors WHERE chain_id = $1 AND contract = $2")
            .bind(chain_id)
            .bind(contract)
            .fetch_optional(&self.pool)
            .await
            .wrap_err("reading the cursor")?;
        match row {
            Some(row) => Ok(row.try_get("next_block")?),
            None => {
                sqlx::query(
                    "INSERT INTO cursors (chain_id, contract, kind, next_block) VALUES ($1, $2, $3, $4) ON CONFLICT (chain_id, contract) DO NOTHING",
                )
                .bind(chain_id)
                .bind(contract)
                .bind(kind)
                .bind(start)
                .execute(&self.pool)
                .await
                .wrap_err("creating the cursor")?;
                Ok(start)
            }
        }
    }

    /// The stored hash of a processed block of a follower.
    pub async fn block_hash(&self, chain_id: i64, contract: &str, number: i64) -> Result<Option<String>> {
        let row = sqlx::query("SELECT hash FROM blocks WHERE chain_id = $1 AND contract = $2 AND number = $3")
            .bind(chain_id)
            .bind(contract)
            .bind(number)
            .fetch_optional(&self.pool)
            .await
            .wrap_err("reading a block hash")?;
        Ok(row.map(|r| r.try_get("hash")).transpose()?)
    }

    /// The processed blocks of a follower from `from` down, newest first (reorg search).
    pub async fn recent_blocks(
        &self,
        chain_id: i64,
        contract: &str,
        from: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT number, hash FROM blocks WHERE chain_id = $1 AND contract = $2 AND number <= $3 ORDER BY number DESC LIMIT $4",
        )
        .bind(chain_id)
        .bind(contract)
        .bind(from)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .wrap_err("reading recent blocks")?;
        rows.iter().map(|r| Ok((r.try_get("number")?, r.try_get("hash")?))).collect()
    }

    /// The events a follower recorded from block `fork` on (those a reorg replaced), whose
    /// pools and accounts it reads again.
    pub async fn events_from(&self, chain_id: i64, contract: &str, fork: i64) -> Result<Vec<EventRow>> {
        let rows = sqlx::query("SELECT * FROM events WHERE chain_id = $1 AND contract = $2 AND block_number >= $3")
            .bind(chain_id)
            .bind(contract)
            .bind(fork)
            .fetch_all(&self.pool)
            .await
            .wrap_err("reading the events a reorg removed")?;
        rows.iter().map(event_row).collect()
    }

    /// Undoes a follower's blocks from `fork` on (a reorg replaced them) and applies `repair`
    /// (what those blocks' events touched, read again before the fork) in one transaction: the
    /// events, block hashes, snapshots and prices recorded since go, the cursor moves back to
    /// `fork`, and no crash can leave the deletions without the re-read state.
    pub async fn rewind(
        &self,
        chain_id: i64,
        contract: &str,
        fork: i64,
        repair: &Batch,
        keep_blocks: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for sql in [
            "DELETE FROM events WHERE chain_id = $1 AND contract = $2 AND block_number >= $3",
            "DELETE FROM blocks WHERE chain_id = $1 AND contract = $2 AND number >= $3",
            "DELETE FROM daily_snapshots WHERE chain_id = $1 AND contract = $2 AND block_number >= $3",
        ] {
            sqlx::query(sql)
                .bind(chain_id)
                .bind(contract)
                .bind(fork)
                .execute(&mut *tx)
                .await
                .wrap_err("rewinding the replaced blocks")?;
        }
        // Prices are per chain, not per contract: a reorg replaced them for every follower.
        sqlx::query("DELETE FROM token_prices WHERE chain_id = $1 AND block_number >= $2")
            .bind(chain_id)
            .bind(fork)
            .execute(&mut *tx)
            .await
            .wrap_err("rewinding prices")?;
        apply_in(&mut tx, chain_id, contract, repair, fork, keep_blocks).await?;
        tx.commit().await.wrap_err("committing a reorg repair")?;
        Ok(())
    }

    /// Applies a batch and moves the cursor to `next_block`, atomically. Keeps only the last
    /// `keep_blocks` block hashes of the follower.
    pub async fn apply(
        &self,
        chain_id: i64,
        contract: &str,
        batch: &Batch,
        next_block: i64,
        keep_blocks: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        apply_in(&mut tx, chain_id, contract, batch, next_block, keep_blocks).await?;
        tx.commit().await.wrap_err("committing a batch")?;
        Ok(())
    }

    /// Updates the derived statuses of a counterparty pool (the status worker).
    pub async fn set_pool_actions(
        &self,
        chain_id: i64,
        contract: &str,
        pool_id: i64,
        (collectable, closable, archivable): (bool, bool, bool),
        checked_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE counterparty_pools SET collectable = $4, closable = $5, archivable = $6, actions_checked_at = $7
             WHERE chain_id = $1 AND contract = $2 AND pool_id = $3",
        )
        .bind(chain_id)
        .bind(contract)
        .bind(pool_id)
        .bind(i64::from(collectable))
        .bind(i64::from(closable))
        .bind(i64::from(archivable))
        .bind(checked_at)
        .execute(&self.pool)
        .await
        .wrap_err("updating derived statuses")?;
        Ok(())
    }

    /// Counterparty pools of a contract not archived yet (the status worker's round).
    pub async fn open_counterparty_pools(&self, chain_id: i64, contract: &str) -> Result<Vec<CounterpartyPoolRow>> {
        let rows = sqlx::query(
            "SELECT * FROM counterparty_pools WHERE chain_id = $1 AND contract = $2 AND status <> 'ARCHIVED' ORDER BY pool_id",
        )
        .bind(chain_id)
        .bind(contract)
        .fetch_all(&self.pool)
        .await
        .wrap_err("reading open counterparty pools")?;
        rows.iter().map(counterparty_pool_row).collect()
    }

    /// Events of a follower, in chain order.
    pub async fn events(&self, chain_id: i64, contract: &str) -> Result<Vec<EventRow>> {
        let rows =
            sqlx::query("SELECT * FROM events WHERE chain_id = $1 AND contract = $2 ORDER BY block_number, log_index")
                .bind(chain_id)
                .bind(contract)
                .fetch_all(&self.pool)
                .await
                .wrap_err("reading events")?;
        rows.iter().map(event_row).collect()
    }
}

async fn apply_in(
    tx: &mut Transaction<'_, Any>,
    chain_id: i64,
    contract: &str,
    batch: &Batch,
    next_block: i64,
    keep_blocks: i64,
) -> Result<()> {
    for e in &batch.events {
        insert_event(tx, e).await?;
    }
    for (number, hash, timestamp) in &batch.blocks {
        sqlx::query(
            "INSERT INTO blocks (chain_id, contract, number, hash, timestamp) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (chain_id, contract, number) DO UPDATE SET hash = excluded.hash, timestamp = excluded.timestamp",
        )
        .bind(chain_id)
        .bind(contract)
        .bind(*number)
        .bind(hash)
        .bind(*timestamp)
        .execute(&mut **tx)
        .await
        .wrap_err("recording a block hash")?;
    }
    if let Some(c) = &batch.contract {
        sqlx::query(
            "INSERT INTO contracts (chain_id, contract, kind, usdc, paused, fees, updated_block) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (chain_id, contract) DO UPDATE SET usdc = excluded.usdc, paused = excluded.paused, fees = excluded.fees, updated_block = excluded.updated_block",
        )
        .bind(c.chain_id)
        .bind(&c.contract)
        .bind(&c.kind)
        .bind(&c.usdc)
        .bind(i64::from(c.paused))
        .bind(&c.fees)
        .bind(c.updated_block)
        .execute(&mut **tx)
        .await
        .wrap_err("recording the contract state")?;
    }
    for t in &batch.tokens {
        sqlx::query(
            "INSERT INTO tokens (chain_id, token, symbol, decimals) VALUES ($1, $2, $3, $4)
             ON CONFLICT (chain_id, token) DO UPDATE SET symbol = excluded.symbol, decimals = excluded.decimals",
        )
        .bind(t.chain_id)
        .bind(&t.token)
        .bind(&t.symbol)
        .bind(t.decimals)
        .execute(&mut **tx)
        .await
        .wrap_err("recording a token")?;
    }
    for p in &batch.collateral_pools {
        upsert_collateral_pool(tx, p).await?;
    }
    for l in &batch.lends {
        sqlx::query(
            "INSERT INTO lend_positions (chain_id, contract, pool_id, account, lend_id, starting_amount, amount, reward_per_token_ignored, updated_block)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (chain_id, contract, pool_id, account, lend_id) DO UPDATE SET starting_amount = excluded.starting_amount,
             amount = excluded.amount, reward_per_token_ignored = excluded.reward_per_token_ignored, updated_block = excluded.updated_block",
        )
        .bind(l.chain_id)
        .bind(&l.contract)
        .bind(l.pool_id)
        .bind(&l.account)
        .bind(l.lend_id)
        .bind(&l.starting_amount)
        .bind(&l.amount)
        .bind(&l.reward_per_token_ignored)
        .bind(l.updated_block)
        .execute(&mut **tx)
        .await
        .wrap_err("recording a lend position")?;
    }
    for b in &batch.borrows {
        sqlx::query(
            "INSERT INTO borrow_positions (chain_id, contract, pool_id, account, borrow_id, starting_amount, amount, collateral_amount, borrow_time, interest_bps, updated_block)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (chain_id, contract, pool_id, account, borrow_id) DO UPDATE SET starting_amount = excluded.starting_amount,
             amount = excluded.amount, collateral_amount = excluded.collateral_amount, borrow_time = excluded.borrow_time,
             interest_bps = excluded.interest_bps, updated_block = excluded.updated_block",
        )
        .bind(b.chain_id)
        .bind(&b.contract)
        .bind(b.pool_id)
        .bind(&b.account)
        .bind(b.borrow_id)
        .bind(&b.starting_amount)
        .bind(&b.amount)
        .bind(&b.collateral_amount)
        .bind(b.borrow_time)
        .bind(b.interest_bps)
        .bind(b.updated_block)
        .execute(&mut **tx)
        .await
        .wrap_err("recording a borrow position")?;
    }
    for p in &batch.counterparty_pools {
        upsert_counterparty_pool(tx, p).await?;
    }
    for c in &batch.commits {
        sqlx::query(
            "INSERT INTO commits (chain_id, contract, pool_id, account, amount, claimed, updated_block) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (chain_id, contract, pool_id, account) DO UPDATE SET amount = excluded.amount, claimed = excluded.claimed,
             updated_block = excluded.updated_block",
        )
        .bind(c.chain_id)
        .bind(&c.contract)
        .bind(c.pool_id)
        .bind(&c.account)
        .bind(&c.amount)
        .bind(&c.claimed)
        .bind(c.updated_block)
        .execute(&mut **tx)
        .await
        .wrap_err("recording a commit")?;
    }
    for s in &batch.snapshots {
        sqlx::query(
            "INSERT INTO daily_snapshots (chain_id, contract, pool_id, day, supplied, borrowed, available, block_number)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (chain_id, contract, pool_id, day) DO UPDATE SET supplied = excluded.supplied, borrowed = excluded.borrowed,
             available = excluded.available, block_number = excluded.block_number",
        )
        .bind(s.chain_id)
        .bind(&s.contract)
        .bind(s.pool_id)
        .bind(s.day)
        .bind(&s.supplied)
        .bind(&s.borrowed)
        .bind(&s.available)
        .bind(s.block_number)
        .execute(&mut **tx)
        .await
        .wrap_err("recording a daily snapshot")?;
    }
    for p in &batch.prices {
        sqlx::query(
            "INSERT INTO token_prices (chain_id, token, feed, block_number, updated_at, price, decimals) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (chain_id, token, block_number) DO UPDATE SET feed = excluded.feed, updated_at = excluded.updated_at,
             price = excluded.price, decimals = excluded.decimals",
        )
        .bind(p.chain_id)
        .bind(&p.token)
        .bind(&p.feed)
        .bind(p.block_number)
        .bind(p.updated_at)
        .bind(&p.price)
        .bind(p.decimals)
        .execute(&mut **tx)
        .await
        .wrap_err("recording a price")?;
    }
    for gone in &batch.gone {
        delete_gone(tx, chain_id, contract, gone).await?;
    }
    sqlx::query("UPDATE cursors SET next_block = $3 WHERE chain_id = $1 AND contract = $2")
        .bind(chain_id)
        .bind(contract)
        .bind(next_block)
        .execute(&mut **tx)
        .await
        .wrap_err("moving the cursor")?;
    sqlx::query("DELETE FROM blocks WHERE chain_id = $1 AND contract = $2 AND number < $3")
        .bind(chain_id)
        .bind(contract)
        .bind(next_block - keep_blocks)
        .execute(&mut **tx)
        .await
        .wrap_err("forgetting old block hashes")?;
    Ok(())
}

async fn insert_event(tx: &mut Transaction<'_, Any>, e: &EventRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (chain_id, tx_hash, log_index, block_number, block_hash, block_timestamp, contract, kind, name, signature,
         pool_id, account, topics, data, decoded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (chain_id, tx_hash, log_index) DO NOTHING",
    )
    .bind(e.chain_id)
    .bind(&e.tx_hash)
    .bind(e.log_index)
    .bind(e.block_number)
    .bind(&e.block_hash)
    .bind(e.block_timestamp)
    .bind(&e.contract)
    .bind(&e.kind)
    .bind(&e.name)
    .bind(&e.signature)
    .bind(e.pool_id)
    .bind(&e.account)
    .bind(&e.topics)
    .bind(&e.data)
    .bind(&e.decoded)
    .execute(&mut **tx)
    .await
    .wrap_err("recording an event")?;
    Ok(())
}

async fn upsert_collateral_pool(tx: &mut Transaction<'_, Any>, p: &CollateralPoolRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO collateral_pools (chain_id, contract, pool_id, collateral_token, price_feed, sequencer_feed, max_capacity, min_lended,
         min_borrow, collateral_factor, ltv_bps, interest_bps, end_time, lended, claimed, borrowed, repaid, rewards, claimed_rewards,
         collateral_amount, available_usdc, collateral_held, created_block, updated_block)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
         ON CONFLICT (chain_id, contract, pool_id) DO UPDATE SET collateral_token = excluded.collateral_token, price_feed = excluded.price_feed,
         sequencer_feed = excluded.sequencer_feed, max_capacity = excluded.max_capacity, min_lended = excluded.min_lended,
         min_borrow = excluded.min_borrow, collateral_factor = excluded.collateral_factor, ltv_bps = excluded.ltv_bps,
         interest_bps = excluded.interest_bps, end_time = excluded.end_time, lended = excluded.lended, claimed = excluded.claimed,
         borrowed = excluded.borrowed, repaid = excluded.repaid, rewards = excluded.rewards, claimed_rewards = excluded.claimed_rewards,
         collateral_amount = excluded.collateral_amount, available_usdc = excluded.available_usdc,
         collateral_held = excluded.collateral_held, updated_block = excluded.updated_block",
    )
    .bind(p.chain_id)
    .bind(&p.contract)
    .bind(p.pool_id)
    .bind(&p.collateral_token)
    .bind(&p.price_feed)
    .bind(&p.sequencer_feed)
    .bind(&p.max_capacity)
    .bind(&p.min_lended)
    .bind(&p.min_borrow)
    .bind(p.collateral_factor)
    .bind(p.ltv_bps)
    .bind(p.interest_bps)
    .bind(p.end_time)
    .bind(&p.lended)
    .bind(&p.claimed)
    .bind(&p.borrowed)
    .bind(&p.repaid)
    .bind(&p.rewards)
    .bind(&p.claimed_rewards)
    .bind(&p.collateral_amount)
    .bind(&p.available_usdc)
    .bind(&p.collateral_held)
    .bind(p.created_block)
    .bind(p.updated_block)
    .execute(&mut **tx)
    .await
    .wrap_err("recording a collateral pool")?;
    Ok(())
}

async fn upsert_counterparty_pool(tx: &mut Transaction<'_, Any>, p: &CounterpartyPoolRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO counterparty_pools (chain_id, contract, kind, pool_id, owner, soft_cap, hard_cap, committed, rewards, paid_out,
         created_at, deadline, closed_at, minimum_apr, status, repayment_date, defaulted, collectable, closable, archivable,
         actions_checked_at, updated_block)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
         ON CONFLICT (chain_id, contract, pool_id) DO UPDATE SET owner = excluded.owner, soft_cap = excluded.soft_cap,
         hard_cap = excluded.hard_cap, committed = excluded.committed, rewards = excluded.rewards, paid_out = excluded.paid_out,
         created_at = excluded.created_at, deadline = excluded.deadline, closed_at = excluded.closed_at,
         minimum_apr = excluded.minimum_apr, status = excluded.status, repayment_date = excluded.repayment_date,
         defaulted = excluded.defaulted, collectable = excluded.collectable, closable = excluded.closable,
         archivable = excluded.archivable, actions_checked_at = excluded.actions_checked_at, updated_block = excluded.updated_block",
    )
    .bind(p.chain_id)
    .bind(&p.contract)
    .bind(&p.kind)
    .bind(p.pool_id)
    .bind(&p.owner)
    .bind(&p.soft_cap)
    .bind(&p.hard_cap)
    .bind(&p.committed)
    .bind(&p.rewards)
    .bind(&p.paid_out)
    .bind(p.created_at)
    .bind(p.deadline)
    .bind(p.closed_at)
    .bind(p.minimum_apr)
    .bind(&p.status)
    .bind(p.repayment_date)
    .bind(i64::from(p.defaulted))
    .bind(i64::from(p.collectable))
    .bind(i64::from(p.closable))
    .bind(i64::from(p.archivable))
    .bind(p.actions_checked_at)
    .bind(p.updated_block)
    .execute(&mut **tx)
    .await
    .wrap_err("recording a counterparty pool")?;
    Ok(())
}

async fn delete_gone(tx: &mut Transaction<'_, Any>, chain_id: i64, contract: &str, gone: &Gone) -> Result<()> {
    let (sql, pool_id, account, id) = match gone {
        Gone::CollateralPool(p) => {
            ("DELETE FROM collateral_pools WHERE chain_id = $1 AND contract = $2 AND pool_id = $3", *p, None, None)
        }
        Gone::CounterpartyPool(p) => {
            ("DELETE FROM counterparty_pools WHERE chain_id = $1 AND contract = $2 AND pool_id = $3", *p, None, None)
        }
        Gone::Lend(p, a, i) => (
            "DELETE FROM lend_positions WHERE chain_id = $1 AND contract = $2 AND pool_id = $3 AND account = $4 AND lend_id = $5",
            *p,
            Some(a),
            Some(*i),
        ),
        Gone::Borrow(p, a, i) => (
            "DELETE FROM borrow_positions WHERE chain_id = $1 AND contract = $2 AND pool_id = $3 AND account = $4 AND borrow_id = $5",
            *p,
            Some(a),
            Some(*i),
        ),
        Gone::Commit(p, a) => (
            "DELETE FROM commits WHERE chain_id = $1 AND contract = $2 AND pool_id = $3 AND account = $4",
            *p,
            Some(a),
            None,
        ),
    };
    let mut query = sqlx::query(sql).bind(chain_id).bind(contract).bind(pool_id);
    if let Some(account) = account {
        query = query.bind(account);
    }
    if let Some(id) = id {
        query = query.bind(id);
    }
    query.execute(&mut **tx).await.wrap_err("deleting a vanished entity")?;
    Ok(())
}

/// Reads an event row.
pub fn event_row(r: &AnyRow) -> Result<EventRow> {
    Ok(EventRow {
        chain_id: r.try_get("chain_id")?,
        tx_hash: r.try_get("tx_hash")?,
        log_index: r.try_get("log_index")?,
        block_number: r.try_get("block_number")?,
        block_hash: r.try_get("block_hash")?,
        block_timestamp: r.try_get("block_timestamp")?,
        contract: r.try_get("contract")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        signature: r.try_get("signature")?,
        pool_id: r.try_get("pool_id")?,
        account: r.try_get("account")?,
        topics: r.try_get("topics")?,
        data: r.try_get("data")?,
        decoded: r.try_get("decoded")?,
    })
}

/// Reads a counterparty pool row.
pub fn counterparty_pool_row(r: &AnyRow) -> Result<CounterpartyPoolRow> {
    Ok(CounterpartyPoolRow {
        chain_id: r.try_get("chain_id")?,
        contract: r.try_get("contract")?,
        kind: r.try_get("kind")?,
        pool_id: r.try_get("pool_id")?,
        owner: r.try_get("owner")?,
        soft_cap: r.try_get("soft_cap")?,
        hard_cap: r.try_get("hard_cap")?,
        committed: r.try_get("committed")?,
        rewards: r.try_get("rewards")?,
        paid_out: r.try_get("paid_out")?,
        created_at: r.try_get("created_at")?,
        deadline: r.try_get("deadline")?,
        closed_at: r.try_get("closed_at")?,
        minimum_apr: r.try_get("minimum_apr")?,
        status: r.try_get("status")?,
        repayment_date: r.try_get("repayment_date")?,
        defaulted: flag(r, "defaulted")?,
        collectable: flag(r, "collectable")?,
        closable: flag(r, "closable")?,
        archivable: flag(r, "archivable")?,
        actions_checked_at: r.try_get("actions_checked_at")?,
        updated_block: r.try_get("updated_block")?,
    })
}

/// Reads a collateral pool row.
pub fn collateral_pool_row(r: &AnyRow) -> Result<CollateralPoolRow> {
    Ok(CollateralPoolRow {
        chain_id: r.try_get("chain_id")?,
        contract: r.try_get("contract")?,
        pool_id: r.try_get("pool_id")?,
        collateral_token: r.try_get("collateral_token")?,
        price_feed: r.try_get("price_feed")?,
        sequencer_feed: r.try_get("sequencer_feed")?,
        max_capacity: r.try_get("max_capacity")?,
        min_lended: r.try_get("min_lended")?,
        min_borrow: r.try_get("min_borrow")?,
        collateral_factor: r.try_get("collateral_factor")?,
        ltv_bps: r.try_get("ltv_bps")?,
        interest_bps: r.try_get("interest_bps")?,
        end_time: r.try_get("end_time")?,
        lended: r.try_get("lended")?,
        claimed: r.try_get("claimed")?,
        borrowed: r.try_get("borrowed")?,
        repaid: r.try_get("repaid")?,
        rewards: r.try_get("rewards")?,
        claimed_rewards: r.try_get("claimed_rewards")?,
        collateral_amount: r.try_get("collateral_amount")?,
        available_usdc: r.try_get("available_usdc")?,
        collateral_held: r.try_get("collateral_held")?,
        created_block: r.try_get("created_block")?,
        updated_block: r.try_get("updated_block")?,
    })
}

/// A 0/1 column as bool.
pub fn flag(r: &AnyRow, column: &str) -> Result<bool> {
    Ok(r.try_get::<i64, _>(column)? != 0)
}

/// Accepts `sqlite:`/`sqlite://` URLs, `postgres://`/`postgresql://` URLs and plain paths.
fn normalise_url(url: &str) -> Result<(String, Backend)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((url.to_owned(), Backend::Postgres));
    }
    if url == "sqlite::memory:" {
        return Ok((url.to_owned(), Backend::Sqlite));
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    if path.is_empty() {
        bail!("empty database path");
    }
    if let Some((scheme, _)) = path.split_once("://") {
        bail!("unsupported database `{scheme}://`: use sqlite://FILE or postgres://USER@HOST/DB");
    }
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    Ok((format!("sqlite://{path}?mode=rwc"), Backend::Sqlite))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(_)) => match rest.split_once('@') {
            Some((user, host)) => format!("{scheme}://{}@{host}", user.split(':').next().unwrap_or_default()),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

impl FromStr for Backend {
    type Err = eyre::Report;
    fn from_str(url: &str) -> Result<Self> {
        Ok(normalise_url(url)?.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised_and_refused_clearly() -> Result<()> {
        assert_eq!(normalise_url("pools.db")?, ("sqlite://pools.db?mode=rwc".into(), Backend::Sqlite));
        assert_eq!(normalise_url("sqlite:///tmp/x.db")?, ("sqlite:///tmp/x.db?mode=rwc".into(), Backend::Sqlite));
        assert_eq!(normalise_url("postgres://u@h/db")?.1, Backend::Postgres);
        let err = normalise_url("mysql://u@h/db").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("unsupported database `mysql://`"), "{err}");
        assert!(normalise_url("").is_err());
        Ok(())
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(redact("postgres://pools:secret@db:5432/pools"), "postgres://pools@db:5432/pools");
        assert_eq!(redact("sqlite://pools.db"), "sqlite://pools.db");
    }
}

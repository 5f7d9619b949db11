//! One follower per (chain, contract): reads the contract's logs in batches up to the head less
//! the confirmation depth, records them with the state they changed, and repairs reorgs.
//!
//! Reorgs: the follower keeps the hashes of the last `reorg_depth` blocks it processed. Before
//! each batch it compares the hash of the block before the cursor with the node's; on a
//! mismatch it walks back to the newest block both agree on, deletes everything recorded after
//! it, and reads again the pools and accounts the deleted events touched (entities that no
//! longer exist read as reverts and are deleted).

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use alloy::{
    eips::BlockId,
    primitives::{Address, B256},
    providers::{DynProvider, Provider},
    rpc::types::{Filter, Log},
};
use eyre::{Result, WrapErr, bail, eyre};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::{
    Kind,
    events::{Decoded, Decoder},
    reader::{Read, Reader},
    store::{Batch, EventRow, Gone, SnapshotRow, Store},
};

/// Seconds in a UTC day.
const DAY: i64 = 86_400;

/// What a follower watches and how carefully.
#[derive(Clone, Debug)]
pub struct FollowerConfig {
    /// The contract.
    pub contract: Address,
    /// Its kind.
    pub kind: Kind,
    /// First block to read (the deployment's block).
    pub start_block: u64,
    /// Blocks behind the head left unread (0 on anvil; a few on L2s, more on L1).
    pub confirmations: u64,
    /// Blocks per `eth_getLogs` request.
    pub batch_blocks: u64,
    /// How far back a reorg is repaired; a deeper one stops the follower with an error.
    pub reorg_depth: u64,
}

/// Something the indexer recorded, for subscribers (GraphQL subscriptions, server-sent events).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Change {
    /// A new event.
    Event(Box<EventRow>),
    /// A counterparty pool's derived statuses changed.
    #[serde(rename_all = "camelCase")]
    Status {
        /// Chain id.
        chain_id: i64,
        /// Contract.
        contract: String,
        /// Pool id.
        pool_id: i64,
        /// The owner can collect now.
        collectable: bool,
        /// It can be closed now.
        closable: bool,
        /// It can be archived now.
        archivable: bool,
    },
    /// A reorg removed the follower's blocks from `fork` on.
    #[serde(rename_all = "camelCase")]
    Reorg {
        /// Chain id.
        chain_id: i64,
        /// Contract.
        contract: String,
        /// First block replaced.
        fork: i64,
    },
}

/// A reorg deeper than the follower's stored block hashes reach: it cannot be repaired in place,
/// so the follower stops rather than guess.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReorgTooDeep {
    /// Chain id.
    pub chain_id: i64,
    /// The cursor's block, below which no stored hash matched the node's.
    pub below: u64,
    /// Hashes kept.
    pub depth: i64,
}

impl std::fmt::Display for ReorgTooDeep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "reorg deeper than {} blocks below block {} on chain {}: re-index from an earlier block",
            self.depth, self.below, self.chain_id
        )
    }
}

impl std::error::Error for ReorgTooDeep {}

/// What one [`Follower::step`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Blocks `from..=to` recorded, with `events` events.
    Indexed {
        /// First block.
        from: u64,
        /// Last block.
        to: u64,
        /// Events recorded.
        events: usize,
    },
    /// Nothing new under the confirmation depth.
    UpToDate,
    /// A reorg was repaired from block `fork` on (the next step re-reads from there).
    Reorg {
        /// First block replaced.
        fork: u64,
    },
}

/// Keys of what a batch changed, to read back from the chain.
#[derive(Default)]
struct Dirty {
    pools: BTreeSet<u64>,
    lends: BTreeSet<(u64, Address, u64)>,
    borrows: BTreeSet<(u64, Address, u64)>,
    commits: BTreeSet<(u64, Address)>,
}

const LEND_EVENTS: [&str; 2] = ["newLend", "RewardsClaimed"];
const BORROW_EVENTS: [&str; 6] = [
    "newBorrow",
    "Repaid",
    "AddedCollateral",
    "RemovedCollateral",
    "UserPositionLiquidated",
    "LiquidationCollateralSeized",
];
const COMMIT_EVENTS: [&str; 4] =
    ["CommittedToPool", "UncommittedFromPool", "RewardsClaimed", "DefaultCollateralClaimed"];

impl Dirty {
    fn add(&mut self, kind: Kind, event: &Decoded) {
        let Some(pool) = event.pool_id() else { return };
        self.pools.insert(pool);
        let account = event.address("user").or_else(|| event.address("wallet"));
        match (kind, account) {
            (Kind::Collateral, Some(user)) if LEND_EVENTS.contains(&event.name.as_str()) => {
                if let Some(id) = event.id("lendId") {
                    self.lends.insert((pool, user, id));
                }
            }
            (Kind::Collateral, Some(user)) if BORROW_EVENTS.contains(&event.name.as_str()) => {
                if let Some(id) = event.id("borrowId") {
                    self.borrows.insert((pool, user, id));
                }
            }
            (Kind::Counterparty | Kind::AdminCounterparty, Some(wallet))
                if COMMIT_EVENTS.contains(&event.name.as_str()) =>
            {
                self.commits.insert((pool, wallet));
            }
            _ => {}
        }
    }
}

/// A follower of one contract.
#[derive(Clone)]
pub struct Follower {
    provider: DynProvider,
    store: Store,
    decoder: Arc<Decoder>,
    config: FollowerConfig,
    chain_id: i64,
    changes: broadcast::Sender<Change>,
}

impl Follower {
    /// A follower of `config.contract` on the chain behind `provider`.
    pub async fn new(
        provider: DynProvider,
        store: Store,
        decoder: Arc<Decoder>,
        config: FollowerConfig,
        changes: broadcast::Sender<Change>,
    ) -> Result<Self> {
        if config.batch_blocks == 0 {
            bail!("batch_blocks must be at least 1");
        }
        let chain_id = provider.get_chain_id().await.wrap_err("reading the chain id")? as i64;
        Ok(Self { provider, store, decoder, config, chain_id, changes })
    }

    /// The chain it follows.
    pub fn chain_id(&self) -> i64 {
        self.chain_id
    }

    /// The kind of contract it follows.
    pub fn kind(&self) -> Kind {
        self.config.kind
    }

    fn contract(&self) -> String {
        format!("{:#x}", self.config.contract)
    }

    /// Follows until `shutdown` fires, polling every `poll` when up to date. Node errors are
    /// logged and retried with backoff; a reorg deeper than `reorg_depth` ends it with an error.
    pub async fn run(self, poll: Duration, mut shutdown: broadcast::Receiver<()>) -> Result<()> {
        let mut backoff = poll;
        loop {
            let wait = match self.step().await {
                Ok(Step::Indexed { .. } | Step::Reorg { .. }) => {
                    backoff = poll;
                    Duration::ZERO
                }
                Ok(Step::UpToDate) => poll,
                Err(e) if e.downcast_ref::<ReorgTooDeep>().is_some() => return Err(e),
                Err(e) => {
                    tracing::warn!(contract = %self.contract(), error = %format!("{e:#}"), "follower step failed; retrying");
                    backoff = (backoff * 2).min(Duration::from_secs(60));
                    backoff
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.recv() => return Ok(()),
            }
        }
    }

    /// Follows until there is nothing new under the confirmation depth (tests, backfills).
    pub async fn catch_up(&self) -> Result<usize> {
        let mut events = 0;
        loop {
            match self.step().await? {
                Step::Indexed { events: n, .. } => events += n,
                Step::Reorg { .. } => {}
                Step::UpToDate => return Ok(events),
            }
        }
    }

    /// One batch, or one reorg repair.
    pub async fn step(&self) -> Result<Step> {
        let contract = self.contract();
        let (chain_id, kind) = (self.chain_id, self.config.kind);
        let head = self.provider.get_block_number().await.wrap_err("reading the head")?;
        let safe = head.saturating_sub(self.config.confirmations);
        let next = self.store.cursor(chain_id, &contract, kind.as_str(), self.config.start_block as i64).await? as u64;

        if let Some(fork) = self.find_fork(next).await? {
            let removed = self.store.events_from(chain_id, &contract, fork as i64).await?;
            tracing::warn!(%contract, fork, removed = removed.len(), "reorg: blocks replaced, re-reading");
            // Read back now what the removed events touched: the entities they created may be
            // gone for good, and the re-read batches need not mention them again. The deletion
            // and these reads land in one transaction.
            let mut dirty = Dirty::default();
            for event in &removed {
                if let Ok(fields) = serde_json::from_str(&event.decoded) {
                    dirty.add(kind, &Decoded { name: event.name.clone(), signature: event.signature.clone(), fields });
                }
            }
            let at = fork.saturating_sub(1).max(self.config.start_block.saturating_sub(1));
            let mut repair = self.read_state(&dirty, at, true).await?;
            repair.blocks.clear();
            self.store.rewind(chain_id, &contract, fork as i64, &repair, self.config.reorg_depth as i64).await?;
            let _ = self.changes.send(Change::Reorg { chain_id, contract, fork: fork as i64 });
            return Ok(Step::Reorg { fork });
        }
        if next > safe {
            return Ok(Step::UpToDate);
        }
        let to = (next + self.config.batch_blocks - 1).min(safe);
        let filter = Filter::new()
            .address(self.config.contract)
            .event_signature(self.decoder.topics(kind))
            .from_block(next)
            .to_block(to);
        let logs = self.provider.get_logs(&filter).await.wrap_err_with(|| format!("reading logs {next}..={to}"))?;

        let mut dirty = Dirty::default();
        let mut events = Vec::with_capacity(logs.len());
        let mut timestamps = std::collections::HashMap::new();
        for log in &logs {
            let Some(decoded) = self.decoder.decode(kind, &log.inner.data)? else { continue };
            dirty.add(kind, &decoded);
            let timestamp = match log.block_timestamp {
                Some(t) => t as i64,
                None => match log.block_number {
                    Some(n) => match timestamps.get(&n) {
                        Some(t) => *t,
                        None => {
                            let t = self.timestamp_of(n).await?;
                            timestamps.insert(n, t);
                            t
                        }
                    },
                    None => bail!("log without a block number"),
                },
            };
            events.push(self.event_row(log, &decoded, timestamp)?);
        }
        // Contract-wide state changes only with an event (Initialized comes first), and before
        // the deployment's block there is no code to read from.
        let mut batch = self.read_state(&dirty, to, !events.is_empty()).await?;
        batch.events = events;
        let count = batch.events.len();
        self.store.apply(chain_id, &contract, &batch, to as i64 + 1, self.config.reorg_depth as i64).await?;
        for event in batch.events {
            let _ = self.changes.send(Change::Event(Box::new(event)));
        }
        tracing::debug!(%contract, from = next, to, events = count, "indexed");
        Ok(Step::Indexed { from: next, to, events: count })
    }

    /// The first block to re-read after a reorg, if the node no longer has the block before
    /// the cursor that the follower recorded.
    async fn find_fork(&self, next: u64) -> Result<Option<u64>> {
        let contract = self.contract();
        if next == 0 {
            return Ok(None);
        }
        let Some(stored) = self.store.block_hash(self.chain_id, &contract, next as i64 - 1).await? else {
            return Ok(None);
        };
        if self.hash_of(next - 1).await? == Some(stored) {
            return Ok(None);
        }
        let depth = self.config.reorg_depth as i64;
        for (number, hash) in self.store.recent_blocks(self.chain_id, &contract, next as i64 - 1, depth).await? {
            if self.hash_of(number as u64).await? == Some(hash) {
                return Ok(Some(number as u64 + 1));
            }
        }
        Err(ReorgTooDeep { chain_id: self.chain_id, below: next, depth }.into())
    }

    async fn hash_of(&self, number: u64) -> Result<Option<String>> {
        let block = self
            .provider
            .get_block(BlockId::number(number))
            .await
            .wrap_err_with(|| format!("reading block {number}"))?;
        Ok(block.map(|b| format!("{:#x}", b.header.hash)))
    }

    async fn timestamp_of(&self, number: u64) -> Result<i64> {
        let block =
            self.provider.get_block(BlockId::number(number)).await?.ok_or_else(|| eyre!("block {number} not found"))?;
        Ok(block.header.timestamp as i64)
    }

    fn event_row(&self, log: &Log, decoded: &Decoded, timestamp: i64) -> Result<EventRow> {
        let hash =
            |h: Option<B256>, what: &str| h.map(|h| format!("{h:#x}")).ok_or_else(|| eyre!("log without {what}"));
        Ok(EventRow {
            chain_id: self.chain_id,
            tx_hash: hash(log.transaction_hash, "a transaction hash")?,
            log_index: log.log_index.ok_or_else(|| eyre!("log without an index"))? as i64,
            block_number: log.block_number.ok_or_else(|| eyre!("log without a block number"))? as i64,
            block_hash: hash(log.block_hash, "a block hash")?,
            block_timestamp: timestamp,
            contract: self.contract(),
            kind: self.config.kind.as_str().into(),
            name: decoded.name.clone(),
            signature: decoded.signature.clone(),
            pool_id: decoded.pool_id().map(|p| p as i64),
            account: decoded.account().map(|a| format!("{a:#x}")),
            topics: serde_json::to_string(
                &log.inner.data.topics().iter().map(|t| format!("{t:#x}")).collect::<Vec<_>>(),
            )?,
            data: format!("0x{}", alloy::hex::encode(&log.inner.data.data)),
            decoded: serde_json::to_string(&decoded.fields)?,
        })
    }

    /// Reads back at block `at` everything `dirty` names, with snapshots and prices.
    async fn read_state(&self, dirty: &Dirty, at: u64, contract_state: bool) -> Result<Batch> {
        let header = self
            .provider
            .get_block(BlockId::number(at))
            .await
            .wrap_err_with(|| format!("reading block {at}"))?
            .ok_or_else(|| eyre!("block {at} not found"))?
            .header;
        // Read at the hash, not the number: the state must belong to the block recorded.
        let reader = Reader {
            provider: &self.provider,
            chain_id: self.chain_id,
            contract: self.config.contract,
            kind: self.config.kind,
            block: BlockId::hash(header.hash),
            number: at as i64,
            timestamp: header.timestamp as i64,
        };
        let timestamp = header.timestamp as i64;
        let day = timestamp.div_euclid(DAY);
        let mut batch =
            Batch { blocks: vec![(at as i64, format!("{:#x}", header.hash), timestamp)], ..Batch::default() };
        if contract_state {
            batch.contract = Some(reader.contract_state().await?);
        }
        for &pool in &dirty.pools {
            if self.config.kind == Kind::Collateral {
                match reader.collateral_pool(pool).await? {
                    Read::Found(p) => {
                        let token: Address = p.collateral_token.parse()?;
                        batch.tokens.push(reader.token(token).await?);
                        match reader.price(token, p.price_feed.parse()?).await {
                            Ok(price) => batch.prices.push(price),
                            Err(e) => tracing::warn!(pool, error = %format!("{e:#}"), "no price from the pool's feed"),
                        }
                        let supplied = sub(&p.lended, &p.claimed)?;
                        let borrowed = sub(&p.borrowed, &p.repaid)?;
                        batch.snapshots.push(snapshot(
                            self,
                            pool,
                            day,
                            supplied,
                            borrowed,
                            p.available_usdc.clone(),
                            at,
                        ));
                        batch.collateral_pools.push(p);
                    }
                    Read::Missing => batch.gone.push(Gone::CollateralPool(pool as i64)),
                }
            } else {
                match reader.counterparty_pool(pool).await? {
                    Read::Found(p) => {
                        // Commits sit in the contract until collected; then they are lent out.
                        let (supplied, borrowed, available) = match p.status.as_str() {
                            "CREATED" => (p.committed.clone(), "0".into(), p.committed.clone()),
                            "ACTIVE" => (p.committed.clone(), p.committed.clone(), "0".into()),
                            _ => ("0".into(), "0".into(), "0".into()),
                        };
                        batch.snapshots.push(snapshot(self, pool, day, supplied, borrowed, available, at));
                        batch.counterparty_pools.push(p);
                    }
                    Read::Missing => batch.gone.push(Gone::CounterpartyPool(pool as i64)),
                }
            }
        }
        if let Some(c) = &batch.contract {
            // USDC's units, for amounts in the API.
            batch.tokens.push(reader.token(c.usdc.parse()?).await?);
        }
        for &(pool, user, id) in &dirty.lends {
            match reader.lend(pool, user, id).await? {
                Read::Found(l) => batch.lends.push(l),
                Read::Missing => batch.gone.push(Gone::Lend(pool as i64, format!("{user:#x}"), id as i64)),
            }
        }
        for &(pool, user, id) in &dirty.borrows {
            match reader.borrow(pool, user, id).await? {
                Read::Found(b) => batch.borrows.push(b),
                Read::Missing => batch.gone.push(Gone::Borrow(pool as i64, format!("{user:#x}"), id as i64)),
            }
        }
        for &(pool, wallet) in &dirty.commits {
            match reader.commit(pool, wallet).await? {
                Read::Found(c) => batch.commits.push(c),
                Read::Missing => batch.gone.push(Gone::Commit(pool as i64, format!("{wallet:#x}"))),
            }
        }
        Ok(batch)
    }

    /// One round of the status worker: the derived statuses (collectable, closable, archivable)
    /// of every open counterparty pool at the latest block, since they change with time alone.
    pub async fn refresh_statuses(&self) -> Result<usize> {
        if !self.config.kind.is_counterparty() {
            return Ok(0);
        }
        let contract = self.contract();
        let latest = self.provider.get_block(BlockId::latest()).await?.ok_or_else(|| eyre!("no latest block"))?.header;
        let reader = Reader {
            provider: &self.provider,
            chain_id: self.chain_id,
            contract: self.config.contract,
            kind: self.config.kind,
            block: BlockId::hash(latest.hash),
            number: latest.number as i64,
            timestamp: latest.timestamp as i64,
        };
        let mut changed = 0;
        for pool in self.store.open_counterparty_pools(self.chain_id, &contract).await? {
            let actions = reader.pool_actions(pool.pool_id as u64).await?;
            let before = (pool.collectable, pool.closable, pool.archivable);
            self.store
                .set_pool_actions(self.chain_id, &contract, pool.pool_id, actions, latest.timestamp as i64)
                .await?;
            if actions != before {
                changed += 1;
                let (collectable, closable, archivable) = actions;
                let _ = self.changes.send(Change::Status {
                    chain_id: self.chain_id,
                    contract: contract.clone(),
                    pool_id: pool.pool_id,
                    collectable,
                    closable,
                    archivable,
                });
            }
        }
        Ok(changed)
    }
}

fn snapshot(
    f: &Follower,
    pool: u64,
    day: i64,
    supplied: String,
    borrowed: String,
    available: String,
    at: u64,
) -> SnapshotRow {
    SnapshotRow {
        chain_id: f.chain_id,
        contract: f.contract(),
        pool_id: pool as i64,
        day,
        supplied,
        borrowed,
        available,
        block_number: at as i64,
    }
}

fn sub(a: &str, b: &str) -> Result<String> {
    let (a, b): (alloy::primitives::U256, alloy::primitives::U256) = (a.parse()?, b.parse()?);
    Ok(a.saturating_sub(b).to_string())
}

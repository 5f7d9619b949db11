//! The pools' indexer: one [`Follower`] per (chain, contract) records every event (ours and the
//! older published variants), reads back the pools, positions and commits they touched, keeps
//! daily balance snapshots and the collateral feeds' prices, and a status worker recomputes
//! the counterparty pools' derived statuses (collectable, closable, archivable) as time passes.
//! The database is a SQLite file by default, PostgreSQL by URL, with one set of migrations.
//!
//! ```no_run
//! # async fn example() -> eyre::Result<()> {
//! use pools_indexer::{ChainConfig, Indexer, Store};
//! let store = Store::connect("sqlite://pools.db").await?;
//! let indexer = Indexer::new(store);
//! let deployment = pools_sdk::Deployment::load("deployments/31337.json".as_ref())?;
//! let chain = ChainConfig::from_deployment("http://127.0.0.1:8545", &deployment);
//! for follower in indexer.followers(&chain).await? {
//!     println!("{} events so far", follower.catch_up().await?);
//! }
//! # Ok(()) }
//! ```

mod events;
mod follower;
mod reader;
pub mod store;

use std::{sync::Arc, time::Duration};

use alloy::{
    primitives::Address,
    providers::{DynProvider, Provider, ProviderBuilder},
};
use eyre::{Result, WrapErr};
use tokio::{sync::broadcast, task::JoinHandle};

pub use events::{Decoded, Decoder, Kind, uint};
pub use follower::{Change, Follower, FollowerConfig, ReorgTooDeep, Step};
pub use reader::STATUS_NAMES;
pub use store::{Backend, Store};

/// One chain to follow: its node and the contracts on it.
#[derive(Clone, Debug)]
pub struct ChainConfig {
    /// The node's RPC URL.
    pub rpc_url: String,
    /// The contracts and their kinds.
    pub contracts: Vec<(Kind, Address)>,
    /// First block to read.
    pub start_block: u64,
    /// Blocks behind the head left unread.
    pub confirmations: u64,
    /// Blocks per log request.
    pub batch_blocks: u64,
    /// Deepest reorg repaired.
    pub reorg_depth: u64,
}

impl ChainConfig {
    /// The three pool contracts of a deployment, from its block, with defaults for a local
    /// chain (no confirmations; set more for a public chain).
    pub fn from_deployment(rpc_url: &str, deployment: &pools_sdk::Deployment) -> Self {
        Self {
            rpc_url: rpc_url.to_owned(),
            contracts: vec![
                (Kind::Collateral, deployment.collateral_pool.proxy),
                (Kind::Counterparty, deployment.counterparty_pool.proxy),
                (Kind::AdminCounterparty, deployment.admin_counterparty_pool.proxy),
            ],
            start_block: deployment.block,
            confirmations: 0,
            batch_blocks: 2_000,
            reorg_depth: 64,
        }
    }
}

/// The indexer: its database, the followers' shared decoder and the change feed.
#[derive(Clone)]
pub struct Indexer {
    store: Store,
    decoder: Arc<Decoder>,
    changes: broadcast::Sender<Change>,
    shutdown: broadcast::Sender<()>,
}

impl Indexer {
    /// An indexer writing to `store`.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            decoder: Arc::new(Decoder::default()),
            changes: broadcast::channel(4_096).0,
            shutdown: broadcast::channel(1).0,
        }
    }

    /// Its database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// New events, status changes and reorgs as they are recorded.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// The sender of the change feed, for services that hand out subscriptions later.
    pub fn changes(&self) -> broadcast::Sender<Change> {
        self.changes.clone()
    }

    /// The followers of one chain's contracts.
    pub async fn followers(&self, chain: &ChainConfig) -> Result<Vec<Follower>> {
        let url = chain.rpc_url.parse().wrap_err_with(|| format!("invalid RPC URL `{}`", chain.rpc_url))?;
        let provider: DynProvider = ProviderBuilder::new().connect_http(url).erased();
        let mut followers = Vec::new();
        for &(kind, contract) in &chain.contracts {
            let config = FollowerConfig {
                contract,
                kind,
                start_block: chain.start_block,
                confirmations: chain.confirmations,
                batch_blocks: chain.batch_blocks,
                reorg_depth: chain.reorg_depth,
            };
            let follower =
                Follower::new(provider.clone(), self.store.clone(), self.decoder.clone(), config, self.changes.clone())
                    .await
                    .wrap_err_with(|| format!("following {kind} {contract} at {}", chain.rpc_url))?;
            followers.push(follower);
        }
        Ok(followers)
    }

    /// Runs each follower and its status worker in the background until [`Indexer::shutdown`].
    pub fn spawn(
        &self,
        followers: Vec<Follower>,
        poll: Duration,
        status_every: Duration,
    ) -> Vec<JoinHandle<Result<()>>> {
        let mut tasks = Vec::new();
        for follower in followers {
            if follower_is_counterparty(&follower) {
                let worker = follower.clone();
                let mut stop = self.shutdown.subscribe();
                tasks.push(tokio::spawn(async move {
                    loop {
                        if let Err(e) = worker.refresh_statuses().await {
                            tracing::warn!(error = %format!("{e:#}"), "status worker round failed");
                        }
                        tokio::select! {
                            _ = tokio::time::sleep(status_every) => {}
                            _ = stop.recv() => return Ok(()),
                        }
                    }
                }));
            }
            tasks.push(tokio::spawn(follower.run(poll, self.shutdown.subscribe())));
        }
        tasks
    }

    /// Stops every spawned follower and worker.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(());
    }
}

fn follower_is_counterparty(follower: &Follower) -> bool {
    follower.kind().is_counterparty()
}

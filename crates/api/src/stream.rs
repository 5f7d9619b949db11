//! The indexer's change feed as clients see it (server-sent events and GraphQL subscriptions).

use async_graphql::SimpleObject;
use futures_util::{Stream, StreamExt};
use pools_indexer::Change;
use serde::Serialize;
use tokio_stream::wrappers::BroadcastStream;
use utoipa::ToSchema;

use crate::{ops::meta::Event, ops::unsigned, state::AppState};

/// A change: a new event, a counterparty pool's derived statuses, or a reorg.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct ChangeView {
    /// `event`, `status` or `reorg`.
    pub kind: String,
    /// Chain id.
    pub chain_id: u64,
    /// The contract.
    pub contract: String,
    /// The event (`event`).
    pub event: Option<Event>,
    /// The pool (`status`).
    pub pool_id: Option<u64>,
    /// Derived status (`status`).
    pub collectable: Option<bool>,
    /// Derived status (`status`).
    pub closable: Option<bool>,
    /// Derived status (`status`).
    pub archivable: Option<bool>,
    /// First block replaced (`reorg`).
    pub fork: Option<u64>,
}

impl From<Change> for ChangeView {
    fn from(change: Change) -> Self {
        let empty = |kind: &str, chain_id: i64, contract: String| ChangeView {
            kind: kind.into(),
            chain_id: unsigned(chain_id),
            contract,
            event: None,
            pool_id: None,
            collectable: None,
            closable: None,
            archivable: None,
            fork: None,
        };
        match change {
            Change::Event(e) => {
                ChangeView { event: Some(Event::from_row(&e)), ..empty("event", e.chain_id, e.contract.clone()) }
            }
            Change::Status { chain_id, contract, pool_id, collectable, closable, archivable } => ChangeView {
                pool_id: Some(unsigned(pool_id)),
                collectable: Some(collectable),
                closable: Some(closable),
                archivable: Some(archivable),
                ..empty("status", chain_id, contract)
            },
            Change::Reorg { chain_id, contract, fork } => {
                ChangeView { fork: Some(unsigned(fork)), ..empty("reorg", chain_id, contract) }
            }
        }
    }
}

/// Changes from now on; a subscriber too slow to keep up skips what it missed (and is told in
/// the log) rather than holding the indexer back.
pub fn changes(state: &AppState) -> impl Stream<Item = ChangeView> + Send + use<> {
    BroadcastStream::new(state.changes.subscribe()).filter_map(|change| async move {
        match change {
            Ok(change) => Some(ChangeView::from(change)),
            Err(e) => {
                tracing::warn!(error = %e, "a change subscriber fell behind");
                None
            }
        }
    })
}

//! What every request shares: the database, a client per chain, the IPFS store, the auth and
//! the indexer's change feed.

use std::{collections::BTreeMap, path::Path, sync::Arc};

use alloy::primitives::Address;
use eyre::{Result, WrapErr};
use pools_auth::{Auth, AuthConfig, Claims, Role};
use pools_indexer::{Change, Indexer, Store};
use pools_ipfs::{ContentStore, FsBlockStore, KuboClient};
use pools_sdk::{Client, Deployment};
use tokio::sync::broadcast;

use crate::{
    config::ServeConfig,
    error::{ApiError, ApiResult},
};

/// A chain served.
#[derive(Clone, Debug)]
pub struct Chain {
    /// Its id.
    pub chain_id: u64,
    /// Its node.
    pub rpc_url: String,
    /// Reads and unsigned transactions (no keys: the server never signs for users).
    pub client: Client,
    /// Where everything lives.
    pub deployment: Deployment,
}

/// The shared state.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// Its parts.
pub struct Inner {
    /// The database.
    pub store: Store,
    /// The chains by id.
    pub chains: BTreeMap<u64, Chain>,
    /// Pool metadata, content-addressed.
    pub ipfs: ContentStore<FsBlockStore>,
    /// A Kubo node to pin on, if configured.
    pub kubo: Option<KuboClient>,
    /// Sign-in and sessions.
    pub auth: Auth,
    /// The indexer's change feed.
    pub changes: broadcast::Sender<Change>,
    /// The settings.
    pub config: ServeConfig,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Connects to every configured chain and the database; the JWT secret comes from `secret`.
    pub async fn new(config: ServeConfig, root: &Path, secret: Vec<u8>, indexer: &Indexer) -> Result<Self> {
        let mut chains = BTreeMap::new();
        let mut admins = config.admins.clone();
        for entry in &config.chains {
            let client = Client::connect(&entry.rpc_url, root, entry.deployment.as_deref(), Vec::new())
                .await
                .wrap_err_with(|| format!("connecting to {}", entry.rpc_url))?;
            let deployment = client.deployment().clone();
            admins.push(deployment.admin);
            chains.insert(
                deployment.chain_id,
                Chain { chain_id: deployment.chain_id, rpc_url: entry.rpc_url.clone(), client, deployment },
            );
        }
        let mut auth_config = AuthConfig::new(config.domain(), chains.keys().copied().collect(), secret);
        auth_config.admins = admins;
        let auth = Auth::new(indexer.store().clone(), auth_config).map_err(|e| eyre::eyre!("{e}"))?;
        let ipfs = ContentStore::new(
            FsBlockStore::open(&config.ipfs_dir).wrap_err_with(|| format!("opening {}", config.ipfs_dir.display()))?,
        );
        let kubo = config.kubo_url.as_deref().map(KuboClient::new).transpose().map_err(|e| eyre::eyre!("{e}"))?;
        Ok(Self(Arc::new(Inner {
            store: indexer.store().clone(),
            chains,
            ipfs,
            kubo,
            auth,
            changes: indexer.changes(),
            config,
        })))
    }

    /// The chain `chain_id` names, or the only one when it is absent.
    pub fn chain(&self, chain_id: Option<u64>) -> ApiResult<&Chain> {
        match chain_id {
            Some(id) => self.chains.get(&id).ok_or_else(|| {
                ApiError::not_found(format!("chain {id} is not served here (served: {:?})", self.chains.keys()))
            }),
            None if self.chains.len() == 1 => {
                self.chains.values().next().ok_or_else(|| ApiError::validation("no chain"))
            }
            None => Err(ApiError::validation(format!(
                "chainId is required: this service serves chains {:?}",
                self.chains.keys()
            ))),
        }
    }

    /// The chains a query covers: one, or all when none is named.
    pub fn chains_for(&self, chain_id: Option<u64>) -> ApiResult<Vec<&Chain>> {
        match chain_id {
            Some(_) => Ok(vec![self.chain(chain_id)?]),
            None => Ok(self.chains.values().collect()),
        }
    }

    /// The caller, checked against the role a route needs (`Authorization: Bearer …`).
    pub fn require(&self, authorization: Option<&str>, role: Role) -> ApiResult<Claims> {
        self.auth.require(authorization, role).map_err(auth_error)
    }
}

/// An auth refusal as an API error with its code and status.
pub fn auth_error(error: pools_auth::AuthError) -> ApiError {
    let status = axum::http::StatusCode::from_u16(error.status()).unwrap_or(axum::http::StatusCode::BAD_REQUEST);
    if status.is_server_error() {
        return ApiError::unexpected(&eyre::eyre!("auth: {error}"));
    }
    ApiError { status, code: error.code(), message: error.to_string() }
}

/// An address parameter.
pub fn parse_address(field: &str, text: &str) -> ApiResult<Address> {
    text.trim()
        .parse()
        .map_err(|_| ApiError::validation(format!("{field} must be a 0x-prefixed 20-byte address, not `{text}`")))
}

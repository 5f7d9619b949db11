//! The service itself: configuration, sign-in, the event log, IPFS files and metadata documents.

use alloy::primitives::Address;
use async_graphql::{InputObject, Json, SimpleObject};
use base64::Engine;
use pools_auth::{Claims, Role, Tokens};
use pools_ipfs::{Cid, Version};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

use super::{PageArgs, Token, page_of, unsigned};
use crate::{
    error::{ApiError, ApiResult},
    ops::collateral::MetadataStored,
    state::{AppState, auth_error, parse_address},
};

/// A chain as the service serves it.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct ChainConfig {
    /// Chain id.
    pub chain_id: u64,
    /// `ERC20CollateralPool`.
    pub collateral_pool: String,
    /// `CounterpartyPool`.
    pub counterparty_pool: String,
    /// `AdminCounterpartyPool`.
    pub admin_counterparty_pool: String,
    /// The lent token.
    pub usdc: Token,
    /// The deployment's block.
    pub deployment_block: u64,
    /// The last block the indexer recorded (the slowest of the three followers).
    pub indexed_block: Option<u64>,
}

/// `get-config`.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// The service's version.
    pub version: String,
    /// The EIP-4361 domain sign-in messages must name.
    pub auth_domain: String,
    /// Whether uploads are pinned on a Kubo node too.
    pub ipfs_pinning: bool,
    /// The chains.
    pub chains: Vec<ChainConfig>,
}

/// No input.
#[derive(Clone, Debug, Default, Deserialize, ToSchema, InputObject)]
pub struct Empty {
    /// Ignored.
    #[serde(default)]
    #[graphql(default)]
    pub _unused: Option<bool>,
}

/// The service's configuration as clients need it.
pub async fn config(s: &AppState, _: &Claims, _: Empty) -> ApiResult<Config> {
    let mut chains = Vec::new();
    for chain in s.chains.values() {
        let d = &chain.deployment;
        let units = chain.client.usdc_units().await?;
        let indexed: Option<i64> = sqlx::query_scalar("SELECT MIN(next_block) FROM cursors WHERE chain_id = $1")
            .bind(chain.chain_id as i64)
            .fetch_one(s.store.pool())
            .await?;
        chains.push(ChainConfig {
            chain_id: chain.chain_id,
            collateral_pool: format!("{:#x}", d.collateral_pool.proxy),
            counterparty_pool: format!("{:#x}", d.counterparty_pool.proxy),
            admin_counterparty_pool: format!("{:#x}", d.admin_counterparty_pool.proxy),
            usdc: Token { address: format!("{:#x}", d.usdc), symbol: units.symbol, decimals: units.decimals },
            deployment_block: d.block,
            indexed_block: indexed.and_then(|n| n.checked_sub(1)).map(unsigned),
        });
    }
    Ok(Config {
        version: env!("CARGO_PKG_VERSION").into(),
        auth_domain: s.config.domain(),
        ipfs_pinning: s.kubo.is_some(),
        chains,
    })
}

/// A sign-in nonce.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
pub struct Nonce {
    /// Put it in the EIP-4361 message; valid once, for 10 minutes.
    pub nonce: String,
}

/// `auth/nonce`.
pub async fn nonce(s: &AppState, _: &Claims, _: Empty) -> ApiResult<Nonce> {
    Ok(Nonce { nonce: s.auth.nonce().await.map_err(auth_error)? })
}

/// `login` input.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    /// The EIP-4361 message signed.
    pub message: String,
    /// Its EIP-191 signature, 0x-hex.
    pub signature: String,
}

/// A session.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Bearer token for requests (60 minutes).
    pub access_token: String,
    /// Single use: trade it for a new session at `restore-session`.
    pub refresh_token: String,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// `user` or `admin`.
    pub role: String,
    /// The signed-in address.
    pub address: String,
}

impl From<Tokens> for Session {
    fn from(t: Tokens) -> Self {
        let role = match t.role {
            Role::Admin => "admin",
            Role::User => "user",
            Role::Guest => "guest",
        };
        Self {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_in: t.expires_in,
            role: role.into(),
            address: t.address.to_checksum(None),
        }
    }
}

/// `login`: Sign-In with Ethereum.
pub async fn login(s: &AppState, _: &Claims, input: LoginInput) -> ApiResult<Session> {
    Ok(s.auth.login(&input.message, &input.signature).await.map_err(auth_error)?.into())
}

/// A refresh token.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct RefreshInput {
    /// The refresh token of the session.
    pub refresh_token: String,
}

/// `restore-session`: a new session for a refresh token (which is then spent).
pub async fn restore_session(s: &AppState, _: &Claims, input: RefreshInput) -> ApiResult<Session> {
    Ok(s.auth.restore(&input.refresh_token).await.map_err(auth_error)?.into())
}

/// Done.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
pub struct Done {
    /// Always true.
    pub ok: bool,
}

/// `auth/logout`: ends the session (its refresh tokens are revoked).
pub async fn logout(s: &AppState, _: &Claims, input: RefreshInput) -> ApiResult<Done> {
    s.auth.logout(&input.refresh_token).await.map_err(auth_error)?;
    Ok(Done { ok: true })
}

/// An indexed event.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Chain id.
    pub chain_id: u64,
    /// Block.
    pub block_number: u64,
    /// Block time (unix seconds).
    pub block_timestamp: u64,
    /// Transaction.
    pub tx_hash: String,
    /// Log index in the block.
    pub log_index: u64,
    /// Emitting contract.
    pub contract: String,
    /// `collateral`, `counterparty` or `admin-counterparty`.
    pub kind: String,
    /// Event name.
    pub name: String,
    /// The pool it is about.
    pub pool_id: Option<u64>,
    /// The account it is about.
    pub account: Option<String>,
    /// Decoded fields by name.
    #[schema(value_type = Object)]
    pub fields: Json<serde_json::Value>,
}

impl Event {
    /// From a stored row.
    pub fn from_row(e: &pools_indexer::store::EventRow) -> Self {
        Self {
            chain_id: unsigned(e.chain_id),
            block_number: unsigned(e.block_number),
            block_timestamp: unsigned(e.block_timestamp),
            tx_hash: e.tx_hash.clone(),
            log_index: unsigned(e.log_index),
            contract: e.contract.clone(),
            kind: e.kind.clone(),
            name: e.name.clone(),
            pool_id: e.pool_id.map(unsigned),
            account: e.account.clone(),
            fields: Json(serde_json::from_str(&e.decoded).unwrap_or(serde_json::Value::Null)),
        }
    }
}

page_of!(EventPage, Event);

/// `events` input: filters, all optional.
#[derive(Clone, Debug, Default, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct EventsInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// `collateral`, `counterparty` or `admin-counterparty`.
    pub kind: Option<String>,
    /// Pool id.
    pub pool_id: Option<u64>,
    /// Account.
    pub account: Option<String>,
    /// Event name.
    pub name: Option<String>,
    /// Pagination (newest first).
    #[serde(default)]
    #[graphql(default)]
    pub page: PageArgs,
}

/// The event log, newest first, filtered.
pub async fn events(s: &AppState, _: &Claims, input: EventsInput) -> ApiResult<EventPage> {
    let chain = s.chain(input.chain_id)?;
    let (offset, limit) = input.page.bounds()?;
    let kind = input
        .kind
        .as_deref()
        .map(str::parse::<pools_indexer::Kind>)
        .transpose()
        .map_err(|e| ApiError::validation(e.to_string()))?;
    let account = input.account.as_deref().map(|a| parse_address("account", a)).transpose()?;
    let rows = sqlx::query(
        "SELECT * FROM events WHERE chain_id = $1 AND ($2 = '' OR kind = $2) AND ($3 < 0 OR pool_id = $3)
         AND ($4 = '' OR account = $4) AND ($5 = '' OR name = $5)
         ORDER BY block_number DESC, log_index DESC LIMIT $6 OFFSET $7",
    )
    .bind(chain.chain_id as i64)
    .bind(kind.map(|k| k.as_str()).unwrap_or_default())
    .bind(input.pool_id.map_or(-1, |p| p as i64))
    .bind(account.map(|a| format!("{a:#x}")).unwrap_or_default())
    .bind(input.name.clone().unwrap_or_default())
    .bind((limit + 1) as i64)
    .bind(offset as i64)
    .fetch_all(s.store.pool())
    .await?;
    let mut events = Vec::with_capacity(rows.len());
    for row in &rows {
        events.push(Event::from_row(&pools_indexer::store::event_row(row).map_err(|e| ApiError::unexpected(&e))?));
    }
    let (data, more) = input.page.page(events)?;
    Ok(EventPage { data, more })
}

/// `ipfs/upload-file` input.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct UploadInput {
    /// The file, base64 (REST also takes the raw bytes as `application/octet-stream`).
    pub file: String,
    /// `0` (default, `Qm…`) or `1` (`bafy…`).
    pub cid_version: Option<u8>,
}

/// A stored file.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
pub struct Uploaded {
    /// Its CID.
    pub hash: String,
}

/// `ipfs/upload-file`: stores the bytes, returns their CID (pinned on Kubo when configured).
pub async fn upload_file(s: &AppState, _: &Claims, input: UploadInput) -> ApiResult<Uploaded> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(input.file.trim())
        .map_err(|e| ApiError::validation(format!("file must be base64: {e}")))?;
    let version = match input.cid_version.unwrap_or(0) {
        0 => Version::V0,
        1 => Version::V1,
        other => return Err(ApiError::validation(format!("cidVersion must be 0 or 1, not {other}"))),
    };
    Ok(Uploaded { hash: add_bytes(s, bytes, version).await?.to_string() })
}

/// Stores bytes in the block store (and on Kubo), returning their CID.
pub async fn add_bytes(s: &AppState, bytes: Vec<u8>, version: Version) -> ApiResult<Cid> {
    let state = s.clone();
    let (cid, bytes) = tokio::task::spawn_blocking(move || {
        let cid = state.ipfs.add(&bytes)?;
        Ok::<_, pools_ipfs::Error>((cid, bytes))
    })
    .await
    .map_err(|e| ApiError::unexpected(&eyre::eyre!("ipfs task: {e}")))??;
    if let Some(kubo) = &s.kubo {
        kubo.add(&bytes, &cid).await?;
    }
    Ok(if version == Version::V1 { cid.to_v1() } else { cid })
}

/// `ipfs/get-file` input.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
pub struct GetFileInput {
    /// The CID (v0 or v1).
    pub hash: String,
    /// `bytea` (`\x` + hex, as PostgreSQL prints bytes) or `base64` (default).
    pub encoding: Option<String>,
}

/// A file.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
pub struct File {
    /// Its CID, as asked.
    pub hash: String,
    /// The encoding of `data`.
    pub encoding: String,
    /// The bytes, encoded.
    pub data: String,
}

/// `ipfs/get-file`: a stored file (or from Kubo when it is not stored here).
pub async fn get_file(s: &AppState, _: &Claims, input: GetFileInput) -> ApiResult<File> {
    let encoding = input.encoding.clone().unwrap_or_else(|| "base64".into());
    if encoding != "base64" && encoding != "bytea" {
        return Err(ApiError::validation(format!("encoding must be bytea or base64, not `{encoding}`")));
    }
    let cid: Cid = input.hash.trim().parse()?;
    let state = s.clone();
    let local = tokio::task::spawn_blocking(move || state.ipfs.get(&cid))
        .await
        .map_err(|e| ApiError::unexpected(&eyre::eyre!("ipfs task: {e}")))?;
    let bytes = match (local, &s.kubo) {
        (Ok(bytes), _) => bytes,
        (Err(pools_ipfs::Error::NotFound(_)), Some(kubo)) => kubo.cat(&cid, 64 * 1024 * 1024).await?,
        (Err(e), _) => return Err(e.into()),
    };
    let data = if encoding == "bytea" {
        format!("\\x{}", alloy::hex::encode(&bytes))
    } else {
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    };
    Ok(File { hash: input.hash, encoding, data })
}

/// Stores a pool's metadata document in IPFS and records it.
pub async fn store_metadata(
    s: &AppState,
    caller: &Claims,
    chain_id: u64,
    contract: &str,
    pool_id: u64,
    document: serde_json::Value,
) -> ApiResult<MetadataStored> {
    let (cid, text) = document_cid(s, &document).await?;
    sqlx::query(
        "INSERT INTO pool_metadata (chain_id, contract, pool_id, document, cid, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (chain_id, contract, pool_id) DO UPDATE SET document = excluded.document, cid = excluded.cid,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(chain_id as i64)
    .bind(contract)
    .bind(pool_id as i64)
    .bind(&text)
    .bind(cid.to_string())
    .bind(format!("{:#x}", caller.sub))
    .bind(chrono::Utc::now().timestamp())
    .execute(s.store.pool())
    .await?;
    Ok(MetadataStored { cid: cid.to_string(), metadata: Json(document) })
}

/// Stores a token's metadata document in IPFS and records it.
pub async fn store_token_metadata(
    s: &AppState,
    caller: &Claims,
    chain_id: u64,
    token: Address,
    document: serde_json::Value,
) -> ApiResult<MetadataStored> {
    let (cid, text) = document_cid(s, &document).await?;
    sqlx::query(
        "INSERT INTO token_metadata (chain_id, token, document, cid, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (chain_id, token) DO UPDATE SET document = excluded.document, cid = excluded.cid,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(chain_id as i64)
    .bind(format!("{token:#x}"))
    .bind(&text)
    .bind(cid.to_string())
    .bind(format!("{:#x}", caller.sub))
    .bind(chrono::Utc::now().timestamp())
    .execute(s.store.pool())
    .await?;
    Ok(MetadataStored { cid: cid.to_string(), metadata: Json(document) })
}

/// Metadata documents are JSON objects of at most 64 KiB, stored as their canonical text.
async fn document_cid(s: &AppState, document: &serde_json::Value) -> ApiResult<(Cid, String)> {
    if !document.is_object() {
        return Err(ApiError::validation("metadata must be a JSON object"));
    }
    let text = serde_json::to_string(document).map_err(|e| ApiError::unexpected(&e.into()))?;
    if text.len() > 64 * 1024 {
        return Err(ApiError::too_large(format!("metadata is {} bytes; at most 65536", text.len())));
    }
    Ok((add_bytes(s, text.clone().into_bytes(), Version::V0).await?, text))
}

/// Joins a pool row (aliased `p`) to its metadata document, read by [`metadata_of`]: one query
/// for a page of pools, not one more per pool.
pub const METADATA_JOIN: &str =
    "LEFT JOIN pool_metadata m ON m.chain_id = p.chain_id AND m.contract = p.contract AND m.pool_id = p.pool_id";

/// The metadata document a row selected as `metadata_document` (through [`METADATA_JOIN`]).
pub fn metadata_of(row: &sqlx::any::AnyRow) -> ApiResult<Option<Json<serde_json::Value>>> {
    let document: Option<String> = row.try_get("metadata_document")?;
    Ok(document.and_then(|d| serde_json::from_str(&d).ok()).map(Json))
}

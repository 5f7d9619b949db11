//! Counterparty pools (v1): pools from the index (with the derived statuses the status worker
//! keeps), and the actions as unsigned transactions for the caller's wallet (the server never
//! signs for users) or the relay of a transaction the user signed.

use alloy::primitives::{Address, U256};
use async_graphql::{InputObject, Json, SimpleObject};
use pools_auth::{Claims, Role};
use pools_sdk::Variant;
use serde::{Deserialize, Serialize};
use sqlx::{Row, any::AnyRow};
use utoipa::ToSchema;

use super::{PageArgs, Transactions, UnsignedTransaction, page_of, unsigned};
use crate::{
    amount::{Amount, parse_uint},
    error::{ApiError, ApiResult},
    ops::{
        collateral::{MetadataStored, usdc_decimals},
        meta::{METADATA_JOIN, metadata_of, store_metadata},
    },
    state::{AppState, Chain, parse_address},
};

/// A counterparty pool as indexed.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct CounterpartyPool {
    /// Chain id.
    pub chain_id: u64,
    /// `default` or `admin`.
    pub variant: String,
    /// Pool id.
    pub pool_id: u64,
    /// The borrower.
    pub owner: String,
    /// Commits needed to collect.
    pub soft_cap: Amount,
    /// Commits allowed.
    pub hard_cap: Amount,
    /// Committed.
    pub committed: Amount,
    /// Rewards deposited.
    pub rewards: Amount,
    /// Rewards paid out.
    pub paid_out: Amount,
    /// Created (unix seconds).
    pub created_at: u64,
    /// Commit deadline (unix seconds).
    pub deadline: u64,
    /// Closed (unix seconds, 0 while open).
    pub closed_at: u64,
    /// Minimum APR, 1e8 scale.
    pub minimum_apr: u64,
    /// CREATED, ACTIVE, CLOSED or ARCHIVED.
    pub status: String,
    /// Defaulted.
    pub defaulted: bool,
    /// Derived: the owner can collect now.
    pub collectable: bool,
    /// Derived: it can be closed now.
    pub closable: bool,
    /// Derived: it can be archived now.
    pub archivable: bool,
    /// Chain time of the derived statuses.
    pub statuses_at: u64,
    /// Its metadata document, if any.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Json<serde_json::Value>>,
}

page_of!(CounterpartyPoolPage, CounterpartyPool);

fn variant(text: Option<&str>) -> ApiResult<Variant> {
    text.unwrap_or("default").parse().map_err(|e: eyre::Report| ApiError::validation(e.to_string()))
}

fn variant_name(v: Variant) -> &'static str {
    match v {
        Variant::Default => "default",
        Variant::Admin => "admin",
    }
}

fn contract_of(chain: &Chain, v: Variant) -> String {
    format!("{:#x}", chain.client.counterparty_address(v))
}

async fn pool_from_row(chain: &Chain, v: Variant, row: &AnyRow) -> ApiResult<CounterpartyPool> {
    let p = pools_indexer::store::counterparty_pool_row(row).map_err(|e| ApiError::unexpected(&e))?;
    let usdc = usdc_decimals(chain).await?;
    let amount = |text: &str| Amount::parse(text, usdc);
    Ok(CounterpartyPool {
        chain_id: chain.chain_id,
        variant: variant_name(v).into(),
        pool_id: unsigned(p.pool_id),
        owner: p.owner.clone(),
        soft_cap: amount(&p.soft_cap)?,
        hard_cap: amount(&p.hard_cap)?,
        committed: amount(&p.committed)?,
        rewards: amount(&p.rewards)?,
        paid_out: amount(&p.paid_out)?,
        created_at: unsigned(p.created_at),
        deadline: unsigned(p.deadline),
        closed_at: unsigned(p.closed_at),
        minimum_apr: unsigned(p.minimum_apr),
        status: p.status.clone(),
        defaulted: p.defaulted,
        collectable: p.collectable,
        closable: p.closable,
        archivable: p.archivable,
        statuses_at: unsigned(p.actions_checked_at),
        metadata: metadata_of(row)?,
    })
}

/// One pool.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct PoolInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// `default` (CounterpartyPool, the default) or `admin` (AdminCounterpartyPool).
    pub variant: Option<String>,
    /// Pool id.
    pub pool_id: u64,
}

/// `pools/get-pool`.
pub async fn pool(s: &AppState, _: &Claims, input: PoolInput) -> ApiResult<CounterpartyPool> {
    let chain = s.chain(input.chain_id)?;
    let v = variant(input.variant.as_deref())?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT p.*, m.document AS metadata_document FROM counterparty_pools p {METADATA_JOIN}
         WHERE p.chain_id = $1 AND p.contract = $2 AND p.pool_id = $3"
    )))
    .bind(chain.chain_id as i64)
    .bind(contract_of(chain, v))
    .bind(input.pool_id as i64)
    .fetch_optional(s.store.pool())
    .await?
    .ok_or_else(|| ApiError::not_found(format!("no {v} pool {} on chain {}", input.pool_id, chain.chain_id)))?;
    pool_from_row(chain, v, &row).await
}

/// `pools/get-pools` input.
#[derive(Clone, Debug, Default, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct CounterpartyPoolsInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// `default` or `admin`.
    pub variant: Option<String>,
    /// Only this on-chain status (CREATED, ACTIVE, CLOSED, ARCHIVED) or derived one
    /// (`collectable`, `closable`, `archivable`).
    pub status: Option<String>,
    /// Only pools owned by this address.
    pub owner: Option<String>,
    /// Pagination.
    #[serde(default)]
    #[graphql(default)]
    pub page: PageArgs,
}

/// `pools/get-pools`: paginated, filtered by status (on-chain or derived) and owner.
pub async fn pools(s: &AppState, _: &Claims, input: CounterpartyPoolsInput) -> ApiResult<CounterpartyPoolPage> {
    let chain = s.chain(input.chain_id)?;
    let v = variant(input.variant.as_deref())?;
    let (offset, limit) = input.page.bounds()?;
    let (status, derived) = status_filter(input.status.as_deref())?;
    let owner = input.owner.as_deref().map(|o| parse_address("owner", o)).transpose()?;
    let rows = sqlx::query(
        sqlx::AssertSqlSafe(format!(
            "SELECT p.*, m.document AS metadata_document FROM counterparty_pools p {METADATA_JOIN}
             WHERE p.chain_id = $1 AND p.contract = $2 AND ($3 = '' OR p.status = $3)
             AND ($4 = '' OR ($4 = 'collectable' AND p.collectable = 1) OR ($4 = 'closable' AND p.closable = 1) OR ($4 = 'archivable' AND p.archivable = 1))
             AND ($5 = '' OR p.owner = $5) ORDER BY p.pool_id LIMIT $6 OFFSET $7"
        )),
    )
    .bind(chain.chain_id as i64)
    .bind(contract_of(chain, v))
    .bind(status)
    .bind(derived)
    .bind(owner.map(|o| format!("{o:#x}")).unwrap_or_default())
    .bind((limit + 1) as i64)
    .bind(offset as i64)
    .fetch_all(s.store.pool())
    .await?;
    let mut pools = Vec::with_capacity(rows.len());
    for row in &rows {
        pools.push(pool_from_row(chain, v, row).await?);
    }
    let (data, more) = input.page.page(pools)?;
    Ok(CounterpartyPoolPage { data, more })
}

fn status_filter(status: Option<&str>) -> ApiResult<(&'static str, &'static str)> {
    Ok(match status {
        None => ("", ""),
        Some(s) => match s.to_ascii_uppercase().as_str() {
            "CREATED" => ("CREATED", ""),
            "ACTIVE" => ("ACTIVE", ""),
            "CLOSED" => ("CLOSED", ""),
            "ARCHIVED" => ("ARCHIVED", ""),
            "COLLECTABLE" => ("", "collectable"),
            "CLOSABLE" => ("", "closable"),
            "ARCHIVABLE" => ("", "archivable"),
            _ => {
                return Err(ApiError::validation(format!(
                    "status must be CREATED, ACTIVE, CLOSED, ARCHIVED, collectable, closable or archivable, not `{s}`"
                )));
            }
        },
    })
}

/// `pools/get-total-pools` input.
#[derive(Clone, Debug, Default, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct TotalPoolsInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// `default` or `admin`.
    pub variant: Option<String>,
}

/// Pool counts.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct TotalPools {
    /// All pools.
    pub total: u64,
    /// CREATED.
    pub created: u64,
    /// ACTIVE.
    pub active: u64,
    /// CLOSED.
    pub closed: u64,
    /// ARCHIVED.
    pub archived: u64,
}

/// `pools/get-total-pools`.
pub async fn total_pools(s: &AppState, _: &Claims, input: TotalPoolsInput) -> ApiResult<TotalPools> {
    let chain = s.chain(input.chain_id)?;
    let v = variant(input.variant.as_deref())?;
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM counterparty_pools WHERE chain_id = $1 AND contract = $2 GROUP BY status",
    )
    .bind(chain.chain_id as i64)
    .bind(contract_of(chain, v))
    .fetch_all(s.store.pool())
    .await?;
    let count = |name: &str| rows.iter().filter(|(s, _)| s == name).map(|(_, n)| unsigned(*n)).sum::<u64>();
    Ok(TotalPools {
        total: rows.iter().map(|(_, n)| unsigned(*n)).sum(),
        created: count("CREATED"),
        active: count("ACTIVE"),
        closed: count("CLOSED"),
        archived: count("ARCHIVED"),
    })
}

/// A metadata update of a counterparty pool.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct CounterpartyPoolMetadataInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// `default` or `admin`.
    pub variant: Option<String>,
    /// Pool id.
    pub pool_id: u64,
    /// The document, a JSON object.
    #[schema(value_type = Object)]
    pub metadata: Json<serde_json::Value>,
}

/// `pools/metadata/update` (v1): the pool's owner or an admin.
pub async fn update_metadata(
    s: &AppState,
    caller: &Claims,
    input: CounterpartyPoolMetadataInput,
) -> ApiResult<MetadataStored> {
    let chain = s.chain(input.chain_id)?;
    let v = variant(input.variant.as_deref())?;
    let contract = contract_of(chain, v);
    let owner: Option<String> = sqlx::query_scalar(
        "SELECT owner FROM counterparty_pools WHERE chain_id = $1 AND contract = $2 AND pool_id = $3",
    )
    .bind(chain.chain_id as i64)
    .bind(&contract)
    .bind(input.pool_id as i64)
    .fetch_optional(s.store.pool())
    .await?;
    let owner = owner
        .ok_or_else(|| ApiError::not_found(format!("no {v} pool {} on chain {}", input.pool_id, chain.chain_id)))?;
    if caller.role != Role::Admin && owner != format!("{:#x}", caller.sub) {
        return Err(ApiError::forbidden(format!(
            "only the pool's owner ({owner}) or an admin may update its metadata"
        )));
    }
    store_metadata(s, caller, chain.chain_id, &contract, input.pool_id, input.metadata.0).await
}

/// An action on a pool by the caller.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct ActionInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// `default` or `admin`.
    pub variant: Option<String>,
    /// Pool id.
    pub pool_id: u64,
    /// USDC, base units (commit, deposit rewards, approve).
    pub amount: Option<String>,
}

/// The action names the action routes take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Commit USDC.
    Commit,
    /// Take the commit back.
    Uncommit,
    /// The owner collects.
    Collect,
    /// The owner deposits rewards.
    DepositRewards,
    /// Close.
    Close,
    /// Archive.
    Archive,
    /// A lender claims rewards.
    Claim,
    /// Approve the pool to take USDC.
    Approve,
}

/// Builds the caller's transactions for `action`, after the SDK's precondition checks.
pub async fn action(s: &AppState, caller: &Claims, action: Action, input: ActionInput) -> ApiResult<Transactions> {
    let chain = s.chain(input.chain_id)?;
    let v = variant(input.variant.as_deref())?;
    let client = chain.client.as_sender(caller.sub);
    let amount = || -> ApiResult<U256> {
        let text = input.amount.as_deref().ok_or_else(|| ApiError::validation("amount is required for this action"))?;
        parse_uint("amount", text)
    };
    let pool = input.pool_id;
    let calls = match action {
        Action::Commit => client.commit(v, pool, amount()?).await?,
        Action::Uncommit => client.uncommit(v, pool).await?,
        Action::Collect => client.collect(v, pool).await?,
        Action::DepositRewards => client.deposit_rewards(v, pool, amount()?).await?,
        Action::Close => client.close(v, pool).await?,
        Action::Archive => client.archive(v, pool).await?,
        Action::Claim => client.claim_rewards(v, pool).await?,
        Action::Approve => {
            let amount = amount()?;
            let token = chain.deployment.usdc;
            let spender = client.counterparty_address(v);
            let call = bindings::MockERC20::approveCall { spender, value: amount };
            let units = client.usdc_units().await?;
            vec![pools_sdk::Call::new(
                format!("approve {} for the {v} pool", units.format(amount)),
                caller.sub,
                token,
                &call,
            )]
        }
    };
    prepare(&client, &calls).await
}

async fn prepare(client: &pools_sdk::Client, calls: &[pools_sdk::Call]) -> ApiResult<Transactions> {
    let prepared = client.prepare_all(calls).await?;
    Ok(Transactions { transactions: prepared.iter().map(UnsignedTransaction::from_sdk).collect::<ApiResult<_>>()? })
}

/// `pools/create` input.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct CreatePoolInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// `default` or `admin`.
    pub variant: Option<String>,
    /// Commits needed to collect, USDC base units.
    pub soft_cap: String,
    /// Commits allowed, USDC base units.
    pub hard_cap: String,
    /// Commit deadline, unix seconds.
    pub deadline: u64,
    /// Minimum APR, 1e8 scale.
    pub minimum_apr: u64,
    /// ERC-20 collateral.
    pub collateral: Vec<CollateralInput>,
}

/// One ERC-20 collateral of a new pool.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
pub struct CollateralInput {
    /// The token.
    pub token: String,
    /// Base units.
    pub amount: String,
}

/// `pools/create`: the caller's transactions to create a pool (approvals first).
pub async fn create(s: &AppState, caller: &Claims, input: CreatePoolInput) -> ApiResult<Transactions> {
    let chain = s.chain(input.chain_id)?;
    let v = variant(input.variant.as_deref())?;
    let collateral = input
        .collateral
        .iter()
        .map(|c| Ok((parse_address("collateral.token", &c.token)?, parse_uint("collateral.amount", &c.amount)?)))
        .collect::<ApiResult<Vec<(Address, U256)>>>()?;
    let client = chain.client.as_sender(caller.sub);
    let calls = client
        .create_pool(
            v,
            parse_uint("softCap", &input.soft_cap)?,
            parse_uint("hardCap", &input.hard_cap)?,
            input.deadline,
            input.minimum_apr,
            &collateral,
        )
        .await?;
    prepare(&client, &calls).await
}

/// `transactions/relay` input.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct RelayInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// The signed transaction (EIP-2718 bytes), 0x-hex.
    pub signed_transaction: String,
}

/// A relayed transaction's outcome.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Relayed {
    /// Its hash.
    pub tx_hash: String,
    /// Gas used.
    pub gas_used: u64,
    /// Its effects, in words.
    pub effects: Vec<String>,
}

/// `transactions/relay`: broadcasts a transaction the user signed and waits for its receipt; a
/// revert comes back decoded.
pub async fn relay(s: &AppState, _: &Claims, input: RelayInput) -> ApiResult<Relayed> {
    let chain = s.chain(input.chain_id)?;
    let bytes = alloy::hex::decode(input.signed_transaction.trim())
        .map_err(|e| ApiError::validation(format!("signedTransaction must be 0x-hex: {e}")))?;
    if bytes.is_empty() {
        return Err(ApiError::validation("signedTransaction is empty"));
    }
    let outcome = chain.client.send_raw(&bytes).await?;
    Ok(Relayed { tx_hash: format!("{:#x}", outcome.tx_hash), gas_used: outcome.gas_used, effects: outcome.effects })
}

/// The caller's commit to a pool.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct CommitView {
    /// Pool id.
    pub pool_id: u64,
    /// `default` or `admin`.
    pub variant: String,
    /// Committed.
    pub amount: Amount,
    /// Rewards received.
    pub claimed: Amount,
}

page_of!(CommitPage, CommitView);

/// `commits` input.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct CommitsInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// The lender.
    pub user: String,
    /// Pagination.
    #[serde(default)]
    #[graphql(default)]
    pub page: PageArgs,
}

/// A lender's commits in both variants, from the index.
pub async fn commits(s: &AppState, _: &Claims, input: CommitsInput) -> ApiResult<CommitPage> {
    let chain = s.chain(input.chain_id)?;
    let user = parse_address("user", &input.user)?;
    let (offset, limit) = input.page.bounds()?;
    let rows = sqlx::query(
        "SELECT contract, pool_id, amount, claimed FROM commits WHERE chain_id = $1 AND account = $2
         ORDER BY contract, pool_id LIMIT $3 OFFSET $4",
    )
    .bind(chain.chain_id as i64)
    .bind(format!("{user:#x}"))
    .bind((limit + 1) as i64)
    .bind(offset as i64)
    .fetch_all(s.store.pool())
    .await?;
    let usdc = usdc_decimals(chain).await?;
    let admin = contract_of(chain, Variant::Admin);
    let mut commits = Vec::with_capacity(rows.len());
    for row in rows {
        let contract: String = row.try_get("contract")?;
        commits.push(CommitView {
            pool_id: unsigned(row.try_get("pool_id")?),
            variant: if contract == admin { "admin" } else { "default" }.into(),
            amount: Amount::parse(&row.try_get::<String, _>("amount")?, usdc)?,
            claimed: Amount::parse(&row.try_get::<String, _>("claimed")?, usdc)?,
        });
    }
    let (data, more) = input.page.page(commits)?;
    Ok(CommitPage { data, more })
}

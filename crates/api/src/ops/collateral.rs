//! Collateral pools (v2): statistics from the indexed database, calculators from the chain
//! through the SDK (exact integer maths, the contracts' own views where they exist).

use std::collections::BTreeMap;

use alloy::primitives::{Address, U256};
use async_graphql::{InputObject, Json, SimpleObject};
use pools_auth::Claims;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

use super::{PageArgs, Token, page_of, unsigned};
use crate::{
    amount::{Amount, parse_uint},
    error::{ApiError, ApiResult},
    ops::meta::{METADATA_JOIN, metadata_of, store_metadata},
    state::{AppState, Chain, parse_address},
};

/// USD values are given with 8 decimals, the Chainlink USD feeds' scale.
pub const USD_DECIMALS: u8 = 8;
const DAY: i64 = 86_400;

/// A chain to query, or all.
#[derive(Clone, Debug, Default, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInput {
    /// Chain id (all served chains when absent).
    pub chain_id: Option<u64>,
}

/// Collateral locked in one token.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct LockedToken {
    /// The token.
    pub token: Token,
    /// Collateral held by the pools.
    pub amount: Amount,
    /// Its latest feed price, USD.
    pub price: Option<Amount>,
    /// Value, USD (8 decimals).
    pub usd_value: Option<Amount>,
}

/// Collateral locked on one network.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct NetworkLocked {
    /// Chain id.
    pub chain_id: u64,
    /// Value of everything priced, USD (8 decimals).
    pub usd_value: Amount,
    /// By token.
    pub tokens: Vec<LockedToken>,
}

/// `get-total-collateral-locked`.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct TotalCollateralLocked {
    /// Across the networks, USD (8 decimals).
    pub usd_value: Amount,
    /// Per network.
    pub networks: Vec<NetworkLocked>,
}

/// Total collateral locked per network, valued at the pools' own feeds' latest indexed prices.
pub async fn total_collateral_locked(
    s: &AppState,
    _: &Claims,
    input: NetworkInput,
) -> ApiResult<TotalCollateralLocked> {
    let mut networks = Vec::new();
    let mut total = U256::ZERO;
    for chain in s.chains_for(input.chain_id)? {
        let rows = sqlx::query(
            "SELECT p.collateral_token AS token, p.collateral_held AS held, t.symbol AS symbol, t.decimals AS decimals
             FROM collateral_pools p JOIN tokens t ON t.chain_id = p.chain_id AND t.token = p.collateral_token
             WHERE p.chain_id = $1 ORDER BY p.collateral_token",
        )
        .bind(chain.chain_id as i64)
        .fetch_all(s.store.pool())
        .await?;
        let mut by_token: BTreeMap<String, (String, u8, U256)> = BTreeMap::new();
        for row in rows {
            let token: String = row.try_get("token")?;
            let held: String = row.try_get("held")?;
            let entry = by_token.entry(token).or_insert((
                row.try_get("symbol")?,
                decimals(row.try_get("decimals")?),
                U256::ZERO,
            ));
            entry.2 += parse_stored(&held)?;
        }
        let mut tokens = Vec::new();
        let mut network_usd = U256::ZERO;
        for (token, (symbol, token_decimals, held)) in by_token {
            let price = latest_price(s, chain.chain_id, &token).await?;
            let usd = price.as_ref().map(|(p, d)| usd_value(held, token_decimals, *p, *d));
            if let Some(v) = usd {
                network_usd += v;
            }
            tokens.push(LockedToken {
                token: Token { address: token, symbol, decimals: token_decimals },
                amount: Amount::new(held, token_decimals),
                price: price.map(|(p, d)| Amount::new(p, d)),
                usd_value: usd.map(|v| Amount::new(v, USD_DECIMALS)),
            });
        }
        total += network_usd;
        networks.push(NetworkLocked {
            chain_id: chain.chain_id,
            usd_value: Amount::new(network_usd, USD_DECIMALS),
            tokens,
        });
    }
    Ok(TotalCollateralLocked { usd_value: Amount::new(total, USD_DECIMALS), networks })
}

/// `amount` of a token with `token_decimals` at `price` (feed with `feed_decimals`), in USD
/// with 8 decimals, rounded down.
pub fn usd_value(amount: U256, token_decimals: u8, price: U256, feed_decimals: u8) -> U256 {
    let value = amount.saturating_mul(price);
    let scale_up = U256::from(10u64).pow(U256::from(USD_DECIMALS));
    let scale_down = U256::from(10u64).pow(U256::from(u64::from(token_decimals) + u64::from(feed_decimals)));
    value.saturating_mul(scale_up) / scale_down
}

async fn latest_price(s: &AppState, chain_id: u64, token: &str) -> ApiResult<Option<(U256, u8)>> {
    let row = sqlx::query(
        "SELECT price, decimals FROM token_prices WHERE chain_id = $1 AND token = $2 ORDER BY block_number DESC LIMIT 1",
    )
    .bind(chain_id as i64)
    .bind(token)
    .fetch_optional(s.store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let price: String = row.try_get("price")?;
    // A negative or unparsable answer is no price (the pools refuse such feeds too).
    Ok(price.parse::<U256>().ok().map(|p| (p, decimals(row.try_get("decimals").unwrap_or(0)))))
}

fn decimals(value: i64) -> u8 {
    u8::try_from(value).unwrap_or(u8::MAX)
}

fn parse_stored(text: &str) -> ApiResult<U256> {
    text.parse().map_err(|_| ApiError::unexpected(&eyre::eyre!("stored amount `{text}` is not a uint")))
}

/// `get-historical-balance`'s input.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct HistoricalBalanceInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// One collateral pool, or all of the chain's when absent.
    pub pool_id: Option<u64>,
    /// First day, `YYYY-MM-DD` (UTC).
    pub from: String,
    /// Last day, `YYYY-MM-DD` (UTC), at most 366 days after `from`.
    pub to: String,
    /// Pagination over the days.
    #[serde(default)]
    #[graphql(default)]
    pub page: PageArgs,
}

/// Balances at the end of a day.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct DailyBalance {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Supplied by lenders and not claimed back.
    pub supplied: Amount,
    /// Borrowed and not repaid.
    pub borrowed: Amount,
    /// Free USDC.
    pub available: Amount,
}

page_of!(DailyBalancePage, DailyBalance);

/// Daily supplied/borrowed/available of one pool or all of a chain's collateral pools; a day
/// without activity carries the previous day's balances.
pub async fn historical_balance(
    s: &AppState,
    _: &Claims,
    input: HistoricalBalanceInput,
) -> ApiResult<DailyBalancePage> {
    let chain = s.chain(input.chain_id)?;
    let (from, to) = (parse_day("from", &input.from)?, parse_day("to", &input.to)?);
    if to < from {
        return Err(ApiError::validation(format!("to ({}) is before from ({})", input.to, input.from)));
    }
    if to - from > 366 {
        return Err(ApiError::validation("at most 366 days per query"));
    }
    let (offset, limit) = input.page.bounds()?;
    let contract = format!("{:#x}", chain.deployment.collateral_pool.proxy);
    let rows = sqlx::query(
        "SELECT pool_id, day, supplied, borrowed, available FROM daily_snapshots
         WHERE chain_id = $1 AND contract = $2 AND day <= $3 AND ($4 < 0 OR pool_id = $4) ORDER BY day",
    )
    .bind(chain.chain_id as i64)
    .bind(&contract)
    .bind(to)
    .bind(input.pool_id.map_or(-1, |p| p as i64))
    .fetch_all(s.store.pool())
    .await?;
    let decimals = usdc_decimals(chain).await?;
    // The last snapshot of each pool at or before each day, summed.
    // The sums are kept as snapshots replace each other, not re-added per day: a year over
    // thousands of pools would otherwise cost days × pools additions per request.
    let mut latest: BTreeMap<i64, (U256, U256, U256)> = BTreeMap::new();
    let mut sum = (U256::ZERO, U256::ZERO, U256::ZERO);
    let mut rows = rows.into_iter().peekable();
    let mut days = Vec::new();
    let first = from + offset as i64;
    for day in from..=to {
        while let Some(row) = rows.peek() {
            let row_day: i64 = row.try_get("day")?;
            if row_day > day {
                break;
            }
            let pool: i64 = row.try_get("pool_id")?;
            let values = (
                parse_stored(&row.try_get::<String, _>("supplied")?)?,
                parse_stored(&row.try_get::<String, _>("borrowed")?)?,
                parse_stored(&row.try_get::<String, _>("available")?)?,
            );
            if let Some(old) = latest.insert(pool, values) {
                sum = (sum.0.saturating_sub(old.0), sum.1.saturating_sub(old.1), sum.2.saturating_sub(old.2));
            }
            sum = (sum.0 + values.0, sum.1 + values.1, sum.2 + values.2);
            rows.next();
        }
        if day < first {
            continue;
        }
        if days.len() as u64 > limit {
            break;
        }
        days.push(DailyBalance {
            date: format_day(day),
            supplied: Amount::new(sum.0, decimals),
            borrowed: Amount::new(sum.1, decimals),
            available: Amount::new(sum.2, decimals),
        });
    }
    let (data, more) = input.page.page(days)?;
    Ok(DailyBalancePage { data, more })
}

fn parse_day(field: &str, text: &str) -> ApiResult<i64> {
    let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::validation(format!("{field} must be a date YYYY-MM-DD, not `{text}`")))?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).ok_or_else(|| ApiError::validation("calendar"))?;
    Ok((date - epoch).num_days())
}

fn format_day(day: i64) -> String {
    chrono::DateTime::from_timestamp(day * DAY, 0).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// USDC's decimals on a chain.
pub async fn usdc_decimals(chain: &Chain) -> ApiResult<u8> {
    Ok(chain.client.usdc_units().await?.decimals)
}

/// Fees the admin can withdraw on one network.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawableFees {
    /// Chain id.
    pub chain_id: u64,
    /// The collateral pool's USDC fees.
    pub collateral_pool_usdc: Amount,
    /// The collateral pool's fees in each collateral token.
    pub collateral_tokens: Vec<TokenFee>,
    /// The counterparty pool's USDC fees.
    pub counterparty_usdc: Amount,
    /// The admin counterparty pool's USDC fees.
    pub admin_counterparty_usdc: Amount,
}

/// A fee in a collateral token.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
pub struct TokenFee {
    /// The token.
    pub token: Token,
    /// The fee.
    pub amount: Amount,
}

/// `admin/get-withdrawable-fees`.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
pub struct WithdrawableFeesList {
    /// Per network.
    pub networks: Vec<WithdrawableFees>,
}

/// Protocol fees withdrawable now, read from the contracts (admin only).
pub async fn withdrawable_fees(s: &AppState, _: &Claims, input: NetworkInput) -> ApiResult<WithdrawableFeesList> {
    let mut networks = Vec::new();
    for chain in s.chains_for(input.chain_id)? {
        let d = &chain.deployment;
        let provider = chain.client.provider();
        let pool = bindings::ERC20CollateralPool::new(d.collateral_pool.proxy, provider);
        let usdc = usdc_decimals(chain).await?;
        let read = |e: alloy::contract::Error| ApiError::unexpected(&eyre::Report::new(e).wrap_err("reading fees"));
        let mut collateral_tokens = Vec::new();
        for token in pool.getCollateralTokens().call().await.map_err(read)? {
            let fee = pool.getCollateralTokenProtocolFee(token).call().await.map_err(read)?;
            let units = chain.client.token_units(token).await?;
            collateral_tokens.push(TokenFee {
                token: Token { address: format!("{token:#x}"), symbol: units.symbol.clone(), decimals: units.decimals },
                amount: Amount::new(fee, units.decimals),
            });
        }
        let counterparty = |a: Address| bindings::CounterpartyPool::new(a, provider);
        networks.push(WithdrawableFees {
            chain_id: chain.chain_id,
            collateral_pool_usdc: Amount::new(pool.usdcFeesCollected().call().await.map_err(read)?, usdc),
            collateral_tokens,
            counterparty_usdc: Amount::new(
                counterparty(d.counterparty_pool.proxy).feesCollected().call().await.map_err(read)?,
                usdc,
            ),
            admin_counterparty_usdc: Amount::new(
                counterparty(d.admin_counterparty_pool.proxy).feesCollected().call().await.map_err(read)?,
                usdc,
            ),
        });
    }
    Ok(WithdrawableFeesList { networks })
}

/// A collateral pool as indexed.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct CollateralPool {
    /// Chain id.
    pub chain_id: u64,
    /// Pool id.
    pub pool_id: u64,
    /// The collateral.
    pub collateral: Token,
    /// Its price feed.
    pub price_feed: String,
    /// Lending capacity.
    pub max_capacity: Amount,
    /// Smallest lend.
    pub min_lended: Amount,
    /// Smallest borrow.
    pub min_borrow: Amount,
    /// Loan-to-value, bps.
    pub ltv_bps: u64,
    /// Yearly interest, bps.
    pub interest_bps: u64,
    /// Collateral factor, bps.
    pub collateral_factor_bps: u64,
    /// Lending ends (unix seconds).
    pub end_time: u64,
    /// Supplied and not claimed back.
    pub supplied: Amount,
    /// Borrowed and not repaid.
    pub borrowed: Amount,
    /// Free USDC.
    pub available: Amount,
    /// Collateral held.
    pub collateral_held: Amount,
    /// Block of the last read.
    pub updated_block: u64,
    /// Its metadata document, if any.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Json<serde_json::Value>>,
}

page_of!(CollateralPoolPage, CollateralPool);

/// `get-pools` (v2) input.
#[derive(Clone, Debug, Default, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct CollateralPoolsInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// Pagination.
    #[serde(default)]
    #[graphql(default)]
    pub page: PageArgs,
}

/// The collateral pools of a chain, from the index, paginated.
pub async fn pools(s: &AppState, _: &Claims, input: CollateralPoolsInput) -> ApiResult<CollateralPoolPage> {
    let chain = s.chain(input.chain_id)?;
    let (offset, limit) = input.page.bounds()?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT p.*, t.symbol AS symbol, t.decimals AS decimals, m.document AS metadata_document FROM collateral_pools p
         JOIN tokens t ON t.chain_id = p.chain_id AND t.token = p.collateral_token {METADATA_JOIN}
         WHERE p.chain_id = $1 AND p.contract = $2 ORDER BY p.pool_id LIMIT $3 OFFSET $4"
    )))
    .bind(chain.chain_id as i64)
    .bind(format!("{:#x}", chain.deployment.collateral_pool.proxy))
    .bind((limit + 1) as i64)
    .bind(offset as i64)
    .fetch_all(s.store.pool())
    .await?;
    let usdc = usdc_decimals(chain).await?;
    let mut pools = Vec::with_capacity(rows.len());
    for row in &rows {
        let p = pools_indexer::store::collateral_pool_row(row).map_err(|e| ApiError::unexpected(&e))?;
        let token_decimals = decimals(row.try_get("decimals")?);
        let amount = |text: &str| -> ApiResult<Amount> { Amount::parse(text, usdc) };
        let sub = |a: &str, b: &str| -> ApiResult<Amount> {
            Ok(Amount::new(parse_stored(a)?.saturating_sub(parse_stored(b)?), usdc))
        };
        pools.push(CollateralPool {
            chain_id: chain.chain_id,
            pool_id: unsigned(p.pool_id),
            collateral: Token {
                address: p.collateral_token.clone(),
                symbol: row.try_get("symbol")?,
                decimals: token_decimals,
            },
            price_feed: p.price_feed.clone(),
            max_capacity: amount(&p.max_capacity)?,
            min_lended: amount(&p.min_lended)?,
            min_borrow: amount(&p.min_borrow)?,
            ltv_bps: unsigned(p.ltv_bps),
            interest_bps: unsigned(p.interest_bps),
            collateral_factor_bps: unsigned(p.collateral_factor),
            end_time: unsigned(p.end_time),
            supplied: sub(&p.lended, &p.claimed)?,
            borrowed: sub(&p.borrowed, &p.repaid)?,
            available: amount(&p.available_usdc)?,
            collateral_held: Amount::parse(&p.collateral_held, token_decimals)?,
            updated_block: unsigned(p.updated_block),
            metadata: metadata_of(row)?,
        });
    }
    let (data, more) = input.page.page(pools)?;
    Ok(CollateralPoolPage { data, more })
}

/// A user's position, lend or borrow.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    /// Chain id.
    pub chain_id: u64,
    /// Pool id.
    pub pool_id: u64,
    /// `lend` or `borrow`.
    pub side: String,
    /// Lend or borrow id.
    pub id: u64,
    /// Principal still lent or owed.
    pub amount: Amount,
    /// Collateral locked (borrows).
    pub collateral: Option<Amount>,
    /// Interest rate of a borrow, bps.
    pub interest_bps: Option<u64>,
    /// When borrowed (unix seconds).
    pub borrow_time: Option<u64>,
}

page_of!(PositionPage, Position);

/// `get-positions` input.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct PositionsInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// The user.
    pub user: String,
    /// Include closed positions (principal 0).
    #[serde(default)]
    #[graphql(default)]
    pub include_closed: bool,
    /// Pagination.
    #[serde(default)]
    #[graphql(default)]
    pub page: PageArgs,
}

/// A user's lend and borrow positions in the collateral pools, from the index.
pub async fn positions(s: &AppState, _: &Claims, input: PositionsInput) -> ApiResult<PositionPage> {
    let chain = s.chain(input.chain_id)?;
    let user = parse_address("user", &input.user)?;
    let (offset, limit) = input.page.bounds()?;
    let closed = if input.include_closed { "" } else { "AND amount <> '0'" };
    let sql = format!(
        "SELECT * FROM (
           SELECT pool_id, 'lend' AS side, lend_id AS id, amount, NULL AS collateral_amount, NULL AS interest_bps, NULL AS borrow_time
             FROM lend_positions WHERE chain_id = $1 AND account = $2 {closed}
           UNION ALL
           SELECT pool_id, 'borrow' AS side, borrow_id AS id, amount, collateral_amount, interest_bps, borrow_time
             FROM borrow_positions WHERE chain_id = $1 AND account = $2 {closed}
         ) p ORDER BY pool_id, side, id LIMIT $3 OFFSET $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(chain.chain_id as i64)
        .bind(format!("{user:#x}"))
        .bind((limit + 1) as i64)
        .bind(offset as i64)
        .fetch_all(s.store.pool())
        .await?;
    let usdc = usdc_decimals(chain).await?;
    let mut positions = Vec::with_capacity(rows.len());
    for row in rows {
        let pool_id: i64 = row.try_get("pool_id")?;
        let collateral: Option<String> = row.try_get("collateral_amount")?;
        let collateral = match collateral {
            Some(c) => Some(Amount::parse(&c, collateral_decimals(s, chain, pool_id).await?)?),
            None => None,
        };
        positions.push(Position {
            chain_id: chain.chain_id,
            pool_id: unsigned(pool_id),
            side: row.try_get("side")?,
            id: unsigned(row.try_get("id")?),
            amount: Amount::parse(&row.try_get::<String, _>("amount")?, usdc)?,
            collateral,
            interest_bps: row.try_get::<Option<i64>, _>("interest_bps")?.map(unsigned),
            borrow_time: row.try_get::<Option<i64>, _>("borrow_time")?.map(unsigned),
        });
    }
    let (data, more) = input.page.page(positions)?;
    Ok(PositionPage { data, more })
}

async fn collateral_decimals(s: &AppState, chain: &Chain, pool_id: i64) -> ApiResult<u8> {
    let value: Option<i64> = sqlx::query_scalar(
        "SELECT t.decimals FROM collateral_pools p JOIN tokens t ON t.chain_id = p.chain_id AND t.token = p.collateral_token
         WHERE p.chain_id = $1 AND p.pool_id = $2",
    )
    .bind(chain.chain_id as i64)
    .bind(pool_id)
    .fetch_optional(s.store.pool())
    .await?;
    Ok(decimals(value.unwrap_or(18)))
}

/// A position named by pool, user and id (calculators).
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct PositionInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// Pool id.
    pub pool_id: u64,
    /// The position's owner.
    pub user: String,
    /// Lend or borrow id.
    pub id: u64,
    /// A part of the principal, base units (the whole when absent).
    pub principal: Option<String>,
    /// When (unix seconds; now when absent).
    pub at: Option<u64>,
}

impl PositionInput {
    fn parts(&self) -> ApiResult<(Address, Option<U256>)> {
        let principal = self.principal.as_deref().map(|p| parse_uint("principal", p)).transpose()?;
        Ok((parse_address("user", &self.user)?, principal))
    }
}

/// A lender's reward.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Reward {
    /// Pool id.
    pub pool_id: u64,
    /// Lend id.
    pub lend_id: u64,
    /// Principal still lent.
    pub principal: Amount,
    /// Reward earned.
    pub reward: Amount,
    /// What a claim would pay now (bounded by free USDC).
    pub claimable: Amount,
    /// The time computed for (unix seconds).
    pub at: u64,
}

/// `supplies/reward/calculate`: one lend position's reward.
pub async fn supply_reward(s: &AppState, _: &Claims, input: PositionInput) -> ApiResult<Reward> {
    let chain = s.chain(input.chain_id)?;
    let (user, _) = input.parts()?;
    reward(chain, input.pool_id, user, input.id, input.at).await
}

async fn reward(chain: &Chain, pool_id: u64, user: Address, lend_id: u64, at: Option<u64>) -> ApiResult<Reward> {
    let r = chain.client.lender_reward(pool_id, user, lend_id, at).await?;
    let usdc = usdc_decimals(chain).await?;
    Ok(Reward {
        pool_id,
        lend_id,
        principal: Amount::new(r.principal, usdc),
        reward: Amount::new(r.reward, usdc),
        claimable: Amount::new(r.claimable, usdc),
        at: r.at,
    })
}

/// `supplies/rewards/calculate` input.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct RewardsInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// The lender.
    pub user: String,
    /// Pagination over the open lend positions.
    #[serde(default)]
    #[graphql(default)]
    pub page: PageArgs,
}

page_of!(RewardPage, Reward);

/// `supplies/rewards/calculate`: rewards of every open lend position of a user (from the
/// index), computed on chain.
pub async fn supply_rewards(s: &AppState, _: &Claims, input: RewardsInput) -> ApiResult<RewardPage> {
    let chain = s.chain(input.chain_id)?;
    let user = parse_address("user", &input.user)?;
    let (offset, limit) = input.page.bounds()?;
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT pool_id, lend_id FROM lend_positions WHERE chain_id = $1 AND account = $2 AND amount <> '0'
         ORDER BY pool_id, lend_id LIMIT $3 OFFSET $4",
    )
    .bind(chain.chain_id as i64)
    .bind(format!("{user:#x}"))
    .bind((limit + 1) as i64)
    .bind(offset as i64)
    .fetch_all(s.store.pool())
    .await?;
    let mut rewards = Vec::with_capacity(rows.len());
    for (pool, lend) in rows {
        rewards.push(reward(chain, unsigned(pool), user, unsigned(lend), None).await?);
    }
    let (data, more) = input.page.page(rewards)?;
    Ok(RewardPage { data, more })
}

/// `borrows/collateral-token-amount/calculate` input.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct CollateralAmountInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// Pool id.
    pub pool_id: u64,
    /// USDC to borrow, base units.
    pub amount: String,
}

/// Collateral needed.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct CollateralAmount {
    /// USDC to borrow.
    pub borrow: Amount,
    /// Collateral needed now.
    pub collateral: Amount,
}

/// Collateral needed now to borrow an amount (F6, the contract's own view).
pub async fn collateral_token_amount(
    s: &AppState,
    _: &Claims,
    input: CollateralAmountInput,
) -> ApiResult<CollateralAmount> {
    let chain = s.chain(input.chain_id)?;
    let amount = parse_uint("amount", &input.amount)?;
    let collateral = chain.client.required_collateral(input.pool_id, amount).await?;
    let token_decimals = collateral_decimals(s, chain, input.pool_id as i64).await?;
    Ok(CollateralAmount {
        borrow: Amount::new(amount, usdc_decimals(chain).await?),
        collateral: Amount::new(collateral, token_decimals),
    })
}

/// Interest to repay.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct RepayInterest {
    /// Principal repaid.
    pub principal: Amount,
    /// Interest on it.
    pub interest: Amount,
    /// Principal + interest.
    pub total: Amount,
    /// The loan's rate, bps.
    pub rate_bps: u32,
    /// When borrowed.
    pub borrowed_at: u64,
    /// The time computed for.
    pub at: u64,
}

/// `borrows/repay-interest/calculate`.
pub async fn repay_interest(s: &AppState, _: &Claims, input: PositionInput) -> ApiResult<RepayInterest> {
    let chain = s.chain(input.chain_id)?;
    let (user, principal) = input.parts()?;
    let r = chain.client.repay_interest(input.pool_id, user, input.id, principal, input.at).await?;
    let usdc = usdc_decimals(chain).await?;
    Ok(RepayInterest {
        principal: Amount::new(r.principal, usdc),
        interest: Amount::new(r.interest, usdc),
        total: Amount::new(r.total, usdc),
        rate_bps: r.rate_bps,
        borrowed_at: r.borrowed_at,
        at: r.at,
    })
}

/// `borrows/collateral-adjustment/calculate` input.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct CollateralAdjustmentInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// Pool id.
    pub pool_id: u64,
    /// The borrower.
    pub user: String,
    /// Borrow id.
    pub borrow_id: u64,
}

/// How far the collateral of a loan can move.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct CollateralAdjustment {
    /// Collateral locked now.
    pub collateral: Amount,
    /// Collateral the principal needs at today's price (F6).
    pub required: Amount,
    /// What can be removed now (locked − required, never negative).
    pub removable: Amount,
    /// What must be added to need nothing more (required − locked, never negative).
    pub missing: Amount,
    /// Debt over collateral value, bps.
    pub ltv_bps: String,
    /// The LTV at which it becomes liquidatable, bps.
    pub liquidation_threshold_bps: u32,
    /// Liquidatable now.
    pub liquidatable: bool,
}

/// Collateral a loan could release or lacks at today's price.
pub async fn collateral_adjustment(
    s: &AppState,
    _: &Claims,
    input: CollateralAdjustmentInput,
) -> ApiResult<CollateralAdjustment> {
    let chain = s.chain(input.chain_id)?;
    let user = parse_address("user", &input.user)?;
    let health = chain.client.position_health(input.pool_id, user, input.borrow_id).await?;
    let required = chain.client.required_collateral(input.pool_id, health.principal).await?;
    let d = collateral_decimals(s, chain, input.pool_id as i64).await?;
    Ok(CollateralAdjustment {
        collateral: Amount::new(health.collateral, d),
        required: Amount::new(required, d),
        removable: Amount::new(health.collateral.saturating_sub(required), d),
        missing: Amount::new(required.saturating_sub(health.collateral), d),
        ltv_bps: health.ltv_bps.to_string(),
        liquidation_threshold_bps: health.liquidation_threshold_bps,
        liquidatable: health.liquidatable,
    })
}

/// What liquidating a loan costs and gives.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct LiquidationStats {
    /// Principal liquidated.
    pub principal: Amount,
    /// Interest on it.
    pub interest: Amount,
    /// USDC the liquidator pays.
    pub payment: Amount,
    /// Of which the protocol's fee.
    pub protocol_fee: Amount,
    /// Collateral the liquidator receives.
    pub collateral_received: Amount,
    /// Collateral left to the borrower.
    pub collateral_left_to_borrower: Amount,
    /// Debt value, USD (18 decimals).
    pub debt_value_usd: Amount,
    /// Collateral value, USD (18 decimals).
    pub collateral_value_usd: Amount,
    /// Liquidatable now.
    pub liquidatable: bool,
    /// Overdue.
    pub overdue: bool,
    /// The time computed for.
    pub at: u64,
}

/// `borrows/liquidation-stats/calculate`.
pub async fn liquidation_stats(s: &AppState, _: &Claims, input: PositionInput) -> ApiResult<LiquidationStats> {
    let chain = s.chain(input.chain_id)?;
    let (user, principal) = input.parts()?;
    let quote = chain.client.liquidation_cost(input.pool_id, user, input.id, principal).await?;
    let health = chain.client.position_health(input.pool_id, user, input.id).await?;
    let usdc = usdc_decimals(chain).await?;
    let d = collateral_decimals(s, chain, input.pool_id as i64).await?;
    Ok(LiquidationStats {
        principal: Amount::new(quote.principal, usdc),
        interest: Amount::new(quote.interest, usdc),
        payment: Amount::new(quote.payment, usdc),
        protocol_fee: Amount::new(quote.protocol_fee, usdc),
        collateral_received: Amount::new(quote.collateral_received, d),
        collateral_left_to_borrower: Amount::new(quote.collateral_left_to_borrower, d),
        debt_value_usd: Amount::new(health.debt_value_usd, 18),
        collateral_value_usd: Amount::new(health.collateral_value_usd, 18),
        liquidatable: quote.liquidatable,
        overdue: health.overdue,
        at: quote.at,
    })
}

/// A metadata update of a collateral pool.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct CollateralPoolMetadataInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// Pool id.
    pub pool_id: u64,
    /// The document (name, description, logo, terms, collateral logos…), a JSON object.
    #[schema(value_type = Object)]
    pub metadata: Json<serde_json::Value>,
}

/// Where a metadata document was stored.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct MetadataStored {
    /// The document's CID.
    pub cid: String,
    /// The document.
    #[schema(value_type = Object)]
    pub metadata: Json<serde_json::Value>,
}

/// `pools/metadata/update` (v2, admin): the document goes to IPFS and the pool points at it.
pub async fn update_pool_metadata(
    s: &AppState,
    caller: &Claims,
    input: CollateralPoolMetadataInput,
) -> ApiResult<MetadataStored> {
    let chain = s.chain(input.chain_id)?;
    let contract = format!("{:#x}", chain.deployment.collateral_pool.proxy);
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT pool_id FROM collateral_pools WHERE chain_id = $1 AND contract = $2 AND pool_id = $3",
    )
    .bind(chain.chain_id as i64)
    .bind(&contract)
    .bind(input.pool_id as i64)
    .fetch_optional(s.store.pool())
    .await?;
    if exists.is_none() {
        return Err(ApiError::not_found(format!(
            "collateral pool {} is not indexed on chain {}",
            input.pool_id, chain.chain_id
        )));
    }
    store_metadata(s, caller, chain.chain_id, &contract, input.pool_id, input.metadata.0).await
}

/// A metadata update of a token.
#[derive(Clone, Debug, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct TokenMetadataInput {
    /// Chain id (required when several are served).
    pub chain_id: Option<u64>,
    /// The token.
    pub token: String,
    /// The document (name, logo…), a JSON object.
    #[schema(value_type = Object)]
    pub metadata: Json<serde_json::Value>,
}

/// `tokens/metadata/update` (v2, admin).
pub async fn update_token_metadata(
    s: &AppState,
    caller: &Claims,
    input: TokenMetadataInput,
) -> ApiResult<MetadataStored> {
    let chain = s.chain(input.chain_id)?;
    let token = parse_address("token", &input.token)?;
    crate::ops::meta::store_token_metadata(s, caller, chain.chain_id, token, input.metadata.0).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usd_values_round_down_at_8_decimals() {
        // 2.5 WETH (18 dec) at $3,000.12345678 (8 dec) = $7,500.30864195.
        let weth = U256::from(2_500_000_000_000_000_000u128);
        let price = U256::from(300_012_345_678u64);
        assert_eq!(usd_value(weth, 18, price, 8), U256::from(750_030_864_195u64));
        // 1 unit of a 0-decimal token at $1 with an 18-decimal feed.
        assert_eq!(
            usd_value(U256::from(1u8), 0, U256::from(10u64).pow(U256::from(18u8)), 18),
            U256::from(100_000_000u64)
        );
    }

    #[test]
    fn days_parse_and_print_in_utc() -> ApiResult<()> {
        assert_eq!(parse_day("from", "1970-01-02")?, 1);
        assert_eq!(format_day(parse_day("from", "2026-11-30")?), "2026-11-30");
        assert_eq!(parse_day("from", "30/11/2026").err().map(|e| e.code), Some("validation-failed"));
        Ok(())
    }
}

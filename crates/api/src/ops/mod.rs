//! The operations, each written once and served by both REST and GraphQL: inputs and outputs
//! are one set of types (serde for REST, `ToSchema` for the OpenAPI document, async-graphql for
//! the schema), and every operation is an `async fn(&AppState, &Claims, Input) -> ApiResult<Output>`.

pub mod collateral;
pub mod counterparty;
pub mod meta;

use alloy::primitives::U256;
use async_graphql::{InputObject, SimpleObject};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    amount::Amount,
    error::{ApiError, ApiResult},
};

/// Largest page.
pub const MAX_LIMIT: u64 = 100;
/// Page size when none is asked.
pub const DEFAULT_LIMIT: u64 = 20;

/// Offset/limit of a list.
#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct PageArgs {
    /// Items to skip (default 0).
    pub offset: Option<u64>,
    /// Items to return, 1–100 (default 20).
    pub limit: Option<u64>,
}

impl PageArgs {
    /// (offset, limit), checked.
    pub fn bounds(&self) -> ApiResult<(u64, u64)> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::validation(format!("limit must be between 1 and {MAX_LIMIT}, not {limit}")));
        }
        let offset = self.offset.unwrap_or(0);
        if offset > i64::MAX as u64 {
            return Err(ApiError::validation(format!("offset {offset} is out of range")));
        }
        Ok((offset, limit))
    }

    /// One page of `items` (already skipped and limited to `limit + 1` to know if more follow).
    pub fn page<T>(&self, mut items: Vec<T>) -> ApiResult<(Vec<T>, bool)> {
        let (_, limit) = self.bounds()?;
        let more = items.len() as u64 > limit;
        items.truncate(limit as usize);
        Ok((items, more))
    }
}

/// Declares a page type `{data, more}` of an item type (GraphQL has no generic objects).
macro_rules! page_of {
    ($name:ident, $item:ty) => {
        #[doc = concat!("A page of `", stringify!($item), "`.")]
        #[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema, async_graphql::SimpleObject)]
        pub struct $name {
            /// The items.
            pub data: Vec<$item>,
            /// Whether more follow.
            pub more: bool,
        }
    };
}
pub(crate) use page_of;

/// A token and its units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    /// Address.
    pub address: String,
    /// Symbol.
    pub symbol: String,
    /// Decimals.
    pub decimals: u8,
}

/// An unsigned transaction for a wallet: the JSON-RPC transaction object (`eth_sendTransaction`
/// takes it as it is), quantities in 0x-hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct UnsignedTransaction {
    /// What it does, in words.
    pub description: String,
    /// Sender (must sign).
    pub from: String,
    /// Contract called.
    pub to: String,
    /// Calldata.
    pub data: String,
    /// Value, wei (hex).
    pub value: String,
    /// Chain id (hex).
    pub chain_id: String,
    /// Nonce (hex).
    pub nonce: String,
    /// Gas limit with the SDK's margin (hex).
    pub gas: String,
    /// The node's estimate (hex).
    pub estimated_gas: String,
    /// `0x2` (EIP-1559) or `0x0` (legacy).
    #[serde(rename = "type")]
    #[graphql(name = "type")]
    pub tx_type: String,
    /// EIP-1559 fee cap (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_fee_per_gas: Option<String>,
    /// EIP-1559 tip (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_priority_fee_per_gas: Option<String>,
    /// Legacy gas price (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gas_price: Option<String>,
}

impl UnsignedTransaction {
    /// From the SDK's assisted mode, through its own JSON (the one shape both agree on).
    pub fn from_sdk(tx: &pools_sdk::UnsignedTx) -> ApiResult<Self> {
        let value = serde_json::to_value(tx).map_err(|e| ApiError::unexpected(&e.into()))?;
        serde_json::from_value(value).map_err(|e| ApiError::unexpected(&e.into()))
    }
}

/// Transactions to sign in order.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
pub struct Transactions {
    /// The transactions, approvals first.
    pub transactions: Vec<UnsignedTransaction>,
}

/// A U256 as an amount of USDC-like `decimals`.
pub fn amount(raw: U256, decimals: u8) -> Amount {
    Amount::new(raw, decimals)
}

/// An i64 column as u64 (ids and times are never negative in the database).
pub fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

//! Typed client of the deployed pools (`ERC20CollateralPool`, `CounterpartyPool`,
//! `AdminCounterpartyPool`) over an alloy provider: connect with a deployment file checked
//! against the node's chain; read statuses, pages of pools ([`Page`]), positions and the
//! calculators ([`RepayInterest`], [`LenderReward`], [`LiquidationQuote`], [`PositionHealth`]);
//! build every user action as [`Call`]s described in words, after client-side checks that refuse
//! in words ([`Refusal`]); then either send them (signing mode) or hand them out unsigned for a
//! wallet ([`Client::prepare_all`] → [`UnsignedTx`]) and relay what the user signed
//! ([`Client::send_raw`]). Reverts come back decoded ([`Reverted`]). Deployment and upgrades run
//! the forge scripts ([`deploy`]); [`local`] starts anvil with everything deployed.
//!
//! ```no_run
//! # async fn example() -> eyre::Result<()> {
//! use pools_sdk::{Client, load_signer, repository_root};
//! let signer = load_signer(None, || eyre::bail!("no prompt here"))?;
//! let client = Client::connect("http://127.0.0.1:8545", &repository_root(), None, vec![signer]).await?;
//! let usdc = client.usdc_units().await?;
//! for call in client.lend(0, usdc.parse("1000 USDC")?).await? {
//!     println!("{}: ~{} gas", call.description, client.estimate_gas(&call).await?);
//!     client.send(&call).await?;
//! }
//! # Ok(()) }
//! ```

mod assisted;
mod calculators;
mod client;
mod collateral;
mod counterparty;
pub mod deploy;
mod deployment;
mod effects;
mod errors;
pub mod local;
mod pages;
mod preconditions;
mod refusal;
mod signer;
mod table;
mod tools;
mod units;

pub use assisted::{FeeSuggestion, UnsignedTx};
pub use calculators::{LenderReward, LiquidationQuote, PositionHealth, RepayInterest};
pub use client::{Call, Client, GAS_MARGIN_PERCENT, Outcome, gas_limit};
pub use collateral::{BorrowPosition, CollateralPoolInfo, LendPosition};
pub use counterparty::{Commit, CounterpartyPoolInfo, Variant};
pub use deployment::{DeployedPool, Deployment, MockCollateral, Mocks, Proxied};
pub use errors::{Reverted, describe_revert, describe_rpc_error, revert_name};
pub use pages::{MAX_PAGE_LIMIT, Page};
pub use refusal::{Refusal, RefusalKind, format_utc};
pub use signer::{KEYSTORE_PASSWORD_ENV, PRIVATE_KEY_ENV, key_hex, load_signer};
pub use table::Table;
pub use tools::{foundry_binary, platform, repository_root};
pub use units::{TokenUnits, format_bps};

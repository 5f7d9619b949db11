//! A local chain for the demo, the SDK's own tests and anyone trying the pools out: [`Anvil`]
//! (a node that cannot outlive its owner) and [`LocalChain`] (anvil + the forge deployment of
//! `config/anvil.toml` + a client signing for anvil's accounts).
//!
//! It lives in the SDK, as alloy keeps its anvil launcher in its main crate, so that the SDK's
//! integration tests, `pools-demo` and the CLI's end-to-end test share one fixture without a
//! dependency cycle (the demo depends on the SDK, so the SDK cannot depend on the demo).
//!
//! ```no_run
//! # async fn example() -> eyre::Result<()> {
//! let chain = pools_sdk::local::LocalChain::start(&pools_sdk::repository_root()).await?;
//! assert_eq!(chain.client.collateral_pool_count().await?, 2);
//! # Ok(()) }
//! ```

mod anvil;
mod chain;

pub use anvil::Anvil;
pub use chain::{ANVIL_CHAIN_ID, ANVIL_CONFIG, LocalChain, add_collateral_pool, advance_time, mint, set_price};

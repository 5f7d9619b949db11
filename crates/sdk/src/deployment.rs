//! `deployments/<chainId>.json`, written by `script/Deploy.s.sol`: where everything lives.

use std::path::{Path, PathBuf};

use alloy::primitives::Address;
use eyre::{Result, WrapErr, bail};
use serde::{Deserialize, Serialize};

/// A proxied contract: the address users call, its implementation and the proxy's admin.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Proxied {
    /// The proxy (the pool's address).
    pub proxy: Address,
    /// The implementation behind it.
    pub implementation: Address,
    /// The `ProxyAdmin` that may upgrade it.
    pub proxy_admin: Address,
}

/// A collateral pool created at deployment.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DeployedPool {
    /// Its id in the collateral pool.
    pub pool_id: u64,
    /// The collateral token.
    pub collateral_token: Address,
    /// Its USD price feed.
    pub price_feed: Address,
}

/// A mock collateral token with its settable feed (local chains only).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct MockCollateral {
    /// Its symbol.
    pub symbol: String,
    /// The `MockERC20`.
    pub token: Address,
    /// Its decimals.
    pub decimals: u8,
    /// Its `MockAggregator` (8-decimal USD).
    pub feed: Address,
}

/// Mock tokens and feeds deployed when the config says `mocks = true`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Mocks {
    /// The mock USDC (`MockERC20`, 6 decimals).
    pub usdc: Address,
    /// Its `MockAggregator`.
    pub usdc_feed: Address,
    /// The mock collaterals.
    pub collaterals: Vec<MockCollateral>,
}

/// One deployment of the whole system to one chain.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// The chain it is on.
    pub chain_id: u64,
    /// The git commit it was deployed from.
    pub commit: String,
    /// The block of the deployment.
    pub block: u64,
    /// Who deployed.
    pub deployer: Address,
    /// The pools' admin.
    pub admin: Address,
    /// The lent token.
    pub usdc: Address,
    /// USDC/USD feed.
    pub usdc_feed: Address,
    /// L2 sequencer-uptime feed (zero on L1).
    pub usdc_sequencer_feed: Address,
    /// `ERC20CollateralPool`.
    pub collateral_pool: Proxied,
    /// `CounterpartyPool`.
    pub counterparty_pool: Proxied,
    /// `AdminCounterpartyPool`.
    pub admin_counterparty_pool: Proxied,
    /// Collateral pools created by the deployment.
    #[serde(default)]
    pub pools: Vec<DeployedPool>,
    /// Mocks, on local chains.
    #[serde(default)]
    pub mocks: Option<Mocks>,
}

impl Deployment {
    /// Where the deployment of `chain_id` is written, under the repository `root`.
    pub fn default_path(root: &Path, chain_id: u64) -> PathBuf {
        root.join("deployments").join(format!("{chain_id}.json"))
    }

    /// Reads a deployment file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).wrap_err_with(|| {
            format!(
                "no deployment at {} (deploy first with `pools deploy --config config/<chain>.toml`)",
                path.display()
            )
        })?;
        serde_json::from_str(&text).wrap_err_with(|| format!("{} is not a deployment file", path.display()))
    }

    /// Refuses a deployment made for another chain than the node's.
    pub fn check_chain(&self, node_chain_id: u64) -> Result<()> {
        if self.chain_id != node_chain_id {
            bail!(
                "the deployment file is for chain {} but the node is chain {node_chain_id}: pass the right --rpc-url or --deployment",
                self.chain_id
            );
        }
        Ok(())
    }

    /// The mock collateral of `symbol`, on local deployments.
    pub fn mock_collateral(&self, symbol: &str) -> Result<&MockCollateral> {
        self.mocks
            .as_ref()
            .and_then(|m| m.collaterals.iter().find(|c| c.symbol.eq_ignore_ascii_case(symbol)))
            .ok_or_else(|| eyre::eyre!("the deployment has no mock collateral {symbol}"))
    }
}

//! A local chain with everything deployed: anvil, the forge deployment of config/anvil.toml,
//! and a client signing for anvil's accounts. Dropping it stops anvil and puts
//! `deployments/31337.json` back as it was (removed, or the earlier file restored).

use std::{
    path::{Path, PathBuf},
    sync::{Arc, LazyLock},
};

use alloy::{
    primitives::{Address, I256, U256},
    providers::Provider,
};
use bindings::{MockAggregator, MockERC20};
use eyre::{Result, eyre};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::{Call, Client, deploy, local::Anvil};

/// Held by every live [`LocalChain`] of this process. The deploy script always writes
/// `deployments/31337.json`, so two chains alive at once (tests of one binary run in parallel
/// threads) would read each other's file and restore it in the wrong order; one at a time,
/// they cannot.
static DEPLOYMENT_FILE: LazyLock<Arc<Mutex<()>>> = LazyLock::new(Arc::default);

/// The config the demo deploys.
pub const ANVIL_CONFIG: &str = "config/anvil.toml";

/// anvil's chain id.
pub const ANVIL_CHAIN_ID: u64 = 31337;

/// anvil with a fresh deployment and a client for its accounts.
#[derive(Debug)]
pub struct LocalChain {
    /// Signs for anvil's accounts 0–9 (account 0 is the default sender).
    pub client: Client,
    // Field order is drop order: the file is restored, then anvil stops, then the next chain
    // of this process may start.
    _deployment_file: RestoreOnDrop,
    /// The node.
    pub anvil: Anvil,
    root: PathBuf,
    _turn: OwnedMutexGuard<()>,
}

impl LocalChain {
    /// Starts anvil, deploys `config/anvil.toml` through the forge script (forced: the chain is
    /// new) and connects. Waits while another `LocalChain` of this process is alive.
    pub async fn start(root: &Path) -> Result<Self> {
        let turn = Arc::clone(&DEPLOYMENT_FILE).lock_owned().await;
        let anvil = Anvil::start(root)?;
        let deployment_file = RestoreOnDrop::new(crate::Deployment::default_path(root, ANVIL_CHAIN_ID));
        let admin_key = anvil.keys().first().map(crate::key_hex).unwrap_or_default();
        deploy::deploy(&deploy::DeployRequest {
            root: root.to_path_buf(),
            rpc_url: anvil.url().to_owned(),
            config: root.join(ANVIL_CONFIG),
            force: true,
            private_key: admin_key,
        })
        .await?;
        let client = Client::connect(anvil.url(), root, None, anvil.keys().to_vec()).await?;
        Ok(Self { client, _deployment_file: deployment_file, anvil, root: root.to_path_buf(), _turn: turn })
    }

    /// Deploys `config` again to this chain as account 0 (for the refusal checks).
    pub async fn deploy_again(&self, config: &Path, force: bool) -> Result<()> {
        let admin_key = self.anvil.keys().first().map(crate::key_hex).unwrap_or_default();
        deploy::deploy(&deploy::DeployRequest {
            root: self.root.clone(),
            rpc_url: self.anvil.url().to_owned(),
            config: config.to_path_buf(),
            force,
            private_key: admin_key,
        })
        .await
        .map(|_| ())
    }
}

/// Puts a file back as it was when this was made.
#[derive(Debug)]
struct RestoreOnDrop {
    path: PathBuf,
    before: Option<Vec<u8>>,
}

impl RestoreOnDrop {
    fn new(path: PathBuf) -> Self {
        let before = std::fs::read(&path).ok();
        Self { path, before }
    }
}

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        let _ = match &self.before {
            Some(bytes) => std::fs::write(&self.path, bytes),
            None => std::fs::remove_file(&self.path),
        };
    }
}

/// Mints `amount` of a mock token to `to` (the mocks let anyone mint), sent by `client`'s sender.
pub async fn mint(client: &Client, token: Address, to: Address, amount: U256) -> Result<()> {
    let from = client.sender()?;
    let words = format!("mint {} to {}", client.token_units(token).await?.format(amount), client.name(to));
    client.send(&Call::new(words, from, token, &MockERC20::mintCall { to, amount })).await?;
    Ok(())
}

/// Publishes `answer` (feed units) on a mock feed, sent by `client`'s sender.
pub async fn set_price(client: &Client, feed: Address, answer: I256) -> Result<()> {
    let from = client.sender()?;
    client.send(&Call::new("set a price", from, feed, &MockAggregator::setAnswerCall { newAnswer: answer })).await?;
    Ok(())
}

/// Moves the chain's clock on by `seconds`, mines a block, and re-publishes every mock feed of
/// the deployment (prices go stale after the oracle delay, 90,000 s on anvil).
pub async fn advance_time(client: &Client, seconds: u64) -> Result<()> {
    let provider = client.provider();
    let _: serde_json::Value = provider.raw_request("evm_increaseTime".into(), (seconds,)).await?;
    let _: serde_json::Value = provider.raw_request("evm_mine".into(), ()).await?;
    let mocks = client.deployment().mocks.clone().ok_or_else(|| eyre!("the deployment has no mock feeds"))?;
    let feeds = std::iter::once(mocks.usdc_feed).chain(mocks.collaterals.iter().map(|c| c.feed));
    for feed in feeds {
        let answer = MockAggregator::new(feed, provider).latestRoundData().call().await?._1;
        set_price(client, feed, answer).await?;
    }
    Ok(())
}

/// The admin (`client`'s sender) adds a collateral pool of the mock `symbol` with `capacity`
/// whole USDC, open for `days` days, at the anvil config's risk settings (factor 105 %, LTV 65 %,
/// 10 % interest); returns its id.
pub async fn add_collateral_pool(client: &Client, symbol: &str, capacity: u64, days: u64) -> Result<u64> {
    use bindings::erc20_collateral_pool::IERC20CollateralPool::InitPool;
    let d = client.deployment();
    let mock = d.mock_collateral(symbol)?;
    let now = client.now().await?;
    let usdc = |whole: u64| U256::from(whole) * U256::from(1_000_000u64);
    let params = InitPool {
        collateralToken: mock.token,
        collateralTokenPriceOracle: mock.feed,
        collateralTokenSequencerOracle: Address::ZERO,
        maxPoolCapacity: usdc(capacity),
        minLended: usdc(10),
        minBorrow: usdc(10),
        endTime: alloy::primitives::Uint::from(now + days * 86_400),
        collateralTokenFactor: alloy::primitives::Uint::from(10_500u32),
        collateralTokenLTVPercentage: alloy::primitives::Uint::from(6_500u32),
        interest: alloy::primitives::Uint::from(1_000u32),
    };
    let pool = d.collateral_pool.proxy;
    let call = bindings::ERC20CollateralPool::addPoolCall { pool: params };
    client.send(&Call::new(format!("add a {symbol} pool of {capacity} USDC"), client.sender()?, pool, &call)).await?;
    let count = bindings::ERC20CollateralPool::new(pool, client.provider()).poolsLength().call().await?;
    Ok(count.to::<u64>() - 1)
}

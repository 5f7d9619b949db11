//! The world the SDK's anvil tests start from: a fresh [`LocalChain`] (anvil + the forge
//! deployment of config/anvil.toml) with USDC minted to the lenders, the liquidator and the
//! counterparty owner, and WETH/DFTR to the borrowers. Collateral pool 0 is WETH (10 % a year,
//! LTV 65 %, factor 105 %), pool 1 is DFTR (15 %, LTV 50 %).

#![allow(dead_code, clippy::unwrap_used)] // each test file uses part of it; a failed step fails the test

use alloy::{
    primitives::{Address, I256, U256},
    providers::Provider,
};
use pools_sdk::{
    Call, Client,
    local::{self, LocalChain},
    repository_root,
};

/// anvil account indices of the cast.
pub const ADMIN: usize = 0;
pub const ALICE: usize = 1;
pub const BOB: usize = 2;
pub const CAROL: usize = 3;
pub const DAVE: usize = 4;
pub const EVE: usize = 5;
pub const FRANK: usize = 6;
/// An account that never receives tokens.
pub const PAUPER: usize = 7;

/// A started chain with funded actors.
pub struct World {
    pub chain: LocalChain,
    pub usdc: Address,
    pub weth: Address,
    pub weth_feed: Address,
    pub dftr: Address,
    pub dftr_feed: Address,
}

/// `n` whole USDC in base units.
pub fn usdc(n: u64) -> U256 {
    U256::from(n) * U256::from(1_000_000u64)
}

/// `n` whole DFTR (6 decimals) in base units.
pub fn dftr(n: u64) -> U256 {
    U256::from(n) * U256::from(1_000_000u64)
}

/// `n` whole tokens of 18 decimals (WETH).
pub fn tokens18(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u64))
}

impl World {
    pub async fn start() -> Self {
        let chain = LocalChain::start(&repository_root()).await.unwrap();
        let d = chain.client.deployment().clone();
        let (weth, dftr_mock) =
            (d.mock_collateral("WETH").unwrap().clone(), d.mock_collateral("DFTR").unwrap().clone());
        let world = Self {
            usdc: d.usdc,
            weth: weth.token,
            weth_feed: weth.feed,
            dftr: dftr_mock.token,
            dftr_feed: dftr_mock.feed,
            chain,
        };
        for (who, name) in ["admin", "alice", "bob", "carol", "dave", "eve", "frank", "pauper"].into_iter().enumerate()
        {
            world.chain.client.label(world.address(who), name);
        }
        for who in [ALICE, BOB, EVE, FRANK] {
            world.mint(world.usdc, who, usdc(20_000)).await;
        }
        world.mint(world.usdc, CAROL, usdc(500)).await;
        world.mint(world.weth, CAROL, tokens18(5)).await;
        world.mint(world.weth, FRANK, tokens18(1)).await;
        world.mint(world.dftr, DAVE, dftr(300_000)).await;
        world
    }

    pub fn address(&self, who: usize) -> Address {
        self.chain.anvil.keys()[who].address()
    }

    /// The client sending as anvil account `who`.
    pub fn client(&self, who: usize) -> Client {
        self.chain.client.as_sender(self.address(who))
    }

    pub async fn mint(&self, token: Address, who: usize, amount: U256) {
        local::mint(&self.client(ADMIN), token, self.address(who), amount).await.unwrap();
    }

    pub async fn balance(&self, token: Address, who: usize) -> U256 {
        self.chain.client.balance_of(token, self.address(who)).await.unwrap()
    }

    /// Builds the calls of an action and sends them all as `who`.
    pub async fn act(&self, calls: eyre::Result<Vec<Call>>) {
        let calls = calls.unwrap_or_else(|e| panic!("{e:#}"));
        self.chain.client.send_all(&calls).await.unwrap_or_else(|e| panic!("{e:#}"));
    }

    /// Time passes; every mock feed is re-published.
    pub async fn advance(&self, seconds: u64) {
        local::advance_time(&self.client(ADMIN), seconds).await.unwrap();
    }

    pub async fn set_price(&self, feed: Address, answer: i64) {
        local::set_price(&self.client(ADMIN), feed, I256::try_from(answer).unwrap()).await.unwrap();
    }

    /// The next block will carry `timestamp` (anvil allows the latest block's own).
    pub async fn next_block_at(&self, timestamp: u64) {
        let provider = self.chain.client.provider();
        let _: serde_json::Value =
            provider.raw_request("evm_setNextBlockTimestamp".into(), (timestamp,)).await.unwrap();
    }

    pub async fn now(&self) -> u64 {
        self.chain.client.now().await.unwrap()
    }
}

/// The [`pools_sdk::Refusal`] inside an error, or a panic naming what came instead.
pub fn refusal(result: eyre::Result<impl std::fmt::Debug>) -> pools_sdk::Refusal {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(e) => e.downcast_ref::<pools_sdk::Refusal>().cloned().unwrap_or_else(|| panic!("not a refusal: {e:#}")),
    }
}

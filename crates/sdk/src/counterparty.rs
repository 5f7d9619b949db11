//! `CounterpartyPool` and `AdminCounterpartyPool`: statuses (with what can be done next) and
//! the calls of every owner, lender and archiving action. Both share `ICounterpartyPool`, so
//! one set of calls serves both; only the `pools` getter differs.

use std::{fmt, str::FromStr};

use alloy::primitives::{Address, U256};
use bindings::{AdminCounterpartyPool, CounterpartyPool, counterparty_pool::ICounterpartyPool};
use eyre::{Result, bail};
use serde::Serialize;

use crate::{Call, Client, errors::InWords};

/// Which counterparty contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// `CounterpartyPool`: anyone borrows, paying a creation fee.
    Default,
    /// `AdminCounterpartyPool`: only the admin borrows.
    Admin,
}

impl FromStr for Variant {
    type Err = eyre::Report;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "default" | "counterparty" => Ok(Self::Default),
            "admin" | "admin-counterparty" => Ok(Self::Admin),
            other => bail!("unknown counterparty variant `{other}`: use `default` or `admin`"),
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Default => "counterparty",
            Self::Admin => "admin counterparty",
        })
    }
}

/// A counterparty pool and what can be done with it now.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CounterpartyPoolInfo {
    /// The contract.
    pub variant: Variant,
    /// Pool id.
    pub id: u64,
    /// CREATED, ACTIVE, CLOSED or ARCHIVED (and `defaulted`).
    pub status: &'static str,
    /// Whether it defaulted.
    pub defaulted: bool,
    /// The borrower.
    pub owner: Address,
    /// Commits needed to collect, USDC base units.
    pub soft_cap: U256,
    /// Commits allowed, USDC base units.
    pub hard_cap: U256,
    /// Committed, USDC base units.
    pub committed: U256,
    /// Rewards deposited, USDC base units.
    pub rewards: U256,
    /// Rewards paid out, USDC base units.
    pub paid_out: U256,
    /// Commit deadline.
    pub deadline: u64,
    /// The owner can collect now.
    pub collectable: bool,
    /// It can be closed now.
    pub closable: bool,
    /// It can be archived now.
    pub archivable: bool,
    /// Flat return owed over the deal, on the 1e8 scale (2,000,000 = 2 %).
    pub minimum_apr: u64,
    /// Rewards an ACTIVE pool needs before it can close (commits + minimum APR), USDC base units.
    pub required_rewards: U256,
    /// After this time an ACTIVE pool short of its rewards can be declared in default.
    pub repayment_date: u64,
    /// When it was closed (0 while not closed).
    pub closed_time: u64,
}

/// A lender's commit.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Commit {
    /// The contract.
    pub variant: Variant,
    /// Pool id.
    pub pool_id: u64,
    /// The lender.
    pub user: Address,
    /// Committed, USDC base units.
    pub amount: U256,
    /// Rewards received, USDC base units.
    pub claimed: U256,
    /// Rewards claimable now, USDC base units.
    pub claimable: U256,
}

const STATUS_NAMES: [&str; 4] = ["CREATED", "ACTIVE", "CLOSED", "ARCHIVED"];

impl Client {
    /// The address of a counterparty variant.
    pub fn counterparty_address(&self, variant: Variant) -> Address {
        match variant {
            Variant::Default => self.deployment().counterparty_pool.proxy,
            Variant::Admin => self.deployment().admin_counterparty_pool.proxy,
        }
    }

    pub(crate) fn counterparty(
        &self,
        variant: Variant,
    ) -> CounterpartyPool::CounterpartyPoolInstance<&alloy::providers::DynProvider> {
        CounterpartyPool::new(self.counterparty_address(variant), self.provider())
    }

    /// Every pool of a counterparty variant.
    pub async fn counterparty_pools(&self, variant: Variant) -> Result<Vec<CounterpartyPoolInfo>> {
        let count = self.counterparty_pool_count(variant).await?;
        let mut pools = Vec::with_capacity(usize::try_from(count)?);
        for id in 0..count {
            pools.push(self.counterparty_pool_info(variant, id).await?);
        }
        Ok(pools)
    }

    /// One counterparty pool with its next possible actions.
    pub async fn counterparty_pool_info(&self, variant: Variant, id: u64) -> Result<CounterpartyPoolInfo> {
        let contract = self.counterparty(variant);
        let pid = U256::from(id);
        let (soft_cap, hard_cap, committed, rewards, paid_out, deadline, status, owner, apr, closed) = match variant {
            Variant::Default => {
                let p = contract.pools(pid).call().await.in_words()?;
                (
                    p.softCap,
                    p.hardCap,
                    p.totalCommitted,
                    p.totalRewards,
                    p.rewardsPaidOut,
                    p.deadline,
                    p.poolStatus,
                    p.poolOwner,
                    p.minimumAPR,
                    p.closedTime,
                )
            }
            Variant::Admin => {
                let p = AdminCounterpartyPool::new(contract.address().to_owned(), self.provider())
                    .pools(pid)
                    .call()
                    .await
                    .in_words()?;
                (
                    p.softCap,
                    p.hardCap,
                    p.totalCommitted,
                    p.totalRewards,
                    p.rewardsPaidOut,
                    p.deadline,
                    p.poolStatus,
                    p.poolOwner,
                    p.minimumAPR,
                    p.closedTime,
                )
            }
        };
        let actions = contract.poolActions(pid).call().await.in_words()?;
        let repayment = contract.repaymentInfo(pid).call().await.in_words()?;
        let required_rewards = contract.requiredRewards(pid).call().await.in_words()?;
        Ok(CounterpartyPoolInfo {
            variant,
            id,
            status: STATUS_NAMES.get(usize::from(status)).copied().unwrap_or("UNKNOWN"),
            defaulted: repayment.defaulted,
            owner,
            soft_cap,
            hard_cap,
            committed,
            rewards,
            paid_out,
            deadline: deadline.to::<u64>(),
            collectable: actions.collectable,
            closable: actions.closable,
            archivable: actions.archivable,
            minimum_apr: apr.to::<u64>(),
            required_rewards,
            repayment_date: repayment.repaymentDate.to::<u64>(),
            closed_time: closed.to::<u64>(),
        })
    }

    /// `user`'s commits in every pool of a variant.
    pub async fn commits(&self, variant: Variant, user: Address) -> Result<Vec<Commit>> {
        let contract = self.counterparty(variant);
        let count = self.counterparty_pool_count(variant).await?;
        let mut commits = Vec::new();
        for pool_id in 0..count {
            let pid = U256::from(pool_id);
            let c = contract.poolCommits(user, pid).call().await.in_words()?;
            if c.amount.is_zero() {
                continue;
            }
            let claimable = contract.claimableRewards(pid, user).call().await.in_words()?;
            commits.push(Commit { variant, pool_id, user, amount: c.amount, claimed: c.claimedAmount, claimable });
        }
        Ok(commits)
    }

    /// Create a pool raising between `soft_cap` and `hard_cap` USDC until `deadline`, with
    /// `minimum_apr` (1e8 scale, flat over the deal) and ERC-20 collateral `(token, amount)`.
    /// The default variant also takes its creation fee in USDC.
    pub async fn create_pool(
        &self,
        variant: Variant,
        soft_cap: U256,
        hard_cap: U256,
        deadline: u64,
        minimum_apr: u64,
        collateral: &[(Address, U256)],
    ) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.counterparty_address(variant);
        let usdc = self.usdc_units().await?;
        let mut calls = Vec::new();
        if variant == Variant::Default {
            let fee = CounterpartyPool::new(target, self.provider()).POOL_CREATION_FEE().call().await.in_words()?;
            self.require_balance(self.deployment().usdc, fee).await?;
            calls.extend(self.approval_if_needed(self.deployment().usdc, target, fee).await?);
        }
        let mut items = Vec::new();
        let mut described = Vec::new();
        for &(token, amount) in collateral {
            self.require_balance(token, amount).await?;
            calls.extend(self.approval_if_needed(token, target, amount).await?);
            items.push(ICounterpartyPool::CollateralToken { contractAddress: token, amount, id: U256::ZERO });
            described.push(self.token_units(token).await?.format(amount));
        }
        let call = CounterpartyPool::createPoolCall {
            softCap: soft_cap,
            hardCap: hard_cap,
            deadline: alloy::primitives::Uint::<48, 1>::from(deadline),
            minimumAPR: alloy::primitives::Uint::<48, 1>::from(minimum_apr),
            collateralTokens: items,
        };
        let words = format!(
            "create a {variant} pool raising {} to {} with {} as collateral",
            usdc.format(soft_cap),
            usdc.format(hard_cap),
            if described.is_empty() { "nothing".to_owned() } else { described.join(" + ") }
        );
        calls.push(Call::new(words, from, target, &call));
        Ok(calls)
    }

    /// Commit `usdc` to a counterparty pool.
    pub async fn commit(&self, variant: Variant, pool_id: u64, usdc: U256) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.counterparty_address(variant);
        self.require_balance(self.deployment().usdc, usdc).await?;
        let mut calls: Vec<Call> =
            self.approval_if_needed(self.deployment().usdc, target, usdc).await?.into_iter().collect();
        let call = CounterpartyPool::commitToPoolCall { poolId: U256::from(pool_id), amount: usdc };
        let words = format!("commit {} to {variant} pool {pool_id}", self.usdc_units().await?.format(usdc));
        calls.push(Call::new(words, from, target, &call));
        Ok(calls)
    }

    /// Deposit `usdc` of repayment to a counterparty pool (its owner).
    pub async fn deposit_rewards(&self, variant: Variant, pool_id: u64, usdc: U256) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.counterparty_address(variant);
        self.require_balance(self.deployment().usdc, usdc).await?;
        let mut calls: Vec<Call> =
            self.approval_if_needed(self.deployment().usdc, target, usdc).await?.into_iter().collect();
        let call = CounterpartyPool::depositRewardsCall { poolId: U256::from(pool_id), amount: usdc };
        let words = format!("deposit {} of rewards to {variant} pool {pool_id}", self.usdc_units().await?.format(usdc));
        calls.push(Call::new(words, from, target, &call));
        Ok(calls)
    }

    /// Take back the sender's commit.
    pub fn uncommit(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let call = CounterpartyPool::uncommitFromPoolCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, format!("take back the commit to {variant} pool {pool_id}"), &call)
    }

    /// Collect the commits (owner).
    pub fn collect(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let call = CounterpartyPool::collectPoolCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, format!("collect {variant} pool {pool_id}"), &call)
    }

    /// Close the pool.
    pub fn close(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let call = CounterpartyPool::closePoolCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, format!("close {variant} pool {pool_id}"), &call)
    }

    /// Archive the pool.
    pub fn archive(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let call = CounterpartyPool::archivePoolCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, format!("archive {variant} pool {pool_id}"), &call)
    }

    /// Claim the sender's rewards.
    pub fn claim_rewards(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let call = CounterpartyPool::claimCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, format!("claim rewards of {variant} pool {pool_id}"), &call)
    }

    /// Declare the pool in default.
    pub fn declare_default(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let call = CounterpartyPool::declareDefaultCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, format!("declare {variant} pool {pool_id} in default"), &call)
    }

    /// Take the sender's share of a defaulted pool's collateral.
    pub fn claim_default_collateral(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let call = CounterpartyPool::claimDefaultCollateralCall { poolId: U256::from(pool_id) };
        self.counterparty_call(
            variant,
            format!("claim the collateral share of defaulted {variant} pool {pool_id}"),
            &call,
        )
    }

    fn counterparty_call(
        &self,
        variant: Variant,
        words: String,
        call: &impl alloy::sol_types::SolCall,
    ) -> Result<Vec<Call>> {
        Ok(vec![Call::new(words, self.sender()?, self.counterparty_address(variant), call)])
    }
}

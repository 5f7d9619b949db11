//! `CounterpartyPool` and `AdminCounterpartyPool`: statuses (with what can be done next) and
//! the calls of every owner, lender and archiving action. Both share `ICounterpartyPool`, so
//! one set of calls serves both; only the `pools` getter differs.

use std::{fmt, str::FromStr};

use alloy::primitives::{Address, U256};
use bindings::{AdminCounterpartyPool, CounterpartyPool, counterparty_pool::ICounterpartyPool};
use eyre::{Result, bail};
use serde::Serialize;

use crate::{
    Call, Client,
    errors::InWords,
    refusal::{RefusalKind, format_utc, refuse},
};

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
    /// The default variant also takes its creation fee in USDC. Refused first when the contract
    /// is paused, the sender lacks the admin role (admin variant), the caps or deadline are out
    /// of range, the collateral list is too long or has a zero amount, or a balance is short.
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
        let article = if variant == Variant::Admin { "an" } else { "a" };
        let action =
            format!("create {article} {variant} pool raising {} to {}", usdc.format(soft_cap), usdc.format(hard_cap));
        self.refuse_if_counterparty_paused(&action, variant).await?;
        if variant == Variant::Admin && !self.is_counterparty_admin(variant, from).await? {
            return refuse(
                RefusalKind::Role,
                &action,
                format!(
                    "only the admin creates admin counterparty pools, and {} lacks the admin role",
                    self.name(from)
                ),
            );
        }
        if soft_cap > hard_cap {
            return refuse(RefusalKind::Amount, &action, "the soft cap is above the hard cap");
        }
        if hard_cap.is_zero() {
            return refuse(RefusalKind::Amount, &action, "the hard cap must be above zero");
        }
        let now = self.now().await?;
        if deadline <= now {
            return refuse(RefusalKind::Timing, &action, format!("the deadline {} has passed", format_utc(deadline)));
        }
        if deadline > now + MAX_DEADLINE {
            return refuse(
                RefusalKind::Timing,
                &action,
                format!(
                    "the deadline {} is more than a year ahead (latest {})",
                    format_utc(deadline),
                    format_utc(now + MAX_DEADLINE)
                ),
            );
        }
        if collateral.len() > MAX_COLLATERAL_TOKENS {
            return refuse(
                RefusalKind::Input,
                &action,
                format!("a pool takes at most {MAX_COLLATERAL_TOKENS} collateral items, not {}", collateral.len()),
            );
        }
        let mut calls = Vec::new();
        if variant == Variant::Default {
            let fee = CounterpartyPool::new(target, self.provider()).POOL_CREATION_FEE().call().await.in_words()?;
            self.require_balance(&action, self.deployment().usdc, fee).await?;
            calls.extend(self.approval_if_needed(self.deployment().usdc, target, fee).await?);
        }
        let mut items = Vec::new();
        let mut described = Vec::new();
        for (index, &(token, amount)) in collateral.iter().enumerate() {
            if amount.is_zero() {
                return refuse(RefusalKind::Amount, &action, format!("collateral item {index} has a zero amount"));
            }
            self.require_balance(&action, token, amount).await?;
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
            "{action} with {} as collateral",
            if described.is_empty() { "nothing".to_owned() } else { described.join(" + ") }
        );
        calls.push(Call::new(words, from, target, &call));
        Ok(calls)
    }

    /// Commit `usdc` to a counterparty pool. Refused first when the contract is paused, the
    /// pool is missing or not CREATED, the sender owns it, its deadline passed, the amount is
    /// zero or over the hard cap, or the sender's USDC is short.
    pub async fn commit(&self, variant: Variant, pool_id: u64, usdc: U256) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.counterparty_address(variant);
        let units = self.usdc_units().await?;
        let action = format!("commit {} to {variant} pool {pool_id}", units.format(usdc));
        self.refuse_if_counterparty_paused(&action, variant).await?;
        let p = self.existing_counterparty_pool(&action, variant, pool_id).await?;
        Self::require_status(&action, &p, &["CREATED"])?;
        if from == p.owner {
            return refuse(RefusalKind::Role, &action, "its owner cannot commit to it");
        }
        if self.now().await? > p.deadline {
            return refuse(RefusalKind::Timing, &action, format!("its deadline passed on {}", format_utc(p.deadline)));
        }
        if usdc.is_zero() {
            return refuse(RefusalKind::Amount, &action, "the amount must be above zero");
        }
        let room = p.hard_cap.saturating_sub(p.committed);
        if usdc > room {
            return refuse(
                RefusalKind::Amount,
                &action,
                format!("only {} is left under its hard cap of {}", units.format(room), units.format(p.hard_cap)),
            );
        }
        self.require_balance(&action, self.deployment().usdc, usdc).await?;
        let mut calls: Vec<Call> =
            self.approval_if_needed(self.deployment().usdc, target, usdc).await?.into_iter().collect();
        let call = CounterpartyPool::commitToPoolCall { poolId: U256::from(pool_id), amount: usdc };
        calls.push(Call::new(action, from, target, &call));
        Ok(calls)
    }

    /// Deposit `usdc` of repayment to a counterparty pool (its borrower). Refused first when the
    /// pool is missing or not ACTIVE, the sender is not its borrower, the amount is zero, or the
    /// sender's USDC is short. Deposits stay open while the contract is paused.
    pub async fn deposit_rewards(&self, variant: Variant, pool_id: u64, usdc: U256) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.counterparty_address(variant);
        let units = self.usdc_units().await?;
        let action = format!("deposit {} of rewards to {variant} pool {pool_id}", units.format(usdc));
        let p = self.existing_counterparty_pool(&action, variant, pool_id).await?;
        self.require_borrower(&action, &p).await?;
        Self::require_status(&action, &p, &["ACTIVE"])?;
        if usdc.is_zero() {
            return refuse(RefusalKind::Amount, &action, "the amount must be above zero");
        }
        self.require_balance(&action, self.deployment().usdc, usdc).await?;
        let mut calls: Vec<Call> =
            self.approval_if_needed(self.deployment().usdc, target, usdc).await?.into_iter().collect();
        let call = CounterpartyPool::depositRewardsCall { poolId: U256::from(pool_id), amount: usdc };
        calls.push(Call::new(action, from, target, &call));
        Ok(calls)
    }

    /// Take back the sender's commit. Refused first when the contract is paused, the pool is
    /// missing or not CREATED, it can still be collected (commits stay until then), or the
    /// sender has no commit.
    pub async fn uncommit(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let action = format!("take back the commit to {variant} pool {pool_id}");
        self.refuse_if_counterparty_paused(&action, variant).await?;
        let p = self.existing_counterparty_pool(&action, variant, pool_id).await?;
        Self::require_status(&action, &p, &["CREATED"])?;
        let window_end = p.deadline + COLLECT_WINDOW;
        match variant {
            Variant::Default if p.collectable => {
                return refuse(
                    RefusalKind::Timing,
                    &action,
                    format!("its owner can collect it until {}: commits stay until then", format_utc(window_end)),
                );
            }
            Variant::Admin if self.now().await? <= window_end => {
                return refuse(
                    RefusalKind::Timing,
                    &action,
                    format!("the admin may collect it until {}: commits stay until then", format_utc(window_end)),
                );
            }
            _ => {}
        }
        self.require_commit(&action, variant, pool_id).await?;
        let call = CounterpartyPool::uncommitFromPoolCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, action, &call)
    }

    /// Refuses a sender with no commit in the pool.
    async fn require_commit(&self, action: &str, variant: Variant, pool_id: u64) -> Result<U256> {
        let from = self.sender()?;
        let amount = self.counterparty(variant).poolCommits(from, U256::from(pool_id)).call().await.in_words()?.amount;
        if amount.is_zero() {
            return refuse(RefusalKind::NotFound, action, format!("{} has no commit in it", self.name(from)));
        }
        Ok(amount)
    }

    /// Collect the commits (the borrower). Refused first when the contract is paused, the pool
    /// is missing, the sender is not its borrower, it is not CREATED, the soft cap is not met
    /// (default) or nothing is committed (admin), or the collect window is not open.
    pub async fn collect(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let action = format!("collect {variant} pool {pool_id}");
        self.refuse_if_counterparty_paused(&action, variant).await?;
        let p = self.existing_counterparty_pool(&action, variant, pool_id).await?;
        self.require_borrower(&action, &p).await?;
        Self::require_status(&action, &p, &["CREATED"])?;
        let units = self.usdc_units().await?;
        let now = self.now().await?;
        if variant == Variant::Default && (p.committed < p.soft_cap || p.committed.is_zero()) {
            return refuse(
                RefusalKind::Amount,
                &action,
                format!(
                    "its commits ({}) have not reached the soft cap of {}",
                    units.format(p.committed),
                    units.format(p.soft_cap)
                ),
            );
        }
        if variant == Variant::Admin && p.committed.is_zero() {
            return refuse(RefusalKind::Amount, &action, "nothing is committed to it");
        }
        if variant == Variant::Default && now < p.deadline {
            return refuse(
                RefusalKind::Timing,
                &action,
                format!("its deadline is {}: collecting opens then", format_utc(p.deadline)),
            );
        }
        if now > p.deadline + COLLECT_WINDOW {
            return refuse(
                RefusalKind::Timing,
                &action,
                format!("its collect window closed on {}", format_utc(p.deadline + COLLECT_WINDOW)),
            );
        }
        let call = CounterpartyPool::collectPoolCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, action, &call)
    }

    /// Close the pool (its borrower). Refused first when the pool is missing, the sender is not
    /// its borrower, an ACTIVE pool's rewards are short of what it owes, or a CREATED pool can
    /// still be collected, still holds commits or has not reached its deadline. Closing stays
    /// open while the contract is paused.
    pub async fn close(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let action = format!("close {variant} pool {pool_id}");
        let p = self.existing_counterparty_pool(&action, variant, pool_id).await?;
        self.require_borrower(&action, &p).await?;
        let units = self.usdc_units().await?;
        match (p.status, variant) {
            ("ACTIVE", _) if p.rewards < p.required_rewards => {
                return refuse(
                    RefusalKind::Amount,
                    &action,
                    format!(
                        "it needs {} of rewards to close and has {}: deposit {} more first",
                        units.format(p.required_rewards),
                        units.format(p.rewards),
                        units.format(p.required_rewards - p.rewards)
                    ),
                );
            }
            ("ACTIVE", _) => {}
            ("CREATED", Variant::Default) => {
                if self.now().await? <= p.deadline {
                    return refuse(
                        RefusalKind::Timing,
                        &action,
                        format!("its deadline {} has not passed", format_utc(p.deadline)),
                    );
                }
                if p.collectable {
                    return refuse(RefusalKind::Status, &action, "its owner can still collect it");
                }
                if !p.committed.is_zero() {
                    return refuse(
                        RefusalKind::Status,
                        &action,
                        format!("lenders still have {} committed: they take it back first", units.format(p.committed)),
                    );
                }
            }
            _ => Self::require_status(&action, &p, &["ACTIVE"])?,
        }
        let call = CounterpartyPool::closePoolCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, action, &call)
    }

    /// Archive the pool (its owner or the admin). Refused first when the pool is missing, the
    /// sender is neither, or it is not archivable yet (60 days after closing or past the
    /// deadline, every reward and default collateral handed out, nothing committed).
    pub async fn archive(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let action = format!("archive {variant} pool {pool_id}");
        let from = self.sender()?;
        let p = self.existing_counterparty_pool(&action, variant, pool_id).await?;
        let owner = variant == Variant::Default && from == p.owner;
        if !owner && !self.is_counterparty_admin(variant, from).await? {
            return refuse(RefusalKind::Role, &action, "only its owner or the admin can archive it");
        }
        let now = self.now().await?;
        let units = self.usdc_units().await?;
        match p.status {
            "CLOSED" if now < p.closed_time + ARCHIVE_DELAY => refuse(
                RefusalKind::Timing,
                &action,
                format!(
                    "it can be archived from {} (60 days after closing)",
                    format_utc(p.closed_time + ARCHIVE_DELAY)
                ),
            ),
            "CLOSED" if p.paid_out < p.rewards => refuse(
                RefusalKind::Status,
                &action,
                format!("{} of its rewards are not claimed yet", units.format(p.rewards - p.paid_out)),
            ),
            "CLOSED" if !p.archivable => {
                refuse(RefusalKind::Status, &action, "its default collateral is not all handed out yet")
            }
            "CREATED" if now < p.deadline + ARCHIVE_DELAY => refuse(
                RefusalKind::Timing,
                &action,
                format!(
                    "it can be archived from {} (60 days after its deadline)",
                    format_utc(p.deadline + ARCHIVE_DELAY)
                ),
            ),
            "CREATED" if !p.committed.is_zero() => refuse(
                RefusalKind::Status,
                &action,
                format!("lenders still have {} committed", units.format(p.committed)),
            ),
            "CLOSED" | "CREATED" => {
                let call = CounterpartyPool::archivePoolCall { poolId: U256::from(pool_id) };
                self.counterparty_call(variant, action, &call)
            }
            _ => Self::require_status(&action, &p, &["CLOSED", "CREATED"]).map(|()| Vec::new()),
        }
    }

    /// Claim the sender's rewards. Refused first when the contract is paused, the pool is
    /// missing or neither ACTIVE nor CLOSED, the sender has no commit, or nothing is claimable.
    pub async fn claim_rewards(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let action = format!("claim rewards of {variant} pool {pool_id}");
        self.refuse_if_counterparty_paused(&action, variant).await?;
        let p = self.existing_counterparty_pool(&action, variant, pool_id).await?;
        Self::require_status(&action, &p, &["ACTIVE", "CLOSED"])?;
        self.require_commit(&action, variant, pool_id).await?;
        if self.claimable_rewards(variant, pool_id, self.sender()?).await?.is_zero() {
            return refuse(RefusalKind::Amount, &action, "nothing is claimable now");
        }
        let call = CounterpartyPool::claimCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, action, &call)
    }

    /// Declare the pool in default. Refused first when the contract is paused, the pool is
    /// missing or not ACTIVE, or (for anyone but the admin) its repayment date has not come or
    /// its rewards already cover what it owes.
    pub async fn declare_default(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let action = format!("declare {variant} pool {pool_id} in default");
        self.refuse_if_counterparty_paused(&action, variant).await?;
        let p = self.existing_counterparty_pool(&action, variant, pool_id).await?;
        Self::require_status(&action, &p, &["ACTIVE"])?;
        if !self.is_counterparty_admin(variant, self.sender()?).await? {
            if self.now().await? < p.repayment_date {
                return refuse(
                    RefusalKind::Timing,
                    &action,
                    format!("its repayment date is {}", format_utc(p.repayment_date)),
                );
            }
            if p.rewards >= p.required_rewards {
                return refuse(RefusalKind::Status, &action, "its rewards cover what it owes");
            }
        }
        let call = CounterpartyPool::declareDefaultCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, action, &call)
    }

    /// Take the sender's share of a defaulted pool's collateral. Refused first when the contract
    /// is paused, the pool is missing or has not defaulted, or the sender has no commit.
    pub async fn claim_default_collateral(&self, variant: Variant, pool_id: u64) -> Result<Vec<Call>> {
        let action = format!("claim the collateral share of defaulted {variant} pool {pool_id}");
        self.refuse_if_counterparty_paused(&action, variant).await?;
        let p = self.existing_counterparty_pool(&action, variant, pool_id).await?;
        if !p.defaulted {
            return refuse(RefusalKind::Status, &action, "it has not defaulted");
        }
        self.require_commit(&action, variant, pool_id).await?;
        let call = CounterpartyPool::claimDefaultCollateralCall { poolId: U256::from(pool_id) };
        self.counterparty_call(variant, action, &call)
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

/// How far ahead a deadline may be (seconds): `MAX_DEADLINE`.
const MAX_DEADLINE: u64 = 365 * 86_400;
/// After the deadline, how long the borrower may collect (seconds): `COLLECT_WINDOW`.
const COLLECT_WINDOW: u64 = 30 * 86_400;
/// How long after closing (or past the deadline) a pool can be archived (seconds): `ARCHIVE_DELAY`.
const ARCHIVE_DELAY: u64 = 60 * 86_400;
/// Most collateral items per pool: `MAX_COLLATERAL_TOKENS`.
const MAX_COLLATERAL_TOKENS: usize = 10;

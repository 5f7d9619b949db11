//! `ERC20CollateralPool`: reads for status and the calls of every user action.

use alloy::primitives::{Address, U256};
use bindings::{ERC20CollateralPool, erc20_collateral_pool::IERC20CollateralPool};
use eyre::{Result, WrapErr};
use serde::Serialize;

use crate::{
    Call, Client, TokenUnits,
    errors::InWords,
    refusal::{RefusalKind, format_utc, refuse},
    units::format_bps,
};

/// A pool of the collateral pool, in base units with its collateral's units.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CollateralPoolInfo {
    /// Pool id.
    pub id: u64,
    /// The collateral token.
    pub collateral_token: Address,
    /// Its units.
    pub collateral: TokenUnits,
    /// USDC lent, ever.
    pub lended: U256,
    /// USDC principal claimed back by lenders.
    pub claimed: U256,
    /// USDC borrowed, ever.
    pub borrowed: U256,
    /// USDC principal repaid (or liquidated).
    pub repaid: U256,
    /// Free USDC (F5).
    pub available_usdc: U256,
    /// Collateral held.
    pub collateral_held: U256,
    /// Lending stops at this time (and loans become overdue).
    pub end_time: u64,
    /// Yearly interest of new borrows, bps.
    pub interest_bps: u32,
    /// Loan-to-value bound, bps.
    pub ltv_bps: u32,
    /// Collateral risk factor, bps (≥ 10,000).
    pub factor_bps: u32,
    /// Lending cap: outstanding lent + repaid − borrowed may not exceed it (F4), USDC base units.
    pub max_pool_capacity: U256,
    /// Smallest lend, USDC base units.
    pub min_lended: U256,
    /// Smallest borrow (and smallest remainder of a partial repay), USDC base units.
    pub min_borrow: U256,
    /// Interest paid in, USDC base units.
    pub rewards: U256,
    /// Rewards paid out to lenders, USDC base units.
    pub claimed_rewards: U256,
    /// The collateral's USD price feed.
    pub price_feed: Address,
}

impl CollateralPoolInfo {
    /// Outstanding borrows over outstanding lending, bps: (borrowed − repaid) / (lended − claimed).
    pub fn utilisation_bps(&self) -> Option<U256> {
        let lent = self.lended.saturating_sub(self.claimed);
        let borrowed = self.borrowed.saturating_sub(self.repaid);
        (!lent.is_zero()).then(|| borrowed * U256::from(10_000u64) / lent)
    }

    /// Utilisation as `42.5%`, or `-` with nothing lent.
    pub fn utilisation(&self) -> String {
        self.utilisation_bps().map(format_bps).unwrap_or_else(|| "-".into())
    }
}

/// A lend position of a user.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LendPosition {
    /// Pool id.
    pub pool_id: u64,
    /// Position id.
    pub lend_id: u64,
    /// The lender.
    pub user: Address,
    /// Principal still lent, USDC base units.
    pub principal: U256,
    /// Rewards earned so far, USDC base units.
    pub rewards: U256,
}

/// A borrow position of a user.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BorrowPosition {
    /// Pool id.
    pub pool_id: u64,
    /// Position id.
    pub borrow_id: u64,
    /// The borrower.
    pub user: Address,
    /// Principal still owed, USDC base units.
    pub principal: U256,
    /// Collateral locked, collateral base units.
    pub collateral: U256,
    /// Interest owed now, USDC base units.
    pub interest: U256,
    /// Whether anyone may liquidate it now (unhealthy or overdue).
    pub liquidatable: bool,
}

impl Client {
    pub(crate) fn collateral_pool(
        &self,
    ) -> ERC20CollateralPool::ERC20CollateralPoolInstance<&alloy::providers::DynProvider> {
        ERC20CollateralPool::new(self.deployment().collateral_pool.proxy, self.provider())
    }

    /// The USDC units (6 decimals, symbol read on chain).
    pub async fn usdc_units(&self) -> Result<TokenUnits> {
        self.token_units(self.deployment().usdc).await
    }

    /// Every pool of the collateral pool.
    pub async fn collateral_pools(&self) -> Result<Vec<CollateralPoolInfo>> {
        let count = self.collateral_pool_count().await?;
        let mut pools = Vec::with_capacity(usize::try_from(count)?);
        for id in 0..count {
            pools.push(self.collateral_pool_info(id).await?);
        }
        Ok(pools)
    }

    /// One pool of the collateral pool.
    pub async fn collateral_pool_info(&self, id: u64) -> Result<CollateralPoolInfo> {
        let pool = self.collateral_pool();
        let p = pool.pools(U256::from(id)).call().await.wrap_err_with(|| format!("reading collateral pool {id}"))?;
        let available = pool.getAvailableAmountsInPool(U256::from(id)).call().await.in_words()?;
        let token = p.collateralDetails.collateralToken;
        Ok(CollateralPoolInfo {
            id,
            collateral_token: token,
            collateral: self.token_units(token).await?,
            lended: p.amounts.lended,
            claimed: p.amounts.claimed,
            borrowed: p.amounts.borrowed,
            repaid: p.amounts.repaid,
            available_usdc: available.availableUSDC,
            collateral_held: available.availableCollateralTokens,
            end_time: p.endTime.to::<u64>(),
            interest_bps: p.interest.to::<u32>(),
            ltv_bps: p.collateralDetails.collateralTokenLTVPercentage.to::<u32>(),
            factor_bps: p.collateralDetails.collateralTokenFactor.to::<u32>(),
            max_pool_capacity: p.collateralDetails.maxPoolCapacity,
            min_lended: p.collateralDetails.minLended,
            min_borrow: p.collateralDetails.minBorrow,
            rewards: p.amounts.rewards,
            claimed_rewards: p.amounts.claimedRewards,
            price_feed: p.collateralDetails.collateralTokenPriceOracle,
        })
    }

    /// Lend positions of `user` with principal left, in every pool.
    pub async fn lend_positions(&self, user: Address) -> Result<Vec<LendPosition>> {
        let pool = self.collateral_pool();
        let count: u64 = pool.poolsLength().call().await.in_words()?.try_into()?;
        let mut positions = Vec::new();
        for pool_id in 0..count {
            let id = U256::from(pool_id);
            let n: u64 = pool.lendingsLength(id, user).call().await.in_words()?.try_into()?;
            for lend_id in 0..n {
                let l = pool.lendings(id, user, U256::from(lend_id)).call().await.in_words()?;
                if l.usdcAmount.is_zero() {
                    continue;
                }
                let rewards = pool.calculateReward(id, U256::from(lend_id), user).call().await.in_words()?;
                positions.push(LendPosition { pool_id, lend_id, user, principal: l.usdcAmount, rewards });
            }
        }
        Ok(positions)
    }

    /// Borrow positions of `user` with principal left, in every pool.
    pub async fn borrow_positions(&self, user: Address) -> Result<Vec<BorrowPosition>> {
        let pool = self.collateral_pool();
        let count: u64 = pool.poolsLength().call().await.in_words()?.try_into()?;
        let mut positions = Vec::new();
        for pool_id in 0..count {
            let id = U256::from(pool_id);
            let n: u64 = pool.borrowsLength(id, user).call().await.in_words()?.try_into()?;
            for borrow_id in 0..n {
                let bid = U256::from(borrow_id);
                let b = pool.borrows(id, user, bid).call().await.in_words()?;
                if b.usdcAmount.is_zero() {
                    continue;
                }
                let interest = pool.calculateRepayInterest(id, bid, user).call().await.in_words()?;
                // A stale or missing price makes the view revert; then it is not liquidatable now.
                let liquidatable = pool.isPositionLiquidatable(id, user, bid).call().await.unwrap_or(false);
                positions.push(BorrowPosition {
                    pool_id,
                    borrow_id,
                    user,
                    principal: b.usdcAmount,
                    collateral: b.collateralTokenAmount,
                    interest,
                    liquidatable,
                });
            }
        }
        Ok(positions)
    }

    /// Borrow positions of `users` that can be liquidated now.
    pub async fn liquidatable_loans(&self, users: &[Address]) -> Result<Vec<BorrowPosition>> {
        let mut loans = Vec::new();
        for &user in users {
            loans.extend(self.borrow_positions(user).await?.into_iter().filter(|b| b.liquidatable));
        }
        Ok(loans)
    }

    /// Collateral needed now to borrow `usdc` from pool `pool_id` (F6).
    pub async fn required_collateral(&self, pool_id: u64, usdc: U256) -> Result<U256> {
        self.collateral_pool().calculateCollateralTokenAmount(U256::from(pool_id), usdc).call().await.in_words()
    }

    /// Lend `usdc` to pool `pool_id` (with the USDC approval when needed). Refused first when
    /// the pool is paused, missing or ended, the amount is under its minimum or over its
    /// capacity, or the sender's USDC is short.
    pub async fn lend(&self, pool_id: u64, usdc: U256) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let units = self.usdc_units().await?;
        let action = format!("lend {} to collateral pool {pool_id}", units.format(usdc));
        self.refuse_if_collateral_paused(&action).await?;
        let p = self.existing_collateral_pool(&action, pool_id).await?;
        self.refuse_if_ended(&action, &p).await?;
        if usdc.is_zero() {
            return refuse(RefusalKind::Amount, &action, "the amount must be above zero");
        }
        if usdc < p.min_lended {
            return refuse(
                RefusalKind::Amount,
                &action,
                format!("the pool's minimum is {}", units.format(p.min_lended)),
            );
        }
        // F4, as the contract arranges it: (lended − claimed) + repaid + amount ≤ capacity + borrowed.
        let held = p.lended - p.claimed + p.repaid;
        let room = (p.max_pool_capacity + p.borrowed).saturating_sub(held);
        if usdc > room {
            return refuse(
                RefusalKind::Amount,
                &action,
                format!(
                    "only {} more fits under the pool's capacity of {}",
                    units.format(room),
                    units.format(p.max_pool_capacity)
                ),
            );
        }
        self.require_balance(&action, self.deployment().usdc, usdc).await?;
        let mut calls: Vec<Call> =
            self.approval_if_needed(self.deployment().usdc, target, usdc).await?.into_iter().collect();
        let call = ERC20CollateralPool::lendCall { poolId: U256::from(pool_id), usdcAmount: usdc };
        calls.push(Call::new(action, from, target, &call));
        Ok(calls)
    }

    /// Refuses lending and borrowing in a pool past its end time.
    async fn refuse_if_ended(&self, action: &str, pool: &CollateralPoolInfo) -> Result<()> {
        if self.now().await? >= pool.end_time {
            return refuse(RefusalKind::Timing, action, format!("the pool ended on {}", format_utc(pool.end_time)));
        }
        Ok(())
    }

    /// Borrow `usdc` from pool `pool_id` against `collateral` (default: the required amount now).
    /// Refused first when the pool is paused, missing or ended, the amount is under its minimum
    /// or over its free USDC, the collateral is short of F6, or the sender's collateral is short.
    pub async fn borrow(&self, pool_id: u64, usdc: U256, collateral: Option<U256>) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let units = self.usdc_units().await?;
        let action = format!("borrow {} from collateral pool {pool_id}", units.format(usdc));
        self.refuse_if_collateral_paused(&action).await?;
        let p = self.existing_collateral_pool(&action, pool_id).await?;
        self.refuse_if_ended(&action, &p).await?;
        if usdc.is_zero() {
            return refuse(RefusalKind::Amount, &action, "the amount must be above zero");
        }
        if usdc < p.min_borrow {
            return refuse(
                RefusalKind::Amount,
                &action,
                format!("the pool's minimum is {}", units.format(p.min_borrow)),
            );
        }
        if usdc > U256::from(u64::MAX) {
            return refuse(RefusalKind::Amount, &action, "one borrow is at most 2^64 − 1 base units");
        }
        if usdc > p.available_usdc {
            return refuse(
                RefusalKind::Amount,
                &action,
                format!("the pool has only {} free", units.format(p.available_usdc)),
            );
        }
        let required = self.required_collateral(pool_id, usdc).await?;
        let collateral = collateral.unwrap_or(required);
        if collateral < required {
            return refuse(
                RefusalKind::Amount,
                &action,
                format!(
                    "{} of collateral is not enough: it needs at least {} now",
                    p.collateral.format(collateral),
                    p.collateral.format(required)
                ),
            );
        }
        self.require_balance(&action, p.collateral_token, collateral).await?;
        let mut calls: Vec<Call> =
            self.approval_if_needed(p.collateral_token, target, collateral).await?.into_iter().collect();
        let call = ERC20CollateralPool::borrowCall {
            poolId: U256::from(pool_id),
            usdcAmount: usdc,
            collateralTokenAmount: collateral,
        };
        let words = format!("{action} against {}", p.collateral.format(collateral));
        calls.push(Call::new(words, from, target, &call));
        Ok(calls)
    }

    /// Refuses clearing `amount` of a borrow owing `owed`: nothing owed, zero, more than owed,
    /// or a remainder under the pool's minimum borrow (the rules repay and liquidation share).
    fn check_principal_reduction(
        action: &str,
        units: &TokenUnits,
        pool: &CollateralPoolInfo,
        owed: U256,
        amount: U256,
    ) -> Result<()> {
        if owed.is_zero() {
            return refuse(RefusalKind::Status, action, "the loan is already repaid or liquidated");
        }
        if amount.is_zero() {
            return refuse(RefusalKind::Amount, action, "the amount must be above zero");
        }
        if amount > owed {
            return refuse(RefusalKind::Amount, action, format!("only {} is owed", units.format(owed)));
        }
        let remaining = owed - amount;
        if !remaining.is_zero() && remaining < pool.min_borrow {
            return refuse(
                RefusalKind::Amount,
                action,
                format!(
                    "it would leave {}, under the pool's minimum borrow of {}: clear all of it or leave at least that",
                    units.format(remaining),
                    units.format(pool.min_borrow)
                ),
            );
        }
        Ok(())
    }

    /// Repay `principal` (default: all of it) of borrow `borrow_id`, with its interest. Refused
    /// first when the pool or borrow is missing, nothing is owed, the amount is wrong, or the
    /// sender's USDC is short. Repaying stays open while the pool is paused.
    pub async fn repay(&self, pool_id: u64, borrow_id: u64, principal: Option<U256>) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let units = self.usdc_units().await?;
        let mut action = format!("repay borrow {borrow_id} in collateral pool {pool_id}");
        let p = self.existing_collateral_pool(&action, pool_id).await?;
        let (owed, _) = self.existing_borrow(&action, pool_id, from, borrow_id).await?;
        let principal = principal.unwrap_or(owed);
        action = format!("repay {} of borrow {borrow_id} in collateral pool {pool_id}", units.format(principal));
        Self::check_principal_reduction(&action, &units, &p, owed, principal)?;
        let interest = self.repay_interest(pool_id, from, borrow_id, Some(principal), None).await?.interest;
        self.require_balance(&action, self.deployment().usdc, principal + interest).await?;
        // Interest keeps accruing until the transaction is mined: allow a little more.
        let allowance = principal + interest + interest / U256::from(50u64) + U256::from(1_000_000u64);
        let mut calls: Vec<Call> =
            self.approval_if_needed(self.deployment().usdc, target, allowance).await?.into_iter().collect();
        let call = ERC20CollateralPool::repayCall {
            poolId: U256::from(pool_id),
            borrowId: U256::from(borrow_id),
            repayAmount: principal,
        };
        let words = format!("{action}, with about {} interest", units.format(interest));
        calls.push(Call::new(words, from, target, &call));
        Ok(calls)
    }

    /// Claim `principal` (default: all of it) of lend position `lend_id`, with its rewards.
    /// Refused first when the pool is paused or missing, the position is missing or empty, the
    /// amount is wrong, or the pool lacks the free USDC to pay it now.
    pub async fn claim(&self, pool_id: u64, lend_id: u64, principal: Option<U256>) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let units = self.usdc_units().await?;
        let mut action = format!("claim lend position {lend_id} in collateral pool {pool_id}");
        self.refuse_if_collateral_paused(&action).await?;
        let p = self.existing_collateral_pool(&action, pool_id).await?;
        let lent = self.existing_lend(&action, pool_id, from, lend_id).await?;
        let principal = principal.unwrap_or(lent);
        action = format!("claim {} of lend position {lend_id} in collateral pool {pool_id}", units.format(principal));
        if lent.is_zero() {
            return refuse(RefusalKind::Status, &action, "the position is fully claimed");
        }
        if principal.is_zero() {
            return refuse(RefusalKind::Amount, &action, "the amount must be above zero");
        }
        if principal > lent {
            return refuse(RefusalKind::Amount, &action, format!("only {} is lent", units.format(lent)));
        }
        let quote = self.lender_reward(pool_id, from, lend_id, None).await?;
        // The reward of a part is the part's share of the accumulator; the whole's share bounds it.
        let payout = principal + quote.reward * principal / lent;
        if payout > p.available_usdc {
            return refuse(
                RefusalKind::Amount,
                &action,
                format!(
                    "the pool has only {} free now (the rest is lent out) and this pays about {}",
                    units.format(p.available_usdc),
                    units.format(payout)
                ),
            );
        }
        let claims = vec![IERC20CollateralPool::Claim { lendId: U256::from(lend_id), usdcAmount: principal }];
        let call = ERC20CollateralPool::claimCall { poolId: U256::from(pool_id), claims };
        Ok(vec![Call::new(format!("{action}, with its rewards"), from, target, &call)])
    }

    /// Refuses liquidating a loan the chain would not let go: within a day of an unpause, or
    /// healthy and not overdue.
    async fn require_liquidatable(&self, action: &str, pool_id: u64, user: Address, borrow_id: u64) -> Result<()> {
        let pool = self.collateral_pool();
        let unpaused: u64 = pool.unPausedTimestamp().call().await.in_words()?.try_into()?;
        let resumes = unpaused + PAUSE_GRACE_PERIOD;
        if self.now().await? < resumes {
            return refuse(
                RefusalKind::Timing,
                action,
                format!("liquidations resume on {} (a day after the pool was unpaused)", format_utc(resumes)),
            );
        }
        let health = self.position_health(pool_id, user, borrow_id).await?;
        if !health.liquidatable {
            return refuse(
                RefusalKind::Status,
                action,
                format!(
                    "the loan is healthy (LTV {} under the {} threshold) and not overdue",
                    format_bps(health.ltv_bps),
                    format_bps(U256::from(health.liquidation_threshold_bps))
                ),
            );
        }
        Ok(())
    }

    /// Liquidate `principal` (default: all) of `user`'s borrow `borrow_id`. Refused first when
    /// the pool is paused or missing, the borrow is missing or cleared, the amount is wrong, the
    /// loan is healthy and not overdue, liquidations wait after an unpause, or the sender's USDC
    /// is short of the payment.
    pub async fn liquidate(
        &self,
        pool_id: u64,
        user: Address,
        borrow_id: u64,
        principal: Option<U256>,
    ) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let units = self.usdc_units().await?;
        let mut action = format!("liquidate {}'s borrow {borrow_id} in collateral pool {pool_id}", self.name(user));
        self.refuse_if_collateral_paused(&action).await?;
        let p = self.existing_collateral_pool(&action, pool_id).await?;
        let (owed, _) = self.existing_borrow(&action, pool_id, user, borrow_id).await?;
        let principal = principal.unwrap_or(owed);
        action = format!(
            "liquidate {} of {}'s borrow {borrow_id} in collateral pool {pool_id}",
            units.format(principal),
            self.name(user)
        );
        Self::check_principal_reduction(&action, &units, &p, owed, principal)?;
        self.require_liquidatable(&action, pool_id, user, borrow_id).await?;
        let quote = self.liquidation_cost(pool_id, user, borrow_id, Some(principal)).await?;
        self.require_balance(&action, self.deployment().usdc, quote.payment).await?;
        // Interest accrues until mining: the approval leaves 1 % and 1 USDC of room.
        let allowance = quote.payment + quote.payment / U256::from(100u64) + U256::from(1_000_000u64);
        let mut calls: Vec<Call> =
            self.approval_if_needed(self.deployment().usdc, target, allowance).await?.into_iter().collect();
        let liquidations =
            vec![IERC20CollateralPool::Liquidation { borrowId: U256::from(borrow_id), user, usdcAmount: principal }];
        let call = ERC20CollateralPool::liquidateCall { poolId: U256::from(pool_id), liquidations };
        let words = format!(
            "{action}: pay about {} for about {}",
            units.format(quote.payment),
            p.collateral.format(quote.collateral_received)
        );
        calls.push(Call::new(words, from, target, &call));
        Ok(calls)
    }

    /// Lender exit: the sender's lend position `lend_id` pays off all of `user`'s liquidatable
    /// borrow `borrow_id` and takes its collateral. Refused first when the pool is paused or
    /// missing, either position is missing or empty, the loan cannot be liquidated, or the lend
    /// position is worth less than the loan's debt.
    pub async fn claim_collateral(
        &self,
        pool_id: u64,
        lend_id: u64,
        user: Address,
        borrow_id: u64,
    ) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let units = self.usdc_units().await?;
        let action = format!(
            "use lend position {lend_id} to pay off {}'s borrow {borrow_id} in collateral pool {pool_id}",
            self.name(user)
        );
        self.refuse_if_collateral_paused(&action).await?;
        let p = self.existing_collateral_pool(&action, pool_id).await?;
        let lent = self.existing_lend(&action, pool_id, from, lend_id).await?;
        let (owed, _) = self.existing_borrow(&action, pool_id, user, borrow_id).await?;
        if lent.is_zero() {
            return refuse(RefusalKind::Status, &action, "the lend position is fully claimed");
        }
        Self::check_principal_reduction(&action, &units, &p, owed, owed)?;
        self.require_liquidatable(&action, pool_id, user, borrow_id).await?;
        let value = self.lender_reward(pool_id, from, lend_id, None).await?.claimable;
        let debt = self.repay_interest(pool_id, user, borrow_id, None, None).await?.total;
        if value < debt {
            return refuse(
                RefusalKind::Amount,
                &action,
                format!(
                    "the lend position is worth {}, less than the {} the loan owes",
                    units.format(value),
                    units.format(debt)
                ),
            );
        }
        let claims = vec![IERC20CollateralPool::Claim { lendId: U256::from(lend_id), usdcAmount: lent }];
        let liquidations =
            vec![IERC20CollateralPool::Liquidation { borrowId: U256::from(borrow_id), user, usdcAmount: owed }];
        let call = ERC20CollateralPool::claimCollateralCall { poolId: U256::from(pool_id), claims, liquidations };
        Ok(vec![Call::new(format!("{action} and take its collateral"), from, target, &call)])
    }

    /// Set the collateral of borrow `borrow_id` to `amount` (adding needs an approval), refusing
    /// if the resulting LTV would exceed `max_ltv_bps`. Refused first when the pool or borrow is
    /// missing, the amount is unchanged, a removal meets a paused pool or leaves less than F6
    /// requires for the debt, or the sender's collateral is short of an addition.
    pub async fn change_collateral(
        &self,
        pool_id: u64,
        borrow_id: u64,
        amount: U256,
        max_ltv_bps: u32,
    ) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let mut action = format!("change the collateral of borrow {borrow_id} in collateral pool {pool_id}");
        let p = self.existing_collateral_pool(&action, pool_id).await?;
        let (owed, current) = self.existing_borrow(&action, pool_id, from, borrow_id).await?;
        action = format!(
            "change the collateral of borrow {borrow_id} in collateral pool {pool_id} from {} to {}",
            p.collateral.format(current),
            p.collateral.format(amount)
        );
        if amount == current {
            return refuse(RefusalKind::Amount, &action, "that is the collateral it already has");
        }
        let mut calls = Vec::new();
        if amount > current {
            self.require_balance(&action, p.collateral_token, amount - current).await?;
            calls.extend(self.approval_if_needed(p.collateral_token, target, amount - current).await?);
        } else {
            self.refuse_if_collateral_paused(&action).await?;
            if !owed.is_zero() {
                let debt = self.repay_interest(pool_id, from, borrow_id, None, None).await?.total;
                let required = self.required_collateral(pool_id, debt).await?;
                if amount < required {
                    return refuse(
                        RefusalKind::Amount,
                        &action,
                        format!("the debt needs at least {} of collateral now", p.collateral.format(required)),
                    );
                }
            }
        }
        let call = ERC20CollateralPool::changeCollateralAmountCall {
            poolId: U256::from(pool_id),
            borrowId: U256::from(borrow_id),
            newCollateralTokenAmount: amount,
            maxCollateralTokenLTVPercentage: U256::from(max_ltv_bps),
        };
        calls.push(Call::new(action, from, target, &call));
        Ok(calls)
    }
}

/// Liquidations wait this long after an unpause (seconds): `PAUSE_GRACE_PERIOD`.
const PAUSE_GRACE_PERIOD: u64 = 86_400;

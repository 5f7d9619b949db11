//! `ERC20CollateralPool`: reads for status and the calls of every user action.

use alloy::primitives::{Address, U256};
use bindings::{ERC20CollateralPool, erc20_collateral_pool::IERC20CollateralPool};
use eyre::{Result, WrapErr, bail};
use serde::Serialize;

use crate::{Call, Client, TokenUnits, errors::InWords, units::format_bps};

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

    /// Lend `usdc` to pool `pool_id` (with the USDC approval when needed).
    pub async fn lend(&self, pool_id: u64, usdc: U256) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let units = self.usdc_units().await?;
        self.require_balance(self.deployment().usdc, usdc).await?;
        let mut calls: Vec<Call> =
            self.approval_if_needed(self.deployment().usdc, target, usdc).await?.into_iter().collect();
        let call = ERC20CollateralPool::lendCall { poolId: U256::from(pool_id), usdcAmount: usdc };
        calls.push(Call::new(format!("lend {} to collateral pool {pool_id}", units.format(usdc)), from, target, &call));
        Ok(calls)
    }

    /// Borrow `usdc` from pool `pool_id` against `collateral` (default: the required amount now).
    pub async fn borrow(&self, pool_id: u64, usdc: U256, collateral: Option<U256>) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let info = self.collateral_pool_info(pool_id).await?;
        let collateral = match collateral {
            Some(amount) => amount,
            None => self.required_collateral(pool_id, usdc).await?,
        };
        self.require_balance(info.collateral_token, collateral).await?;
        let mut calls: Vec<Call> =
            self.approval_if_needed(info.collateral_token, target, collateral).await?.into_iter().collect();
        let call = ERC20CollateralPool::borrowCall {
            poolId: U256::from(pool_id),
            usdcAmount: usdc,
            collateralTokenAmount: collateral,
        };
        let words = format!(
            "borrow {} from collateral pool {pool_id} against {}",
            self.usdc_units().await?.format(usdc),
            info.collateral.format(collateral)
        );
        calls.push(Call::new(words, from, target, &call));
        Ok(calls)
    }

    /// Repay `principal` (default: all of it) of borrow `borrow_id`, with its interest.
    pub async fn repay(&self, pool_id: u64, borrow_id: u64, principal: Option<U256>) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let pool = self.collateral_pool();
        let (id, bid) = (U256::from(pool_id), U256::from(borrow_id));
        let owed = pool.borrows(id, from, bid).call().await.in_words()?.usdcAmount;
        if owed.is_zero() {
            bail!("borrow {borrow_id} of {} in pool {pool_id} owes nothing", self.name(from));
        }
        let principal = principal.unwrap_or(owed);
        let interest = pool.calculateRepayInterest(id, bid, from).call().await.in_words()? * principal / owed;
        let units = self.usdc_units().await?;
        // Interest keeps accruing until the transaction is mined: allow a little more.
        self.require_balance(self.deployment().usdc, principal + interest).await?;
        let allowance = principal + interest + interest / U256::from(50u64) + U256::from(1_000_000u64);
        let mut calls: Vec<Call> =
            self.approval_if_needed(self.deployment().usdc, target, allowance).await?.into_iter().collect();
        let call = ERC20CollateralPool::repayCall { poolId: id, borrowId: bid, repayAmount: principal };
        let words = format!(
            "repay {} of borrow {borrow_id} in pool {pool_id}, with about {} interest",
            units.format(principal),
            units.format(interest)
        );
        calls.push(Call::new(words, from, target, &call));
        Ok(calls)
    }

    /// Claim `principal` (default: all of it) of lend position `lend_id`, with its rewards.
    pub async fn claim(&self, pool_id: u64, lend_id: u64, principal: Option<U256>) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let id = U256::from(pool_id);
        let lent = self.collateral_pool().lendings(id, from, U256::from(lend_id)).call().await.in_words()?.usdcAmount;
        let principal = principal.unwrap_or(lent);
        let claims = vec![IERC20CollateralPool::Claim { lendId: U256::from(lend_id), usdcAmount: principal }];
        let call = ERC20CollateralPool::claimCall { poolId: id, claims };
        let words = format!(
            "claim {} of lend position {lend_id} in pool {pool_id}, with its rewards",
            self.usdc_units().await?.format(principal)
        );
        Ok(vec![Call::new(words, from, target, &call)])
    }

    /// Liquidate `principal` (default: all) of `user`'s borrow `borrow_id`.
    pub async fn liquidate(
        &self,
        pool_id: u64,
        user: Address,
        borrow_id: u64,
        principal: Option<U256>,
    ) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let pool = self.collateral_pool();
        let (id, bid) = (U256::from(pool_id), U256::from(borrow_id));
        let owed = pool.borrows(id, user, bid).call().await.in_words()?.usdcAmount;
        let principal = principal.unwrap_or(owed);
        let cost = pool.getLiquidatableAmountWithProtocolFee(id, user, bid).call().await.in_words()?;
        let units = self.usdc_units().await?;
        self.require_balance(self.deployment().usdc, cost * principal / owed.max(U256::from(1u64))).await?;
        let allowance = cost + cost / U256::from(100u64) + U256::from(1_000_000u64);
        let mut calls: Vec<Call> =
            self.approval_if_needed(self.deployment().usdc, target, allowance).await?.into_iter().collect();
        let liquidations = vec![IERC20CollateralPool::Liquidation { borrowId: bid, user, usdcAmount: principal }];
        let call = ERC20CollateralPool::liquidateCall { poolId: id, liquidations };
        let words = format!(
            "liquidate {} of {}'s borrow {borrow_id} in pool {pool_id} (the whole loan costs {} with interest and fee)",
            units.format(principal),
            self.name(user),
            units.format(cost)
        );
        calls.push(Call::new(words, from, target, &call));
        Ok(calls)
    }

    /// Lender exit: the sender's lend position `lend_id` pays off all of `user`'s liquidatable
    /// borrow `borrow_id` and takes its collateral.
    pub async fn claim_collateral(
        &self,
        pool_id: u64,
        lend_id: u64,
        user: Address,
        borrow_id: u64,
    ) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let pool = self.collateral_pool();
        let (id, bid) = (U256::from(pool_id), U256::from(borrow_id));
        let lent = pool.lendings(id, from, U256::from(lend_id)).call().await.in_words()?.usdcAmount;
        let owed = pool.borrows(id, user, bid).call().await.in_words()?.usdcAmount;
        let claims = vec![IERC20CollateralPool::Claim { lendId: U256::from(lend_id), usdcAmount: lent }];
        let liquidations = vec![IERC20CollateralPool::Liquidation { borrowId: bid, user, usdcAmount: owed }];
        let call = ERC20CollateralPool::claimCollateralCall { poolId: id, claims, liquidations };
        let words = format!(
            "use lend position {lend_id} to pay off {}'s borrow {borrow_id} in pool {pool_id} and take its collateral",
            self.name(user)
        );
        Ok(vec![Call::new(words, from, target, &call)])
    }

    /// Set the collateral of borrow `borrow_id` to `amount` (adding needs an approval).
    pub async fn change_collateral(
        &self,
        pool_id: u64,
        borrow_id: u64,
        amount: U256,
        max_ltv_bps: u32,
    ) -> Result<Vec<Call>> {
        let from = self.sender()?;
        let target = self.deployment().collateral_pool.proxy;
        let (id, bid) = (U256::from(pool_id), U256::from(borrow_id));
        let info = self.collateral_pool_info(pool_id).await?;
        let current = self.collateral_pool().borrows(id, from, bid).call().await.in_words()?.collateralTokenAmount;
        let mut calls = Vec::new();
        if amount > current {
            calls.extend(self.approval_if_needed(info.collateral_token, target, amount - current).await?);
        }
        let call = ERC20CollateralPool::changeCollateralAmountCall {
            poolId: id,
            borrowId: bid,
            newCollateralTokenAmount: amount,
            maxCollateralTokenLTVPercentage: U256::from(max_ltv_bps),
        };
        let words = format!(
            "change the collateral of borrow {borrow_id} in pool {pool_id} from {} to {}",
            info.collateral.format(current),
            info.collateral.format(amount)
        );
        calls.push(Call::new(words, from, target, &call));
        Ok(calls)
    }
}

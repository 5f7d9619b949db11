//! Calculators: what a borrow owes, what a lend position can claim, what a liquidation costs and
//! yields, how healthy a loan is, what a commit can claim. Exact integer figures as the contracts
//! compute them: from the contracts' own views where one gives the figure, otherwise (a future
//! timestamp, a partial amount, the collateral a liquidator receives, health figures) from
//! `pool-math`, the one Rust copy of `PoolMath.sol` that the revm harness checks against the
//! contracts.
//!
//! "Now" is the latest block's timestamp, which is what the views see; a transaction mined later
//! pays a little more interest.

use alloy::primitives::{Address, U256};
use bindings::MockAggregator;
use eyre::{Result, eyre};
use pool_math::{Checked, Prices};
use serde::Serialize;

use crate::{
    Client, Variant,
    errors::InWords,
    refusal::{RefusalKind, refuse},
};

/// What a borrow owes at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RepayInterest {
    /// Principal the quote is for (the whole outstanding principal unless a part was asked).
    pub principal: U256,
    /// Interest on it at `at` (F1, rounded up), USDC base units.
    pub interest: U256,
    /// `principal + interest`: what the repay pulls.
    pub total: U256,
    /// The borrow's own yearly rate, bps.
    pub rate_bps: u32,
    /// When the borrow was opened.
    pub borrowed_at: u64,
    /// The time of the quote.
    pub at: u64,
}

/// What a lend position can claim at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LenderReward {
    /// Principal still lent, USDC base units.
    pub principal: U256,
    /// Rewards earned on it (F3, rounded down), USDC base units.
    pub reward: U256,
    /// `principal + reward`: what claiming all of it pays.
    pub claimable: U256,
    /// Free USDC in the pool now (F5): a claim larger than this waits for repayments.
    pub available_usdc: U256,
    /// The time of the quote.
    pub at: u64,
}

/// What liquidating (part of) a borrow costs and yields now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiquidationQuote {
    /// Principal to clear, USDC base units.
    pub principal: U256,
    /// Interest on it (F1), USDC base units.
    pub interest: U256,
    /// USDC the liquidator pays: principal + interest + the 5 % protocol fee (F7, rounded up).
    pub payment: U256,
    /// The protocol's part of `payment`, USDC base units.
    pub protocol_fee: U256,
    /// Collateral the liquidator receives (F9, rounded down), collateral base units.
    pub collateral_received: U256,
    /// The rest of the cleared principal's share of the collateral, left for the borrower.
    pub collateral_left_to_borrower: U256,
    /// Whether the loan can be liquidated now (the contract's own answer).
    pub liquidatable: bool,
    /// The time of the quote.
    pub at: u64,
}

/// How close a borrow is to liquidation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionHealth {
    /// Principal owed, USDC base units.
    pub principal: U256,
    /// Interest owed now, USDC base units.
    pub interest: U256,
    /// Collateral locked, collateral base units.
    pub collateral: U256,
    /// USD value of principal + interest, 18 decimals (rounded up, as F8 counts it).
    pub debt_value_usd: U256,
    /// USD value of the collateral, 18 decimals (rounded down, as F8 counts it).
    pub collateral_value_usd: U256,
    /// Debt over collateral value now, bps (`U256::MAX` when the collateral is worth nothing).
    pub ltv_bps: U256,
    /// The LTV at which the loan becomes liquidatable: the pool's LTV + 20 %, bps.
    pub liquidation_threshold_bps: u32,
    /// The pool has ended: the loan is overdue and liquidatable whatever its health.
    pub overdue: bool,
    /// Whether it can be liquidated now (the contract's own answer).
    pub liquidatable: bool,
    /// The time of the figures.
    pub at: u64,
}

/// One borrow as the calculators need it.
struct BorrowState {
    principal: U256,
    collateral: U256,
    borrowed_at: u64,
    rate_bps: u32,
}

/// Pool-math's overflow or division-by-zero panics as errors (the contract would revert too).
fn checked<T>(value: Checked<T>, what: &str) -> Result<T> {
    value.map_err(|panic| eyre!("{what}: the contract would fail with Panic(0x{:02x})", panic.0))
}

impl Client {
    async fn borrow_state(&self, pool_id: u64, user: Address, borrow_id: u64) -> Result<BorrowState> {
        let pool = self.collateral_pool();
        let (id, bid) = (U256::from(pool_id), U256::from(borrow_id));
        let b = pool.borrows(id, user, bid).call().await.in_words()?;
        let rate = pool.borrowInterest(id, user, bid).call().await.in_words()?;
        Ok(BorrowState {
            principal: b.usdcAmount,
            collateral: b.collateralTokenAmount,
            borrowed_at: b.borrowTime.to::<u64>(),
            rate_bps: rate.to::<u32>(),
        })
    }

    /// Interest owed on `user`'s borrow `borrow_id` in collateral pool `pool_id`: on the whole
    /// principal or `principal` of it, now or at `at` (a unix time, not before the borrow).
    /// The whole principal now comes from the contract's `calculateRepayInterest`.
    ///
    /// ```no_run
    /// # async fn example(client: pools_sdk::Client, user: alloy::primitives::Address) -> eyre::Result<()> {
    /// let in_a_week = client.now().await? + 7 * 86_400;
    /// let quote = client.repay_interest(0, user, 0, None, Some(in_a_week)).await?;
    /// println!("repaying then costs {} USDC base units", quote.total);
    /// # Ok(()) }
    /// ```
    pub async fn repay_interest(
        &self,
        pool_id: u64,
        user: Address,
        borrow_id: u64,
        principal: Option<U256>,
        at: Option<u64>,
    ) -> Result<RepayInterest> {
        let b = self.borrow_state(pool_id, user, borrow_id).await?;
        let now = self.now().await?;
        let at = at.unwrap_or(now);
        let action = format!("quote the interest of borrow {borrow_id} in collateral pool {pool_id}");
        if at < b.borrowed_at {
            return refuse(
                RefusalKind::Input,
                &action,
                format!("{} is before the borrow started", crate::format_utc(at)),
            );
        }
        let part = principal.unwrap_or(b.principal);
        if part > b.principal {
            return refuse(RefusalKind::Amount, &action, format!("only {} base units are owed", b.principal));
        }
        let interest = if part == b.principal && at == now {
            let (id, bid) = (U256::from(pool_id), U256::from(borrow_id));
            self.collateral_pool().calculateRepayInterest(id, bid, user).call().await.in_words()?
        } else {
            checked(pool_math::interest(part, U256::from(b.rate_bps), at - b.borrowed_at), &action)?
        };
        Ok(RepayInterest {
            principal: part,
            interest,
            total: part + interest,
            rate_bps: b.rate_bps,
            borrowed_at: b.borrowed_at,
            at,
        })
    }

    /// What `user`'s lend position `lend_id` in collateral pool `pool_id` can claim, now (the
    /// contract's `calculateReward`) or at a later `at`, assuming the pool's reward rate holds
    /// until then (any lend, borrow, repay or claim in the pool changes it).
    pub async fn lender_reward(
        &self,
        pool_id: u64,
        user: Address,
        lend_id: u64,
        at: Option<u64>,
    ) -> Result<LenderReward> {
        let pool = self.collateral_pool();
        let (id, lid) = (U256::from(pool_id), U256::from(lend_id));
        let lending = pool.lendings(id, user, lid).call().await.in_words()?;
        let now = self.now().await?;
        let at = at.unwrap_or(now);
        let action = format!("quote the rewards of lend position {lend_id} in collateral pool {pool_id}");
        let reward = if at == now {
            pool.calculateReward(id, lid, user).call().await.in_words()?
        } else {
            let p = pool.pools(id).call().await.in_words()?;
            let last = p.lastUpdated.to::<u64>();
            if at < last {
                return refuse(
                    RefusalKind::Input,
                    &action,
                    format!("{} is before the pool's last update", crate::format_utc(at)),
                );
            }
            // The view's own accrual (F2), carried to `at`.
            let accrued = checked(pool_math::mul(U256::from(at - last), p.rewardRate), &action)?;
            let reward_per_token = checked(pool_math::add(p.rewardPerToken, accrued), &action)?;
            let delta = checked(pool_math::sub(reward_per_token, lending.rewardPerTokenIgnored), &action)?;
            checked(pool_math::reward(lending.usdcAmount, delta), &action)?
        };
        let available = pool.getAvailableAmountsInPool(id).call().await.in_words()?.availableUSDC;
        Ok(LenderReward {
            principal: lending.usdcAmount,
            reward,
            claimable: lending.usdcAmount + reward,
            available_usdc: available,
            at,
        })
    }

    /// USD prices (18 decimals) of collateral pool `pool_id`'s pair as the pool reads them, and
    /// its collateral's decimals. The pool's own oracle checks (positive answer, staleness, L2
    /// sequencer) run first through a view, so a price the pool would refuse is refused here in
    /// the contract's words.
    pub(crate) async fn pool_prices(&self, pool_id: u64) -> Result<(Prices, u8)> {
        let pool = self.collateral_pool();
        let id = U256::from(pool_id);
        pool.calculateCollateralTokenAmount(id, U256::ZERO).call().await.in_words()?;
        let info = self.collateral_pool_info(pool_id).await?;
        let usdc_feed = pool.usdcPriceOracle().call().await.in_words()?;
        let price = |feed: Address| async move {
            let aggregator = MockAggregator::new(feed, self.provider());
            let answer = aggregator.latestRoundData().call().await.in_words()?._1;
            let decimals = aggregator.decimals().call().await.in_words()?;
            // The view above refused non-positive answers.
            checked(pool_math::price_wad(answer.into_raw(), decimals), "reading a price")
        };
        let prices = Prices { usdc: price(usdc_feed).await?, collateral: price(info.price_feed).await? };
        Ok((prices, info.collateral.decimals))
    }

    /// What liquidating `principal` (default: all) of `user`'s borrow `borrow_id` costs the
    /// liquidator (F7) and what it receives (F9) at today's prices. The whole loan's payment is
    /// the contract's `getLiquidatableAmountWithProtocolFee`.
    pub async fn liquidation_cost(
        &self,
        pool_id: u64,
        user: Address,
        borrow_id: u64,
        principal: Option<U256>,
    ) -> Result<LiquidationQuote> {
        let action = format!("quote the liquidation of borrow {borrow_id} in collateral pool {pool_id}");
        let b = self.borrow_state(pool_id, user, borrow_id).await?;
        if b.principal.is_zero() {
            return refuse(RefusalKind::Status, &action, "the loan is already repaid or liquidated");
        }
        let part = principal.unwrap_or(b.principal);
        if part.is_zero() || part > b.principal {
            return refuse(
                RefusalKind::Amount,
                &action,
                format!("the principal must be between 1 and {} base units", b.principal),
            );
        }
        let at = self.now().await?;
        let (prices, decimals) = self.pool_prices(pool_id).await?;
        let (id, bid) = (U256::from(pool_id), U256::from(borrow_id));
        let pool = self.collateral_pool();
        let interest = checked(pool_math::interest(part, U256::from(b.rate_bps), at - b.borrowed_at), &action)?;
        let payment = if part == b.principal {
            pool.getLiquidatableAmountWithProtocolFee(id, user, bid).call().await.in_words()?
        } else {
            checked(pool_math::liquidation_payment(part, interest), &action)?
        };
        let (received, pro_rata) = checked(
            pool_math::liquidation_collateral(part, interest, b.collateral, b.principal, prices, decimals),
            &action,
        )?;
        let liquidatable = pool.isPositionLiquidatable(id, user, bid).call().await.in_words()?;
        Ok(LiquidationQuote {
            principal: part,
            interest,
            payment,
            protocol_fee: payment - part - interest,
            collateral_received: received,
            collateral_left_to_borrower: pro_rata - received,
            liquidatable,
            at,
        })
    }

    /// Health of `user`'s borrow `borrow_id` now: debt and collateral values, LTV against the
    /// liquidation threshold, overdue, and the contract's own `isPositionLiquidatable`.
    pub async fn position_health(&self, pool_id: u64, user: Address, borrow_id: u64) -> Result<PositionHealth> {
        let action = format!("read the health of borrow {borrow_id} in collateral pool {pool_id}");
        let b = self.borrow_state(pool_id, user, borrow_id).await?;
        let at = self.now().await?;
        let info = self.collateral_pool_info(pool_id).await?;
        let (prices, decimals) = self.pool_prices(pool_id).await?;
        let interest = checked(pool_math::interest(b.principal, U256::from(b.rate_bps), at - b.borrowed_at), &action)?;
        let debt = b.principal + interest;
        let (id, bid) = (U256::from(pool_id), U256::from(borrow_id));
        let liquidatable = self.collateral_pool().isPositionLiquidatable(id, user, bid).call().await.in_words()?;
        Ok(PositionHealth {
            principal: b.principal,
            interest,
            collateral: b.collateral,
            debt_value_usd: checked(pool_math::debt_value(debt, prices), &action)?,
            collateral_value_usd: checked(pool_math::collateral_value(b.collateral, prices, decimals), &action)?,
            ltv_bps: checked(pool_math::loan_to_value_bps(debt, b.collateral, prices, decimals), &action)?,
            liquidation_threshold_bps: info.ltv_bps + pool_math::LIQUIDATION_MARGIN_BPS as u32,
            overdue: at >= info.end_time,
            liquidatable,
            at,
        })
    }

    /// Rewards `user` can claim now from a counterparty pool (the contract's `claimableRewards`).
    pub async fn claimable_rewards(&self, variant: Variant, pool_id: u64, user: Address) -> Result<U256> {
        self.counterparty(variant).claimableRewards(U256::from(pool_id), user).call().await.in_words()
    }
}

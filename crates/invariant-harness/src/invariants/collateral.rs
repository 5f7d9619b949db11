//! SPEC §4's invariants of the collateral pool (1–11), one function each, over the reference
//! model. The state machine proves the model equal to the contract (every touched value after
//! each call, everything every few calls), so a property of the model is a property of the
//! contract at that point; properties of a single step take the state before and after it.
//!
//! Each returns `Err(message)` naming what broke, expected against actual.
//!
//! ```
//! use invariant_harness::{invariants::collateral as inv, model::collateral::*};
//! let model = CollateralModel::new(&Setup::example());
//! inv::usdc_held_covers_free_usdc_and_fees(&model).unwrap();
//! inv::tokens_are_conserved(&model).unwrap();
//! ```

use alloy_primitives::U256;

use crate::model::collateral::{
    Action, Actor, CollateralModel, Failure, Holder, PoolError, Token, math,
    math::{Prices, u},
};

/// What an invariant returns: `Err` describes the violation.
pub type Check = Result<(), String>;

/// (1) The pool always holds at least the USDC lenders can claim (free USDC of every pool) plus
/// the protocol's USDC fees.
///
/// Forge twin: `invariant_poolHoldsFreeUsdcPlusFees` (test/invariant/CollateralPoolInvariants.t.sol).
pub fn usdc_held_covers_free_usdc_and_fees(m: &CollateralModel) -> Check {
    let held = m.balance(Token::Usdc, Holder::Pool);
    let owed = m.pools.iter().map(|p| p.available_usdc()).sum::<U256>() + m.usdc_fees;
    if held < owed { Err(format!("(1) pool holds {held} USDC units < free USDC + fees {owed}")) } else { Ok(()) }
}

/// (2) No token is created or lost: for USDC and every collateral, the holders together keep
/// exactly what they started with (transfer fees included, at the fee sink).
///
/// Forge twin: `invariant_tokensAreConserved`.
pub fn tokens_are_conserved(m: &CollateralModel) -> Check {
    for (row, (balances, supply)) in m.balances.iter().zip(&m.supplies).enumerate() {
        let total: U256 = balances.iter().copied().sum();
        if total != *supply {
            return Err(format!("(2) token row {row}: holders have {total}, started with {supply}"));
        }
    }
    Ok(())
}

/// (3) The pool holds exactly, of each collateral, the collateral of all borrow positions
/// (liquidation remainders included) plus the protocol's collateral fees; and each pool's
/// `collateralTokenAmount` is the sum over its positions.
///
/// Forge twin: `invariant_collateralHeldEqualsPositionsPlusFees`.
pub fn collateral_held_equals_positions_plus_fees(m: &CollateralModel) -> Check {
    let mut per_asset = m.collateral_fees.clone();
    for (id, p) in m.pools.iter().enumerate() {
        let in_positions: U256 = p.borrows.iter().flatten().map(|b| b.collateral).sum();
        if in_positions != p.collateral {
            return Err(format!("(3) pool {id}: positions hold {in_positions}, pool total says {}", p.collateral));
        }
        per_asset[p.asset as usize] += in_positions;
    }
    for (asset, expected) in per_asset.iter().enumerate() {
        let held = m.balance(Token::Asset(asset as u8), Holder::Pool);
        if held != *expected {
            return Err(format!("(3) asset {asset}: pool holds {held}, positions + fees are {expected}"));
        }
    }
    Ok(())
}

/// (4) No borrow goes through with less collateral than LTV × factor requires (F6 at the
/// prices of that moment): checked on the step that opened it.
///
/// Forge twin: `invariant_noBorrowBeyondLtvTimesFactor`.
pub fn borrow_was_collateralised(before: &CollateralModel, action: &Action, outcome: &Result<(), Failure>) -> Check {
    let Action::Borrow { pool, usdc, collateral, .. } = action else { return Ok(()) };
    if outcome.is_err() {
        return Ok(());
    }
    let required = before.required_collateral(*pool, *usdc).map_err(|e| format!("(4) borrow without prices: {e:?}"))?;
    if collateral < &required {
        return Err(format!("(4) borrow of {usdc} with {collateral} collateral, F6 requires {required}"));
    }
    Ok(())
}

/// (5) The interest owed on a borrow never goes down as time passes while its principal stays
/// the same.
///
/// Forge twin: `invariant_interestNeverDecreasesWithTime`.
pub fn interest_never_decreases(before: &CollateralModel, after: &CollateralModel) -> Check {
    for (id, (p0, p1)) in before.pools.iter().zip(&after.pools).enumerate() {
        for (user, (b0, b1)) in p0.borrows.iter().zip(&p1.borrows).enumerate() {
            for (borrow_id, (x, y)) in b0.iter().zip(b1).enumerate() {
                if x.amount != y.amount {
                    continue;
                }
                let owed = |m: &CollateralModel| m.repay_interest(id as u32, Actor::User(user as u8), borrow_id as u32);
                let (i0, i1) = (owed(before), owed(after));
                if let (Ok(i0), Ok(i1)) = (i0, i1)
                    && i1 < i0
                {
                    return Err(format!("(5) pool {id} user {user} borrow {borrow_id}: interest fell {i0} → {i1}"));
                }
            }
        }
    }
    Ok(())
}

/// (6) A healthy position cannot be liquidated and an unhealthy or overdue one can (outside
/// pause and grace): a liquidation refused with `PositionNotLiquidatable` must be of a healthy
/// loan by F8 computed exactly, and a successful one of an unhealthy (within the pool's
/// rounding towards liquidatable) or overdue loan.
///
/// Forge twin: `invariant_onlyUnhealthyPositionsAreLiquidatable`.
pub fn only_unhealthy_positions_are_liquidated(
    before: &CollateralModel,
    action: &Action,
    outcome: &Result<(), Failure>,
) -> Check {
    let (pool, liquidations) = match action {
        Action::Liquidate { pool, liquidations, .. } | Action::ClaimCollateral { pool, liquidations, .. } => {
            (*pool, liquidations)
        }
        _ => return Ok(()),
    };
    let Ok(p) = before.pool(pool) else { return Ok(()) };
    let Ok(prices) = before.prices(p) else { return Ok(()) };
    let Some(first) = liquidations.first() else { return Ok(()) };
    let Some(b) = p.borrow(first.user, first.borrow_id) else { return Ok(()) };
    if b.amount.is_zero() || before.now >= p.end_time {
        return Ok(());
    }
    let debt = b.amount
        + math::interest(b.amount, u(b.interest.into()), before.now - b.borrow_time).map_err(|e| format!("{e:?}"))?;
    let exact = unhealthy_exactly(debt, b.collateral, p.ltv, prices, p.decimals);
    let loose = unhealthy_exactly(debt + U256::from(1u64), b.collateral, p.ltv, prices, p.decimals);
    match outcome {
        Err(Failure::Pool(PoolError::PositionNotLiquidatable)) if exact => {
            Err(format!("(6) unhealthy position refused: debt {debt}, collateral {}", b.collateral))
        }
        Ok(()) if !loose => Err(format!("(6) healthy position liquidated: debt {debt}, collateral {}", b.collateral)),
        _ => Ok(()),
    }
}

/// F8 by exact cross-multiplication (no rounding): debt × P_usdc × 10^dec × 10_000 ≥
/// collateral × P_coll × 1e6 × (LTV + 2_000), prices as wads.
fn unhealthy_exactly(debt: U256, collateral: U256, ltv: u32, prices: Prices, decimals: u8) -> bool {
    let lhs = debt.widening_mul::<256, 4, 512, 8>(prices.usdc * math::pow10(decimals) * u(math::BPS));
    let rhs = collateral.widening_mul::<256, 4, 512, 8>(
        prices.collateral * u(math::USDC_UNIT) * u(u64::from(ltv) + math::LIQUIDATION_MARGIN_BPS),
    );
    lhs >= rhs
}

/// (7) Borrowers never pay less than the reference model and lenders never receive more: the
/// machine compares every transfer to the wei with the model, so here: rewards claimed and
/// still pending never exceed the interest paid plus the interest still owed.
///
/// Forge twin: `invariant_borrowersPayAtLeastAndLendersGetAtMostTheReference`.
pub fn rewards_never_exceed_interest(m: &CollateralModel) -> Check {
    for (id, p) in m.pools.iter().enumerate() {
        let mut owed = U256::ZERO;
        for (user, borrows) in p.borrows.iter().enumerate() {
            for borrow_id in 0..borrows.len() {
                owed += m.repay_interest(id as u32, Actor::User(user as u8), borrow_id as u32).unwrap_or_default();
            }
        }
        let mut pending = U256::ZERO;
        for (user, lendings) in p.lendings.iter().enumerate() {
            for lend_id in 0..lendings.len() {
                pending += m.reward_of(id as u32, Actor::User(user as u8), lend_id as u32).unwrap_or_default();
            }
        }
        if p.claimed_rewards + pending > p.rewards + owed {
            return Err(format!(
                "(7) pool {id}: rewards claimed {} + pending {pending} > interest paid {} + owed {owed}",
                p.claimed_rewards, p.rewards
            ));
        }
    }
    Ok(())
}

/// (8) While paused, no user state changes except through repay and adding collateral.
///
/// Forge twin: `invariant_pauseAllowsOnlyRepayAndAddCollateral`.
pub fn paused_allows_only_repay_and_add_collateral(
    before: &CollateralModel,
    action: &Action,
    outcome: &Result<(), Failure>,
) -> Check {
    if !before.paused || outcome.is_err() {
        return Ok(());
    }
    let allowed = match action {
        Action::Lend { .. }
        | Action::Claim { .. }
        | Action::Borrow { .. }
        | Action::Liquidate { .. }
        | Action::ClaimCollateral { .. } => false,
        Action::ChangeCollateral { pool, user, borrow_id, new_amount, .. } => before
            .pool(*pool)
            .ok()
            .and_then(|p| p.borrow(Actor::User(*user), *borrow_id))
            .is_some_and(|b| *new_amount > b.collateral),
        _ => true,
    };
    if allowed { Ok(()) } else { Err(format!("(8) went through while paused: {action:?}")) }
}

/// (9) Capacity and minimums hold: each lend went in under F4, each open borrow holds at least
/// the `minBorrow` of when it changed last (an edit may raise it later), no pool lends out more
/// than it holds.
///
/// Forge twin: `invariant_capacityAndMinimumsHold`.
pub fn capacity_and_minimums_hold(before: &CollateralModel, action: &Action, outcome: &Result<(), Failure>) -> Check {
    if outcome.is_err() {
        return Ok(());
    }
    match action {
        Action::Lend { pool, amount, .. } => {
            let p = before.pool(*pool).map_err(|e| format!("{e:?}"))?;
            if *amount < p.min_lended {
                return Err(format!("(9) lend of {amount} below minLended {}", p.min_lended));
            }
            if p.lended - p.claimed + p.repaid + amount > p.max_pool_capacity + p.borrowed {
                return Err(format!("(9) lend of {amount} beyond capacity {}", p.max_pool_capacity));
            }
        }
        Action::Borrow { pool, usdc, .. } => {
            let p = before.pool(*pool).map_err(|e| format!("{e:?}"))?;
            if *usdc < p.min_borrow || *usdc > p.available_usdc() {
                return Err(format!("(9) borrow of {usdc}: minBorrow {}, free {}", p.min_borrow, p.available_usdc()));
            }
        }
        _ => {}
    }
    Ok(())
}

/// (9, state half) No open borrow is below the `minBorrow` in force when it last changed
/// (`floors` holds that value per position, kept by the machine).
pub fn open_borrows_respect_their_minimum(m: &CollateralModel, floors: &[Vec<Vec<U256>>]) -> Check {
    for (id, (p, floors)) in m.pools.iter().zip(floors).enumerate() {
        for (user, (borrows, floors)) in p.borrows.iter().zip(floors).enumerate() {
            for (borrow_id, b) in borrows.iter().enumerate() {
                let floor = floors.get(borrow_id).copied().unwrap_or_default();
                if !b.amount.is_zero() && b.amount < floor {
                    return Err(format!(
                        "(9) pool {id} user {user} borrow {borrow_id}: {} < minBorrow {floor}",
                        b.amount
                    ));
                }
            }
        }
    }
    Ok(())
}

/// (10) The reward accumulator of a pool never decreases.
///
/// Forge twin: `invariant_rewardPerTokenNeverDecreases`.
pub fn reward_per_token_never_decreases(before: &CollateralModel, after: &CollateralModel) -> Check {
    for (id, (p0, p1)) in before.pools.iter().zip(&after.pools).enumerate() {
        if p1.reward_per_token < p0.reward_per_token {
            return Err(format!(
                "(10) pool {id}: rewardPerToken fell {} → {}",
                p0.reward_per_token, p1.reward_per_token
            ));
        }
    }
    Ok(())
}

/// (11) Once every loan is repaid, every lender can claim back all principal plus rewards:
/// checked after the machine has settled every loan, on the outcomes of the closing claims and
/// the pool totals.
///
/// Forge twin: `invariant_settledPoolPaysEveryLender`.
pub fn settled_pool_paid_every_lender(m: &CollateralModel, refused_claims: &[(Action, Failure)]) -> Check {
    if let Some((claim, failure)) = refused_claims.first() {
        return Err(format!("(11) settled pool refused {claim:?} with {failure:?}"));
    }
    for (id, p) in m.pools.iter().enumerate() {
        if p.claimed_rewards > p.rewards {
            return Err(format!("(11) pool {id}: rewards paid {} > interest paid {}", p.claimed_rewards, p.rewards));
        }
        if p.lended != p.claimed || p.borrowed != p.repaid {
            return Err(format!("(11) pool {id} not settled: lended {} claimed {}", p.lended, p.claimed));
        }
    }
    usdc_held_covers_free_usdc_and_fees(m)
}

/// Bookkeeping: each pool's totals equal the sums over its positions (lent − claimed, borrowed
/// − repaid, Σ principal × rate).
///
/// Forge twin: `invariant_trackedTotalsMatchPositionsAndModel`.
pub fn totals_match_positions(m: &CollateralModel) -> Check {
    for (id, p) in m.pools.iter().enumerate() {
        let lent: U256 = p.lendings.iter().flatten().map(|l| l.amount).sum();
        let borrowed: U256 = p.borrows.iter().flatten().map(|b| b.amount).sum();
        let weighted: U256 = p.borrows.iter().flatten().map(|b| b.amount * U256::from(b.interest)).sum();
        if lent != p.lended - p.claimed || borrowed != p.borrowed - p.repaid || weighted != p.weighted_borrowed {
            return Err(format!("pool {id}: position sums {lent}/{borrowed}/{weighted} differ from the totals"));
        }
    }
    Ok(())
}

/// Every state invariant, in order; returns how many were checked.
pub fn check_state(m: &CollateralModel) -> Result<u64, String> {
    usdc_held_covers_free_usdc_and_fees(m)?;
    tokens_are_conserved(m)?;
    collateral_held_equals_positions_plus_fees(m)?;
    rewards_never_exceed_interest(m)?;
    totals_match_positions(m)?;
    Ok(5)
}

/// Every step invariant of `action` taking `before` to `after` with `outcome`; returns how many
/// were checked.
pub fn check_step(
    before: &CollateralModel,
    action: &Action,
    outcome: &Result<(), Failure>,
    after: &CollateralModel,
) -> Result<u64, String> {
    borrow_was_collateralised(before, action, outcome)?;
    interest_never_decreases(before, after)?;
    only_unhealthy_positions_are_liquidated(before, action, outcome)?;
    paused_allows_only_repay_and_add_collateral(before, action, outcome)?;
    capacity_and_minimums_hold(before, action, outcome)?;
    reward_per_token_never_decreases(before, after)?;
    Ok(6)
}

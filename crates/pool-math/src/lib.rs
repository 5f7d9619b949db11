//! The collateral pool's formulas F1–F9 (SPEC §1) in plain U256 arithmetic, rounding exactly as
//! `contracts/libraries/PoolMath.sol` does: what borrowers pay rounds up, what lenders and
//! liquidators receive rounds down. Every multiplication is checked: an overflow is the
//! `Panic(0x11)` the contract would raise, a zero divisor `Panic(0x12)`.
//!
//! The revm harness's reference model (`invariant_harness::model::collateral::math` re-exports
//! this crate) and the SDK's calculators share it, so the maths exists once in Rust.
//!
//! ```
//! use alloy_primitives::U256;
//! use pool_math as math;
//! // F1: 1,000 USDC at 5 % for 30 days owes 4.109590 USDC (rounded up from 4.1095890…).
//! let owed = math::interest(U256::from(1_000_000_000u64), U256::from(500u64), 30 * 86_400).unwrap();
//! assert_eq!(owed, U256::from(4_109_590u64));
//! ```

use alloy_primitives::{U256, U512};

/// Basis-point denominator (10_000 = 100 %).
pub const BPS: u64 = 10_000;
/// Seconds in the 365-day year of simple interest.
pub const ONE_YEAR: u64 = 31_536_000;
/// Fixed-point precision of `rewardPerToken` and `rewardRate`.
pub const REWARD_PRECISION: u64 = 1_000_000_000_000_000_000;
/// One whole USDC in base units.
pub const USDC_UNIT: u64 = 1_000_000;
/// Liquidator incentive in bps (`LIQUIDATION_FEE`).
pub const LIQUIDATION_FEE_BPS: u64 = 1_000;
/// Protocol fee on liquidations in bps (`LIQUIDATION_PROTOCOL_FEE`).
pub const LIQUIDATION_PROTOCOL_FEE_BPS: u64 = 500;
/// Added to the LTV to form the liquidation threshold, bps (`LIQUIDATION_MARGIN_FACTOR`).
pub const LIQUIDATION_MARGIN_BPS: u64 = 2_000;

/// A Solidity panic code: `0x11` arithmetic overflow, `0x12` division by zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Panic(pub u8);

/// Arithmetic overflow or underflow.
pub const OVERFLOW: Panic = Panic(0x11);
/// Division (or modulo) by zero.
pub const DIVISION_BY_ZERO: Panic = Panic(0x12);

/// Result of checked arithmetic.
pub type Checked<T = U256> = Result<T, Panic>;

/// `U256::from` for small constants.
pub fn u(x: u64) -> U256 {
    U256::from(x)
}

/// Checked `a * b`.
pub fn mul(a: U256, b: U256) -> Checked {
    a.checked_mul(b).ok_or(OVERFLOW)
}

/// Checked `a + b`.
pub fn add(a: U256, b: U256) -> Checked {
    a.checked_add(b).ok_or(OVERFLOW)
}

/// Checked `a - b`.
pub fn sub(a: U256, b: U256) -> Checked {
    a.checked_sub(b).ok_or(OVERFLOW)
}

/// `10^exp` (exp ≤ 77).
pub fn pow10(exp: u8) -> U256 {
    U256::from(10u64).pow(U256::from(exp))
}

/// OpenZeppelin's `Math.mulDiv(x, y, d)` rounding down: full 512-bit product, panics as it does.
pub fn mul_div_down(x: U256, y: U256, d: U256) -> Checked {
    if d.is_zero() {
        return Err(DIVISION_BY_ZERO);
    }
    let product: U512 = x.widening_mul(y);
    let quotient = product / U512::from(d);
    let limbs = quotient.as_limbs();
    if limbs[4..].iter().any(|limb| *limb != 0) {
        return Err(OVERFLOW);
    }
    Ok(U256::from_limbs([limbs[0], limbs[1], limbs[2], limbs[3]]))
}

/// OpenZeppelin's `Math.mulDiv(x, y, d, Ceil)`.
pub fn mul_div_up(x: U256, y: U256, d: U256) -> Checked {
    let down = mul_div_down(x, y, d)?;
    let product: U512 = x.widening_mul(y);
    if (product % U512::from(d)).is_zero() { Ok(down) } else { add(down, U256::from(1u64)) }
}

/// A feed answer (feed units) as USD per whole token with 18 decimals (`OracleLib.readPriceWad`);
/// the caller has checked `answer > 0`.
pub fn price_wad(answer: U256, feed_decimals: u8) -> Checked {
    mul(answer, pow10(18 - feed_decimals.min(18)))
}

/// F1: interest on `principal` after `elapsed` seconds at `rate_bps` a year, rounded up.
pub fn interest(principal: U256, rate_bps: U256, elapsed: u64) -> Checked {
    mul_div_up(principal, mul(rate_bps, u(elapsed))?, u(ONE_YEAR * BPS))
}

/// F2: reward per lent unit per second (×1e18) for `weighted_borrowed` = Σ principal × rate,
/// rounded down; zero when nothing is lent. Not yet capped (the pool caps at 2^64 − 1).
pub fn reward_rate(weighted_borrowed: U256, outstanding_lent: U256) -> Checked {
    if outstanding_lent.is_zero() {
        return Ok(U256::ZERO);
    }
    mul_div_down(weighted_borrowed, u(REWARD_PRECISION), mul(mul(outstanding_lent, u(ONE_YEAR))?, u(BPS))?)
}

/// F3: reward of `principal` while the accumulator grew by `delta`, rounded down.
pub fn reward(principal: U256, delta: U256) -> Checked {
    mul_div_down(principal, delta, u(REWARD_PRECISION))
}

/// Prices of one pool's pair, USD per whole token with 18 decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prices {
    /// USDC price (wad).
    pub usdc: U256,
    /// Collateral price (wad).
    pub collateral: U256,
}

/// F6: collateral required to borrow `usdc`, one rounding, up.
pub fn required_collateral(usdc: U256, ltv: U256, factor: U256, prices: Prices, decimals: u8) -> Checked {
    let numerator = mul(mul(usdc, factor)?, prices.usdc)?;
    let denominator = mul(mul(ltv, prices.collateral)?, u(USDC_UNIT))?;
    mul_div_up(numerator, pow10(decimals), denominator)
}

/// F7: USDC a liquidator pays to clear `principal` + `accrued` interest, 5 % fee included, up.
pub fn liquidation_payment(principal: U256, accrued: U256) -> Checked {
    mul_div_up(add(principal, accrued)?, u(BPS + LIQUIDATION_PROTOCOL_FEE_BPS), u(BPS))
}

/// USD value (wad) of `debt` USDC base units, rounded up: the side of F8 that must not be
/// underestimated.
pub fn debt_value(debt: U256, prices: Prices) -> Checked {
    mul_div_up(debt, prices.usdc, u(USDC_UNIT))
}

/// USD value (wad) of `collateral` base units of a token with `decimals`, rounded down.
pub fn collateral_value(collateral: U256, prices: Prices, decimals: u8) -> Checked {
    mul_div_down(collateral, prices.collateral, pow10(decimals))
}

/// F8: whether `debt` against `collateral` is at or past LTV + 20 %; the debt's value rounds up,
/// the collateral's down.
pub fn is_liquidatable(debt: U256, collateral: U256, ltv: U256, prices: Prices, decimals: u8) -> Checked<bool> {
    let debt_value = debt_value(debt, prices)?;
    let collateral_value = collateral_value(collateral, prices, decimals)?;
    Ok(mul(debt_value, u(BPS))? >= mul(collateral_value, add(ltv, u(LIQUIDATION_MARGIN_BPS))?)?)
}

/// F9: `(seized, pro_rata)` for repaying `repaid` (+ `accrued`) of a position holding
/// `collateral` against `principal`; both rounded down.
pub fn liquidation_collateral(
    repaid: U256,
    accrued: U256,
    collateral: U256,
    principal: U256,
    prices: Prices,
    decimals: u8,
) -> Checked<(U256, U256)> {
    let pro_rata = mul_div_down(collateral, repaid, principal)?;
    let bonus_value = mul(mul(add(repaid, accrued)?, u(BPS + LIQUIDATION_FEE_BPS))?, prices.usdc)?;
    let by_value = mul_div_down(bonus_value, pow10(decimals), mul(mul(u(BPS), prices.collateral)?, u(USDC_UNIT))?)?;
    Ok((by_value.min(pro_rata), pro_rata))
}

/// Collateral worth `usdc` at the given prices, rounded down.
pub fn usdc_to_collateral_down(usdc: U256, prices: Prices, decimals: u8) -> Checked {
    mul_div_down(mul(usdc, prices.usdc)?, pow10(decimals), mul(prices.collateral, u(USDC_UNIT))?)
}

/// Loan-to-value of `debt` against `collateral` in bps, rounded up; `U256::MAX` when the
/// collateral is worth nothing.
pub fn loan_to_value_bps(debt: U256, collateral: U256, prices: Prices, decimals: u8) -> Checked {
    let collateral_value = collateral_value(collateral, prices, decimals)?;
    if collateral_value.is_zero() {
        return Ok(U256::MAX);
    }
    mul_div_up(debt_value(debt, prices)?, u(BPS), collateral_value)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const USDC: u64 = USDC_UNIT;

    fn wad(answer: u64, feed_decimals: u8) -> U256 {
        price_wad(u(answer), feed_decimals).unwrap()
    }

    /// The worked example of docs/collateral-pool.md: LTV 65 %, factor 100 %, 5 %, collateral of
    /// 18 decimals at $0.02, USDC at $1 (8-decimal feeds).
    fn example_prices(collateral_answer: u64) -> Prices {
        Prices { usdc: wad(100_000_000, 8), collateral: wad(collateral_answer, 8) }
    }

    #[test]
    fn f6_matches_the_published_check_value() {
        // SPEC: 1,000 USDC, LTV 65 %, factor 10_000, collateral $0.02 → 76,923.0769… tokens.
        let required =
            required_collateral(u(1_000 * USDC), u(6_500), u(10_000), example_prices(2_000_000), 18).unwrap();
        assert_eq!(required, U256::from(76_923_076_923_076_923_076_924u128));
    }

    #[test]
    fn f1_thirty_days_and_a_year() {
        assert_eq!(interest(u(1_000 * USDC), u(500), 30 * 86_400).unwrap(), u(4_109_590));
        assert_eq!(interest(u(1_000 * USDC), u(500), ONE_YEAR).unwrap(), u(50 * USDC));
        assert_eq!(interest(u(1_000 * USDC), u(500), 0).unwrap(), U256::ZERO);
    }

    #[test]
    fn f7_adds_five_percent_rounded_up() {
        assert_eq!(liquidation_payment(u(1_000 * USDC), u(4_109_590)).unwrap(), u(1_054_315_070));
        // 1 unit: 1.05 rounds up to 2.
        assert_eq!(liquidation_payment(u(1), U256::ZERO).unwrap(), u(2));
    }

    #[test]
    fn f8_example_becomes_liquidatable_near_0_015357() {
        let debt = u(1_004_109_590);
        let collateral = U256::from(76_923_076_923_076_923_076_924u128);
        let at = |answer| is_liquidatable(debt, collateral, u(6_500), example_prices(answer), 18).unwrap();
        // Threshold 1,004.109590 / (76,923.08 × 85 %) = $0.0153569…
        assert!(!at(1_535_700));
        assert!(at(1_535_690));
    }

    #[test]
    fn f9_example_seizes_by_value_then_everything_underwater() {
        let collateral = U256::from(76_923_076_923_076_923_076_924u128);
        let (seized, pro_rata) = liquidation_collateral(
            u(1_000 * USDC),
            u(4_109_590),
            collateral,
            u(1_000 * USDC),
            example_prices(1_500_000),
            18,
        )
        .unwrap();
        assert_eq!(pro_rata, collateral);
        // 1,004.109590 × 1.1 / 0.015 = 73,634.70…
        assert_eq!(seized / pow10(16), u(7_363_470));
        let (seized, _) = liquidation_collateral(
            u(1_000 * USDC),
            u(4_109_590),
            collateral,
            u(1_000 * USDC),
            example_prices(1_400_000),
            18,
        )
        .unwrap();
        assert_eq!(seized, collateral);
    }

    #[test]
    fn f2_one_lender_one_loan_earns_just_under_the_interest() {
        let rate = reward_rate(u(1_000 * USDC * 500), u(10_000 * USDC)).unwrap();
        let per_year = reward(u(10_000 * USDC), rate * u(ONE_YEAR)).unwrap();
        assert!(per_year <= u(50 * USDC) && per_year > u(50 * USDC - 1_000), "{per_year}");
        assert_eq!(reward_rate(u(1), U256::ZERO).unwrap(), U256::ZERO);
    }

    #[test]
    fn mul_div_panics_like_openzeppelin() {
        assert_eq!(mul_div_down(u(1), u(1), U256::ZERO), Err(DIVISION_BY_ZERO));
        assert_eq!(mul_div_down(U256::MAX, u(2), u(1)), Err(OVERFLOW));
        assert_eq!(mul_div_down(U256::MAX, u(2), u(2)).unwrap(), U256::MAX);
        assert_eq!(mul_div_up(U256::MAX, U256::MAX, U256::MAX).unwrap(), U256::MAX);
        assert_eq!(mul_div_up(u(7), u(3), u(2)).unwrap(), u(11));
    }

    #[test]
    fn loan_to_value_of_worthless_collateral_is_maximal() {
        assert_eq!(loan_to_value_bps(u(1), U256::ZERO, example_prices(2_000_000), 18).unwrap(), U256::MAX);
        // 650 USDC against 50,000 tokens at $0.02 = $1,000 → 65 %.
        let ltv = loan_to_value_bps(u(650 * USDC), u(50_000) * pow10(18), example_prices(2_000_000), 18);
        assert_eq!(ltv.unwrap(), u(6_500));
    }

    /// test/utils/ReferenceMath.sol, written out literally: plain products, one ceiling division.
    mod reference_math {
        use super::*;

        pub fn ceil_div(num: U256, den: U256) -> U256 {
            let q = num / den;
            if q * den != num { q + U256::from(1u64) } else { q }
        }

        pub fn interest(x: U256, rate: U256, elapsed: u64) -> U256 {
            ceil_div(rate * x * U256::from(elapsed), u(ONE_YEAR * BPS))
        }

        pub fn reward_rate(weighted: U256, lent: U256) -> U256 {
            if lent.is_zero() { U256::ZERO } else { weighted * u(REWARD_PRECISION) / (lent * u(ONE_YEAR) * u(BPS)) }
        }

        #[allow(clippy::too_many_arguments)]
        pub fn required_collateral(
            usdc: U256,
            ltv: U256,
            factor: U256,
            p_usdc: U256,
            d_usdc: u8,
            p_coll: U256,
            d_coll: u8,
            token_dec: u8,
        ) -> U256 {
            let num = usdc * u(BPS) * factor * p_usdc * pow10(d_coll) * pow10(token_dec);
            let den = ltv * u(BPS) * pow10(d_usdc) * p_coll * u(USDC_UNIT);
            ceil_div(num, den)
        }

        pub fn liquidation_payment(x: U256, i: U256) -> U256 {
            ceil_div((x + i) * u(10_500), u(BPS))
        }

        #[allow(clippy::too_many_arguments)]
        pub fn is_liquidatable_exact(
            debt: U256,
            coll: U256,
            ltv: U256,
            p_usdc: U256,
            d_usdc: u8,
            p_coll: U256,
            d_coll: u8,
            token_dec: u8,
        ) -> bool {
            debt * p_usdc * pow10(d_coll) * pow10(token_dec) * u(BPS)
                >= coll * p_coll * pow10(d_usdc) * u(USDC_UNIT) * (ltv + u(2_000))
        }
    }

    fn decimals() -> impl Strategy<Value = u8> {
        prop_oneof![Just(6u8), Just(8u8), Just(18u8), 0u8..=18]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn f1_and_f2_and_f7_equal_the_reference(
            x in 0u64..1 << 60, rate in 0u64..1 << 24, elapsed in 0u64..1 << 35, weighted in 0u64..u64::MAX,
            lent in 0u64..1 << 62,
        ) {
            prop_assert_eq!(interest(u(x), u(rate), elapsed).unwrap(), reference_math::interest(u(x), u(rate), elapsed));
            prop_assert_eq!(
                reward_rate(u(weighted) * u(rate), u(lent)).unwrap(),
                reference_math::reward_rate(u(weighted) * u(rate), u(lent))
            );
            prop_assert_eq!(
                liquidation_payment(u(x), u(elapsed)).unwrap(),
                reference_math::liquidation_payment(u(x), u(elapsed))
            );
        }

        #[test]
        fn f6_and_f8_equal_the_reference(
            usdc in 1u64..1 << 50, ltv in 1u64..=6_500, factor in 10_000u64..30_000,
            p_usdc in 1u64..1 << 40, d_usdc in decimals(), p_coll in 1u64..1 << 40, d_coll in decimals(),
            token_dec in decimals(), collateral in 0u128..1 << 100,
        ) {
            let prices = Prices { usdc: wad(p_usdc, d_usdc), collateral: wad(p_coll, d_coll) };
            prop_assert_eq!(
                required_collateral(u(usdc), u(ltv), u(factor), prices, token_dec).unwrap(),
                reference_math::required_collateral(u(usdc), u(ltv), u(factor), u(p_usdc), d_usdc, u(p_coll), d_coll, token_dec)
            );
            // The pool rounds towards "liquidatable": whenever the exact test says liquidatable, so
            // does the pool; and it never says liquidatable when one more unit of debt would not.
            let exact = reference_math::is_liquidatable_exact(
                u(usdc), U256::from(collateral), u(ltv), u(p_usdc), d_usdc, u(p_coll), d_coll, token_dec);
            let pool = is_liquidatable(u(usdc), U256::from(collateral), u(ltv), prices, token_dec).unwrap();
            if exact { prop_assert!(pool); }
            let pool_lower = is_liquidatable(u(usdc - 1), U256::from(collateral), u(ltv), prices, token_dec).unwrap();
            prop_assert!(pool >= pool_lower);
        }
    }
}

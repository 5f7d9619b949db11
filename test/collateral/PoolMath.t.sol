// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";
import {PoolMath} from "../../contracts/libraries/PoolMath.sol";
import {ReferenceMath} from "../utils/ReferenceMath.sol";

/// @notice F1–F9 of SPEC §1: the published worked numbers, then each formula fuzzed against the
/// naive reference in `ReferenceMath`, with its rounding direction asserted.
contract PoolMathTest is Test {
    uint256 internal constant ONE_YEAR = 31_536_000;

    function _wad(uint256 price, uint8 feedDecimals) internal pure returns (uint256) {
        return price * 10 ** (18 - feedDecimals);
    }

    /* PUBLISHED NUMBERS */

    /// @dev SPEC F6 check value: 1,000 USDC at 65 % LTV, factor 100 %, collateral $0.02, USDC $1.
    function test_requiredCollateral_publishedExample() public pure {
        uint256 tokens = PoolMath.requiredCollateral(1000e6, 6500, 10_000, 1e18, 0.02e18, 18);
        // 1000 / 0.65 / 0.02 = 76,923.0769230769230769230769... rounded up in the last wei.
        assertEq(tokens, 76_923_076_923_076_923_076_924);
    }

    function test_requiredCollateral_factorAddsBuffer() public pure {
        uint256 plain = PoolMath.requiredCollateral(1000e6, 6500, 10_000, 1e18, 0.02e18, 18);
        uint256 buffered = PoolMath.requiredCollateral(1000e6, 6500, 10_500, 1e18, 0.02e18, 18);
        assertEq(buffered, 80_769_230_769_230_769_230_770); // 5 % more, rounded up
        assertGt(buffered, plain);
    }

    /// @dev Collateral worth nothing (no tokens, or an amount too small to be worth one unit)
    /// gives the maximum LTV, so any debt against it is liquidatable rather than a division by zero.
    function test_loanToValueBps_maximalWhenCollateralIsWorthNothing() public pure {
        assertEq(PoolMath.loanToValueBps(1, 0, 1e18, 0.02e18, 18), type(uint256).max);
        assertEq(PoolMath.loanToValueBps(1, 1, 1e18, 0.02e18, 18), type(uint256).max); // 2e-20 USD rounds to 0
        assertEq(PoolMath.loanToValueBps(0, 0, 1e18, 0.02e18, 18), type(uint256).max);
        assertLt(PoolMath.loanToValueBps(1, 1e18, 1e18, 0.02e18, 18), type(uint256).max);
    }

    function test_interest_fivePercentForOneYear() public pure {
        assertEq(PoolMath.interest(1000e6, 500, ONE_YEAR), 50e6);
        assertEq(PoolMath.interest(1000e6, 500, 0), 0);
        // One second of 5 % on 1 USDC is 1.585e-9 USDC: the borrower still pays one unit.
        assertEq(PoolMath.interest(1e6, 500, 1), 1);
    }

    function test_liquidationPayment_addsFivePercentFee() public pure {
        assertEq(PoolMath.liquidationPayment(1000e6, 50e6), 1102.5e6);
        assertEq(PoolMath.liquidationPayment(1, 0), 2); // 1.05 rounds up
    }

    function test_isLiquidatable_atThreshold() public pure {
        // 85 % of $100 of collateral is $85: a debt of exactly 85 USDC is liquidatable, 84.99 is not.
        assertTrue(PoolMath.isLiquidatable(85e6, 100e18, 6500, 1e18, 1e18, 18));
        assertFalse(PoolMath.isLiquidatable(84.999999e6, 100e18, 6500, 1e18, 1e18, 18));
    }

    function test_liquidationCollateral_cappedByProRata() public pure {
        // Collateral worth $100 against 85 USDC: repaying it all is worth 85 × 1.1 = $93.5 of collateral.
        (uint256 seized, uint256 proRata) = PoolMath.liquidationCollateral(85e6, 0, 100e18, 85e6, 1e18, 1e18, 18);
        assertEq(proRata, 100e18);
        assertEq(seized, 93.5e18);
        // Underwater: collateral worth $50 against 85 USDC: the liquidator gets all of it, no more.
        (seized, proRata) = PoolMath.liquidationCollateral(85e6, 0, 100e18, 85e6, 1e18, 0.5e18, 18);
        assertEq(seized, 100e18);
        assertEq(proRata, 100e18);
    }

    function test_rewardRate_zeroWhenNothingLent() public pure {
        assertEq(PoolMath.rewardRate(1000e6 * 500, 0), 0);
    }

    function test_rewardAccrual_matchesInterestForOneLender() public pure {
        // One lender, one borrower of everything at 5 %: a year of rewards is the year's interest,
        // less at most the rounding of the rate (lenders receive less, never more).
        uint256 rate = PoolMath.rewardRate(1000e6 * 500, 1000e6);
        uint256 rewards = PoolMath.reward(1000e6, rate * ONE_YEAR);
        assertLe(rewards, PoolMath.interest(1000e6, 500, ONE_YEAR));
        assertApproxEqAbs(rewards, 50e6, 1);
    }

    /* FUZZ AGAINST THE REFERENCE */

    function testFuzz_interest_matchesReferenceRoundedUp(uint256 x, uint256 rate, uint256 elapsed) public pure {
        x = bound(x, 0, 1e18); // up to a trillion USDC
        rate = bound(rate, 0, type(uint24).max);
        elapsed = bound(elapsed, 0, 100 * ONE_YEAR);
        uint256 got = PoolMath.interest(x, rate, elapsed);
        assertEq(got, ReferenceMath.interest(x, rate, elapsed));
        // Rounded up: never below the exact value, less than one unit above it.
        assertGe(got * ONE_YEAR * 10_000, x * rate * elapsed);
        if (got > 0) assertLt((got - 1) * ONE_YEAR * 10_000, x * rate * elapsed);
    }

    function testFuzz_interest_neverDecreasesWithTime(uint256 x, uint256 rate, uint256 t1, uint256 t2) public pure {
        x = bound(x, 0, 1e18);
        rate = bound(rate, 0, type(uint24).max);
        t1 = bound(t1, 0, 100 * ONE_YEAR);
        t2 = bound(t2, t1, 100 * ONE_YEAR);
        assertLe(PoolMath.interest(x, rate, t1), PoolMath.interest(x, rate, t2));
    }

    function testFuzz_rewardRate_matchesReferenceRoundedDown(uint256 weighted, uint256 lent) public pure {
        weighted = bound(weighted, 0, 1e18 * uint256(type(uint24).max));
        lent = bound(lent, 0, 1e18);
        uint256 got = PoolMath.rewardRate(weighted, lent);
        assertEq(got, ReferenceMath.rewardRate(weighted, lent));
        if (lent > 0) assertLe(got * lent * ONE_YEAR * 10_000, weighted * 1e18);
    }

    function testFuzz_reward_roundedDown(uint256 x, uint256 delta) public pure {
        x = bound(x, 0, 1e18);
        delta = bound(delta, 0, 1e36);
        uint256 got = PoolMath.reward(x, delta);
        assertLe(got * 1e18, x * delta);
        assertGt((got + 1) * 1e18, x * delta);
    }

    /// @dev Rewards paid to lenders over any period never exceed the interest borrowers owe for it.
    function testFuzz_rewards_neverExceedInterest(uint256 borrowed, uint256 lent, uint256 rate, uint256 elapsed)
        public
        pure
    {
        lent = bound(lent, 1, 1e18);
        borrowed = bound(borrowed, 0, lent);
        rate = bound(rate, 0, type(uint24).max);
        elapsed = bound(elapsed, 0, 100 * ONE_YEAR);
        uint256 rewardRate = PoolMath.rewardRate(borrowed * rate, lent);
        assertLe(PoolMath.reward(lent, rewardRate * elapsed), PoolMath.interest(borrowed, rate, elapsed));
    }

    function testFuzz_requiredCollateral_matchesReferenceRoundedUp(
        uint256 usdc,
        uint256 ltv,
        uint256 factor,
        uint256 pU,
        uint8 dU,
        uint256 pC,
        uint8 dC,
        uint8 tokenDec
    ) public pure {
        usdc = bound(usdc, 0, 1e15); // up to a billion USDC
        ltv = bound(ltv, 1, 6500);
        factor = bound(factor, 10_000, 20_000);
        dU = uint8(bound(dU, 6, 18));
        dC = uint8(bound(dC, 6, 18));
        tokenDec = uint8(bound(tokenDec, 0, 18));
        pU = bound(pU, 10 ** dU / 2, 2 * 10 ** dU); // USDC between $0.5 and $2
        pC = bound(pC, 1, 1e6 * 10 ** dC); // collateral between 1e-18 and $1M
        uint256 got = PoolMath.requiredCollateral(usdc, ltv, factor, _wad(pU, dU), _wad(pC, dC), tokenDec);
        assertEq(got, ReferenceMath.requiredCollateral(usdc, ltv, factor, pU, dU, pC, dC, tokenDec));
    }

    function testFuzz_liquidationPayment_matchesReferenceRoundedUp(uint256 x, uint256 i) public pure {
        x = bound(x, 0, 1e18);
        i = bound(i, 0, 1e18);
        uint256 got = PoolMath.liquidationPayment(x, i);
        assertEq(got, ReferenceMath.liquidationPayment(x, i));
        assertGe(got * 10_000, (x + i) * 10_500);
    }

    /// @dev F8 rounds towards "liquidatable": whatever the exact comparison calls liquidatable is
    /// liquidatable, and the rounding never flags a position more than one USDC unit early.
    function testFuzz_isLiquidatable_roundsTowardsLiquidatable(
        uint256 debt,
        uint256 coll,
        uint256 ltv,
        uint256 pU,
        uint8 dU,
        uint256 pC,
        uint8 dC,
        uint8 tokenDec
    ) public pure {
        debt = bound(debt, 0, 1e15);
        ltv = bound(ltv, 1, 6500);
        dU = uint8(bound(dU, 6, 18));
        dC = uint8(bound(dC, 6, 18));
        tokenDec = uint8(bound(tokenDec, 0, 18));
        pU = bound(pU, 10 ** dU / 2, 2 * 10 ** dU);
        pC = bound(pC, 1, 1e6 * 10 ** dC);
        coll = bound(coll, 0, 1e12 * 10 ** tokenDec);
        bool got = PoolMath.isLiquidatable(debt, coll, ltv, _wad(pU, dU), _wad(pC, dC), tokenDec);
        if (ReferenceMath.isLiquidatableExact(debt, coll, ltv, pU, dU, pC, dC, tokenDec)) assertTrue(got);
        if (got) assertTrue(ReferenceMath.isLiquidatableExact(debt + 1, coll, ltv, pU, dU, pC, dC, tokenDec));
    }

    /// @dev F9: the liquidator never receives more than the repaid share of the collateral, nor
    /// more than 110 % of the value repaid; and gets exactly one of the two (the smaller).
    function testFuzz_liquidationCollateral_boundedByShareAndValue(
        uint256 repaid,
        uint256 principal,
        uint256 accrued,
        uint256 coll,
        uint256 pC,
        uint8 tokenDec
    ) public pure {
        principal = bound(principal, 1, 1e15);
        repaid = bound(repaid, 1, principal);
        accrued = bound(accrued, 0, principal);
        tokenDec = uint8(bound(tokenDec, 0, 18));
        coll = bound(coll, 0, 1e12 * 10 ** tokenDec);
        pC = bound(pC, 1, 1e24);
        (uint256 seized, uint256 proRata) =
            PoolMath.liquidationCollateral(repaid, accrued, coll, principal, 1e18, pC, tokenDec);
        assertEq(proRata, coll * repaid / principal);
        uint256 byValue = (repaid + accrued) * 11_000 * 1e18 * 10 ** tokenDec / (10_000 * pC * 1e6);
        assertEq(seized, byValue < proRata ? byValue : proRata);
        assertLe(seized, proRata);
    }

    function testFuzz_usdcToCollateralDown_neverAboveRequired(uint256 usdc, uint256 pC, uint8 tokenDec) public pure {
        usdc = bound(usdc, 0, 1e15);
        pC = bound(pC, 1, 1e24);
        tokenDec = uint8(bound(tokenDec, 0, 18));
        // Value conversion down vs F6 at LTV 100 % and factor 100 % (up): they differ by rounding only.
        uint256 down = PoolMath.usdcToCollateralDown(usdc, 1e18, pC, tokenDec);
        uint256 up = PoolMath.requiredCollateral(usdc, 10_000, 10_000, 1e18, pC, tokenDec);
        assertLe(down, up);
        assertLe(up - down, 1);
    }
}

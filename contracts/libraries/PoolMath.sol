// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MathLib} from "./MathLib.sol";

/// @title PoolMath
/// @notice The maths of the ERC-20 collateral pool (SPEC §1, F1–F9) as pure functions.
/// @dev Rounding rule, applied at every call: what borrowers pay rounds up, what lenders and
/// liquidators receive rounds down, and health checks round towards "liquidatable".
/// Prices are USD per whole token with 18 decimals ("wad"), as `OracleLib` returns them.
library PoolMath {
    using MathLib for uint256;

    /// @dev Basis-point denominator (10_000 = 100 %).
    uint256 internal constant BPS = 10_000;
    /// @dev Seconds in the 365-day year used for simple interest.
    uint256 internal constant ONE_YEAR = 31_536_000;
    /// @dev Fixed-point precision of `rewardPerToken` and `rewardRate`.
    uint256 internal constant REWARD_PRECISION = 1e18;
    /// @dev One whole USDC in base units (USDC has exactly 6 decimals, checked at initialisation).
    uint256 internal constant USDC_UNIT = 1e6;
    /// @dev Liquidator incentive on the repaid value, in bps (published `LIQUIDATION_FEE`).
    uint256 internal constant LIQUIDATION_FEE_BPS = 1000;
    /// @dev Protocol fee on liquidations, in bps (published `LIQUIDATION_PROTOCOL_FEE`).
    uint256 internal constant LIQUIDATION_PROTOCOL_FEE_BPS = 500;
    /// @dev Added to the LTV to form the liquidation threshold, in bps (`LIQUIDATION_MARGIN_FACTOR`).
    uint256 internal constant LIQUIDATION_MARGIN_BPS = 2000;

    /// @notice F1: simple interest owed on `principal` after `elapsed` seconds at `rateBps` a year.
    /// @dev Rounded up: the borrower pays.
    function interest(uint256 principal, uint256 rateBps, uint256 elapsed) internal pure returns (uint256) {
        return principal.mulDivUp(rateBps * elapsed, ONE_YEAR * BPS);
    }

    /// @notice F2: reward per lent USDC unit per second, scaled by `REWARD_PRECISION`.
    /// @param weightedBorrowed Σ outstanding principal × its rate in bps (F2b).
    /// @param outstandingLent Lent principal not yet claimed.
    /// @dev Rounded down: lenders receive. Zero when nothing is lent.
    function rewardRate(uint256 weightedBorrowed, uint256 outstandingLent) internal pure returns (uint256) {
        if (outstandingLent == 0) return 0;
        return weightedBorrowed.mulDivDown(REWARD_PRECISION, outstandingLent * ONE_YEAR * BPS);
    }

    /// @notice F3: reward earned by `principal` while `rewardPerToken` grew by `rewardPerTokenDelta`.
    /// @dev Rounded down: the lender receives.
    function reward(uint256 principal, uint256 rewardPerTokenDelta) internal pure returns (uint256) {
        return principal.mulDivDown(rewardPerTokenDelta, REWARD_PRECISION);
    }

    /// @notice F6: collateral tokens required to borrow `usdcAmount`:
    /// usdc × (10_000 / LTV) × (factor / 10_000) × P_usdc / P_collateral, decimals scaled.
    /// @dev One rounding, up: the borrower locks.
    function requiredCollateral(
        uint256 usdcAmount,
        uint256 ltvBps,
        uint256 factorBps,
        uint256 usdcPriceWad,
        uint256 collateralPriceWad,
        uint8 collateralDecimals
    ) internal pure returns (uint256) {
        return (usdcAmount * factorBps * usdcPriceWad)
        .mulDivUp(10 ** collateralDecimals, ltvBps * collateralPriceWad * USDC_UNIT);
    }

    /// @notice F7: USDC a liquidator pays to clear `principal` and its `accruedInterest`,
    /// protocol fee included. @dev Rounded up: the liquidator pays.
    function liquidationPayment(uint256 principal, uint256 accruedInterest) internal pure returns (uint256) {
        return (principal + accruedInterest).mulDivUp(BPS + LIQUIDATION_PROTOCOL_FEE_BPS, BPS);
    }

    /// @notice F8: whether a debt (principal + interest) is at or past the liquidation threshold
    /// LTV + `LIQUIDATION_MARGIN_BPS` of the collateral's value.
    /// @dev The debt's value rounds up and the collateral's down: ties go to "liquidatable".
    function isLiquidatable(
        uint256 debt,
        uint256 collateralAmount,
        uint256 ltvBps,
        uint256 usdcPriceWad,
        uint256 collateralPriceWad,
        uint8 collateralDecimals
    ) internal pure returns (bool) {
        uint256 debtValue = debt.mulDivUp(usdcPriceWad, USDC_UNIT);
        uint256 collateralValue = collateralAmount.mulDivDown(collateralPriceWad, 10 ** collateralDecimals);
        return debtValue * BPS >= collateralValue * (ltvBps + LIQUIDATION_MARGIN_BPS);
    }

    /// @notice F9: collateral a liquidator receives for repaying `repaidPrincipal` (+ `accruedInterest`)
    /// of a position holding `collateralAmount` against `principal`: the value repaid plus the
    /// `LIQUIDATION_FEE_BPS` incentive, capped at the repaid share of the collateral.
    /// @return seized Tokens to the liquidator. @return proRata The repaid share of the collateral;
    /// `proRata - seized` stays with the borrower.
    /// @dev Both rounded down: the liquidator receives, the borrower keeps the dust.
    function liquidationCollateral(
        uint256 repaidPrincipal,
        uint256 accruedInterest,
        uint256 collateralAmount,
        uint256 principal,
        uint256 usdcPriceWad,
        uint256 collateralPriceWad,
        uint8 collateralDecimals
    ) internal pure returns (uint256 seized, uint256 proRata) {
        proRata = collateralAmount.mulDivDown(repaidPrincipal, principal);
        uint256 bonusValue = (repaidPrincipal + accruedInterest) * (BPS + LIQUIDATION_FEE_BPS) * usdcPriceWad;
        uint256 byValue = bonusValue.mulDivDown(10 ** collateralDecimals, BPS * collateralPriceWad * USDC_UNIT);
        seized = byValue < proRata ? byValue : proRata;
    }

    /// @notice Collateral tokens worth `usdcAmount` at the given prices.
    /// @dev Rounded down: used for what the protocol or a user receives in collateral.
    function usdcToCollateralDown(
        uint256 usdcAmount,
        uint256 usdcPriceWad,
        uint256 collateralPriceWad,
        uint8 collateralDecimals
    ) internal pure returns (uint256) {
        return (usdcAmount * usdcPriceWad).mulDivDown(10 ** collateralDecimals, collateralPriceWad * USDC_UNIT);
    }

    /// @notice Loan-to-value of `debt` against `collateralAmount`, in bps.
    /// @dev Rounded up (the bound it is checked against protects the protocol); no collateral
    /// value gives the maximum.
    function loanToValueBps(
        uint256 debt,
        uint256 collateralAmount,
        uint256 usdcPriceWad,
        uint256 collateralPriceWad,
        uint8 collateralDecimals
    ) internal pure returns (uint256) {
        uint256 collateralValue = collateralAmount.mulDivDown(collateralPriceWad, 10 ** collateralDecimals);
        if (collateralValue == 0) return type(uint256).max;
        return debt.mulDivUp(usdcPriceWad, USDC_UNIT).mulDivUp(BPS, collateralValue);
    }
}

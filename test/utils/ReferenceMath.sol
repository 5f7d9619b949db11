// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ReferenceMath
/// @notice Independent, deliberately naive implementations of F1–F9 for differential fuzzing:
/// the SPEC's formulas written out literally in plain 256-bit arithmetic (callers bound inputs so
/// nothing overflows), rounding by explicit remainder checks instead of a mulDiv library.
library ReferenceMath {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant ONE_YEAR = 31_536_000;

    function ceilDiv(uint256 num, uint256 den) internal pure returns (uint256 q) {
        q = num / den;
        if (q * den != num) q += 1;
    }

    function interest(uint256 x, uint256 rate, uint256 elapsed) internal pure returns (uint256) {
        return ceilDiv(rate * x * elapsed, ONE_YEAR * BPS);
    }

    function rewardRate(uint256 weighted, uint256 lent) internal pure returns (uint256) {
        return lent == 0 ? 0 : weighted * 1e18 / (lent * ONE_YEAR * BPS);
    }

    /// @dev F6 with prices in feed units: usdc * 1e4/ltv * factor/1e4 * (pU/10^dU) / (pC/10^dC),
    /// then from 6 to `tokenDec` decimals, one final rounding up.
    function requiredCollateral(
        uint256 usdc,
        uint256 ltv,
        uint256 factor,
        uint256 pU,
        uint8 dU,
        uint256 pC,
        uint8 dC,
        uint8 tokenDec
    ) internal pure returns (uint256) {
        uint256 num = usdc * BPS * factor * pU * 10 ** dC * 10 ** tokenDec;
        uint256 den = ltv * BPS * 10 ** dU * pC * 1e6;
        return ceilDiv(num, den);
    }

    function liquidationPayment(uint256 x, uint256 i) internal pure returns (uint256) {
        return ceilDiv((x + i) * 10_500, BPS);
    }

    /// @dev F8 by exact cross-multiplication in feed units (no intermediate rounding at all).
    function isLiquidatableExact(
        uint256 debt,
        uint256 coll,
        uint256 ltv,
        uint256 pU,
        uint8 dU,
        uint256 pC,
        uint8 dC,
        uint8 tokenDec
    ) internal pure returns (bool) {
        return debt * pU * 10 ** dC * 10 ** tokenDec * BPS >= coll * pC * 10 ** dU * 1e6 * (ltv + 2000);
    }
}

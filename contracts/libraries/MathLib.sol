// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title MathLib
/// @notice Named rounding directions over OpenZeppelin's full-precision `mulDiv`, so every call
/// site shows which way it rounds (`mulDivUp` where users pay, `mulDivDown` where they receive).
library MathLib {
    /// @dev Returns floor(x * y / d) without intermediate overflow; reverts when d == 0.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d);
    }

    /// @dev Returns ceil(x * y / d) without intermediate overflow; reverts when d == 0.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CounterpartyPool} from "../../contracts/counterparty/CounterpartyPool.sol";
import {AdminCounterpartyPool} from "../../contracts/counterparty/AdminCounterpartyPool.sol";

/// @title CounterpartyPoolV2
/// @notice Test-only upgrade target for the default variant: the same storage, one new function.
contract CounterpartyPoolV2 is CounterpartyPool {
    /// @notice Marks the upgraded implementation.
    function version() external pure returns (string memory) {
        return "2.0.0";
    }
}

/// @title AdminCounterpartyPoolV2
/// @notice Test-only upgrade target for the admin variant: the same storage, one new function.
contract AdminCounterpartyPoolV2 is AdminCounterpartyPool {
    /// @notice Marks the upgraded implementation.
    function version() external pure returns (string memory) {
        return "2.0.0";
    }
}

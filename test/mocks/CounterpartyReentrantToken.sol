// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockERC20} from "../../contracts/mocks/MockERC20.sol";

/// @title CounterpartyReentrantToken
/// @notice Test-only malicious ERC-20 collateral: once armed, the next transfer between two
/// accounts first calls `target` with stored calldata (a reentrant call into the pool), records
/// the outcome, then completes normally. The token can also act as a lender or borrower itself
/// (`execute`), so the reentrant call would succeed if the pool let it through.
contract CounterpartyReentrantToken is MockERC20 {
    /// @notice Whether the next transfer calls back.
    bool public armed;
    /// @notice Contract called back.
    address public target;
    /// @notice Calldata of the callback.
    bytes public callData;
    /// @notice Callbacks made so far.
    uint256 public reentryCount;
    /// @notice Whether the last callback succeeded.
    bool public lastCallSucceeded;
    /// @notice Return or revert data of the last callback.
    bytes public lastReturnData;

    constructor(uint8 decimals_) MockERC20("Reentrant", "REENT", decimals_) {}

    /// @notice The next transfer calls `target_` with `callData_` first.
    function arm(address target_, bytes calldata callData_) external {
        armed = true;
        target = target_;
        callData = callData_;
    }

    /// @notice Lets the token act on its own behalf (approve USDC, commit, claim); bubbles reverts.
    function execute(address to, bytes calldata data) external returns (bytes memory ret) {
        bool ok;
        (ok, ret) = to.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }

    /// @notice Selector of the last callback's revert data; zero if it succeeded or had no selector.
    function lastRevertSelector() external view returns (bytes4 selector) {
        bytes memory data = lastReturnData;
        if (lastCallSucceeded || data.length < 4) return bytes4(0);
        assembly ("memory-safe") {
            selector := mload(add(data, 0x20))
        }
    }

    function _update(address from, address to, uint256 value) internal override {
        if (armed && from != address(0) && to != address(0)) {
            armed = false;
            (bool ok, bytes memory ret) = target.call(callData);
            reentryCount += 1;
            lastCallSucceeded = ok;
            lastReturnData = ret;
        }
        super._update(from, to, value);
    }
}

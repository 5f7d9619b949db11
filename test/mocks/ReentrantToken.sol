// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockERC20} from "../../contracts/mocks/MockERC20.sol";

/// @title ReentrantToken
/// @notice Test-only ERC-20 with a transfer hook (like ERC-777 or a malicious collateral token):
/// once armed, the next transfer between two accounts (`transfer` or `transferFrom`) first calls
/// `target` with a configured calldata, then completes normally. Models the reentrancy attack
/// where a token re-enters the pool mid-operation, while its accounting is half updated, to
/// borrow, repay, liquidate, lend or claim against stale state.
/// @dev The hook fires once per arming. It records whether the reentrant call reverted and with
/// which revert data, so a test can check that the pool refused it
/// (`ReentrancyGuardReentrantCall()` for OpenZeppelin's `ReentrancyGuardTransient`).
contract ReentrantToken is MockERC20 {
    /// @notice Emitted after the reentrant call, with its outcome.
    event Reentered(address indexed target, bool success, bytes returnData);

    /// @notice Whether the next transfer calls back.
    bool public armed;
    /// @notice Contract called back.
    address public target;
    /// @notice Calldata of the callback.
    bytes public callData;
    /// @notice Number of callbacks made.
    uint256 public reentryCount;
    /// @notice Whether the last callback succeeded.
    bool public lastCallSucceeded;
    /// @notice Return or revert data of the last callback.
    bytes public lastReturnData;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) MockERC20(name_, symbol_, decimals_) {}

    /// @notice Arms the hook: the next transfer calls `target_` with `callData_` first.
    function arm(address target_, bytes calldata callData_) external {
        armed = true;
        target = target_;
        callData = callData_;
    }

    /// @notice The selector of the last callback's revert data (zero when it succeeded or was empty).
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
            emit Reentered(target, ok, ret);
        }
        super._update(from, to, value);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockERC20} from "../../contracts/mocks/MockERC20.sol";

/// @title RevertingToken
/// @notice Test-only ERC-20 whose `transfer` and `transferFrom` can be switched to revert, or to
/// return `false` without reverting and without moving anything (as ZRX and other pre-2018 tokens
/// do), or to revert on zero-value transfers only (as BNB and LEND do). Models the attack where a
/// pool ignores the boolean result, credits a deposit that never arrived, or records a payout
/// that never left; and the pool that sends "nothing" and gets stuck.
contract RevertingToken is MockERC20 {
    /// @notice How `transfer` and `transferFrom` behave.
    enum Mode {
        Normal,
        Revert,
        ReturnFalse,
        RevertOnZero
    }

    /// @notice Raised by transfers in `Mode.Revert`.
    error TransfersDisabled();

    /// @notice Raised by zero-value transfers in `Mode.RevertOnZero`.
    error ZeroTransfer();

    /// @notice The current behaviour.
    Mode public mode;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) MockERC20(name_, symbol_, decimals_) {}

    /// @notice Switches the behaviour of transfers; open to anyone.
    function setMode(Mode newMode) external {
        mode = newMode;
    }

    /// @dev Reverts, returns false, or transfers, by `mode` (and `value`).
    function transfer(address to, uint256 value) public override returns (bool) {
        if (mode == Mode.Revert) revert TransfersDisabled();
        if (mode == Mode.RevertOnZero && value == 0) revert ZeroTransfer();
        if (mode == Mode.ReturnFalse) return false;
        return super.transfer(to, value);
    }

    /// @dev Reverts, returns false, or transfers, by `mode` (and `value`).
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (mode == Mode.Revert) revert TransfersDisabled();
        if (mode == Mode.RevertOnZero && value == 0) revert ZeroTransfer();
        if (mode == Mode.ReturnFalse) return false;
        return super.transferFrom(from, to, value);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockERC20} from "../../contracts/mocks/MockERC20.sol";

/// @title BlacklistToken
/// @notice Test-only ERC-20 whose owner can blacklist addresses, as Circle does with USDC and
/// Tether with USDT: any transfer from or to a blacklisted address reverts. Models the attack
/// (or accident) where one blocked account makes a pool operation revert for everybody, e.g. a
/// liquidation that must pay the borrower, or a claim loop that pays several lenders.
contract BlacklistToken is MockERC20 {
    /// @notice The transfer touched a blacklisted account.
    error Blacklisted(address account);
    /// @notice Only the owner may change the blacklist.
    error NotOwner();

    /// @notice Emitted when `account` is added to (`true`) or removed from the blacklist.
    event BlacklistSet(address indexed account, bool blacklisted);

    /// @notice The deployer; the only account that edits the blacklist.
    address public immutable owner;
    /// @notice Whether transfers from or to an account revert.
    mapping(address account => bool) public isBlacklisted;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) MockERC20(name_, symbol_, decimals_) {
        owner = msg.sender;
    }

    /// @notice Adds `account` to or removes it from the blacklist. Only the owner.
    function setBlacklisted(address account, bool blacklisted) external {
        if (msg.sender != owner) revert NotOwner();
        isBlacklisted[account] = blacklisted;
        emit BlacklistSet(account, blacklisted);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (isBlacklisted[from]) revert Blacklisted(from);
        if (isBlacklisted[to]) revert Blacklisted(to);
        super._update(from, to, value);
    }
}

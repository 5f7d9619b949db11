// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockERC20} from "../../contracts/mocks/MockERC20.sol";

/// @title FeeOnTransferToken
/// @notice Test-only ERC-20 that keeps a fee, in bps, on every transfer between two accounts (like
/// STA, PAXG or USDT with its fee switched on): the recipient receives `amount − fee`. Models the
/// attack where a pool credits the amount asked for instead of the amount received, and so
/// becomes insolvent. Used with 18 decimals as collateral and with 6 decimals as USDC.
/// @dev Mints and burns are fee-free. The fee goes to `FEE_SINK`, so supply is conserved.
contract FeeOnTransferToken is MockERC20 {
    /// @notice Where fees go.
    address public constant FEE_SINK = address(0xFEE);

    /// @notice Current fee in bps of each transfer (10_000 = 100 %).
    uint256 public feeBps;

    /// @param decimals_ Token decimals. @param feeBps_ Initial fee in bps.
    constructor(string memory name_, string memory symbol_, uint8 decimals_, uint256 feeBps_)
        MockERC20(name_, symbol_, decimals_)
    {
        feeBps = feeBps_;
    }

    /// @notice Switches the fee; open to anyone (a real token's owner could do it at any time).
    function setFeeBps(uint256 newFeeBps) external {
        feeBps = newFeeBps;
    }

    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = from == address(0) || to == address(0) ? 0 : value * feeBps / 10_000;
        if (fee != 0) super._update(from, FEE_SINK, fee);
        super._update(from, to, value - fee);
    }
}

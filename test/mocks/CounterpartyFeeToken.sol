// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockERC20} from "../../contracts/mocks/MockERC20.sol";

/// @title CounterpartyFeeToken
/// @notice Test-only ERC-20 that keeps `feeBps` of every transfer between two accounts, so the
/// recipient receives less than was sent (STA, PAXG, USDT with its fee on). Used as collateral and
/// as USDC to check that counterparty pools refuse tokens that deliver less than asked.
/// @dev Mints and burns carry no fee; fees go to `FEE_SINK`, so supply is conserved.
contract CounterpartyFeeToken is MockERC20 {
    /// @notice Where fees go.
    address public constant FEE_SINK = address(0xFEE);

    /// @notice Fee on each transfer, bps (10_000 = 100 %).
    uint256 public feeBps;

    constructor(string memory name_, string memory symbol_, uint8 decimals_, uint256 feeBps_)
        MockERC20(name_, symbol_, decimals_)
    {
        feeBps = feeBps_;
    }

    /// @notice Changes the fee; open to anyone, as a real token's owner could switch it on at any time.
    function setFeeBps(uint256 newFeeBps) external {
        feeBps = newFeeBps;
    }

    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = from == address(0) || to == address(0) ? 0 : value * feeBps / 10_000;
        if (fee != 0) super._update(from, FEE_SINK, fee);
        super._update(from, to, value - fee);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockERC1155} from "../../contracts/mocks/MockERC1155.sol";

/// @title CounterpartyMisdeliveringERC1155
/// @notice Test-only ERC-1155 whose single transfers deliver `value + delta` while reporting
/// success: a fee or a bug (delta < 0) would leave the pool recording collateral it does not
/// hold; a bonus (delta > 0) would strand the surplus, which nobody could ever withdraw.
contract CounterpartyMisdeliveringERC1155 is MockERC1155 {
    /// @notice Units delivered beyond (or, negative, short of) what each transfer asks for.
    int256 public immutable delta;

    constructor(int256 delta_) {
        delta = delta_;
    }

    /// @notice Delivers `value + delta` and reports success.
    function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes memory data) public override {
        super.safeTransferFrom(from, to, id, uint256(int256(value) + delta), data);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockERC721} from "../../contracts/mocks/MockERC721.sol";

/// @title CounterpartyLyingERC721
/// @notice Test-only ERC-721 whose transfers report success without moving the token: a pool that
/// trusted the call instead of checking `ownerOf` would record collateral it does not hold.
contract CounterpartyLyingERC721 is MockERC721 {
    /// @notice Transfers that were asked for and silently skipped.
    uint256 public fakeTransfers;

    constructor() MockERC721("Lying Deeds", "LIE") {}

    /// @notice Pretends to transfer; the token stays where it is.
    function transferFrom(address, address, uint256) public override {
        fakeTransfers += 1;
    }

    /// @notice Pretends to transfer; the token stays where it is.
    function safeTransferFrom(address, address, uint256, bytes memory) public override {
        fakeTransfers += 1;
    }
}

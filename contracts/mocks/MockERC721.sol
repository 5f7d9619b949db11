// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title MockERC721
/// @notice Freely mintable ERC-721 for tests, the revm harness and the local demo. Anyone can mint.
contract MockERC721 is ERC721 {
    /// @param name_ Collection name. @param symbol_ Collection symbol.
    constructor(string memory name_, string memory symbol_) ERC721(name_, symbol_) {}

    /// @notice Mints token `id` to `to`; open to anyone.
    function mint(address to, uint256 id) external {
        _mint(to, id);
    }
}

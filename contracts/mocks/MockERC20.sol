// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockERC20
/// @notice Freely mintable ERC-20 with chosen decimals, for tests, the revm harness and the local
/// demo. Never deploy it as a real asset: anyone can mint.
contract MockERC20 is ERC20 {
    uint8 private immutable DECIMALS;

    /// @param name_ Token name. @param symbol_ Token symbol. @param decimals_ Token decimals.
    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        DECIMALS = decimals_;
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return DECIMALS;
    }

    /// @notice Creates `amount` tokens for `to`; open to anyone.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Destroys `amount` of `from`'s tokens; open to anyone (lets tests model losses).
    function burn(address from, uint256 amount) external {
        _burn(from, amount);
    }
}

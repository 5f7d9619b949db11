// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";

/// @title CollateralTransfer
/// @notice The one path by which counterparty pools move collateral of any kind: ERC-20, ERC-721
/// and ERC-1155, told apart through ERC-165. Incoming transfers are checked by balance (or owner)
/// so a token that delivers less than asked is refused.
library CollateralTransfer {
    using SafeERC20 for IERC20;

    /// @notice Kinds of collateral.
    enum Kind {
        ERC20,
        ERC721,
        ERC1155
    }

    /// @notice The token delivered less than asked (a fee on transfer), or not at all. Same
    /// selector as the collateral pool's published error of that name.
    error TokenTransferAmountIncludedFees();

    /// @notice The kind of `token`: ERC-721 or ERC-1155 when it says so through ERC-165, else ERC-20.
    function kindOf(address token) internal view returns (Kind) {
        if (ERC165Checker.supportsInterface(token, type(IERC721).interfaceId)) return Kind.ERC721;
        if (ERC165Checker.supportsInterface(token, type(IERC1155).interfaceId)) return Kind.ERC1155;
        return Kind.ERC20;
    }

    /// @notice Pulls `amount` of `token` (`id` for ERC-721/1155) from `from` into this contract.
    function pull(Kind kind, address token, address from, uint256 id, uint256 amount) internal {
        if (kind == Kind.ERC721) {
            IERC721(token).safeTransferFrom(from, address(this), id);
            if (IERC721(token).ownerOf(id) != address(this)) revert TokenTransferAmountIncludedFees();
        } else if (kind == Kind.ERC1155) {
            uint256 before = IERC1155(token).balanceOf(address(this), id);
            IERC1155(token).safeTransferFrom(from, address(this), id, amount, "");
            if (IERC1155(token).balanceOf(address(this), id) != before + amount) {
                revert TokenTransferAmountIncludedFees();
            }
        } else {
            uint256 before = IERC20(token).balanceOf(address(this));
            IERC20(token).safeTransferFrom(from, address(this), amount);
            if (IERC20(token).balanceOf(address(this)) != before + amount) revert TokenTransferAmountIncludedFees();
        }
    }

    /// @notice Sends `amount` of `token` (`id` for ERC-721/1155) from this contract to `to`.
    function push(Kind kind, address token, address to, uint256 id, uint256 amount) internal {
        if (amount == 0) return;
        if (kind == Kind.ERC721) {
            IERC721(token).safeTransferFrom(address(this), to, id);
        } else if (kind == Kind.ERC1155) {
            IERC1155(token).safeTransferFrom(address(this), to, id, amount, "");
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }
}

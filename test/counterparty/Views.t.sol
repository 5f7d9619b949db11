// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";

import {CounterpartyBaseTest} from "./CounterpartyBaseTest.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";
import {CounterpartyPool} from "../../contracts/counterparty/CounterpartyPool.sol";
import {AdminCounterpartyPool} from "../../contracts/counterparty/AdminCounterpartyPool.sol";
import {CounterpartyPoolBase} from "../../contracts/counterparty/CounterpartyPoolBase.sol";

/// @notice The views frontends poll to decide which buttons to show (`poolActions`,
/// `claimableRewards`), `depositRewards`' overflow guard, the token-receiver surface and the
/// initialiser's refusal of a zero USDC, in every pool status and for both variants.
contract CounterpartyViewsTest is CounterpartyBaseTest {
    /// @dev 333.333333 + 766.666667 = 1,100 USDC: the 1,122 USDC of rewards do not divide evenly,
    /// floor shares are 339,999,999 + 782,000,000, one unit of dust.
    uint256 internal constant ALICE_COMMIT = 333_333_333;
    uint256 internal constant BOB_COMMIT = 766_666_667;
    uint256 internal constant REWARDS = 1122e6;

    function _actions(ICounterpartyPool target, uint256 poolId)
        internal
        view
        returns (bool collectable, bool closable, bool archivable)
    {
        return target.poolActions(poolId);
    }

    function _assertActions(ICounterpartyPool target, uint256 poolId, bool collectable, bool closable, bool archivable)
        internal
        view
    {
        (bool c, bool cl, bool a) = _actions(target, poolId);
        assertEq(c, collectable, "collectable");
        assertEq(cl, closable, "closable");
        assertEq(a, archivable, "archivable");
    }

    /// @dev alice and bob commit 1,100 USDC; the owner collects at the deadline.
    function _activePool() internal returns (uint256 poolId) {
        poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, ALICE_COMMIT);
        _commit(pools, poolId, bob, BOB_COMMIT);
        vm.warp(deadline);
        vm.prank(owner);
        pools.collectPool(poolId);
    }

    /* poolActions, default variant */

    function test_poolActions_created_nothingBeforeTheDeadline() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, SOFT_CAP);
        _assertActions(pools, poolId, false, false, false);
    }

    function test_poolActions_created_collectableFromTheDeadlineWithTheSoftCap() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, SOFT_CAP);
        vm.warp(deadline);
        _assertActions(pools, poolId, true, false, false);
        vm.warp(uint256(deadline) + pools.COLLECT_WINDOW() + 1);
        _assertActions(pools, poolId, false, false, false);
    }

    function test_poolActions_created_emptyPoolClosableAfterDeadlineAndArchivableAfterDelay() public {
        uint256 poolId = _createPool(_noCollateral());
        vm.warp(deadline);
        _assertActions(pools, poolId, false, false, false);
        vm.warp(uint256(deadline) + 1);
        _assertActions(pools, poolId, false, true, false);
        vm.warp(uint256(deadline) + pools.ARCHIVE_DELAY());
        _assertActions(pools, poolId, false, true, true);
    }

    function test_poolActions_created_poolWithCommitsIsNeitherClosableNorArchivable() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, 1e6); // below the soft cap: never collectable
        vm.warp(uint256(deadline) + pools.ARCHIVE_DELAY());
        _assertActions(pools, poolId, false, false, false);
    }

    function test_poolActions_active_closableOnceRewardsCoverRequired() public {
        uint256 poolId = _activePool();
        assertEq(pools.requiredRewards(poolId), REWARDS);
        _deposit(pools, poolId, owner, REWARDS - 1);
        _assertActions(pools, poolId, false, false, false);
        _deposit(pools, poolId, owner, 1);
        _assertActions(pools, poolId, false, true, false);
    }

    function test_poolActions_closed_archivableAfterDelayOncePaidOut() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, REWARDS);
        vm.prank(owner);
        pools.closePool(poolId);
        uint256 closedAt = block.timestamp;
        vm.prank(alice);
        pools.claim(poolId);
        vm.warp(closedAt + pools.ARCHIVE_DELAY());
        _assertActions(pools, poolId, false, false, false); // bob has not claimed
        vm.prank(bob);
        pools.claim(poolId);
        _assertActions(pools, poolId, false, false, true);
    }

    /* poolActions, admin variant */

    function test_poolActions_adminCreated_collectableWithAnyCommitWithinTheWindow() public {
        uint256 poolId = _createAdminPool(_noCollateral());
        _assertActions(adminPools, poolId, false, false, false);
        _commit(adminPools, poolId, alice, 1e6); // the soft cap is the admin's call
        _assertActions(adminPools, poolId, true, false, false);
        vm.warp(uint256(deadline) + adminPools.COLLECT_WINDOW());
        _assertActions(adminPools, poolId, true, false, false);
        vm.warp(uint256(deadline) + adminPools.COLLECT_WINDOW() + 1);
        _assertActions(adminPools, poolId, false, false, false);
    }

    function test_poolActions_adminCreated_neverClosable() public {
        uint256 poolId = _createAdminPool(_noCollateral());
        vm.warp(uint256(deadline) + adminPools.ARCHIVE_DELAY());
        _assertActions(adminPools, poolId, false, false, true);
    }

    /* claimableRewards */

    function test_claimableRewards_zeroWhilePoolCreated() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, SOFT_CAP);
        assertEq(pools.claimableRewards(poolId, alice), 0);
    }

    function test_claimableRewards_zeroWithoutCommit() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, REWARDS);
        assertEq(pools.claimableRewards(poolId, carol), 0);
    }

    function test_claimableRewards_activeIsTheFloorShareOfDepositsSoFar() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, 561e6); // half
        assertEq(pools.claimableRewards(poolId, alice), 169_999_999); // floor(561e6 × 333,333,333 / 1,100e6)
        assertEq(pools.claimableRewards(poolId, bob), 391_000_000);
    }

    function test_claimableRewards_closedLastClaimerGetsTheDust() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, REWARDS);
        vm.prank(owner);
        pools.closePool(poolId);
        assertEq(pools.claimableRewards(poolId, alice), 339_999_999);
        assertEq(pools.claimableRewards(poolId, bob), 782_000_000);

        vm.prank(alice);
        pools.claim(poolId);
        assertEq(pools.claimableRewards(poolId, alice), 0);
        // bob completes the set of lenders paid in full, so he takes the unit of dust.
        assertEq(pools.claimableRewards(poolId, bob), 782_000_001);
        vm.prank(bob);
        pools.claim(poolId);
        assertEq(usdc.balanceOf(bob), 782_000_001);
        assertEq(pools.claimableRewards(poolId, bob), 0);
    }

    /* depositRewards */

    function test_depositRewards_revertsWhen_totalExceedsUint128() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, type(uint128).max);
        _fund(owner, address(pools), 1);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.AmountTooBig.selector);
        pools.depositRewards(poolId, 1);
    }

    /* token receiver surface */

    function test_supportsInterface_receiversAccessControlAndErc165() public view {
        for (uint256 i; i < 2; ++i) {
            IERC165 target = i == 0 ? IERC165(address(pools)) : IERC165(address(adminPools));
            assertTrue(target.supportsInterface(type(IERC1155Receiver).interfaceId));
            assertTrue(target.supportsInterface(type(IAccessControl).interfaceId));
            assertTrue(target.supportsInterface(type(IERC165).interfaceId));
            assertFalse(target.supportsInterface(type(IERC721Receiver).interfaceId)); // ERC-721 asks nothing of ERC-165
            assertFalse(target.supportsInterface(0xffffffff));
        }
    }

    function test_onERC1155BatchReceived_acceptsBatchTransfers() public {
        uint256[] memory ids = new uint256[](2);
        uint256[] memory amounts = new uint256[](2);
        (ids[0], ids[1], amounts[0], amounts[1]) = (1, 2, 5, 6);
        assertEq(
            pools.onERC1155BatchReceived(alice, alice, ids, amounts, ""),
            IERC1155Receiver.onERC1155BatchReceived.selector
        );
        multi.mint(alice, 1, 5);
        multi.mint(alice, 2, 6);
        vm.prank(alice);
        multi.safeBatchTransferFrom(alice, address(adminPools), ids, amounts, "");
        assertEq(multi.balanceOf(address(adminPools), 2), 6);
    }

    /* initialiser */

    function test_init_revertsWhen_usdcIsZero() public {
        address[2] memory implementations = [address(new CounterpartyPool()), address(new AdminCounterpartyPool())];
        for (uint256 i; i < implementations.length; ++i) {
            vm.expectRevert(ICounterpartyPool.CannotBeZeroAddress.selector);
            new TransparentUpgradeableProxy(
                implementations[i], proxyAdminOwner, abi.encodeCall(CounterpartyPoolBase.__Pools_init, (address(0)))
            );
        }
    }
}

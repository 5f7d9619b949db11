// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

import {CounterpartyBaseTest} from "./CounterpartyBaseTest.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";

/// @notice `commitToPool` and `uncommitFromPool` of the default variant.
contract CommitTest is CounterpartyBaseTest {
    uint256 internal poolId;

    function setUp() public override {
        super.setUp();
        poolId = _createPool(_noCollateral());
    }

    function _committed(address who) internal view returns (uint256 amount, uint256 claimed) {
        return pools.poolCommits(who, poolId);
    }

    function _expectCommitRevert(address who, uint256 amount, bytes4 selector) internal {
        _fund(who, address(pools), amount);
        vm.prank(who);
        vm.expectRevert(selector);
        pools.commitToPool(poolId, amount);
    }

    /* COMMIT */

    function test_commitToPool_pullsUsdcAndRecordsCommit() public {
        _fund(alice, address(pools), 600e6);
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.CommittedToPool(poolId, 600e6, alice);
        vm.prank(alice);
        pools.commitToPool(poolId, 600e6);

        assertEq(pools.getPool(poolId).totalCommitted, 600e6);
        (uint256 amount, uint256 claimed) = _committed(alice);
        assertEq(amount, 600e6);
        assertEq(claimed, 0);
        assertEq(usdc.balanceOf(alice), 0);
        assertEq(usdc.balanceOf(address(pools)), 200e6 + 600e6);
    }

    function test_commitToPool_multipleCommitsAddUp() public {
        _commit(pools, poolId, alice, 300e6);
        _commit(pools, poolId, bob, 450e6);
        _commit(pools, poolId, alice, 250e6);
        (uint256 aliceAmount,) = _committed(alice);
        (uint256 bobAmount,) = _committed(bob);
        assertEq(aliceAmount, 550e6);
        assertEq(bobAmount, 450e6);
        assertEq(pools.getPool(poolId).totalCommitted, 1000e6);
        assertEq(usdc.balanceOf(address(pools)), 1200e6);
    }

    function test_commitToPool_reachingHardCapExactlyAllowed() public {
        _commit(pools, poolId, alice, 1500e6);
        _commit(pools, poolId, bob, 500e6);
        assertEq(pools.getPool(poolId).totalCommitted, 2000e6);
    }

    function test_commitToPool_revertsWhen_oneUnitAboveHardCap() public {
        _commit(pools, poolId, alice, 1500e6);
        _commit(pools, poolId, bob, 500e6);
        _expectCommitRevert(carol, 1, ICounterpartyPool.PoolHardCapReached.selector);
    }

    function test_commitToPool_revertsWhen_singleCommitAboveHardCap() public {
        _expectCommitRevert(alice, 2000e6 + 1, ICounterpartyPool.PoolHardCapReached.selector);
    }

    function test_commitToPool_atDeadlineAllowed() public {
        vm.warp(deadline);
        _commit(pools, poolId, alice, 100e6);
        assertEq(pools.getPool(poolId).totalCommitted, 100e6);
    }

    function test_commitToPool_revertsWhen_pastDeadline() public {
        vm.warp(uint256(deadline) + 1);
        _expectCommitRevert(alice, 100e6, ICounterpartyPool.PoolDeadlineReached.selector);
    }

    function test_commitToPool_revertsWhen_callerIsPoolOwner() public {
        _expectCommitRevert(owner, 100e6, ICounterpartyPool.PoolOwnerCannotCommitToHisOwnPool.selector);
    }

    function test_commitToPool_revertsWhen_amountZero() public {
        _expectCommitRevert(alice, 0, ICounterpartyPool.AmountCannotBeZero.selector);
    }

    function test_commitToPool_revertsWhen_poolCollected() public {
        _commit(pools, poolId, alice, 1100e6);
        vm.warp(deadline);
        vm.prank(owner);
        pools.collectPool(poolId);
        _expectCommitRevert(bob, 100e6, ICounterpartyPool.PoolStatusMustBeCreated.selector);
    }

    function test_commitToPool_revertsWhen_poolDoesNotExist() public {
        _fund(alice, address(pools), 100e6);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.PoolDoesNotExists.selector);
        pools.commitToPool(poolId + 1, 100e6);
    }

    function test_commitToPool_revertsWhen_paused() public {
        vm.prank(admin);
        pools.pause();
        _expectCommitRevert(alice, 100e6, PausableUpgradeable.EnforcedPause.selector);
    }

    /* UNCOMMIT */

    function test_uncommitFromPool_beforeDeadlineRefundsWholeCommit() public {
        _commit(pools, poolId, alice, 700e6);
        _commit(pools, poolId, alice, 400e6); // soft cap met, but the window has not opened
        _commit(pools, poolId, bob, 300e6);
        vm.warp(uint256(deadline) - 1);

        vm.expectEmit(address(pools));
        emit ICounterpartyPool.UncommittedFromPool(poolId, 1100e6, alice);
        vm.prank(alice);
        pools.uncommitFromPool(poolId);

        assertEq(usdc.balanceOf(alice), 1100e6);
        (uint256 amount,) = _committed(alice);
        assertEq(amount, 0);
        assertEq(pools.getPool(poolId).totalCommitted, 300e6);
        assertEq(usdc.balanceOf(address(pools)), 200e6 + 300e6);
    }

    function test_uncommitFromPool_revertsWhen_softCapMetAtDeadline() public {
        _commit(pools, poolId, alice, 1000e6);
        vm.warp(deadline);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.PoolSoftCapReached.selector);
        pools.uncommitFromPool(poolId);
    }

    function test_uncommitFromPool_revertsWhen_softCapMetAtEndOfCollectWindow() public {
        _commit(pools, poolId, alice, 1000e6);
        vm.warp(uint256(deadline) + 30 days);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.PoolSoftCapReached.selector);
        pools.uncommitFromPool(poolId);
    }

    function test_uncommitFromPool_afterCollectWindowAllowed() public {
        _commit(pools, poolId, alice, 1000e6);
        vm.warp(uint256(deadline) + 30 days + 1);
        vm.prank(alice);
        pools.uncommitFromPool(poolId);
        assertEq(usdc.balanceOf(alice), 1000e6);
        assertEq(pools.getPool(poolId).totalCommitted, 0);
    }

    function test_uncommitFromPool_afterDeadlineWithSoftCapMissedAllowed() public {
        _commit(pools, poolId, alice, 600e6);
        _commit(pools, poolId, bob, 399_999_999); // 999.999999 USDC: one unit short
        vm.warp(deadline);
        vm.prank(bob);
        pools.uncommitFromPool(poolId);
        assertEq(usdc.balanceOf(bob), 399_999_999);
        assertEq(pools.getPool(poolId).totalCommitted, 600e6);
    }

    function test_uncommitFromPool_revertsWhen_notACommitter() public {
        _commit(pools, poolId, alice, 600e6);
        vm.prank(bob);
        vm.expectRevert(ICounterpartyPool.NotACommitter.selector);
        pools.uncommitFromPool(poolId);
    }

    function test_uncommitFromPool_revertsWhen_alreadyUncommitted() public {
        _commit(pools, poolId, alice, 600e6);
        vm.startPrank(alice);
        pools.uncommitFromPool(poolId);
        vm.expectRevert(ICounterpartyPool.NotACommitter.selector);
        pools.uncommitFromPool(poolId);
        vm.stopPrank();
    }

    function test_uncommitFromPool_revertsWhen_poolCollected() public {
        _commit(pools, poolId, alice, 1100e6);
        vm.warp(deadline);
        vm.prank(owner);
        pools.collectPool(poolId);
        vm.warp(uint256(deadline) + 31 days);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeCreated.selector);
        pools.uncommitFromPool(poolId);
    }

    function test_uncommitFromPool_revertsWhen_paused() public {
        _commit(pools, poolId, alice, 600e6);
        vm.prank(admin);
        pools.pause();
        vm.prank(alice);
        vm.expectRevert(PausableUpgradeable.EnforcedPause.selector);
        pools.uncommitFromPool(poolId);
    }
}

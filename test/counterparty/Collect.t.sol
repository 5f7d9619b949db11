// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

import {CounterpartyBaseTest} from "./CounterpartyBaseTest.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";

/// @notice `collectPool` and `depositRewards` of the default variant.
contract CollectTest is CounterpartyBaseTest {
    uint256 internal poolId;

    function setUp() public override {
        super.setUp();
        poolId = _createPool(_noCollateral());
    }

    /// @dev The published commits: alice 600 + bob 500 = 1,100 USDC.
    function _commitPublished() internal {
        _commit(pools, poolId, alice, 600e6);
        _commit(pools, poolId, bob, 500e6);
    }

    function _collect() internal {
        vm.prank(owner);
        pools.collectPool(poolId);
    }

    function _expectCollectRevert(address by, bytes4 selector) internal {
        vm.prank(by);
        vm.expectRevert(selector);
        pools.collectPool(poolId);
    }

    /// @dev Collected at the deadline with the published commits.
    function _activate() internal {
        _commitPublished();
        vm.warp(deadline);
        _collect();
    }

    /* COLLECT */

    function test_collectPool_atDeadlinePaysOwnerLessTwoPercent() public {
        _commitPublished();
        vm.warp(deadline);

        vm.expectEmit(address(pools));
        emit ICounterpartyPool.PoolCollected(poolId, 1078e6, owner);
        _collect();

        assertEq(usdc.balanceOf(owner), 1078e6); // 1,100 − 22
        assertEq(pools.feesCollected(), 200e6 + 22e6);
        assertEq(usdc.balanceOf(address(pools)), 222e6);
        assertEq(pools.getPool(poolId).poolStatus, 1);
        assertEq(pools.getPool(poolId).totalCommitted, 1100e6);
    }

    function test_collectPool_atEndOfCollectWindowAllowed() public {
        _commitPublished();
        vm.warp(uint256(deadline) + 30 days);
        _collect();
        assertEq(pools.getPool(poolId).poolStatus, 1);
        assertEq(usdc.balanceOf(owner), 1078e6);
    }

    function test_collectPool_softCapExactlyMetAllowed() public {
        _commit(pools, poolId, alice, 1000e6);
        vm.warp(deadline);
        _collect();
        assertEq(usdc.balanceOf(owner), 980e6); // 1,000 − 20
        assertEq(pools.feesCollected(), 220e6);
    }

    function test_collectPool_feeRoundsUp() public {
        _commit(pools, poolId, alice, 1_000_000_001); // 1,000.000001 USDC
        vm.warp(deadline);
        // 2 % of 1,000,000,001 units = 20,000,000.02 → 20,000,001.
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.PoolCollected(poolId, 980_000_000, owner);
        _collect();
        assertEq(pools.feesCollected(), 200e6 + 20_000_001);
        assertEq(usdc.balanceOf(owner), 980_000_000);
        assertEq(usdc.balanceOf(address(pools)), pools.feesCollected());
    }

    function testFuzz_collectPool_feeIsTwoPercentRoundedUp(uint256 amount) public {
        amount = _bound(amount, SOFT_CAP, HARD_CAP);
        _commit(pools, poolId, alice, amount);
        vm.warp(deadline);
        _collect();
        uint256 fee = (amount * 2 + 99) / 100;
        assertEq(pools.feesCollected(), CREATION_FEE + fee);
        assertEq(usdc.balanceOf(owner), amount - fee);
    }

    function test_collectPool_revertsWhen_beforeDeadline() public {
        _commitPublished();
        vm.warp(uint256(deadline) - 1);
        _expectCollectRevert(owner, ICounterpartyPool.PoolDeadlineNotReached.selector);
    }

    function test_collectPool_revertsWhen_afterCollectWindow() public {
        _commitPublished();
        vm.warp(uint256(deadline) + 30 days + 1);
        _expectCollectRevert(owner, ICounterpartyPool.CannotCollect30DaysAfterDeadline.selector);
    }

    function test_collectPool_revertsWhen_softCapNotReached() public {
        _commit(pools, poolId, alice, 999_999_999);
        vm.warp(deadline);
        _expectCollectRevert(owner, ICounterpartyPool.PoolSoftCapNotReached.selector);
    }

    function test_collectPool_revertsWhen_nothingCommittedEvenWithZeroSoftCap() public {
        _fund(owner, address(pools), CREATION_FEE);
        vm.prank(owner);
        pools.createPool(0, HARD_CAP, deadline, MIN_APR, _noCollateral());
        vm.warp(deadline);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolSoftCapNotReached.selector);
        pools.collectPool(1);
    }

    function test_collectPool_revertsWhen_notOwner() public {
        _commitPublished();
        vm.warp(deadline);
        _expectCollectRevert(alice, ICounterpartyPool.MustBePoolOwner.selector);
    }

    function test_collectPool_revertsWhen_alreadyCollected() public {
        _activate();
        _expectCollectRevert(owner, ICounterpartyPool.PoolStatusMustBeCreated.selector);
    }

    function test_collectPool_revertsWhen_paused() public {
        _commitPublished();
        vm.warp(deadline);
        vm.prank(admin);
        pools.pause();
        _expectCollectRevert(owner, PausableUpgradeable.EnforcedPause.selector);
    }

    /* DEPOSIT REWARDS */

    function test_depositRewards_addsToTotalRewards() public {
        _activate();
        _fund(owner, address(pools), 1122e6);

        vm.expectEmit(address(pools));
        emit ICounterpartyPool.RewardsDeposited(poolId, 500e6, owner);
        vm.prank(owner);
        pools.depositRewards(poolId, 500e6);
        vm.prank(owner);
        pools.depositRewards(poolId, 622e6);

        assertEq(pools.getPool(poolId).totalRewards, 1122e6);
        assertEq(pools.getPool(poolId).rewardsPaidOut, 0);
        assertEq(usdc.balanceOf(address(pools)), 222e6 + 1122e6);
        assertEq(usdc.balanceOf(owner), 1078e6);
    }

    function test_depositRewards_allowedWhilePaused() public {
        _activate();
        vm.prank(admin);
        pools.pause();
        _deposit(pools, poolId, owner, 100e6);
        assertEq(pools.getPool(poolId).totalRewards, 100e6);
    }

    function test_depositRewards_revertsWhen_notOwner() public {
        _activate();
        _fund(alice, address(pools), 100e6);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwner.selector);
        pools.depositRewards(poolId, 100e6);
    }

    function test_depositRewards_revertsWhen_poolCreated() public {
        _commitPublished();
        _fund(owner, address(pools), 100e6);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeActive.selector);
        pools.depositRewards(poolId, 100e6);
    }

    function test_depositRewards_revertsWhen_poolClosed() public {
        _activate();
        _deposit(pools, poolId, owner, 1122e6);
        vm.prank(owner);
        pools.closePool(poolId);
        _fund(owner, address(pools), 100e6);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeActive.selector);
        pools.depositRewards(poolId, 100e6);
    }

    function test_depositRewards_revertsWhen_amountZero() public {
        _activate();
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.AmountCannotBeZero.selector);
        pools.depositRewards(poolId, 0);
    }
}

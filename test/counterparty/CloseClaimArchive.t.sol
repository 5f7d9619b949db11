// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

import {CounterpartyBaseTest} from "./CounterpartyBaseTest.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";

/// @notice `closePool`, `claim`, `archivePool`, the for-users functions and the admin's
/// withdrawals of the default variant.
contract CloseClaimArchiveTest is CounterpartyBaseTest {
    /// @dev Commits that do not divide 1,122 USDC evenly: 333.333333 + 333.333333 + 433.333334 = 1,100.
    uint256 internal constant ODD_COMMIT = 333_333_333;
    uint256 internal constant BIG_COMMIT = 433_333_334;
    /// @dev floor(1,122e6 × 333,333,333 / 1,100e6) and floor(1,122e6 × 433,333,334 / 1,100e6);
    /// 2 × 339,999,999 + 442,000,000 = 1,121,999,998: 2 units of dust.
    uint256 internal constant ODD_SHARE = 339_999_999;
    uint256 internal constant BIG_SHARE = 442_000_000;

    /* HELPERS */

    function _status(uint256 poolId) internal view returns (uint8) {
        return pools.getPool(poolId).poolStatus;
    }

    function _claim(uint256 poolId, address who) internal {
        vm.prank(who);
        pools.claim(poolId);
    }

    function _close(uint256 poolId) internal {
        vm.prank(owner);
        pools.closePool(poolId);
    }

    function _users(address a, address b, address c) internal pure returns (address[] memory users) {
        users = new address[](3);
        users[0] = a;
        users[1] = b;
        users[2] = c;
    }

    /// @dev Collateral of every kind, alice 600 + bob 500, collected at the deadline (ACTIVE).
    function _activePool() internal returns (uint256 poolId) {
        poolId = _createPool(_allKinds(owner, address(pools)));
        _commit(pools, poolId, alice, 600e6);
        _commit(pools, poolId, bob, 500e6);
        vm.warp(deadline);
        vm.prank(owner);
        pools.collectPool(poolId);
    }

    /// @dev `_activePool` repaid with the 1,122 USDC it needs and closed 10 days after the deadline.
    function _closedPool() internal returns (uint256 poolId) {
        poolId = _activePool();
        _deposit(pools, poolId, owner, 1122e6);
        vm.warp(uint256(deadline) + 10 days);
        _close(poolId);
    }

    /// @dev alice and bob 333.333333 USDC each, carol 433.333334; collected, 1,122 USDC deposited (ACTIVE).
    function _dustPool() internal returns (uint256 poolId) {
        poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, ODD_COMMIT);
        _commit(pools, poolId, bob, ODD_COMMIT);
        _commit(pools, poolId, carol, BIG_COMMIT);
        vm.warp(deadline);
        vm.prank(owner);
        pools.collectPool(poolId);
        _deposit(pools, poolId, owner, 1122e6);
    }

    function _assertCollateralWithOwner() internal view {
        assertEq(token.balanceOf(owner), 1000e18);
        assertEq(token.balanceOf(address(pools)), 0);
        assertEq(nft.ownerOf(NFT_ID), owner);
        assertEq(multi.balanceOf(owner, ERC1155_ID), 50);
        assertEq(multi.balanceOf(address(pools), ERC1155_ID), 0);
    }

    /* CLOSE */

    function test_closePool_fromActiveReturnsCollateralOnceRepaid() public {
        uint256 poolId = _activePool();
        assertEq(pools.requiredRewards(poolId), 1122e6);
        _deposit(pools, poolId, owner, 1122e6);
        vm.warp(uint256(deadline) + 10 days);

        vm.expectEmit(address(pools));
        emit ICounterpartyPool.PoolClosed(poolId, owner);
        _close(poolId);

        assertEq(_status(poolId), 2);
        assertEq(pools.getPool(poolId).closedTime, 1_767_225_600 + 40 days);
        _assertCollateralWithOwner();
    }

    function test_closePool_revertsWhen_rewardsOneUnitShort() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, 1_121_999_999);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.MustDepositAtleastCommittedAmount.selector);
        pools.closePool(poolId);
    }

    function test_closePool_revertsWhen_notOwner() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, 1122e6);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwner.selector);
        pools.closePool(poolId);
    }

    function test_closePool_revertsWhen_alreadyClosed() public {
        uint256 poolId = _closedPool();
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeActive.selector);
        pools.closePool(poolId);
    }

    function test_closePool_allowedWhilePaused() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, 1122e6);
        vm.prank(admin);
        pools.pause();
        _close(poolId);
        assertEq(_status(poolId), 2);
    }

    function test_closePool_fromCreated_revertsWhen_beforeDeadline() public {
        uint256 poolId = _createPool(_noCollateral());
        vm.warp(uint256(deadline) - 1);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolDeadlineNotReached.selector);
        pools.closePool(poolId);
    }

    function test_closePool_fromCreated_revertsWhen_atDeadline() public {
        uint256 poolId = _createPool(_noCollateral());
        vm.warp(deadline);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolDeadlineNotReached.selector);
        pools.closePool(poolId);
    }

    function test_closePool_fromCreated_revertsWhen_softCapMetJustAfterDeadline() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, 1000e6);
        vm.warp(uint256(deadline) + 1);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolSoftCapReached.selector);
        pools.closePool(poolId);
    }

    function test_closePool_fromCreated_revertsWhen_softCapMetAtEndOfCollectWindow() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, 1000e6);
        vm.warp(uint256(deadline) + 30 days);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolSoftCapReached.selector);
        pools.closePool(poolId);
    }

    function test_closePool_fromCreated_softCapMissedAfterDeadline() public {
        uint256 poolId = _createPool(_allKinds(owner, address(pools)));
        _commit(pools, poolId, alice, 999_999_999);
        vm.warp(uint256(deadline) + 1);
        vm.prank(alice);
        pools.uncommitFromPool(poolId);

        vm.expectEmit(address(pools));
        emit ICounterpartyPool.PoolClosed(poolId, owner);
        _close(poolId);

        assertEq(_status(poolId), 2);
        assertEq(pools.getPool(poolId).closedTime, 1_767_225_600 + 30 days + 1);
        _assertCollateralWithOwner();
    }

    function test_closePool_fromCreated_afterCollectWindow() public {
        uint256 poolId = _createPool(_allKinds(owner, address(pools)));
        _commit(pools, poolId, alice, 1100e6);
        vm.warp(uint256(deadline) + 30 days + 1);
        vm.prank(alice);
        pools.uncommitFromPool(poolId);
        _close(poolId);
        assertEq(_status(poolId), 2);
        _assertCollateralWithOwner();
    }

    /// @dev A CLOSED pool could no longer refund lenders, so a dead pool closes only once empty.
    function test_closePool_fromCreated_revertsWhen_softCapMissedWithCommitsLeft() public {
        uint256 poolId = _createPool(_allKinds(owner, address(pools)));
        _commit(pools, poolId, alice, 500e6);
        vm.warp(uint256(deadline) + 1);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolIsNotEmpty.selector);
        pools.closePool(poolId);

        vm.prank(alice);
        pools.uncommitFromPool(poolId); // the commit is still recoverable
        assertEq(usdc.balanceOf(alice), 500e6);
        _close(poolId);
        assertEq(_status(poolId), 2);
    }

    function test_closePool_fromCreated_revertsWhen_afterCollectWindowWithCommitsLeft() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, 1100e6);
        vm.warp(uint256(deadline) + 30 days + 1);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolIsNotEmpty.selector);
        pools.closePool(poolId);
    }

    /* CLAIM */

    function test_claim_paysProRataAsRewardsArrive() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, 100e6);

        vm.expectEmit(address(pools));
        emit ICounterpartyPool.RewardsClaimed(poolId, 54_545_454, alice); // floor(100e6 × 600 / 1,100)
        _claim(poolId, alice);
        _claim(poolId, bob);
        assertEq(usdc.balanceOf(alice), 54_545_454);
        assertEq(usdc.balanceOf(bob), 45_454_545);

        _deposit(pools, poolId, owner, 1022e6); // 1,122 in all
        _claim(poolId, alice);
        _claim(poolId, bob);
        assertEq(usdc.balanceOf(alice), 612e6);
        assertEq(usdc.balanceOf(bob), 510e6);
        (uint256 amount, uint256 claimed) = pools.poolCommits(alice, poolId);
        assertEq(amount, 600e6);
        assertEq(claimed, 612e6);
        assertEq(pools.getPool(poolId).rewardsPaidOut, 1122e6);
        assertEq(pools.paidInFullCommits(poolId), 0); // nothing is final while ACTIVE
    }

    function test_claim_revertsWhen_nothingDeposited() public {
        uint256 poolId = _activePool();
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.NothingToClaim.selector);
        pools.claim(poolId);
    }

    function test_claim_revertsWhen_alreadyClaimedEverythingDeposited() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, 550e6);
        _claim(poolId, alice);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.NothingToClaim.selector);
        pools.claim(poolId);
    }

    function test_claim_revertsWhen_notACommitter() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, 550e6);
        vm.prank(carol);
        vm.expectRevert(ICounterpartyPool.NotACommitter.selector);
        pools.claim(poolId);
    }

    function test_claim_revertsWhen_poolCreated() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, 600e6);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeEitherClosedOrActive.selector);
        pools.claim(poolId);
    }

    function test_claim_revertsWhen_paused() public {
        uint256 poolId = _closedPool();
        vm.prank(admin);
        pools.pause();
        vm.prank(alice);
        vm.expectRevert(PausableUpgradeable.EnforcedPause.selector);
        pools.claim(poolId);
    }

    function test_claim_lastClaimerTakesDust_inCommitOrder() public {
        uint256 poolId = _dustPool();
        _close(poolId);
        _claim(poolId, alice);
        _claim(poolId, bob);
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.RewardsClaimed(poolId, BIG_SHARE + 2, carol);
        _claim(poolId, carol);

        assertEq(usdc.balanceOf(alice), ODD_SHARE);
        assertEq(usdc.balanceOf(bob), ODD_SHARE);
        assertEq(usdc.balanceOf(carol), 442_000_002);
        assertEq(pools.getPool(poolId).rewardsPaidOut, 1122e6);
        assertEq(pools.paidInFullCommits(poolId), 1100e6);
        assertEq(usdc.balanceOf(address(pools)), pools.feesCollected());
    }

    function test_claim_lastClaimerTakesDust_inReverseOrder() public {
        uint256 poolId = _dustPool();
        _close(poolId);
        _claim(poolId, carol);
        _claim(poolId, bob);
        _claim(poolId, alice);

        assertEq(usdc.balanceOf(carol), BIG_SHARE);
        assertEq(usdc.balanceOf(bob), ODD_SHARE);
        assertEq(usdc.balanceOf(alice), 340_000_001);
        assertEq(pools.getPool(poolId).rewardsPaidOut, 1122e6);
        assertEq(usdc.balanceOf(address(pools)), pools.feesCollected());

        vm.warp(block.timestamp + 60 days);
        vm.prank(owner);
        pools.archivePool(poolId);
        assertEq(_status(poolId), 3);
    }

    function test_claim_lenderPaidDuringActiveIsMarkedAfterClose() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, 1122e6);
        _claim(poolId, alice); // 612, everything she will ever get
        _close(poolId);

        _claim(poolId, alice); // pays nothing, but counts her as paid in full
        assertEq(usdc.balanceOf(alice), 612e6);
        assertEq(pools.paidInFullCommits(poolId), 600e6);

        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.NothingToClaim.selector);
        pools.claim(poolId);

        _claim(poolId, bob);
        assertEq(usdc.balanceOf(bob), 510e6);
        assertEq(pools.paidInFullCommits(poolId), 1100e6);
        assertEq(pools.getPool(poolId).rewardsPaidOut, 1122e6);
    }

    function test_claim_lenderPaidDuringActiveTakesDustWhenMarkedLast() public {
        uint256 poolId = _dustPool();
        _claim(poolId, alice); // ACTIVE: her floor share
        _close(poolId);
        _claim(poolId, bob);
        _claim(poolId, carol); // not last: alice is not yet paid in full
        assertEq(usdc.balanceOf(carol), BIG_SHARE);
        assertEq(pools.getPool(poolId).rewardsPaidOut, 1_121_999_998);

        vm.warp(block.timestamp + 60 days);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.RewardsHaveNotYetBeenPaidOut.selector);
        pools.archivePool(poolId);

        _claim(poolId, alice); // completes the set: takes the 2 units of dust
        assertEq(usdc.balanceOf(alice), 340_000_001);
        assertEq(pools.getPool(poolId).rewardsPaidOut, 1122e6);
        vm.prank(owner);
        pools.archivePool(poolId);
        assertEq(_status(poolId), 3);
    }

    /* ARCHIVE */

    function test_archivePool_revertsWhen_closedOneSecondShortOfSixtyDays() public {
        uint256 poolId = _closedPool();
        _claim(poolId, alice);
        _claim(poolId, bob);
        vm.warp(block.timestamp + 60 days - 1);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeClosedForAtLeast60Days.selector);
        pools.archivePool(poolId);
    }

    function test_archivePool_closedExactlySixtyDays() public {
        uint256 poolId = _closedPool();
        _claim(poolId, alice);
        _claim(poolId, bob);
        vm.warp(block.timestamp + 60 days);
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.PoolArchived(poolId, owner);
        vm.prank(owner);
        pools.archivePool(poolId);
        assertEq(_status(poolId), 3);
        assertEq(usdc.balanceOf(address(pools)), pools.feesCollected());
    }

    function test_archivePool_revertsWhen_rewardsUnpaid() public {
        uint256 poolId = _closedPool();
        _claim(poolId, alice);
        vm.warp(block.timestamp + 60 days);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.RewardsHaveNotYetBeenPaidOut.selector);
        pools.archivePool(poolId);
    }

    function test_archivePool_revertsWhen_notOwnerOrAdmin() public {
        uint256 poolId = _closedPool();
        _claim(poolId, alice);
        _claim(poolId, bob);
        vm.warp(block.timestamp + 60 days);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwnerOrAdmin.selector);
        pools.archivePool(poolId);
    }

    function test_archivePool_byAdmin() public {
        uint256 poolId = _closedPool();
        _claim(poolId, alice);
        _claim(poolId, bob);
        vm.warp(block.timestamp + 60 days);
        vm.prank(admin);
        pools.archivePool(poolId);
        assertEq(_status(poolId), 3);
    }

    function test_archivePool_allowedWhilePaused() public {
        uint256 poolId = _closedPool();
        _claim(poolId, alice);
        _claim(poolId, bob);
        vm.warp(block.timestamp + 60 days);
        vm.prank(admin);
        pools.pause();
        vm.prank(owner);
        pools.archivePool(poolId);
        assertEq(_status(poolId), 3);
    }

    function test_archivePool_emptyCreatedPoolReturnsCollateral() public {
        uint256 poolId = _createPool(_allKinds(owner, address(pools)));
        vm.warp(uint256(deadline) + 60 days);
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.PoolArchived(poolId, owner);
        vm.prank(owner);
        pools.archivePool(poolId);
        assertEq(_status(poolId), 3);
        _assertCollateralWithOwner();
    }

    function test_archivePool_revertsWhen_createdLessThanSixtyDaysPastDeadline() public {
        uint256 poolId = _createPool(_allKinds(owner, address(pools)));
        vm.warp(uint256(deadline) + 60 days - 1);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeAtLeast60DaysPastDeadline.selector);
        pools.archivePool(poolId);
    }

    function test_archivePool_revertsWhen_createdWithCommits() public {
        uint256 poolId = _createPool(_allKinds(owner, address(pools)));
        _commit(pools, poolId, alice, 500e6);
        vm.warp(uint256(deadline) + 60 days);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolIsNotEmpty.selector);
        pools.archivePool(poolId);
    }

    function test_archivePool_revertsWhen_alreadyArchived() public {
        uint256 poolId = _createPool(_noCollateral());
        vm.warp(uint256(deadline) + 60 days);
        vm.prank(owner);
        pools.archivePool(poolId);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeEitherClosedOrCreated.selector);
        pools.archivePool(poolId);
    }

    function test_archivePool_revertsWhen_poolActive() public {
        uint256 poolId = _activePool();
        vm.warp(uint256(deadline) + 60 days);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeEitherClosedOrCreated.selector);
        pools.archivePool(poolId);
    }

    /* CLAIM REWARDS FOR USERS */

    function test_claimRewardsForUsers_paysUsersThemselvesAndSkipsOthers() public {
        uint256 poolId = _closedPool();
        vm.warp(block.timestamp + 60 days);
        uint256 ownerBefore = usdc.balanceOf(owner);

        vm.expectEmit(address(pools));
        emit ICounterpartyPool.RewardsClaimed(poolId, 612e6, alice);
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.RewardsClaimed(poolId, 510e6, bob);
        vm.prank(owner);
        pools.claimRewardsForUsers(poolId, _users(alice, carol, bob)); // carol never committed

        assertEq(usdc.balanceOf(alice), 612e6);
        assertEq(usdc.balanceOf(bob), 510e6);
        assertEq(usdc.balanceOf(carol), 0);
        assertEq(usdc.balanceOf(owner), ownerBefore);
        assertEq(pools.getPool(poolId).rewardsPaidOut, 1122e6);
        vm.prank(owner);
        pools.archivePool(poolId);
    }

    function test_claimRewardsForUsers_skipsUsersAlreadyPaid() public {
        uint256 poolId = _closedPool();
        _claim(poolId, alice);
        vm.warp(block.timestamp + 60 days);
        vm.prank(admin);
        pools.claimRewardsForUsers(poolId, _users(alice, bob, alice));
        assertEq(usdc.balanceOf(alice), 612e6);
        assertEq(usdc.balanceOf(bob), 510e6);
        assertEq(usdc.balanceOf(admin), 0);
        assertEq(pools.getPool(poolId).rewardsPaidOut, 1122e6);
    }

    function test_claimRewardsForUsers_revertsWhen_closedLessThanSixtyDays() public {
        uint256 poolId = _closedPool();
        vm.warp(block.timestamp + 60 days - 1);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeClosedForAtLeast60Days.selector);
        pools.claimRewardsForUsers(poolId, _users(alice, bob, carol));
    }

    function test_claimRewardsForUsers_revertsWhen_poolActive() public {
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, 1122e6);
        vm.warp(block.timestamp + 60 days);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeClosed.selector);
        pools.claimRewardsForUsers(poolId, _users(alice, bob, carol));
    }

    function test_claimRewardsForUsers_revertsWhen_notOwnerOrAdmin() public {
        uint256 poolId = _closedPool();
        vm.warp(block.timestamp + 60 days);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwnerOrAdmin.selector);
        pools.claimRewardsForUsers(poolId, _users(alice, bob, carol));
    }

    function test_claimRewardsForUsers_revertsWhen_paused() public {
        uint256 poolId = _closedPool();
        vm.warp(block.timestamp + 60 days);
        vm.prank(admin);
        pools.pause();
        vm.prank(owner);
        vm.expectRevert(PausableUpgradeable.EnforcedPause.selector);
        pools.claimRewardsForUsers(poolId, _users(alice, bob, carol));
    }

    /* UNCOMMIT FOR USERS */

    function test_uncommitForUsers_refundsUsersThemselvesAndSkipsOthers() public {
        uint256 poolId = _createPool(_allKinds(owner, address(pools)));
        _commit(pools, poolId, alice, 600e6);
        _commit(pools, poolId, bob, 500e6);
        vm.warp(uint256(deadline) + 60 days);

        vm.expectEmit(address(pools));
        emit ICounterpartyPool.UncommittedFromPool(poolId, 600e6, alice);
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.UncommittedFromPool(poolId, 500e6, bob);
        vm.prank(owner);
        pools.uncommitForUsers(poolId, _users(alice, carol, bob));

        assertEq(usdc.balanceOf(alice), 600e6);
        assertEq(usdc.balanceOf(bob), 500e6);
        assertEq(usdc.balanceOf(owner), 0);
        assertEq(pools.getPool(poolId).totalCommitted, 0);
        assertEq(usdc.balanceOf(address(pools)), pools.feesCollected());

        vm.prank(owner);
        pools.archivePool(poolId); // now empty
        _assertCollateralWithOwner();
    }

    function test_uncommitForUsers_byAdmin() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, 600e6);
        vm.warp(uint256(deadline) + 60 days);
        vm.prank(admin);
        pools.uncommitForUsers(poolId, _users(alice, alice, bob));
        assertEq(usdc.balanceOf(alice), 600e6);
        assertEq(usdc.balanceOf(admin), 0);
    }

    function test_uncommitForUsers_revertsWhen_lessThanSixtyDaysPastDeadline() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, 600e6);
        vm.warp(uint256(deadline) + 60 days - 1);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeAtLeast60DaysPastDeadline.selector);
        pools.uncommitForUsers(poolId, _users(alice, bob, carol));
    }

    function test_uncommitForUsers_revertsWhen_poolNotCreated() public {
        uint256 poolId = _activePool();
        vm.warp(uint256(deadline) + 60 days);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeCreated.selector);
        pools.uncommitForUsers(poolId, _users(alice, bob, carol));
    }

    function test_uncommitForUsers_revertsWhen_notOwnerOrAdmin() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, 600e6);
        vm.warp(uint256(deadline) + 60 days);
        vm.prank(bob);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwnerOrAdmin.selector);
        pools.uncommitForUsers(poolId, _users(alice, bob, carol));
    }

    function test_uncommitForUsers_revertsWhen_paused() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, 600e6);
        vm.warp(uint256(deadline) + 60 days);
        vm.prank(admin);
        pools.pause();
        vm.prank(owner);
        vm.expectRevert(PausableUpgradeable.EnforcedPause.selector);
        pools.uncommitForUsers(poolId, _users(alice, bob, carol));
    }

    /* ADMIN WITHDRAWALS */

    function test_withdrawFeesCollected_sendsCreationAndCollectFeesToAdmin() public {
        _createPool(_noCollateral()); // 200 creation
        _activePool(); // + 200 creation + 22 collect
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.FeesWithdrawn(admin, 422e6);
        vm.prank(admin);
        pools.withdrawFeesCollected();
        assertEq(usdc.balanceOf(admin), 422e6);
        assertEq(pools.feesCollected(), 0);
        assertEq(usdc.balanceOf(address(pools)), 0); // the commits were collected

        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.AmountCannotBeZero.selector);
        pools.withdrawFeesCollected();
    }

    function test_withdrawFeesCollected_revertsWhen_nothingCollected() public {
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.AmountCannotBeZero.selector);
        pools.withdrawFeesCollected();
    }

    function test_withdrawFeesCollected_revertsWhen_notAdmin() public {
        _createPool(_noCollateral());
        bytes32 adminRole = pools.DEFAULT_ADMIN_ROLE();
        vm.prank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, owner, adminRole)
        );
        pools.withdrawFeesCollected();
    }

    function test_adminWithdrawAll_revertsWhen_notPaused() public {
        _activePool();
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.MustBePaused.selector);
        pools.adminWithdrawAll();
    }

    function test_adminWithdrawAll_takesWholeBalanceWhilePaused() public {
        uint256 other = _createPool(_noCollateral());
        _commit(pools, other, carol, 300e6);
        uint256 poolId = _activePool();
        _deposit(pools, poolId, owner, 1122e6);
        // 200 + 22 + 200 fees, 1,122 rewards, 300 committed.
        uint256 all = 1844e6;
        assertEq(usdc.balanceOf(address(pools)), all);

        vm.prank(admin);
        pools.pause();
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.AdminWithdrewAll(admin, all);
        vm.prank(admin);
        pools.adminWithdrawAll();

        assertEq(usdc.balanceOf(admin), all);
        assertEq(usdc.balanceOf(address(pools)), 0);
        assertEq(pools.feesCollected(), 0);
    }

    function test_adminWithdrawAll_revertsWhen_nothingToWithdraw() public {
        vm.prank(admin);
        pools.pause();
        assertEq(usdc.balanceOf(address(pools)), 0);
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.AmountCannotBeZero.selector);
        pools.adminWithdrawAll();
    }

    function test_adminWithdrawAll_revertsWhen_notAdmin() public {
        _activePool();
        vm.prank(admin);
        pools.pause();
        bytes32 adminRole = pools.DEFAULT_ADMIN_ROLE();
        vm.prank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, owner, adminRole)
        );
        pools.adminWithdrawAll();
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {CounterpartyBaseTest} from "./CounterpartyBaseTest.sol";
import {AdminCounterpartyPool} from "../../contracts/counterparty/AdminCounterpartyPool.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";

/// @notice The admin-only variant: only the admin borrows (creates, collects, deposits, closes,
/// archives), no fees, collect any time while CREATED until deadline + 30 days, no uncommit while
/// the pool can still be collected, `partialClaimed` in the published getters.
contract AdminVariantTest is CounterpartyBaseTest {
    bytes32 internal constant ADMIN_ROLE = 0x00;

    /* HELPERS */

    /// @dev The admin's pool with one item of each kind, alice 600 and bob 500 committed.
    function _committedPool() internal returns (uint256 poolId) {
        poolId = _createAdminPool(_allKinds(admin, address(adminPools)));
        _commit(adminPools, poolId, alice, 600e6);
        _commit(adminPools, poolId, bob, 500e6);
    }

    /// @dev `_committedPool`, collected by the admin before the deadline.
    function _activePool() internal returns (uint256 poolId) {
        poolId = _committedPool();
        vm.prank(admin);
        adminPools.collectPool(poolId);
    }

    /// @dev `_activePool`, repaid with the 1,122 USDC the published numbers need, and closed.
    function _closedPool() internal returns (uint256 poolId) {
        poolId = _activePool();
        _deposit(adminPools, poolId, admin, 1122e6);
        vm.prank(admin);
        adminPools.closePool(poolId);
    }

    function _status(uint256 poolId) internal view returns (uint8) {
        return adminPools.getPool(poolId).poolStatus;
    }

    function _unauthorized(address who) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, who, ADMIN_ROLE);
    }

    /* CREATE */

    function test_createPool_revertsWhen_callerNotAdmin() public {
        ICounterpartyPool.CollateralToken[] memory none = _noCollateral();
        _fund(alice, address(adminPools), CREATION_FEE);
        vm.prank(alice);
        vm.expectRevert(_unauthorized(alice));
        adminPools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, none);

        vm.prank(owner);
        vm.expectRevert(_unauthorized(owner));
        adminPools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, none);
        assertEq(adminPools.poolIndex(), 0);
    }

    function test_createPool_chargesNoFeeAndRecordsThePool() public {
        ICounterpartyPool.CollateralToken[] memory collateral = _allKinds(admin, address(adminPools));
        assertEq(usdc.balanceOf(admin), 0); // no USDC, no approval: nothing to pay

        vm.expectEmit(address(adminPools));
        emit ICounterpartyPool.PoolCreated(0, admin);
        vm.prank(admin);
        adminPools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, collateral);

        assertEq(adminPools.feesCollected(), 0);
        assertEq(usdc.balanceOf(address(adminPools)), 0);
        AdminCounterpartyPool.Pool memory p = adminPools.getPool(0);
        assertEq(p.softCap, SOFT_CAP);
        assertEq(p.hardCap, HARD_CAP);
        assertEq(p.totalCommitted, 0);
        assertEq(p.partialClaimed, 0);
        assertEq(p.createdAt, block.timestamp);
        assertEq(p.deadline, deadline);
        assertEq(p.minimumAPR, MIN_APR);
        assertEq(p.poolStatus, 0);
        assertEq(p.poolOwner, admin);
        assertEq(p.collateralTokens.length, 3);
        assertEq(p.collateralTokens[1].contractAddress, address(nft));
        assertEq(p.collateralTokens[1].id, NFT_ID);
        assertEq(nft.ownerOf(NFT_ID), address(adminPools));
        assertEq(token.balanceOf(address(adminPools)), 1000e18);
        assertEq(multi.balanceOf(address(adminPools), ERC1155_ID), 50);
    }

    /* PUBLISHED GETTERS */

    function test_getPool_partialClaimedEqualsPaidInFullCommits() public {
        uint256 poolId = _closedPool();
        assertEq(adminPools.getPool(poolId).partialClaimed, 0);

        vm.prank(alice);
        adminPools.claim(poolId);
        assertEq(adminPools.getPool(poolId).partialClaimed, 600e6);
        assertEq(adminPools.paidInFullCommits(poolId), 600e6);
        (,,, uint256 partialClaimed,, uint256 paidOut,,,,, uint8 status, address poolOwner) = adminPools.pools(poolId);
        assertEq(partialClaimed, 600e6);
        assertEq(paidOut, 612e6);
        assertEq(status, 2);
        assertEq(poolOwner, admin);

        vm.prank(bob);
        adminPools.claim(poolId);
        (,, uint256 committed, uint256 partialAfter, uint256 rewards, uint256 paidOutAfter,,,,,,) =
            adminPools.pools(poolId);
        assertEq(partialAfter, 1100e6);
        assertEq(partialAfter, committed);
        assertEq(adminPools.paidInFullCommits(poolId), 1100e6);
        assertEq(paidOutAfter, rewards);
        assertEq(usdc.balanceOf(bob), 510e6);
    }

    /* COLLECT */

    function test_collectPool_beforeDeadline_paysAdminEveryCommit() public {
        uint256 poolId = _committedPool();
        vm.warp(deadline - 10 days);
        vm.expectEmit(address(adminPools));
        emit ICounterpartyPool.PoolCollected(poolId, 1100e6, admin);
        vm.prank(admin);
        adminPools.collectPool(poolId);

        assertEq(usdc.balanceOf(admin), 1100e6);
        assertEq(usdc.balanceOf(address(adminPools)), 0);
        assertEq(adminPools.feesCollected(), 0);
        assertEq(_status(poolId), 1);
    }

    function test_collectPool_belowSoftCap_isTheAdminsCall() public {
        uint256 poolId = _createAdminPool(_noCollateral());
        _commit(adminPools, poolId, alice, 100e6);
        vm.prank(admin);
        adminPools.collectPool(poolId);
        assertEq(usdc.balanceOf(admin), 100e6);
        assertEq(_status(poolId), 1);
    }

    function test_collectPool_atDeadlinePlus30Days_succeeds() public {
        uint256 poolId = _committedPool();
        vm.warp(uint256(deadline) + 30 days);
        vm.prank(admin);
        adminPools.collectPool(poolId);
        assertEq(usdc.balanceOf(admin), 1100e6);
        assertEq(_status(poolId), 1);
    }

    function test_collectPool_revertsWhen_moreThan30DaysPastDeadline() public {
        uint256 poolId = _committedPool();
        vm.warp(uint256(deadline) + 30 days + 1);
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.CannotCollect30DaysAfterDeadline.selector);
        adminPools.collectPool(poolId);
    }

    function test_collectPool_revertsWhen_nothingCommitted() public {
        uint256 poolId = _createAdminPool(_noCollateral());
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.PoolSoftCapNotReached.selector);
        adminPools.collectPool(poolId);
    }

    function test_collectPool_revertsWhen_callerNotAdmin() public {
        uint256 poolId = _committedPool();
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwner.selector);
        adminPools.collectPool(poolId);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwner.selector);
        adminPools.collectPool(poolId);
    }

    function test_collectPool_revertsWhen_alreadyActive() public {
        uint256 poolId = _activePool();
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeCreated.selector);
        adminPools.collectPool(poolId);
    }

    /* UNCOMMIT */

    function test_uncommitFromPool_revertsWhen_poolCanStillBeCollected() public {
        uint256 poolId = _committedPool();
        uint256[3] memory times = [block.timestamp, uint256(deadline), uint256(deadline) + 30 days];
        for (uint256 i; i < times.length; ++i) {
            vm.warp(times[i]);
            vm.prank(alice);
            vm.expectRevert(ICounterpartyPool.UncommitNotAllowed.selector);
            adminPools.uncommitFromPool(poolId);
        }
        (uint256 committed,) = adminPools.poolCommits(alice, poolId);
        assertEq(committed, 600e6);
    }

    function test_uncommitFromPool_refundsOnceCollectWindowIsOver() public {
        uint256 poolId = _committedPool();
        vm.warp(uint256(deadline) + 30 days + 1);
        vm.expectEmit(address(adminPools));
        emit ICounterpartyPool.UncommittedFromPool(poolId, 600e6, alice);
        vm.prank(alice);
        adminPools.uncommitFromPool(poolId);

        assertEq(usdc.balanceOf(alice), 600e6);
        assertEq(usdc.balanceOf(address(adminPools)), 500e6);
        assertEq(adminPools.getPool(poolId).totalCommitted, 500e6);
        (uint256 committed,) = adminPools.poolCommits(alice, poolId);
        assertEq(committed, 0);
    }

    /* DEPOSIT AND CLOSE */

    function test_depositRewards_revertsWhen_callerNotAdmin() public {
        uint256 poolId = _activePool();
        _fund(alice, address(adminPools), 100e6);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwner.selector);
        adminPools.depositRewards(poolId, 100e6);
    }

    function test_depositRewards_byAdmin_addsToTotalRewards() public {
        uint256 poolId = _activePool();
        _fund(admin, address(adminPools), 300e6);
        vm.expectEmit(address(adminPools));
        emit ICounterpartyPool.RewardsDeposited(poolId, 300e6, admin);
        vm.prank(admin);
        adminPools.depositRewards(poolId, 300e6);
        assertEq(adminPools.getPool(poolId).totalRewards, 300e6);
        assertEq(usdc.balanceOf(address(adminPools)), 300e6);
    }

    function test_closePool_revertsWhen_callerNotAdmin() public {
        uint256 poolId = _activePool();
        _deposit(adminPools, poolId, admin, 1122e6);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwner.selector);
        adminPools.closePool(poolId);
    }

    function test_closePool_revertsWhen_created() public {
        uint256 poolId = _committedPool();
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeActive.selector);
        adminPools.closePool(poolId);

        // Never closable from CREATED, not even once it can no longer be collected.
        uint256 empty = _createAdminPool(_noCollateral());
        vm.warp(uint256(deadline) + 90 days);
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeActive.selector);
        adminPools.closePool(empty);
    }

    function test_closePool_returnsCollateralToAdmin() public {
        uint256 poolId = _activePool();
        _deposit(adminPools, poolId, admin, 1122e6);
        vm.expectEmit(address(adminPools));
        emit ICounterpartyPool.PoolClosed(poolId, admin);
        vm.prank(admin);
        adminPools.closePool(poolId);
        assertEq(_status(poolId), 2);
        assertEq(adminPools.getPool(poolId).closedTime, block.timestamp);
        assertEq(token.balanceOf(admin), 1000e18);
        assertEq(nft.ownerOf(NFT_ID), admin);
        assertEq(multi.balanceOf(admin, ERC1155_ID), 50);
    }

    /* ARCHIVE */

    function test_archivePool_revertsWhen_callerNotAdmin() public {
        uint256 poolId = _closedPool();
        vm.prank(alice);
        adminPools.claim(poolId);
        vm.prank(bob);
        adminPools.claim(poolId);
        vm.warp(block.timestamp + 60 days);

        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwnerOrAdmin.selector);
        adminPools.archivePool(poolId);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwnerOrAdmin.selector);
        adminPools.archivePool(poolId);
    }

    function test_archivePool_byAdminAfter60Days() public {
        uint256 poolId = _closedPool();
        vm.prank(alice);
        adminPools.claim(poolId);
        vm.prank(bob);
        adminPools.claim(poolId);

        vm.warp(block.timestamp + 60 days - 1);
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeClosedForAtLeast60Days.selector);
        adminPools.archivePool(poolId);

        vm.warp(block.timestamp + 1);
        vm.expectEmit(address(adminPools));
        emit ICounterpartyPool.PoolArchived(poolId, admin);
        vm.prank(admin);
        adminPools.archivePool(poolId);
        assertEq(_status(poolId), 3);
        assertEq(usdc.balanceOf(address(adminPools)), 0);
    }

    /* DUST */

    /// @dev Commits 333.333333 (alice), 333.333333 (bob) and 433.333334 (carol) = 1,100, repaid
    /// exactly 1,122 and closed: floor shares 339.999999, 339.999999 and 442.000000 leave 2 base
    /// units of dust.
    function _dustPool() internal returns (uint256 poolId) {
        poolId = _createAdminPool(_noCollateral());
        _commit(adminPools, poolId, alice, 333_333_333);
        _commit(adminPools, poolId, bob, 333_333_333);
        _commit(adminPools, poolId, carol, 433_333_334);
        vm.prank(admin);
        adminPools.collectPool(poolId);
        assertEq(adminPools.requiredRewards(poolId), 1122e6);
        _deposit(adminPools, poolId, admin, 1122e6);
        vm.prank(admin);
        adminPools.closePool(poolId);
    }

    /// @dev alice and carol claim, then bob completes the set and takes 339.999999 + 0.000002.
    function _dustClaimed() internal returns (uint256 poolId) {
        poolId = _dustPool();
        vm.prank(alice);
        adminPools.claim(poolId);
        vm.prank(carol);
        adminPools.claim(poolId);
        vm.prank(bob);
        adminPools.claim(poolId);
    }

    function test_claim_lastClaimerTakesTheDust() public {
        uint256 poolId = _dustPool();
        vm.prank(alice);
        adminPools.claim(poolId);
        assertEq(usdc.balanceOf(alice), 339_999_999);
        assertEq(adminPools.getPool(poolId).partialClaimed, 333_333_333);

        vm.prank(carol);
        adminPools.claim(poolId);
        assertEq(usdc.balanceOf(carol), 442_000_000);
        assertEq(adminPools.getPool(poolId).partialClaimed, 766_666_667);
        assertEq(adminPools.claimableRewards(poolId, bob), 340_000_001);

        vm.expectEmit(address(adminPools));
        emit ICounterpartyPool.RewardsClaimed(poolId, 340_000_001, bob);
        vm.prank(bob);
        adminPools.claim(poolId);
        assertEq(usdc.balanceOf(bob), 340_000_001);

        AdminCounterpartyPool.Pool memory p = adminPools.getPool(poolId);
        assertEq(p.partialClaimed, 1100e6);
        assertEq(p.rewardsPaidOut, 1122e6);
        assertEq(usdc.balanceOf(address(adminPools)), 0);

        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.NothingToClaim.selector);
        adminPools.claim(poolId);
    }

    /// @dev The dust taker was paid more than its floor share; claiming again owes it nothing.
    function test_claim_revertsWhen_dustTakerClaimsAgain() public {
        uint256 poolId = _dustClaimed();
        vm.prank(bob);
        vm.expectRevert(ICounterpartyPool.NothingToClaim.selector);
        adminPools.claim(poolId);
    }

    function test_claimableRewards_isZeroForDustTaker() public {
        uint256 poolId = _dustClaimed();
        assertEq(adminPools.claimableRewards(poolId, alice), 0);
        assertEq(adminPools.claimableRewards(poolId, bob), 0);
    }

    /// @dev "Users owed nothing are skipped": listing every lender, dust taker included, must work.
    function test_claimRewardsForUsers_skipsDustTaker() public {
        uint256 poolId = _dustClaimed();
        vm.warp(block.timestamp + 60 days);
        address[] memory users = new address[](3);
        users[0] = alice;
        users[1] = bob;
        users[2] = carol;
        vm.prank(admin);
        adminPools.claimRewardsForUsers(poolId, users);
        assertEq(usdc.balanceOf(bob), 340_000_001);
        assertEq(adminPools.getPool(poolId).rewardsPaidOut, 1122e6);
    }

    /* ROLE HANDOVER */

    /// @dev Whoever holds the admin role now borrows for every pool; money and collateral still go
    /// to the pool's recorded owner (the account that created it).
    function test_adminRole_handedOver_newAdminActsOnOldPools() public {
        address newAdmin = makeAddr("newAdmin");
        uint256 created = _committedPool();
        uint256 active = _createAdminPool(_noCollateral());
        _commit(adminPools, active, carol, 400e6);
        vm.prank(admin);
        adminPools.collectPool(active);

        vm.startPrank(admin);
        adminPools.grantRole(ADMIN_ROLE, newAdmin);
        adminPools.renounceRole(ADMIN_ROLE, admin);
        vm.stopPrank();

        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwner.selector);
        adminPools.collectPool(created);

        vm.prank(newAdmin);
        adminPools.collectPool(created);
        assertEq(_status(created), 1);
        // Proceeds follow the role, not the recorded owner: a retired admin key receives nothing more.
        assertEq(usdc.balanceOf(admin), 400e6);
        assertEq(usdc.balanceOf(newAdmin), 1100e6);

        _deposit(adminPools, active, newAdmin, 408e6);
        vm.prank(newAdmin);
        adminPools.closePool(active);
        assertEq(_status(active), 2);
        vm.prank(carol);
        adminPools.claim(active);
        assertEq(usdc.balanceOf(carol), 408e6);

        vm.warp(block.timestamp + 60 days);
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwnerOrAdmin.selector);
        adminPools.archivePool(active);
        vm.prank(newAdmin);
        adminPools.archivePool(active);
        assertEq(_status(active), 3);

        vm.prank(newAdmin);
        adminPools.createPool(SOFT_CAP, HARD_CAP, uint48(block.timestamp + 1 days), MIN_APR, _noCollateral());
        assertEq(adminPools.getPool(2).poolOwner, newAdmin);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CounterpartyBaseTest} from "./CounterpartyBaseTest.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";

/// @notice Defaults and the "no stranded funds" rule (SPEC §2, invariant 16): an ACTIVE pool
/// that is not repaid by its repayment date closes as defaulted and its collateral goes to the
/// lenders; every end state a pool can reach leaves the contract holding only the fees.
contract DefaultTest is CounterpartyBaseTest {
    /// @dev Three uneven commits: 600 + 500 + 233 = 1,333 USDC.
    uint256 internal constant ALICE_COMMIT = 600e6;
    uint256 internal constant BOB_COMMIT = 500e6;
    uint256 internal constant CAROL_COMMIT = 233e6;
    uint256 internal constant TOTAL_COMMIT = 1333e6;
    /// @dev 1,333 + ceil(1,333 × 2 %) = 1,359.66 USDC.
    uint256 internal constant REQUIRED = 1_359_660_000;
    /// @dev ceil(1,333 × 2 %) = 26.66 USDC: the default variant's collect fee on 1,333.
    uint256 internal constant COLLECT_FEE_1333 = 26_660_000;

    /// @dev floor(1,000e18 × commit / 1,333e6) per lender, and the last lender's remainder.
    uint256 internal constant ALICE_TOKENS = 450_112_528_132_033_008_252;
    uint256 internal constant BOB_TOKENS = 375_093_773_443_360_840_210;
    uint256 internal constant CAROL_TOKENS = 174_793_698_424_606_151_537;
    /// @dev floor(50 × commit / 1,333e6): 22, 18 and 8; the last lender takes 2 more.
    uint256 internal constant ALICE_UNITS = 22;
    uint256 internal constant BOB_UNITS = 18;
    uint256 internal constant CAROL_UNITS = 8;

    /// @dev Rewards of 777.777777 USDC: floor shares 350.087521, 291.739601, 135.950654, 1 unit of dust.
    uint256 internal constant ODD_REWARDS = 777_777_777;
    uint256 internal constant ALICE_REWARDS = 350_087_521;
    uint256 internal constant BOB_REWARDS = 291_739_601;
    uint256 internal constant CAROL_REWARDS = 135_950_654;

    address internal dave = makeAddr("dave");

    /* HELPERS */

    /// @dev 1,000 COLL, NFT `nftId` and 50 of ERC-1155 id 3, minted to `to` and approved for `spender`.
    function _kinds(address to, address spender, uint256 nftId)
        internal
        returns (ICounterpartyPool.CollateralToken[] memory c)
    {
        token.mint(to, 1000e18);
        nft.mint(to, nftId);
        multi.mint(to, ERC1155_ID, 50);
        vm.startPrank(to);
        token.approve(spender, type(uint256).max);
        nft.setApprovalForAll(spender, true);
        multi.setApprovalForAll(spender, true);
        vm.stopPrank();
        c = new ICounterpartyPool.CollateralToken[](3);
        c[0] = ICounterpartyPool.CollateralToken({contractAddress: address(token), amount: 1000e18, id: 0});
        c[1] = ICounterpartyPool.CollateralToken({contractAddress: address(nft), amount: 1, id: nftId});
        c[2] = ICounterpartyPool.CollateralToken({contractAddress: address(multi), amount: 50, id: ERC1155_ID});
    }

    function _target(bool adminVariant) internal view returns (ICounterpartyPool) {
        return adminVariant ? ICounterpartyPool(address(adminPools)) : ICounterpartyPool(address(pools));
    }

    function _borrower(bool adminVariant) internal view returns (address) {
        return adminVariant ? admin : owner;
    }

    /// @dev A CREATED pool of the chosen variant holding one collateral item of each kind.
    function _newPool(bool adminVariant, uint256 nftId) internal returns (uint256 poolId) {
        address borrower = _borrower(adminVariant);
        ICounterpartyPool.CollateralToken[] memory collateral = _kinds(borrower, address(_target(adminVariant)), nftId);
        poolId = adminVariant ? _createAdminPool(collateral) : _createPool(collateral);
    }

    /// @dev `_newPool` with alice 600, bob 500 and carol 233 committed, collected at the deadline.
    function _lentPool(bool adminVariant, uint256 nftId) internal returns (uint256 poolId) {
        ICounterpartyPool target = _target(adminVariant);
        poolId = _newPool(adminVariant, nftId);
        _commit(target, poolId, alice, ALICE_COMMIT);
        _commit(target, poolId, bob, BOB_COMMIT);
        _commit(target, poolId, carol, CAROL_COMMIT);
        vm.warp(deadline);
        vm.prank(_borrower(adminVariant));
        target.collectPool(poolId);
    }

    function _repaymentDate(bool adminVariant, uint256 poolId) internal view returns (uint256 date) {
        (date,) = _target(adminVariant).repaymentInfo(poolId);
    }

    /// @dev `_lentPool` with `rewards` deposited, declared in default by dave after the repayment date.
    function _defaultedPool(bool adminVariant, uint256 rewards) internal returns (uint256 poolId) {
        poolId = _lentPool(adminVariant, NFT_ID);
        if (rewards != 0) _deposit(_target(adminVariant), poolId, _borrower(adminVariant), rewards);
        vm.warp(_repaymentDate(adminVariant, poolId));
        vm.prank(dave);
        _target(adminVariant).declareDefault(poolId);
    }

    /// @dev Back to the setUp time, so the next pool can use the same deadline.
    function _rewind() internal {
        vm.warp(uint256(deadline) - 30 days);
    }

    function _status(bool adminVariant, uint256 poolId) internal view returns (uint8) {
        return adminVariant ? adminPools.getPool(poolId).poolStatus : pools.getPool(poolId).poolStatus;
    }

    function _claimCollateral(bool adminVariant, uint256 poolId, address who) internal {
        vm.prank(who);
        _target(adminVariant).claimDefaultCollateral(poolId);
    }

    function _assertHoldsNoCollateral(address holder) internal view {
        assertEq(token.balanceOf(holder), 0, "ERC-20 collateral left");
        assertEq(nft.balanceOf(holder), 0, "ERC-721 collateral left");
        assertEq(multi.balanceOf(holder, ERC1155_ID), 0, "ERC-1155 collateral left");
    }

    /* DECLARE DEFAULT */

    function test_declareDefault_revertsWhen_beforeRepaymentDate() public {
        for (uint256 v; v < 2; ++v) {
            bool adminVariant = v == 1;
            uint256 poolId = _lentPool(adminVariant, 100 + v);
            uint256 date = _repaymentDate(adminVariant, poolId);
            assertEq(date, uint256(deadline) + 365 days);
            vm.warp(date - 1);
            vm.prank(dave);
            vm.expectRevert(ICounterpartyPool.PoolCannotBeDefaulted.selector);
            _target(adminVariant).declareDefault(poolId);
            vm.prank(alice);
            vm.expectRevert(ICounterpartyPool.PoolCannotBeDefaulted.selector);
            _target(adminVariant).declareDefault(poolId);
            _rewind();
        }
        vm.prank(owner); // the default variant's borrower is no admin either
        vm.expectRevert(ICounterpartyPool.PoolCannotBeDefaulted.selector);
        pools.declareDefault(0);
    }

    function test_declareDefault_afterRepaymentDate_byAnyoneWhenRewardsShort() public {
        for (uint256 v; v < 2; ++v) {
            bool adminVariant = v == 1;
            ICounterpartyPool target = _target(adminVariant);
            uint256 poolId = _lentPool(adminVariant, 100 + v);
            _deposit(target, poolId, _borrower(adminVariant), REQUIRED - 1);
            uint256 date = _repaymentDate(adminVariant, poolId);
            vm.warp(date);

            vm.expectEmit(address(target));
            emit ICounterpartyPool.PoolDefaulted(poolId, dave);
            vm.expectEmit(address(target));
            emit ICounterpartyPool.PoolClosed(poolId, _borrower(adminVariant));
            vm.prank(dave);
            target.declareDefault(poolId);

            assertEq(_status(adminVariant, poolId), 2);
            (uint48 repaymentDate, bool defaulted) = target.repaymentInfo(poolId);
            assertEq(repaymentDate, date);
            assertTrue(defaulted);
            // The collateral stays for the lenders; nothing went back to the borrower.
            assertEq(token.balanceOf(address(target)), 1000e18);
            assertEq(nft.ownerOf(100 + v), address(target));
            assertEq(multi.balanceOf(address(target), ERC1155_ID), 50);
            assertEq(token.balanceOf(_borrower(adminVariant)), 0);
            _rewind();
        }
    }

    function test_declareDefault_revertsWhen_rewardsCoverRequired() public {
        for (uint256 v; v < 2; ++v) {
            bool adminVariant = v == 1;
            ICounterpartyPool target = _target(adminVariant);
            uint256 poolId = _lentPool(adminVariant, 100 + v);
            _deposit(target, poolId, _borrower(adminVariant), REQUIRED);
            vm.warp(_repaymentDate(adminVariant, poolId) + 100 days);
            vm.prank(dave);
            vm.expectRevert(ICounterpartyPool.PoolCannotBeDefaulted.selector);
            target.declareDefault(poolId);

            // Repaid: the owner closes instead and takes the collateral back.
            vm.prank(_borrower(adminVariant));
            target.closePool(poolId);
            (, bool defaulted) = target.repaymentInfo(poolId);
            assertFalse(defaulted);
            assertEq(nft.ownerOf(100 + v), _borrower(adminVariant));
            _rewind();
        }
    }

    function test_declareDefault_byAdminAtAnyTime() public {
        for (uint256 v; v < 2; ++v) {
            bool adminVariant = v == 1;
            ICounterpartyPool target = _target(adminVariant);
            uint256 poolId = _lentPool(adminVariant, 100 + v);
            vm.warp(uint256(deadline) + 1 days); // long before the repayment date
            vm.expectEmit(address(target));
            emit ICounterpartyPool.PoolDefaulted(poolId, admin);
            vm.prank(admin);
            target.declareDefault(poolId);
            (, bool defaulted) = target.repaymentInfo(poolId);
            assertTrue(defaulted);
            assertEq(_status(adminVariant, poolId), 2);
            _rewind();
        }
    }

    function test_declareDefault_revertsWhen_poolNotActive() public {
        for (uint256 v; v < 2; ++v) {
            bool adminVariant = v == 1;
            ICounterpartyPool target = _target(adminVariant);
            uint256 created = _newPool(adminVariant, 100 + v);
            vm.prank(admin);
            vm.expectRevert(ICounterpartyPool.PoolStatusMustBeActive.selector);
            target.declareDefault(created);

            uint256 repaid = _lentPool(adminVariant, 200 + v);
            _deposit(target, repaid, _borrower(adminVariant), REQUIRED);
            vm.prank(_borrower(adminVariant));
            target.closePool(repaid);
            vm.prank(admin);
            vm.expectRevert(ICounterpartyPool.PoolStatusMustBeActive.selector);
            target.declareDefault(repaid);

            _rewind();
            uint256 defaulted = _lentPool(adminVariant, 300 + v);
            vm.prank(admin);
            target.declareDefault(defaulted);
            vm.warp(_repaymentDate(adminVariant, defaulted));
            vm.prank(dave);
            vm.expectRevert(ICounterpartyPool.PoolStatusMustBeActive.selector);
            target.declareDefault(defaulted);
            _rewind();
        }
    }

    /* CLAIM DEFAULT COLLATERAL */

    function _checkThreeLenderShares(bool adminVariant) internal {
        ICounterpartyPool target = _target(adminVariant);
        uint256 poolId = _defaultedPool(adminVariant, 0);

        vm.expectEmit(address(target));
        emit ICounterpartyPool.DefaultCollateralClaimed(poolId, alice, address(token), 0, ALICE_TOKENS);
        vm.expectEmit(address(target));
        emit ICounterpartyPool.DefaultCollateralClaimed(poolId, alice, address(multi), ERC1155_ID, ALICE_UNITS);
        _claimCollateral(adminVariant, poolId, alice);

        vm.expectEmit(address(target));
        emit ICounterpartyPool.DefaultCollateralClaimed(poolId, bob, address(token), 0, BOB_TOKENS);
        vm.expectEmit(address(target));
        emit ICounterpartyPool.DefaultCollateralClaimed(poolId, bob, address(multi), ERC1155_ID, BOB_UNITS);
        _claimCollateral(adminVariant, poolId, bob);

        uint256 carolTokens = 1000e18 - ALICE_TOKENS - BOB_TOKENS;
        assertEq(carolTokens, CAROL_TOKENS + 1);
        vm.expectEmit(address(target));
        emit ICounterpartyPool.DefaultCollateralClaimed(poolId, carol, address(token), 0, carolTokens);
        vm.expectEmit(address(target));
        emit ICounterpartyPool.DefaultCollateralClaimed(poolId, carol, address(nft), NFT_ID, 1);
        vm.expectEmit(address(target));
        emit ICounterpartyPool.DefaultCollateralClaimed(poolId, carol, address(multi), ERC1155_ID, 10);
        _claimCollateral(adminVariant, poolId, carol);

        assertEq(token.balanceOf(alice), ALICE_TOKENS);
        assertEq(token.balanceOf(bob), BOB_TOKENS);
        assertEq(token.balanceOf(carol), carolTokens);
        assertEq(multi.balanceOf(alice, ERC1155_ID), ALICE_UNITS);
        assertEq(multi.balanceOf(bob, ERC1155_ID), BOB_UNITS);
        assertEq(multi.balanceOf(carol, ERC1155_ID), CAROL_UNITS + 2);
        assertEq(nft.ownerOf(NFT_ID), carol);
        assertEq(nft.balanceOf(alice) + nft.balanceOf(bob), 0);
        _assertHoldsNoCollateral(address(target));
        assertEq(token.balanceOf(_borrower(adminVariant)), 0);
    }

    function test_claimDefaultCollateral_threeLendersExactShares() public {
        _checkThreeLenderShares(false);
    }

    function test_claimDefaultCollateral_threeLendersExactShares_adminVariant() public {
        _checkThreeLenderShares(true);
    }

    function test_claimDefaultCollateral_lastClaimerTakesNftWhateverTheOrder() public {
        uint256 poolId = _defaultedPool(false, 0);
        _claimCollateral(false, poolId, carol);
        _claimCollateral(false, poolId, bob);
        assertEq(nft.ownerOf(NFT_ID), address(pools));
        _claimCollateral(false, poolId, alice);

        assertEq(token.balanceOf(carol), CAROL_TOKENS);
        assertEq(token.balanceOf(bob), BOB_TOKENS);
        assertEq(token.balanceOf(alice), 1000e18 - CAROL_TOKENS - BOB_TOKENS);
        assertEq(multi.balanceOf(carol, ERC1155_ID), CAROL_UNITS);
        assertEq(multi.balanceOf(bob, ERC1155_ID), BOB_UNITS);
        assertEq(multi.balanceOf(alice, ERC1155_ID), 50 - CAROL_UNITS - BOB_UNITS);
        assertEq(nft.ownerOf(NFT_ID), alice);
        _assertHoldsNoCollateral(address(pools));
    }

    function test_claimDefaultCollateral_revertsWhen_alreadyClaimed() public {
        uint256 poolId = _defaultedPool(false, 0);
        _claimCollateral(false, poolId, alice);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.CollateralAlreadyClaimed.selector);
        pools.claimDefaultCollateral(poolId);
        assertEq(token.balanceOf(alice), ALICE_TOKENS);
    }

    function test_claimDefaultCollateral_revertsWhen_notACommitter() public {
        uint256 poolId = _defaultedPool(false, 0);
        vm.prank(dave);
        vm.expectRevert(ICounterpartyPool.NotACommitter.selector);
        pools.claimDefaultCollateral(poolId);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.NotACommitter.selector);
        pools.claimDefaultCollateral(poolId);
    }

    function test_claimDefaultCollateral_revertsWhen_poolNotDefaulted() public {
        uint256 created = _newPool(false, 100);
        _commit(pools, created, dave, 100e6);
        vm.prank(dave);
        vm.expectRevert(ICounterpartyPool.PoolNotDefaulted.selector);
        pools.claimDefaultCollateral(created);

        uint256 active = _lentPool(false, 101);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.PoolNotDefaulted.selector);
        pools.claimDefaultCollateral(active);

        _deposit(pools, active, owner, REQUIRED);
        vm.prank(owner);
        pools.closePool(active);
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.PoolNotDefaulted.selector);
        pools.claimDefaultCollateral(active);
    }

    /* REWARDS AFTER DEFAULT */

    /// @dev 400 USDC arrive while ACTIVE (alice claims floor(400 × 600 / 1,333) = 180.045011), then
    /// 377.777777 more; after the default the three claims sum to exactly 777.777777.
    function test_claim_afterDefault_rewardsDepositedBeforeStillPaidInFull() public {
        uint256 poolId = _lentPool(false, NFT_ID);
        _deposit(pools, poolId, owner, 400e6);
        vm.prank(alice);
        pools.claim(poolId);
        assertEq(usdc.balanceOf(alice), 180_045_011);
        _deposit(pools, poolId, owner, ODD_REWARDS - 400e6);

        vm.warp(_repaymentDate(false, poolId));
        vm.prank(dave);
        pools.declareDefault(poolId);

        vm.prank(alice);
        pools.claim(poolId);
        vm.prank(bob);
        pools.claim(poolId);
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.RewardsClaimed(poolId, CAROL_REWARDS + 1, carol);
        vm.prank(carol);
        pools.claim(poolId);

        assertEq(usdc.balanceOf(alice), ALICE_REWARDS);
        assertEq(usdc.balanceOf(bob), BOB_REWARDS);
        assertEq(usdc.balanceOf(carol), CAROL_REWARDS + 1);
        assertEq(ALICE_REWARDS + BOB_REWARDS + CAROL_REWARDS + 1, ODD_REWARDS);
        (,,, uint256 totalRewards, uint256 paidOut,,,,,,) = pools.pools(poolId);
        assertEq(totalRewards, ODD_REWARDS);
        assertEq(paidOut, ODD_REWARDS);
        assertEq(pools.paidInFullCommits(poolId), TOTAL_COMMIT);
        assertEq(usdc.balanceOf(address(pools)), pools.feesCollected());
    }

    /* ABSENT LENDERS */

    function _checkForUsers(bool adminVariant, address caller) internal {
        ICounterpartyPool target = _target(adminVariant);
        uint256 poolId = _defaultedPool(adminVariant, ODD_REWARDS);
        vm.startPrank(alice);
        target.claim(poolId);
        target.claimDefaultCollateral(poolId);
        vm.stopPrank();

        address[] memory users = new address[](4);
        users[0] = bob;
        users[1] = dave; // never committed: skipped
        users[2] = carol;
        users[3] = alice; // already took everything: skipped

        vm.warp(block.timestamp + 60 days - 1);
        vm.prank(caller);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeClosedForAtLeast60Days.selector);
        target.claimRewardsForUsers(poolId, users);

        vm.warp(block.timestamp + 1);
        vm.prank(caller);
        target.claimRewardsForUsers(poolId, users);

        assertEq(usdc.balanceOf(alice), ALICE_REWARDS);
        assertEq(usdc.balanceOf(bob), BOB_REWARDS);
        assertEq(usdc.balanceOf(carol), CAROL_REWARDS + 1);
        assertEq(usdc.balanceOf(dave), 0);
        assertEq(token.balanceOf(alice), ALICE_TOKENS);
        assertEq(token.balanceOf(bob), BOB_TOKENS);
        assertEq(token.balanceOf(carol), CAROL_TOKENS + 1);
        assertEq(nft.ownerOf(NFT_ID), carol);
        assertEq(multi.balanceOf(carol, ERC1155_ID), CAROL_UNITS + 2);
        assertEq(token.balanceOf(caller), 0);
        _assertHoldsNoCollateral(address(target));
        assertEq(usdc.balanceOf(address(target)), target.feesCollected());

        vm.prank(caller);
        target.archivePool(poolId);
        assertEq(_status(adminVariant, poolId), 3);
    }

    function test_claimRewardsForUsers_after60Days_handsOutRewardsAndCollateral() public {
        _checkForUsers(false, owner);
    }

    function test_claimRewardsForUsers_after60Days_byAdmin_adminVariant() public {
        _checkForUsers(true, admin);
    }

    function test_claimRewardsForUsers_revertsWhen_callerNotOwnerOrAdmin() public {
        uint256 poolId = _defaultedPool(false, 0);
        vm.warp(block.timestamp + 60 days);
        address[] memory users = new address[](1);
        users[0] = bob;
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwnerOrAdmin.selector);
        pools.claimRewardsForUsers(poolId, users);
        assertEq(token.balanceOf(bob), 0);
    }

    /* ARCHIVE */

    function test_archivePool_revertsWhen_defaultCollateralNotDistributed() public {
        uint256 poolId = _defaultedPool(false, 0);
        _claimCollateral(false, poolId, alice);
        _claimCollateral(false, poolId, bob);
        vm.warp(block.timestamp + 60 days);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.CollateralNotYetDistributed.selector);
        pools.archivePool(poolId);
        (,, bool archivable) = pools.poolActions(poolId);
        assertFalse(archivable);

        _claimCollateral(false, poolId, carol);
        (,, archivable) = pools.poolActions(poolId);
        assertTrue(archivable);
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.PoolArchived(poolId, owner);
        vm.prank(owner);
        pools.archivePool(poolId);
        assertEq(_status(false, poolId), 3);
        _assertHoldsNoCollateral(address(pools));
    }

    /* NO STRANDED TOKENS */

    /// @dev Every end state a default-variant pool can reach, each pool holding one collateral item
    /// of each kind: repaid and closed (A), never collected and closed (B), defaulted (C), soft
    /// cap met but never collected, lenders gone (D), nothing ever committed (E). After the exits
    /// every pool is ARCHIVED and the contract holds exactly the fees and no collateral.
    function test_noStrandedTokens_everyEndState() public {
        uint256 a = _newPool(false, 101);
        uint256 b = _newPool(false, 102);
        uint256 c = _newPool(false, 103);
        uint256 d = _newPool(false, 104);
        uint256 e = _newPool(false, 105);
        _commit(pools, a, alice, 600e6);
        _commit(pools, a, bob, 500e6);
        _commit(pools, b, alice, 300e6);
        _commit(pools, b, bob, 200e6);
        _commit(pools, c, alice, ALICE_COMMIT);
        _commit(pools, c, bob, BOB_COMMIT);
        _commit(pools, c, carol, CAROL_COMMIT);
        _commit(pools, d, alice, 700e6);
        _commit(pools, d, bob, 500e6);

        vm.warp(deadline);
        vm.startPrank(owner);
        pools.collectPool(a);
        pools.collectPool(c);
        vm.stopPrank();
        _deposit(pools, a, owner, 1122e6 + 7);
        vm.prank(owner);
        pools.closePool(a);
        vm.prank(alice);
        pools.claim(a);
        _deposit(pools, c, owner, ODD_REWARDS);

        // B missed its soft cap: the lenders leave, then the owner closes it.
        vm.warp(uint256(deadline) + 1);
        vm.prank(alice);
        pools.uncommitFromPool(b);
        vm.prank(bob);
        pools.uncommitFromPool(b);
        vm.prank(owner);
        pools.closePool(b);

        // D and E: 60 days past the deadline the owner returns the commits and archives.
        vm.warp(uint256(deadline) + 60 days);
        address[] memory lenders = new address[](3);
        lenders[0] = alice;
        lenders[1] = bob;
        lenders[2] = carol;
        vm.startPrank(owner);
        pools.uncommitForUsers(d, lenders);
        pools.archivePool(d);
        pools.archivePool(e);
        vm.stopPrank();

        // C is not repaid by its repayment date: default, alice comes, the others never do.
        vm.warp(_repaymentDate(false, c));
        vm.prank(dave);
        pools.declareDefault(c);
        vm.startPrank(alice);
        pools.claim(c);
        pools.claimDefaultCollateral(c);
        vm.stopPrank();

        vm.warp(block.timestamp + 60 days);
        vm.startPrank(owner);
        pools.claimRewardsForUsers(a, lenders);
        pools.claimRewardsForUsers(c, lenders);
        pools.archivePool(a);
        pools.archivePool(b);
        pools.archivePool(c);
        vm.stopPrank();

        for (uint256 id; id < 5; ++id) {
            assertEq(_status(false, id), 3);
        }
        uint256 fees = 5 * CREATION_FEE + 22e6 + COLLECT_FEE_1333;
        assertEq(pools.feesCollected(), fees);
        assertEq(usdc.balanceOf(address(pools)), fees);
        _assertHoldsNoCollateral(address(pools));

        // Everyone got exactly what they were owed.
        assertEq(token.balanceOf(owner), 4000e18); // A, B, D, E back; C to the lenders
        assertEq(nft.ownerOf(101), owner);
        assertEq(nft.ownerOf(102), owner);
        assertEq(nft.ownerOf(103), carol);
        assertEq(nft.ownerOf(104), owner);
        assertEq(nft.ownerOf(105), owner);
        assertEq(usdc.balanceOf(alice), 300e6 + 700e6 + 612_000_003 + ALICE_REWARDS);
        assertEq(usdc.balanceOf(bob), 200e6 + 500e6 + 510_000_004 + BOB_REWARDS);
        assertEq(usdc.balanceOf(carol), CAROL_REWARDS + 1);

        vm.prank(admin);
        pools.withdrawFeesCollected();
        assertEq(usdc.balanceOf(address(pools)), 0);
    }

    /// @dev The admin variant's end states: repaid (A), defaulted (C), lenders leave once the
    /// collect window is over (D), nothing committed (E). No fees, so the contract ends empty.
    function test_noStrandedTokens_everyEndState_adminVariant() public {
        uint256 a = _newPool(true, 101);
        uint256 c = _newPool(true, 103);
        uint256 d = _newPool(true, 104);
        uint256 e = _newPool(true, 105);
        _commit(adminPools, a, alice, 600e6);
        _commit(adminPools, a, bob, 500e6);
        _commit(adminPools, c, alice, ALICE_COMMIT);
        _commit(adminPools, c, bob, BOB_COMMIT);
        _commit(adminPools, c, carol, CAROL_COMMIT);
        _commit(adminPools, d, alice, 700e6);
        _commit(adminPools, d, bob, 500e6);

        vm.startPrank(admin);
        adminPools.collectPool(a);
        adminPools.collectPool(c);
        vm.stopPrank();
        _deposit(adminPools, a, admin, 1122e6);
        _deposit(adminPools, c, admin, ODD_REWARDS);
        vm.prank(admin);
        adminPools.closePool(a);

        vm.warp(uint256(deadline) + 30 days + 1);
        vm.prank(alice);
        adminPools.uncommitFromPool(d);

        vm.warp(uint256(deadline) + 60 days);
        address[] memory lenders = new address[](3);
        lenders[0] = alice;
        lenders[1] = bob;
        lenders[2] = carol;
        vm.startPrank(admin);
        adminPools.uncommitForUsers(d, lenders);
        adminPools.archivePool(d);
        adminPools.archivePool(e);
        adminPools.claimRewardsForUsers(a, lenders);
        adminPools.archivePool(a);
        vm.stopPrank();

        vm.warp(_repaymentDate(true, c));
        vm.prank(dave);
        adminPools.declareDefault(c);
        vm.warp(block.timestamp + 60 days);
        vm.startPrank(admin);
        adminPools.claimRewardsForUsers(c, lenders);
        adminPools.archivePool(c);
        vm.stopPrank();

        for (uint256 id; id < 4; ++id) {
            assertEq(_status(true, id), 3);
        }
        assertEq(adminPools.feesCollected(), 0);
        assertEq(usdc.balanceOf(address(adminPools)), 0);
        _assertHoldsNoCollateral(address(adminPools));
        assertEq(token.balanceOf(admin), 3000e18);
        assertEq(nft.ownerOf(103), carol);
        assertEq(usdc.balanceOf(alice), 700e6 + 612e6 + ALICE_REWARDS);
        assertEq(usdc.balanceOf(bob), 500e6 + 510e6 + BOB_REWARDS);
        assertEq(usdc.balanceOf(carol), CAROL_REWARDS + 1);
    }

    /// @dev A default-variant pool that missed its soft cap can be closed from CREATED while
    /// lenders still have commits in it. Whatever the rule (refuse the close, or let lenders
    /// withdraw afterwards), the commit must not be stranded: alice must get her 300 USDC back.
    function test_closePool_fromCreatedWithCommits_strandsNoCommit() public {
        uint256 poolId = _newPool(false, NFT_ID);
        _commit(pools, poolId, alice, 300e6);
        vm.warp(uint256(deadline) + 1);

        vm.prank(owner);
        (bool closed,) = address(pools).call(abi.encodeCall(ICounterpartyPool.closePool, (poolId)));
        (uint256 stillCommitted,) = pools.poolCommits(alice, poolId);
        if (stillCommitted != 0) {
            vm.prank(alice);
            (bool refunded,) = address(pools).call(abi.encodeCall(ICounterpartyPool.uncommitFromPool, (poolId)));
            assertTrue(refunded, closed ? "closed pool keeps the commit" : "open pool keeps the commit");
        }
        assertEq(usdc.balanceOf(alice), 300e6, "alice's commit is stranded");
        assertEq(usdc.balanceOf(address(pools)), pools.feesCollected());
    }
}

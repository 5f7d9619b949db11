// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

import {BaseTest} from "./BaseTest.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";

/// @notice `claim`: principal plus rewards (F2, F3) with rewards computed by hand, pro-rata splits,
/// batches and every revert.
contract ClaimTest is BaseTest {
    uint256 internal constant BORROWED = 1000e6;
    /// @dev F2b weight of one 1000 USDC borrow at 5 %.
    uint256 internal constant WEIGHT = BORROWED * INTEREST;

    /// @dev F2 written out: reward per lent unit per second, 1e18 precision, floored.
    function _rate(uint256 lent) internal pure returns (uint256) {
        return WEIGHT * 1e18 / (lent * ONE_YEAR * 10_000);
    }

    function _one(uint256 lendId, uint256 amount) internal pure returns (IERC20CollateralPool.Claim[] memory claims) {
        claims = new IERC20CollateralPool.Claim[](1);
        claims[0] = IERC20CollateralPool.Claim({lendId: lendId, usdcAmount: amount});
    }

    function _amounts() internal view returns (IERC20CollateralPool.PoolAmounts memory amounts) {
        (amounts,,,,,,) = pool.pools(POOL_ID);
    }

    /// @dev Repays the whole borrow with exactly principal + interest.
    function _repayAll(address user, uint256 borrowId) internal {
        (, uint256 outstanding,,) = pool.borrows(POOL_ID, user, borrowId);
        uint256 due = outstanding + pool.calculateRepayInterest(POOL_ID, borrowId, user);
        usdc.mint(user, due);
        vm.startPrank(user);
        usdc.approve(address(pool), due);
        pool.repay(POOL_ID, borrowId, outstanding);
        vm.stopPrank();
    }

    /* FULL AND PARTIAL CLAIMS */

    /// @dev One lender of 10,000, one borrower of 1,000 at 5 % for a year: the lender earns 50 USDC,
    /// less the floor roundings of F2/F3, never more.
    function test_claim_fullClaimPaysPrincipalAndExactReward() public {
        uint256 lendId = _lend(alice, 10_000e6);
        uint256 borrowId = _borrow(carol, BORROWED);
        _skip(ONE_YEAR);
        _repayAll(carol, borrowId);

        uint256 expected = uint256(10_000e6) * (_rate(10_000e6) * ONE_YEAR) / 1e18;
        assertEq(expected, 49_999_999); // 50 USDC less one unit of rounding
        assertEq(pool.calculateReward(POOL_ID, lendId, alice), expected);

        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.RewardsClaimed(POOL_ID, alice, lendId, 10_000e6, expected);
        vm.prank(alice);
        pool.claim(POOL_ID, _one(lendId, 10_000e6));

        assertEq(usdc.balanceOf(alice), 10_000e6 + expected);
        (uint256 starting, uint256 outstanding,) = pool.lendings(POOL_ID, alice, lendId);
        assertEq(starting, 10_000e6);
        assertEq(outstanding, 0);
        IERC20CollateralPool.PoolAmounts memory amounts = _amounts();
        assertEq(amounts.claimed, 10_000e6);
        assertEq(amounts.claimedRewards, expected);
        assertEq(amounts.rewards, 50e6);
        // Only the rounding dust stays behind, and it is backed by tokens.
        (uint256 available,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(available, 50e6 - expected);
        assertEq(usdc.balanceOf(address(pool)), available);
    }

    function test_claim_withoutBorrowsReturnsPrincipalOnly() public {
        uint256 lendId = _lend(alice, 1000e6);
        _skip(ONE_YEAR / 2);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.RewardsClaimed(POOL_ID, alice, lendId, 1000e6, 0);
        _claim(alice, lendId, 1000e6);
        assertEq(usdc.balanceOf(alice), 1000e6);
        assertEq(usdc.balanceOf(address(pool)), 0);
    }

    /// @dev The claimed part takes its rewards; the rest keeps earning from the original snapshot
    /// and, once alone, earns the whole interest of the second half year.
    function test_claim_partialClaimThenRest() public {
        uint256 lendId = _lend(alice, 10_000e6);
        uint256 borrowId = _borrow(carol, BORROWED);
        _skip(ONE_YEAR / 2);

        uint256 rptHalf = _rate(10_000e6) * (ONE_YEAR / 2);
        uint256 firstReward = uint256(4000e6) * rptHalf / 1e18;
        assertApproxEqAbs(firstReward, 10e6, 1); // 4,000 of 10,000 share 25 USDC of interest
        assertLe(firstReward, 10e6);

        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.RewardsClaimed(POOL_ID, alice, lendId, 4000e6, firstReward);
        _claim(alice, lendId, 4000e6);
        assertEq(usdc.balanceOf(alice), 4000e6 + firstReward);
        (uint256 starting, uint256 outstanding, uint256 ignored) = pool.lendings(POOL_ID, alice, lendId);
        assertEq(starting, 10_000e6);
        assertEq(outstanding, 6000e6);
        assertEq(ignored, 0);

        _skip(ONE_YEAR / 2);
        _repayAll(carol, borrowId);
        uint256 rptEnd = rptHalf + _rate(6000e6) * (ONE_YEAR / 2);
        uint256 secondReward = uint256(6000e6) * rptEnd / 1e18;
        assertApproxEqAbs(secondReward, 40e6, 2); // 15 from the first half, all 25 of the second
        assertLe(secondReward, 40e6);
        assertEq(pool.calculateReward(POOL_ID, lendId, alice), secondReward);

        _claim(alice, lendId, 6000e6);
        assertEq(usdc.balanceOf(alice), 10_000e6 + firstReward + secondReward);
        assertLe(firstReward + secondReward, 50e6);
        assertEq(_amounts().claimedRewards, firstReward + secondReward);
    }

    /// @dev Alice lends for the whole year, Bob the same amount for the second half only:
    /// Alice earns 25 + 12.5, Bob 12.5 (pro rata to principal and time).
    function test_claim_twoLendersSplitProRataToPrincipalAndTime() public {
        uint256 aliceId = _lend(alice, 10_000e6);
        uint256 borrowId = _borrow(carol, BORROWED);
        _skip(ONE_YEAR / 2);
        uint256 bobId = _lend(bob, 10_000e6);
        _skip(ONE_YEAR / 2);
        _repayAll(carol, borrowId);

        uint256 firstHalf = _rate(10_000e6) * (ONE_YEAR / 2);
        uint256 secondHalf = _rate(20_000e6) * (ONE_YEAR / 2);
        uint256 aliceReward = uint256(10_000e6) * (firstHalf + secondHalf) / 1e18;
        uint256 bobReward = uint256(10_000e6) * secondHalf / 1e18;
        assertApproxEqAbs(aliceReward, 37.5e6, 2);
        assertApproxEqAbs(bobReward, 12.5e6, 2);
        assertLe(aliceReward + bobReward, 50e6);

        _claim(alice, aliceId, 10_000e6);
        _claim(bob, bobId, 10_000e6);
        assertEq(usdc.balanceOf(alice), 10_000e6 + aliceReward);
        assertEq(usdc.balanceOf(bob), 10_000e6 + bobReward);
        (uint256 available,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(available, 50e6 - aliceReward - bobReward);
        assertEq(usdc.balanceOf(address(pool)), available);
    }

    /// @dev Three positions opened at different accumulator values, claimed (one partly) in one call.
    function test_claim_batchOverSeveralPositions() public {
        uint256 quarter = ONE_YEAR / 4;
        _lend(alice, 2000e6);
        uint256 borrowId = _borrow(carol, BORROWED);
        _skip(quarter);
        _lend(alice, 3000e6);
        _skip(quarter);
        _lend(alice, 5000e6);
        _skip(ONE_YEAR / 2);
        _repayAll(carol, borrowId);

        uint256 rpt1 = _rate(2000e6) * quarter;
        uint256 rpt2 = rpt1 + _rate(5000e6) * quarter;
        uint256 rptEnd = rpt2 + _rate(10_000e6) * (ONE_YEAR / 2);
        uint256 reward0 = uint256(2000e6) * rptEnd / 1e18;
        uint256 reward1 = uint256(1000e6) * (rptEnd - rpt1) / 1e18;
        uint256 reward2 = uint256(5000e6) * (rptEnd - rpt2) / 1e18;
        (,, uint256 ignored1) = pool.lendings(POOL_ID, alice, 1);
        (,, uint256 ignored2) = pool.lendings(POOL_ID, alice, 2);
        assertEq(ignored1, rpt1);
        assertEq(ignored2, rpt2);

        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](3);
        claims[0] = IERC20CollateralPool.Claim({lendId: 0, usdcAmount: 2000e6});
        claims[1] = IERC20CollateralPool.Claim({lendId: 1, usdcAmount: 1000e6});
        claims[2] = IERC20CollateralPool.Claim({lendId: 2, usdcAmount: 5000e6});
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.RewardsClaimed(POOL_ID, alice, 0, 2000e6, reward0);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.RewardsClaimed(POOL_ID, alice, 1, 1000e6, reward1);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.RewardsClaimed(POOL_ID, alice, 2, 5000e6, reward2);
        vm.prank(alice);
        pool.claim(POOL_ID, claims);

        assertEq(usdc.balanceOf(alice), 8000e6 + reward0 + reward1 + reward2);
        (, uint256 left1,) = pool.lendings(POOL_ID, alice, 1);
        assertEq(left1, 2000e6);
        IERC20CollateralPool.PoolAmounts memory amounts = _amounts();
        assertEq(amounts.claimed, 8000e6);
        assertEq(amounts.claimedRewards, reward0 + reward1 + reward2);
        // The untouched 2,000 of position 1 still has its rewards waiting, and the sum stays within 50.
        uint256 pending1 = uint256(2000e6) * (rptEnd - rpt1) / 1e18;
        assertEq(pool.calculateReward(POOL_ID, 1, alice), pending1);
        assertLe(reward0 + reward1 + reward2 + pending1, 50e6);
    }

    function test_claim_exactlyTheFreeUsdc() public {
        uint256 lendId = _lend(alice, 1000e6);
        _borrow(carol, 900e6);
        _claim(alice, lendId, 100e6); // reward is 0 in the same block
        assertEq(usdc.balanceOf(alice), 100e6);
        (uint256 available,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(available, 0);
    }

    /* REVERTS */

    function test_claim_revertsWhen_noClaimsProvided() public {
        _lend(alice, 1000e6);
        vm.expectRevert(IERC20CollateralPool.NoClaimsProvided.selector);
        vm.prank(alice);
        pool.claim(POOL_ID, new IERC20CollateralPool.Claim[](0));
    }

    function test_claim_revertsWhen_lendingDoesNotExist() public {
        _lend(alice, 1000e6);
        vm.expectRevert(IERC20CollateralPool.LendingDoesNotExist.selector);
        vm.prank(alice);
        pool.claim(POOL_ID, _one(1, 1000e6));
    }

    /// @dev Positions are per user: Bob cannot claim Alice's position 0.
    function test_claim_revertsWhen_claimingAnotherUsersPosition() public {
        _lend(alice, 1000e6);
        vm.expectRevert(IERC20CollateralPool.LendingDoesNotExist.selector);
        vm.prank(bob);
        pool.claim(POOL_ID, _one(0, 1000e6));
    }

    function test_claim_revertsWhen_amountIsZero() public {
        uint256 lendId = _lend(alice, 1000e6);
        vm.expectRevert(IERC20CollateralPool.AmountCannotBeZero.selector);
        vm.prank(alice);
        pool.claim(POOL_ID, _one(lendId, 0));
    }

    function test_claim_revertsWhen_amountAbovePosition() public {
        uint256 lendId = _lend(alice, 1000e6);
        vm.expectRevert(IERC20CollateralPool.AmountTooBig.selector);
        vm.prank(alice);
        pool.claim(POOL_ID, _one(lendId, 1000e6 + 1));
    }

    /// @dev The same position listed twice cannot pay out more than it holds.
    function test_claim_revertsWhen_batchClaimsSamePositionTwiceBeyondIt() public {
        uint256 lendId = _lend(alice, 10_000e6);
        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](2);
        claims[0] = IERC20CollateralPool.Claim({lendId: lendId, usdcAmount: 6000e6});
        claims[1] = IERC20CollateralPool.Claim({lendId: lendId, usdcAmount: 4000e6 + 1});
        vm.expectRevert(IERC20CollateralPool.AmountTooBig.selector);
        vm.prank(alice);
        pool.claim(POOL_ID, claims);
    }

    function test_claim_revertsWhen_positionAlreadyClaimed() public {
        uint256 lendId = _lend(alice, 1000e6);
        _claim(alice, lendId, 1000e6);
        vm.expectRevert(IERC20CollateralPool.AmountTooBig.selector);
        vm.prank(alice);
        pool.claim(POOL_ID, _one(lendId, 1));
    }

    function test_claim_revertsWhen_liquidityIsBorrowed() public {
        uint256 lendId = _lend(alice, 1000e6);
        _borrow(carol, 900e6);
        vm.expectRevert(IERC20CollateralPool.NotEnoughUSDCInPool.selector);
        vm.prank(alice);
        pool.claim(POOL_ID, _one(lendId, 100e6 + 1));
    }

    function test_claim_revertsWhen_paused() public {
        uint256 lendId = _lend(alice, 1000e6);
        vm.prank(admin);
        pool.pause();
        vm.expectRevert(PausableUpgradeable.EnforcedPause.selector);
        vm.prank(alice);
        pool.claim(POOL_ID, _one(lendId, 1000e6));
    }

    function test_claim_revertsWhen_poolDoesNotExist() public {
        _lend(alice, 1000e6);
        vm.expectRevert(IERC20CollateralPool.PoolDoesNotExist.selector);
        vm.prank(alice);
        pool.claim(1, _one(0, 1000e6));
    }
}

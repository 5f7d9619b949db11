// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "./BaseTest.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";

/// @notice `repay`: F1 interest at the borrow's own rate, pro-rata collateral back, partial repays,
/// repay after the end and while paused, and every revert.
contract RepayTest is BaseTest {
    /// @dev SPEC F6 check value for 1,000 USDC.
    uint256 internal constant PUBLISHED_COLLATERAL = 76_923_076_923_076_923_076_924;

    function setUp() public override {
        super.setUp();
        _lend(alice, 100_000e6);
    }

    function _amounts() internal view returns (IERC20CollateralPool.PoolAmounts memory amounts) {
        (amounts,,,,,,) = pool.pools(POOL_ID);
    }

    /// @dev Approves exactly `amount + expectedInterest` and repays, expecting the `Repaid` event: a
    /// contract asking for more reverts on the allowance, one asking for less fails the balance check.
    function _repayExpecting(
        address user,
        uint256 borrowId,
        uint256 amount,
        uint256 expectedInterest,
        uint256 expectedCollateralBack
    ) internal {
        uint256 due = amount + expectedInterest;
        usdc.mint(user, due);
        uint256 balanceBefore = usdc.balanceOf(user);
        uint256 collateralBefore = collateral.balanceOf(user);
        vm.startPrank(user);
        usdc.approve(address(pool), due);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.Repaid(POOL_ID, user, borrowId, amount, expectedInterest, expectedCollateralBack);
        pool.repay(POOL_ID, borrowId, amount);
        vm.stopPrank();
        assertEq(balanceBefore - usdc.balanceOf(user), due);
        assertEq(collateral.balanceOf(user) - collateralBefore, expectedCollateralBack);
    }

    function _repayReverting(address user, uint256 borrowId, uint256 amount, bytes4 selector) internal {
        usdc.mint(user, 2000e6);
        vm.prank(user);
        usdc.approve(address(pool), 2000e6);
        vm.expectRevert(selector);
        vm.prank(user);
        pool.repay(POOL_ID, borrowId, amount);
    }

    /* FULL AND PARTIAL */

    function test_repay_fullAfterOneYearPaysExactlyFivePercent() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        (,,, uint48 borrowTime) = pool.borrows(POOL_ID, carol, borrowId);
        _skip(ONE_YEAR);
        assertEq(pool.calculateRepayInterest(POOL_ID, borrowId, carol), 50e6);
        _repayExpecting(carol, borrowId, 1000e6, 50e6, PUBLISHED_COLLATERAL);

        assertEq(collateral.balanceOf(carol), PUBLISHED_COLLATERAL);
        assertEq(collateral.balanceOf(address(pool)), 0);
        (uint256 starting, uint256 outstanding, uint256 locked, uint48 timeAfter) =
            pool.borrows(POOL_ID, carol, borrowId);
        assertEq(starting, 1000e6);
        assertEq(outstanding, 0);
        assertEq(locked, 0);
        assertEq(timeAfter, borrowTime);

        IERC20CollateralPool.PoolAmounts memory amounts = _amounts();
        assertEq(amounts.repaid, 1000e6);
        assertEq(amounts.rewards, 50e6);
        assertEq(amounts.collateralTokenAmount, 0);
        assertEq(pool.weightedBorrowed(POOL_ID), 0);
        (,,, uint256 rewardRate,,,) = pool.pools(POOL_ID);
        assertEq(rewardRate, 0);
        assertEq(usdc.balanceOf(address(pool)), 100_050e6);
        (uint256 available,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(available, 100_050e6);
    }

    /// @dev 400 of 1,000 after half a year: 10 USDC interest on the 400 only, 40 % of the collateral
    /// back (rounded down); the remaining 600 keeps the original borrow time.
    function test_repay_partialReturnsCollateralProRataAndKeepsBorrowTime() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        (,,, uint48 borrowTime) = pool.borrows(POOL_ID, carol, borrowId);
        _skip(ONE_YEAR / 2);

        uint256 back = PUBLISHED_COLLATERAL * 400 / 1000;
        assertEq(back, 30_769_230_769_230_769_230_769);
        _repayExpecting(carol, borrowId, 400e6, 10e6, back);

        assertEq(collateral.balanceOf(carol), back);
        (, uint256 outstanding, uint256 locked, uint48 timeAfter) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(outstanding, 600e6);
        assertEq(locked, PUBLISHED_COLLATERAL - back);
        assertEq(timeAfter, borrowTime);
        assertEq(pool.weightedBorrowed(POOL_ID), 600e6 * uint256(INTEREST));
        assertEq(_amounts().repaid, 400e6);
        assertEq(_amounts().rewards, 10e6);
        // Half a year on the 600 left.
        assertEq(pool.calculateRepayInterest(POOL_ID, borrowId, carol), 15e6);

        // A year after the borrow the 600 owe a full year (borrowTime was not reset).
        _skip(ONE_YEAR / 2);
        assertEq(pool.calculateRepayInterest(POOL_ID, borrowId, carol), 30e6);
        _repayExpecting(carol, borrowId, 600e6, 30e6, PUBLISHED_COLLATERAL - back);
        assertEq(collateral.balanceOf(carol), PUBLISHED_COLLATERAL);
        assertEq(_amounts().rewards, 40e6);
    }

    function test_repay_partialLeavingExactlyMinBorrow() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        // Same block: no interest; 99 % of the collateral back, rounded down.
        _repayExpecting(carol, borrowId, 1000e6 - MIN_BORROW, 0, PUBLISHED_COLLATERAL * 990 / 1000);
        (, uint256 outstanding,,) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(outstanding, MIN_BORROW);
    }

    /// @dev Interest keeps accruing after `endTime` until the loan is repaid (SPEC F2 decision).
    function test_repay_afterEndTimeKeepsAccruing() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        vm.warp(uint256(endTime) + 30 days); // 395 days after the borrow; repay reads no oracle
        // 1000 × 5 % × 395/365 = 54.1095890... rounded up.
        assertEq(pool.calculateRepayInterest(POOL_ID, borrowId, carol), 54_109_590);
        _repayExpecting(carol, borrowId, 500e6, 27_054_795, PUBLISHED_COLLATERAL / 2);

        vm.warp(uint256(endTime) + 60 days); // 425 days: 500 × 5 % × 425/365 = 29.1095890...
        assertEq(pool.calculateRepayInterest(POOL_ID, borrowId, carol), 29_109_590);
        _repayExpecting(carol, borrowId, 500e6, 29_109_590, PUBLISHED_COLLATERAL / 2);
        assertEq(collateral.balanceOf(carol), PUBLISHED_COLLATERAL);
        assertEq(_amounts().rewards, 27_054_795 + 29_109_590);
    }

    function test_repay_worksWhilePaused() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        _skip(ONE_YEAR / 2);
        vm.prank(admin);
        pool.pause();
        assertTrue(pool.paused());
        _repayExpecting(carol, borrowId, 1000e6, 25e6, PUBLISHED_COLLATERAL);
        assertEq(collateral.balanceOf(carol), PUBLISHED_COLLATERAL);
    }

    /* RATE CHANGES (F2b) */

    /// @dev Raising the pool rate from 5 % to 10 % leaves the open borrow at 5 % and applies to new ones.
    function test_repay_poolInterestChangeAppliesToNewBorrowsOnly() public {
        uint256 carolId = _borrow(carol, 1000e6);

        IERC20CollateralPool.InitPool memory current = defaultInitPool();
        IERC20CollateralPool.EditPool memory edit = IERC20CollateralPool.EditPool({
            collateralTokenPriceOracle: current.collateralTokenPriceOracle,
            collateralTokenSequencerOracle: current.collateralTokenSequencerOracle,
            maxPoolCapacity: current.maxPoolCapacity,
            minLended: current.minLended,
            minBorrow: current.minBorrow,
            endTime: current.endTime,
            collateralTokenFactor: current.collateralTokenFactor,
            collateralTokenLTVPercentage: current.collateralTokenLTVPercentage,
            interest: 1000
        });
        vm.prank(admin);
        pool.announceEditPool(POOL_ID, edit);
        _skip(3 days);
        vm.prank(admin);
        pool.commitEditPool(POOL_ID);

        (,,,,,, uint24 poolInterest) = pool.pools(POOL_ID);
        assertEq(poolInterest, 1000);
        assertEq(pool.borrowInterest(POOL_ID, carol, carolId), INTEREST);

        uint256 daveId = _borrow(dave, 1000e6);
        assertEq(pool.borrowInterest(POOL_ID, dave, daveId), 1000);
        assertEq(pool.weightedBorrowed(POOL_ID), 1000e6 * uint256(500) + 1000e6 * uint256(1000));
        (,,, uint256 rewardRate,,,) = pool.pools(POOL_ID);
        assertEq(rewardRate, uint256(1500e9) * 1e18 / (uint256(100_000e6) * ONE_YEAR * 10_000));

        // A year after each borrow: 5 % for Carol, 10 % for Dave.
        _skip(ONE_YEAR - 3 days);
        assertEq(pool.calculateRepayInterest(POOL_ID, carolId, carol), 50e6);
        _repayExpecting(carol, carolId, 1000e6, 50e6, PUBLISHED_COLLATERAL);

        _skip(3 days);
        assertEq(pool.calculateRepayInterest(POOL_ID, daveId, dave), 100e6);
        _repayExpecting(dave, daveId, 1000e6, 100e6, PUBLISHED_COLLATERAL);
        assertEq(_amounts().rewards, 150e6);
        assertEq(pool.weightedBorrowed(POOL_ID), 0);
    }

    /* REVERTS */

    function test_repay_revertsWhen_borrowDoesNotExist() public {
        _borrow(carol, 1000e6);
        _repayReverting(carol, 1, 1000e6, IERC20CollateralPool.BorrowDoesNotExist.selector);
    }

    /// @dev Positions are per user: Dave cannot repay (and so unlock) Carol's borrow 0.
    function test_repay_revertsWhen_repayingAnotherUsersBorrow() public {
        _borrow(carol, 1000e6);
        _repayReverting(dave, 0, 1000e6, IERC20CollateralPool.BorrowDoesNotExist.selector);
    }

    function test_repay_revertsWhen_poolDoesNotExist() public {
        _borrow(carol, 1000e6);
        usdc.mint(carol, 1000e6);
        vm.prank(carol);
        usdc.approve(address(pool), 2000e6);
        vm.expectRevert(IERC20CollateralPool.PoolDoesNotExist.selector);
        vm.prank(carol);
        pool.repay(1, 0, 1000e6);
    }

    function test_repay_revertsWhen_amountIsZero() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        _repayReverting(carol, borrowId, 0, IERC20CollateralPool.AmountCannotBeZero.selector);
    }

    function test_repay_revertsWhen_amountAboveOutstanding() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        _repayReverting(carol, borrowId, 1000e6 + 1, IERC20CollateralPool.AmountTooBig.selector);
    }

    function test_repay_revertsWhen_alreadyFullyRepaid() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        _skip(1 days);
        _repay(carol, borrowId, 1000e6);
        _repayReverting(carol, borrowId, 1000e6, IERC20CollateralPool.BorrowAlreadyLiquidated.selector);
    }

    function test_repay_revertsWhen_remainderBelowMinBorrow() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        _repayReverting(carol, borrowId, 1000e6 - MIN_BORROW + 1, IERC20CollateralPool.RemainingBorrowTooLow.selector);
    }
}

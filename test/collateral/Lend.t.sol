// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {BaseTest} from "./BaseTest.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";

/// @notice `lend`: positions, pool totals, the reward snapshot, capacity (F4) and every revert.
contract LendTest is BaseTest {
    function _amounts() internal view returns (IERC20CollateralPool.PoolAmounts memory amounts) {
        (amounts,,,,,,) = pool.pools(POOL_ID);
    }

    function _fund(address user, uint256 amount) internal {
        usdc.mint(user, amount);
        vm.prank(user);
        usdc.approve(address(pool), amount);
    }

    /* SUCCESS */

    function test_lend_movesUsdcAndOpensPosition() public {
        _fund(alice, 5000e6);

        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.newLend(POOL_ID, 0, alice, 5000e6, 0);
        vm.prank(alice);
        pool.lend(POOL_ID, 5000e6);

        assertEq(usdc.balanceOf(alice), 0);
        assertEq(usdc.balanceOf(address(pool)), 5000e6);
        assertEq(pool.lendingsLength(POOL_ID, alice), 1);
        (uint256 starting, uint256 outstanding, uint256 ignored) = pool.lendings(POOL_ID, alice, 0);
        assertEq(starting, 5000e6);
        assertEq(outstanding, 5000e6);
        assertEq(ignored, 0);

        IERC20CollateralPool.PoolAmounts memory amounts = _amounts();
        assertEq(amounts.lended, 5000e6);
        assertEq(amounts.claimed, 0);
        assertEq(amounts.borrowed, 0);
        (uint256 available,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(available, 5000e6);
    }

    function test_lend_secondLendOpensNewPosition() public {
        assertEq(_lend(alice, 1000e6), 0);

        _fund(alice, 2000e6);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.newLend(POOL_ID, 1, alice, 2000e6, 0);
        vm.prank(alice);
        pool.lend(POOL_ID, 2000e6);

        assertEq(pool.lendingsLength(POOL_ID, alice), 2);
        (uint256 firstStarting,,) = pool.lendings(POOL_ID, alice, 0);
        (uint256 secondStarting, uint256 secondOutstanding,) = pool.lendings(POOL_ID, alice, 1);
        assertEq(firstStarting, 1000e6);
        assertEq(secondStarting, 2000e6);
        assertEq(secondOutstanding, 2000e6);
        assertEq(_amounts().lended, 3000e6);
    }

    function test_lend_acceptsExactlyMinLended() public {
        _lend(alice, MIN_LENDED);
        assertEq(_amounts().lended, MIN_LENDED);
    }

    /// @dev A lend after interest accrued starts at the accumulator, so it earns nothing of the past.
    function test_lend_snapshotsRewardPerTokenAfterInterestAccrued() public {
        _lend(alice, 10_000e6);
        _borrow(carol, 1000e6);
        _skip(ONE_YEAR / 2);

        // F2 by hand: rate = 1000e6 × 500 × 1e18 / (10_000e6 × ONE_YEAR × 10_000), floored.
        uint256 rate = uint256(1000e6) * 500 * 1e18 / (uint256(10_000e6) * ONE_YEAR * 10_000);
        uint256 expectedRpt = rate * (ONE_YEAR / 2);
        assertGt(expectedRpt, 0);

        _fund(bob, 1000e6);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.newLend(POOL_ID, 0, bob, 1000e6, expectedRpt);
        vm.prank(bob);
        pool.lend(POOL_ID, 1000e6);

        (,, uint256 ignored) = pool.lendings(POOL_ID, bob, 0);
        assertEq(ignored, expectedRpt);
        assertEq(pool.calculateReward(POOL_ID, 0, bob), 0);
        (,, uint256 rewardPerToken, uint256 newRate,,,) = pool.pools(POOL_ID);
        assertEq(rewardPerToken, expectedRpt);
        // The rate is recomputed for the larger lent total.
        assertEq(newRate, uint256(1000e6) * 500 * 1e18 / (uint256(11_000e6) * ONE_YEAR * 10_000));
    }

    /* CAPACITY (F4) */

    function test_lend_capacityReachedExactly() public {
        _lend(alice, CAPACITY - 1000e6);
        _lend(bob, 1000e6);
        assertEq(_amounts().lended, CAPACITY);
    }

    function test_lend_revertsWhen_capacityExceededByOne() public {
        _lend(alice, CAPACITY - 1000e6);
        _fund(bob, 1000e6 + 1);
        vm.expectRevert(IERC20CollateralPool.MaxPoolCapacityIsReached.selector);
        vm.prank(bob);
        pool.lend(POOL_ID, 1000e6 + 1);
    }

    /// @dev F4 subtracts claims: principal claimed back frees exactly that much capacity.
    function test_lend_claimFreesCapacity() public {
        uint256 lendId = _lend(alice, CAPACITY);
        _claim(alice, lendId, 3000e6);

        _fund(bob, 3000e6 + 1);
        vm.expectRevert(IERC20CollateralPool.MaxPoolCapacityIsReached.selector);
        vm.prank(bob);
        pool.lend(POOL_ID, 3000e6 + 1);

        vm.prank(bob);
        pool.lend(POOL_ID, 3000e6);
        IERC20CollateralPool.PoolAmounts memory amounts = _amounts();
        assertEq(amounts.lended - amounts.claimed, CAPACITY);
    }

    /// @dev F4 counts liquidity, not lent principal: borrowed USDC is out of the pool and frees capacity.
    function test_lend_borrowFreesCapacity() public {
        _lend(alice, CAPACITY);
        _borrow(carol, 2000e6);

        _fund(bob, 2000e6 + 1);
        vm.expectRevert(IERC20CollateralPool.MaxPoolCapacityIsReached.selector);
        vm.prank(bob);
        pool.lend(POOL_ID, 2000e6 + 1);

        vm.prank(bob);
        pool.lend(POOL_ID, 2000e6);
        assertEq(_amounts().lended, CAPACITY + 2000e6);
    }

    /* REVERTS */

    function test_lend_revertsWhen_poolDoesNotExist() public {
        _fund(alice, 1000e6);
        vm.expectRevert(IERC20CollateralPool.PoolDoesNotExist.selector);
        vm.prank(alice);
        pool.lend(1, 1000e6);
    }

    function test_lend_revertsWhen_poolIsClosedAtEndTime() public {
        _fund(alice, 1000e6);
        vm.warp(endTime);
        vm.expectRevert(IERC20CollateralPool.PoolIsClosed.selector);
        vm.prank(alice);
        pool.lend(POOL_ID, 1000e6);
    }

    function test_lend_revertsWhen_poolIsClosedAfterEndTime() public {
        _fund(alice, 1000e6);
        vm.warp(uint256(endTime) + 30 days);
        vm.expectRevert(IERC20CollateralPool.PoolIsClosed.selector);
        vm.prank(alice);
        pool.lend(POOL_ID, 1000e6);
    }

    function test_lend_succeedsOneSecondBeforeEndTime() public {
        vm.warp(uint256(endTime) - 1);
        _lend(alice, 1000e6);
        assertEq(_amounts().lended, 1000e6);
    }

    function test_lend_revertsWhen_amountBelowMinLended() public {
        _fund(alice, MIN_LENDED);
        vm.expectRevert(IERC20CollateralPool.AmountTooLow.selector);
        vm.prank(alice);
        pool.lend(POOL_ID, MIN_LENDED - 1);
    }

    function test_lend_revertsWhen_paused() public {
        _fund(alice, 1000e6);
        vm.prank(admin);
        pool.pause();
        vm.expectRevert(PausableUpgradeable.EnforcedPause.selector);
        vm.prank(alice);
        pool.lend(POOL_ID, 1000e6);
    }

    function test_lend_revertsWhen_allowanceTooLow() public {
        usdc.mint(alice, 1000e6);
        vm.prank(alice);
        usdc.approve(address(pool), 1000e6 - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(pool), 1000e6 - 1, 1000e6)
        );
        vm.prank(alice);
        pool.lend(POOL_ID, 1000e6);
    }
}

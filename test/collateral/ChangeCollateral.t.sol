// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

import {BaseTest} from "./BaseTest.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {ReferenceMath} from "../utils/ReferenceMath.sol";

/// @notice `changeCollateralAmount`: adding (no oracle, open while paused), removing within F6 on
/// principal + interest and the caller's LTV bound, and withdrawing a liquidation remainder.
contract ChangeCollateralTest is BaseTest {
    /// @dev SPEC F6 check value for 1,000 USDC.
    uint256 internal constant PUBLISHED_COLLATERAL = 76_923_076_923_076_923_076_924;
    uint256 internal constant NO_LTV_BOUND = type(uint256).max;

    function setUp() public override {
        super.setUp();
        _lend(alice, 100_000e6);
    }

    function _poolCollateral() internal view returns (uint256 amount) {
        (, amount) = pool.getAvailableAmountsInPool(POOL_ID);
    }

    function _locked(address user, uint256 borrowId) internal view returns (uint256 amount) {
        (,, amount,) = pool.borrows(POOL_ID, user, borrowId);
    }

    /// @dev LTV in bps as the spec defines it for the slippage bound: debt value over collateral
    /// value, both at $1 USDC and $0.02 collateral, rounded up (collateral value floored first).
    function _ltvAtDefaultPrices(uint256 debt, uint256 collateralAmount) internal pure returns (uint256) {
        uint256 collateralValueWad = collateralAmount * 0.02e18 / 1e18;
        return ReferenceMath.ceilDiv(debt * 1e12 * 10_000, collateralValueWad);
    }

    function _add(address user, uint256 borrowId, uint256 added) internal {
        collateral.mint(user, added);
        uint256 current = _locked(user, borrowId);
        vm.startPrank(user);
        collateral.approve(address(pool), added);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.AddedCollateral(POOL_ID, borrowId, user, added);
        pool.changeCollateralAmount(POOL_ID, borrowId, current + added, 0);
        vm.stopPrank();
    }

    /* ADDING */

    function test_changeCollateral_addLocksMoreAndEmits() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        collateral.mint(carol, 1000e18);
        vm.prank(carol);
        collateral.approve(address(pool), 1000e18);

        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.AddedCollateral(POOL_ID, borrowId, carol, 1000e18);
        vm.prank(carol);
        // The LTV bound only applies to removals: 0 does not block an addition.
        pool.changeCollateralAmount(POOL_ID, borrowId, PUBLISHED_COLLATERAL + 1000e18, 0);

        assertEq(_locked(carol, borrowId), PUBLISHED_COLLATERAL + 1000e18);
        assertEq(collateral.balanceOf(carol), 0);
        assertEq(collateral.balanceOf(address(pool)), PUBLISHED_COLLATERAL + 1000e18);
        assertEq(_poolCollateral(), PUBLISHED_COLLATERAL + 1000e18);
    }

    function test_changeCollateral_addWorksWhilePaused() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        vm.prank(admin);
        pool.pause();
        _add(carol, borrowId, 500e18);
        assertEq(_locked(carol, borrowId), PUBLISHED_COLLATERAL + 500e18);
    }

    /// @dev A stale or broken feed cannot stop a borrower from protecting the loan.
    function test_changeCollateral_addWorksWithStaleOracle() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        vm.warp(block.timestamp + 2 days);
        vm.expectRevert(IERC20CollateralPool.OracleDataTooOld.selector);
        pool.calculateCollateralTokenAmount(POOL_ID, 1000e6);

        _add(carol, borrowId, 500e18);
        assertEq(_locked(carol, borrowId), PUBLISHED_COLLATERAL + 500e18);
        assertEq(_poolCollateral(), PUBLISHED_COLLATERAL + 500e18);
    }

    /* REMOVING */

    /// @dev Down to exactly F6 of the debt in the borrow block: the LTV is then 6501 bps (collateral
    /// value floored, LTV rounded up), so a 6501 bound passes and 6500 would not.
    function test_changeCollateral_removeDownToRequired() public {
        uint256 borrowId = _borrowWith(carol, 1000e6, 2 * PUBLISHED_COLLATERAL);
        assertEq(_ltvAtDefaultPrices(1000e6, PUBLISHED_COLLATERAL), 6501);

        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.RemovedCollateral(POOL_ID, borrowId, carol, PUBLISHED_COLLATERAL);
        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, borrowId, PUBLISHED_COLLATERAL, 6501);

        assertEq(collateral.balanceOf(carol), PUBLISHED_COLLATERAL);
        assertEq(_locked(carol, borrowId), PUBLISHED_COLLATERAL);
        assertEq(_poolCollateral(), PUBLISHED_COLLATERAL);
        assertEq(collateral.balanceOf(address(pool)), PUBLISHED_COLLATERAL);
    }

    function test_changeCollateral_revertsWhen_ltvBoundIsRoundedDownValue() public {
        uint256 borrowId = _borrowWith(carol, 1000e6, 2 * PUBLISHED_COLLATERAL);
        vm.expectRevert(abi.encodeWithSelector(IERC20CollateralPool.MaxLTVExceeded.selector, 6501, 6500));
        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, borrowId, PUBLISHED_COLLATERAL, 6500);
    }

    /// @dev After half a year the debt is 1,025 USDC: F6 of 1,000 no longer suffices.
    function test_changeCollateral_removalCountsInterest() public {
        uint256 borrowId = _borrowWith(carol, 1000e6, 2 * PUBLISHED_COLLATERAL);
        _skip(ONE_YEAR / 2);
        uint256 required = ReferenceMath.requiredCollateral(1025e6, LTV, FACTOR, 1e8, 8, 2e6, 8, 18);
        assertEq(required, 78_846_153_846_153_846_153_847);

        vm.startPrank(carol);
        vm.expectRevert(IERC20CollateralPool.CollateralAmountTooLow.selector);
        pool.changeCollateralAmount(POOL_ID, borrowId, PUBLISHED_COLLATERAL, NO_LTV_BOUND);
        vm.expectRevert(IERC20CollateralPool.CollateralAmountTooLow.selector);
        pool.changeCollateralAmount(POOL_ID, borrowId, required - 1, NO_LTV_BOUND);

        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.RemovedCollateral(POOL_ID, borrowId, carol, 2 * PUBLISHED_COLLATERAL - required);
        pool.changeCollateralAmount(POOL_ID, borrowId, required, NO_LTV_BOUND);
        vm.stopPrank();
        assertEq(_locked(carol, borrowId), required);
        assertEq(collateral.balanceOf(carol), 2 * PUBLISHED_COLLATERAL - required);
    }

    function test_changeCollateral_revertsWhen_ltvAboveBoundWithExactArgs() public {
        uint256 borrowId = _borrowWith(carol, 1000e6, 200_000e18);
        // 1,000 USDC against 100,000 tokens × $0.02 = $2,000: exactly 5,000 bps.
        assertEq(_ltvAtDefaultPrices(1000e6, 100_000e18), 5000);
        vm.expectRevert(abi.encodeWithSelector(IERC20CollateralPool.MaxLTVExceeded.selector, 5000, 4999));
        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, borrowId, 100_000e18, 4999);

        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, borrowId, 100_000e18, 5000);
        assertEq(_locked(carol, borrowId), 100_000e18);
        assertEq(collateral.balanceOf(carol), 100_000e18);
    }

    /// @dev The bound is checked against principal + interest: 1,025 USDC over $2,000 is 5,125 bps.
    function test_changeCollateral_revertsWhen_ltvWithInterestAboveBound() public {
        uint256 borrowId = _borrowWith(carol, 1000e6, 200_000e18);
        _skip(ONE_YEAR / 2);
        uint256 expectedLtv = _ltvAtDefaultPrices(1025e6, 100_000e18);
        assertEq(expectedLtv, 5125);
        vm.expectRevert(abi.encodeWithSelector(IERC20CollateralPool.MaxLTVExceeded.selector, expectedLtv, 5124));
        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, borrowId, 100_000e18, 5124);

        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, borrowId, 100_000e18, 5125);
        assertEq(_locked(carol, borrowId), 100_000e18);
    }

    function test_changeCollateral_revertsWhen_removingWhilePaused() public {
        uint256 borrowId = _borrowWith(carol, 1000e6, 2 * PUBLISHED_COLLATERAL);
        vm.prank(admin);
        pool.pause();
        vm.expectRevert(PausableUpgradeable.EnforcedPause.selector);
        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, borrowId, PUBLISHED_COLLATERAL, NO_LTV_BOUND);
    }

    function test_changeCollateral_revertsWhen_removingWithStaleOracle() public {
        uint256 borrowId = _borrowWith(carol, 1000e6, 2 * PUBLISHED_COLLATERAL);
        vm.warp(block.timestamp + 90_001);
        vm.expectRevert(IERC20CollateralPool.OracleDataTooOld.selector);
        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, borrowId, PUBLISHED_COLLATERAL, NO_LTV_BOUND);
    }

    function test_changeCollateral_revertsWhen_amountNotChanged() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        vm.expectRevert(IERC20CollateralPool.CollateralAmountNotChanged.selector);
        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, borrowId, PUBLISHED_COLLATERAL, NO_LTV_BOUND);
    }

    function test_changeCollateral_revertsWhen_borrowDoesNotExist() public {
        _borrow(carol, 1000e6);
        vm.expectRevert(IERC20CollateralPool.BorrowDoesNotExist.selector);
        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, 1, 0, NO_LTV_BOUND);
        // Nor can another user touch Carol's borrow 0.
        vm.expectRevert(IERC20CollateralPool.BorrowDoesNotExist.selector);
        vm.prank(dave);
        pool.changeCollateralAmount(POOL_ID, 0, 0, NO_LTV_BOUND);
    }

    function test_changeCollateral_revertsWhen_poolDoesNotExist() public {
        _borrow(carol, 1000e6);
        vm.expectRevert(IERC20CollateralPool.PoolDoesNotExist.selector);
        vm.prank(carol);
        pool.changeCollateralAmount(1, 0, 0, NO_LTV_BOUND);
    }

    /* LIQUIDATION REMAINDER */

    /// @dev At $0.015 the loan is unhealthy; a full liquidation pays the liquidator 1,100 USDC of
    /// collateral (F9) and leaves the rest in the position, which the borrower then withdraws.
    function test_changeCollateral_withdrawsLiquidationRemainder() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        _setCollateralPrice(1.5e6);
        assertTrue(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
        _liquidate(carol, borrowId, 1000e6);

        // 1000 × 1.10 / 0.015 tokens, floored.
        uint256 seized = 73_333_333_333_333_333_333_333;
        uint256 remainder = PUBLISHED_COLLATERAL - seized;
        assertEq(collateral.balanceOf(liquidator), seized);
        (, uint256 principal, uint256 locked,) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(principal, 0);
        assertEq(locked, remainder);
        assertEq(remainder, 3_589_743_589_743_589_743_591);

        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.RemovedCollateral(POOL_ID, borrowId, carol, remainder);
        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, borrowId, 0, 0);

        assertEq(collateral.balanceOf(carol), remainder);
        assertEq(_locked(carol, borrowId), 0);
        assertEq(_poolCollateral(), 0);
        assertEq(collateral.balanceOf(address(pool)), 0);
    }

    function test_changeCollateralAmount_revertsWhen_addingAboveUint128() public {
        _lend(alice, 10_000e6);
        uint256 borrowId = _borrow(carol, 1000e6);
        vm.prank(carol);
        vm.expectRevert(IERC20CollateralPool.CollateralAmountTooBig.selector);
        pool.changeCollateralAmount(POOL_ID, borrowId, uint256(type(uint128).max) + 1, 6500);
    }
}

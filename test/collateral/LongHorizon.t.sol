// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "./BaseTest.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {PoolMath} from "../../contracts/libraries/PoolMath.sol";

/// @notice A loan left open longer than the chain clock had run when it was taken (elapsed time
/// greater than the borrow's own timestamp: about 57 years from 2026). Every function that
/// prices a debt charges simple interest on the elapsed seconds, however large: nothing in the
/// arithmetic depends on how the timestamps compare with each other.
contract LongHorizonTest is BaseTest {
    uint256 internal constant LOAN = 1000e6;

    uint256 internal borrowId;
    uint256 internal collateralAmount;
    uint256 internal elapsed;

    function setUp() public override {
        super.setUp();
        _lend(alice, 100_000e6);
        // Twice what F6 asks: safe for a year of interest, far under water after 57 years.
        collateralAmount = 2 * pool.calculateCollateralTokenAmount(POOL_ID, LOAN);
        borrowId = _borrowWith(carol, LOAN, collateralAmount);
        elapsed = vm.getBlockTimestamp() + 365 days;
        _skip(elapsed);
    }

    function _interest(uint256 principal) internal view returns (uint256) {
        return PoolMath.interest(principal, INTEREST, elapsed);
    }

    function test_calculateRepayInterest_chargesEveryElapsedSecond() public view {
        assertEq(pool.calculateRepayInterest(POOL_ID, borrowId, carol), _interest(LOAN));
        assertGt(_interest(LOAN), 2 * LOAN); // 5 % for 57 years
    }

    function test_getLiquidatableAmountWithProtocolFee_chargesEveryElapsedSecond() public view {
        assertEq(
            pool.getLiquidatableAmountWithProtocolFee(POOL_ID, carol, borrowId),
            PoolMath.liquidationPayment(LOAN, _interest(LOAN))
        );
    }

    function test_isPositionLiquidatable_countsTheWholeInterest() public view {
        // With a year of interest the position would sit at ~34 % LTV; with 57 years it is under water.
        assertTrue(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
    }

    function test_repay_chargesInterestForTheWholeElapsedTime() public {
        uint256 half = LOAN / 2;
        uint256 due = half + _interest(half);
        usdc.mint(carol, due);
        vm.startPrank(carol);
        usdc.approve(address(pool), due);
        pool.repay(POOL_ID, borrowId, half);
        vm.stopPrank();
        assertEq(usdc.balanceOf(carol), LOAN, "carol paid half + its interest, kept the loan");
    }

    function test_changeCollateralAmount_removalPricesTheWholeDebt() public {
        // Enough for the principal and one year of interest, far from enough for 57 years.
        uint256 yearDebt = LOAN + PoolMath.interest(LOAN, INTEREST, 365 days);
        uint256 tooLittle = pool.calculateCollateralTokenAmount(POOL_ID, yearDebt);
        vm.prank(carol);
        vm.expectRevert(IERC20CollateralPool.CollateralAmountTooLow.selector);
        pool.changeCollateralAmount(POOL_ID, borrowId, tooLittle, 10_000);
    }

    function test_liquidate_collectsInterestForTheWholeElapsedTime() public {
        uint256 expected = PoolMath.liquidationPayment(LOAN, _interest(LOAN));
        usdc.mint(liquidator, 2 * expected);
        vm.startPrank(liquidator);
        usdc.approve(address(pool), 2 * expected);
        pool.liquidate(POOL_ID, _liquidation(carol, borrowId, LOAN));
        vm.stopPrank();
        assertEq(usdc.balanceOf(liquidator), expected, "the liquidator paid principal, interest and fee");
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

import {BaseTest} from "./BaseTest.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {ReferenceMath} from "../utils/ReferenceMath.sol";

/// @notice `liquidate` (SPEC §1 F7–F9): when a loan becomes liquidatable, what the liquidator pays
/// and receives, what stays with the borrower, batching, partial liquidation and every revert.
/// Numbers are worked out by hand (python) from the SPEC formulas and cross-checked with `ReferenceMath`.
contract LiquidateTest is BaseTest {
    /// @dev F6 for 1_000 USDC at $0.02, LTV 65 %, factor 100 % (published example).
    uint256 internal constant COLLATERAL_1000 = 76_923_076_923_076_923_076_924;
    /// @dev F6 for 500 USDC with the same parameters.
    uint256 internal constant COLLATERAL_500 = 38_461_538_461_538_461_538_462;
    uint256 internal constant ELAPSED = 100 days;
    /// @dev F1: ceil(1_000e6 × 500 × 8_640_000 / (31_536_000 × 10_000)) = ceil(13_698_630.13...).
    uint256 internal constant INTEREST_1000 = 13_698_631;
    /// @dev F7: ceil(1_013_698_631 × 1.05) = ceil(1_064_383_562.55).
    uint256 internal constant PAYMENT_1000 = 1_064_383_563;
    /// @dev Collateral price ($0.015) at which the 1_000 USDC loan is liquidatable but not underwater.
    int256 internal constant LOW_PRICE = 1_500_000;

    function setUp() public override {
        super.setUp();
        _lend(alice, 10_000e6);
    }

    /* HELPERS */

    /// @dev Mints exactly `payment` to the liquidator and liquidates with it.
    function _payAndLiquidate(IERC20CollateralPool.Liquidation[] memory liquidations, uint256 payment) internal {
        usdc.mint(liquidator, payment);
        vm.startPrank(liquidator);
        usdc.approve(address(pool), payment);
        pool.liquidate(POOL_ID, liquidations);
        vm.stopPrank();
    }

    /// @dev Funds the liquidator for the attempt, expects `liquidate` to revert with `selector`.
    function _expectLiquidateRevert(IERC20CollateralPool.Liquidation[] memory liquidations, bytes4 selector) internal {
        usdc.mint(liquidator, 10_000e6);
        vm.startPrank(liquidator);
        usdc.approve(address(pool), type(uint256).max);
        vm.expectRevert(selector);
        pool.liquidate(POOL_ID, liquidations);
        vm.stopPrank();
        usdc.burn(liquidator, 10_000e6); // leave the liquidator's balance as it was
    }

    /// @dev Naive F9 "by value" for this setup (USDC $1, both feeds 8 decimals, 18-decimal token):
    /// tokens = (x + interest) × 1.10 / price, i.e. usdc × 1e20 / answer, rounded down.
    function _seizedByValue(uint256 principal, uint256 interest, int256 price) internal pure returns (uint256) {
        return (principal + interest) * 11_000 * 1e20 / (10_000 * uint256(price));
    }

    /// @dev Largest collateral answer at which `debt` against `collateralAmount` is liquidatable by
    /// F8 in exact arithmetic: debt × 1e8 × 1e8 × 1e18 × 10_000 ≥ coll × p × 1e8 × 1e6 × 8_500.
    function _thresholdPrice(uint256 debt, uint256 collateralAmount) internal pure returns (uint256) {
        return debt * 1e8 * 1e8 * 1e18 * 10_000 / (collateralAmount * 1e8 * 1e6 * 8500);
    }

    /// @dev Pool 0 totals: borrowed, repaid, rewards, collateral.
    function _poolTotals() internal view returns (uint256, uint256, uint256, uint256) {
        (IERC20CollateralPool.PoolAmounts memory amounts,,,,,,) = pool.pools(POOL_ID);
        return (amounts.borrowed, amounts.repaid, amounts.rewards, amounts.collateralTokenAmount);
    }

    /// @dev Carol borrows 1_000 USDC, 100 days pass, the collateral falls to $0.015 (liquidatable).
    function _borrowAndDropPrice() internal returns (uint256 borrowId) {
        borrowId = _borrow(carol, 1000e6);
        _skip(ELAPSED);
        _setCollateralPrice(LOW_PRICE);
    }

    /* F8 THRESHOLD */

    function test_isPositionLiquidatable_switchesExactlyAtF8Threshold() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        uint256 threshold = _thresholdPrice(1000e6, COLLATERAL_1000);
        // 1_000 / 0.85 / 76_923.0769... = $0.0152941176...: 1_529_411 in 8 decimals.
        assertEq(threshold, 1_529_411);
        assertTrue(ReferenceMath.isLiquidatableExact(1000e6, COLLATERAL_1000, LTV, 1e8, 8, threshold, 8, 18));
        assertFalse(ReferenceMath.isLiquidatableExact(1000e6, COLLATERAL_1000, LTV, 1e8, 8, threshold + 1, 8, 18));

        _setCollateralPrice(int256(threshold + 1));
        assertFalse(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
        _setCollateralPrice(int256(threshold));
        assertTrue(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
    }

    function test_liquidate_allowedExactlyAtF8Threshold() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        _setCollateralPrice(1_529_412);
        _expectLiquidateRevert(
            _liquidation(carol, borrowId, 1000e6), IERC20CollateralPool.PositionNotLiquidatable.selector
        );

        _setCollateralPrice(1_529_411);
        _payAndLiquidate(_liquidation(carol, borrowId, 1000e6), 1050e6); // no interest: ceil(1_000e6 × 1.05)
        (, uint256 outstanding,,) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(outstanding, 0);
        assertEq(usdc.balanceOf(liquidator), 0);
    }

    /// @dev Interest counts in the debt: the threshold falls as time passes, still exactly at F8.
    function testFuzz_isPositionLiquidatable_thresholdIncludesInterest(uint256 elapsed) public {
        elapsed = _bound(elapsed, 1, 364 days);
        uint256 borrowId = _borrow(carol, 1000e6);
        _skip(elapsed);
        uint256 debt = 1000e6 + ReferenceMath.interest(1000e6, INTEREST, elapsed);
        uint256 threshold = _thresholdPrice(debt, COLLATERAL_1000);

        _setCollateralPrice(int256(threshold + 1));
        assertFalse(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
        _setCollateralPrice(int256(threshold));
        assertTrue(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
    }

    /* FULL LIQUIDATION */

    function test_liquidate_fullPosition_paysF7AndSeizesF9() public {
        uint256 borrowId = _borrowAndDropPrice();
        (,,, uint48 borrowTime) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(INTEREST_1000, ReferenceMath.interest(1000e6, INTEREST, ELAPSED));
        assertEq(PAYMENT_1000, ReferenceMath.liquidationPayment(1000e6, INTEREST_1000));
        assertEq(pool.getLiquidatableAmountWithProtocolFee(POOL_ID, carol, borrowId), PAYMENT_1000);

        // F9: min(pro rata = all 76_923.07... tokens, 1_013.698631 × 1.10 / 0.015 = 74_337.89... tokens).
        uint256 seized = _seizedByValue(1000e6, INTEREST_1000, LOW_PRICE);
        assertEq(seized, 74_337_899_606_666_666_666_666);
        assertLt(seized, COLLATERAL_1000);
        uint256 poolUsdcBefore = usdc.balanceOf(address(pool));

        _payAndLiquidate(_liquidation(carol, borrowId, 1000e6), PAYMENT_1000);

        assertEq(usdc.balanceOf(liquidator), 0, "liquidator paid exactly F7");
        assertEq(usdc.balanceOf(address(pool)), poolUsdcBefore + PAYMENT_1000);
        assertEq(pool.usdcFeesCollected(), 50_684_932, "5 % of 1_013.698631 USDC, rounded up");
        assertEq(pool.usdcFeesCollected(), PAYMENT_1000 - 1000e6 - INTEREST_1000);
        assertEq(collateral.balanceOf(liquidator), seized);

        (uint256 starting, uint256 outstanding, uint256 left, uint48 time) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(starting, 1000e6);
        assertEq(outstanding, 0);
        assertEq(left, COLLATERAL_1000 - seized, "the rest of the pro-rata share stays in the position");
        assertEq(left, 2_585_177_316_410_256_410_258);
        assertEq(time, borrowTime);
        assertFalse(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));

        (IERC20CollateralPool.PoolAmounts memory amounts,,, uint256 rewardRate,,,) = pool.pools(POOL_ID);
        assertEq(amounts.borrowed, 1000e6);
        assertEq(amounts.repaid, 1000e6);
        assertEq(amounts.rewards, INTEREST_1000, "lenders earn the interest, not the fee");
        assertEq(amounts.collateralTokenAmount, COLLATERAL_1000 - seized);
        assertEq(rewardRate, 0);
        assertEq(pool.weightedBorrowed(POOL_ID), 0);
        (uint256 availableUsdc, uint256 availableCollateral) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(availableUsdc, 10_000e6 + INTEREST_1000);
        assertEq(availableCollateral, COLLATERAL_1000 - seized);
        assertEq(collateral.balanceOf(address(pool)), COLLATERAL_1000 - seized);
    }

    function test_liquidate_fullPosition_emitsEvents() public {
        uint256 borrowId = _borrowAndDropPrice();
        uint256 seized = _seizedByValue(1000e6, INTEREST_1000, LOW_PRICE);

        usdc.mint(liquidator, PAYMENT_1000);
        vm.startPrank(liquidator);
        usdc.approve(address(pool), PAYMENT_1000);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.UserPositionLiquidated(POOL_ID, carol, borrowId, liquidator, 1000e6, INTEREST_1000);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.LiquidationCollateralSeized(POOL_ID, carol, borrowId, liquidator, seized, 0);
        pool.liquidate(POOL_ID, _liquidation(carol, borrowId, 1000e6));
        vm.stopPrank();
    }

    /// @dev The interface declares `UsdcFeesCollected` for "the protocol earned USDC fees from a
    /// liquidation" and SPEC §1 asks that every state change emits an event.
    function test_liquidate_emitsUsdcFeesCollected() public {
        uint256 borrowId = _borrowAndDropPrice();
        usdc.mint(liquidator, PAYMENT_1000);
        vm.startPrank(liquidator);
        usdc.approve(address(pool), PAYMENT_1000);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.UsdcFeesCollected(POOL_ID, PAYMENT_1000 - 1000e6 - INTEREST_1000);
        pool.liquidate(POOL_ID, _liquidation(carol, borrowId, 1000e6));
        vm.stopPrank();
    }

    function test_liquidate_borrowerWithdrawsTheRemainder() public {
        uint256 borrowId = _borrowAndDropPrice();
        _payAndLiquidate(_liquidation(carol, borrowId, 1000e6), PAYMENT_1000);
        uint256 remainder = COLLATERAL_1000 - _seizedByValue(1000e6, INTEREST_1000, LOW_PRICE);

        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, borrowId, 0, 0);
        assertEq(collateral.balanceOf(carol), remainder);
        assertEq(collateral.balanceOf(address(pool)), 0);
        (,,, uint256 poolCollateral) = _poolTotals();
        assertEq(poolCollateral, 0);
    }

    function test_liquidate_underwater_liquidatorGetsAllCollateral() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        _skip(ELAPSED);
        _setCollateralPrice(1_000_000); // $0.01: the collateral is worth $769, less than the debt
        uint256 byValue = _seizedByValue(1000e6, INTEREST_1000, 1_000_000);
        assertEq(byValue, 111_506_849_410_000_000_000_000);
        assertGt(byValue, COLLATERAL_1000);

        _payAndLiquidate(_liquidation(carol, borrowId, 1000e6), PAYMENT_1000);

        assertEq(collateral.balanceOf(liquidator), COLLATERAL_1000);
        (, uint256 outstanding, uint256 left,) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(outstanding, 0);
        assertEq(left, 0);
        assertEq(collateral.balanceOf(address(pool)), 0);
        assertEq(pool.usdcFeesCollected(), 50_684_932);
    }

    /* PARTIAL AND BATCHED */

    function test_liquidate_partial_clearsShareAndKeepsRest() public {
        uint256 borrowId = _borrowAndDropPrice();
        // F1 on 400 USDC: ceil(5_479_452.05); F7: ceil(405_479_453 × 1.05) = ceil(425_753_425.65).
        uint256 interest = ReferenceMath.interest(400e6, INTEREST, ELAPSED);
        assertEq(interest, 5_479_453);
        uint256 payment = ReferenceMath.liquidationPayment(400e6, interest);
        assertEq(payment, 425_753_426);
        uint256 proRata = COLLATERAL_1000 * 400e6 / 1000e6;
        uint256 seized = _seizedByValue(400e6, interest, LOW_PRICE);
        assertLt(seized, proRata);
        assertEq(seized, 29_735_159_886_666_666_666_666);

        _payAndLiquidate(_liquidation(carol, borrowId, 400e6), payment);

        assertEq(usdc.balanceOf(liquidator), 0);
        assertEq(collateral.balanceOf(liquidator), seized);
        assertEq(pool.usdcFeesCollected(), payment - 400e6 - interest);
        (uint256 starting, uint256 outstanding, uint256 left,) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(starting, 1000e6);
        assertEq(outstanding, 600e6);
        assertEq(left, COLLATERAL_1000 - seized);
        (uint256 borrowed, uint256 repaid, uint256 rewards, uint256 poolCollateral) = _poolTotals();
        assertEq(borrowed, 1000e6);
        assertEq(repaid, 400e6);
        assertEq(rewards, interest);
        assertEq(poolCollateral, COLLATERAL_1000 - seized);
        assertEq(pool.weightedBorrowed(POOL_ID), 600e6 * uint256(INTEREST));
        // The borrow keeps its start time: interest on the rest still runs from the borrow.
        assertEq(
            pool.calculateRepayInterest(POOL_ID, borrowId, carol), ReferenceMath.interest(600e6, INTEREST, ELAPSED)
        );
    }

    function test_liquidate_partial_leavingExactlyMinBorrowIsAllowed() public {
        uint256 borrowId = _borrowAndDropPrice();
        uint256 amount = 1000e6 - MIN_BORROW;
        uint256 payment = ReferenceMath.liquidationPayment(amount, ReferenceMath.interest(amount, INTEREST, ELAPSED));
        _payAndLiquidate(_liquidation(carol, borrowId, amount), payment);
        (, uint256 outstanding,,) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(outstanding, MIN_BORROW);
    }

    function test_liquidate_batch_twoBorrowersInOneCall() public {
        uint256 carolId = _borrow(carol, 1000e6);
        uint256 daveId = _borrow(dave, 500e6);
        _skip(ELAPSED);
        _setCollateralPrice(LOW_PRICE);

        uint256 daveInterest = ReferenceMath.interest(500e6, INTEREST, ELAPSED);
        assertEq(daveInterest, 6_849_316);
        uint256 davePayment = ReferenceMath.liquidationPayment(500e6, daveInterest);
        assertEq(davePayment, 532_191_782);
        uint256 carolSeized = _seizedByValue(1000e6, INTEREST_1000, LOW_PRICE);
        uint256 daveSeized = _seizedByValue(500e6, daveInterest, LOW_PRICE);
        assertEq(daveSeized, 37_168_949_840_000_000_000_000);

        IERC20CollateralPool.Liquidation[] memory batch = new IERC20CollateralPool.Liquidation[](2);
        batch[0] = IERC20CollateralPool.Liquidation({borrowId: carolId, user: carol, usdcAmount: 1000e6});
        batch[1] = IERC20CollateralPool.Liquidation({borrowId: daveId, user: dave, usdcAmount: 500e6});
        _payAndLiquidate(batch, PAYMENT_1000 + davePayment);

        assertEq(usdc.balanceOf(liquidator), 0);
        assertEq(collateral.balanceOf(liquidator), carolSeized + daveSeized);
        assertEq(pool.usdcFeesCollected(), PAYMENT_1000 + davePayment - 1500e6 - INTEREST_1000 - daveInterest);
        (, uint256 carolLeft, uint256 carolCollateral,) = pool.borrows(POOL_ID, carol, carolId);
        (, uint256 daveLeft, uint256 daveCollateral,) = pool.borrows(POOL_ID, dave, daveId);
        assertEq(carolLeft, 0);
        assertEq(daveLeft, 0);
        assertEq(carolCollateral, COLLATERAL_1000 - carolSeized);
        assertEq(daveCollateral, COLLATERAL_500 - daveSeized);
        (, uint256 repaid, uint256 rewards, uint256 poolCollateral) = _poolTotals();
        assertEq(repaid, 1500e6);
        assertEq(rewards, INTEREST_1000 + daveInterest);
        assertEq(poolCollateral, carolCollateral + daveCollateral);
    }

    function test_liquidate_batch_revertsWhenOnePositionIsHealthy() public {
        uint256 carolId = _borrow(carol, 1000e6);
        _skip(ELAPSED);
        _setCollateralPrice(LOW_PRICE);
        // Dave borrows at the low price with the collateral F6 asks for now: healthy.
        uint256 daveId = _borrow(dave, 500e6);

        IERC20CollateralPool.Liquidation[] memory batch = new IERC20CollateralPool.Liquidation[](2);
        batch[0] = IERC20CollateralPool.Liquidation({borrowId: carolId, user: carol, usdcAmount: 1000e6});
        batch[1] = IERC20CollateralPool.Liquidation({borrowId: daveId, user: dave, usdcAmount: 500e6});
        _expectLiquidateRevert(batch, IERC20CollateralPool.PositionNotLiquidatable.selector);
    }

    /* OVERDUE */

    function test_liquidate_overduePositionAtHealthyPrice() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        uint256 elapsed = endTime - block.timestamp;
        _skip(elapsed - 1);
        assertFalse(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
        _expectLiquidateRevert(
            _liquidation(carol, borrowId, 1000e6), IERC20CollateralPool.PositionNotLiquidatable.selector
        );

        _skip(1); // block.timestamp == endTime
        assertTrue(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
        uint256 interest = ReferenceMath.interest(1000e6, INTEREST, elapsed);
        assertEq(interest, 50e6); // the pool runs exactly 365 days
        uint256 payment = ReferenceMath.liquidationPayment(1000e6, interest);
        assertEq(payment, 1102.5e6);
        _payAndLiquidate(_liquidation(carol, borrowId, 1000e6), payment);

        // 1_050 × 1.10 / 0.02 = 57_750 tokens; the rest of the 76_923 stays with carol.
        assertEq(collateral.balanceOf(liquidator), 57_750e18);
        (, uint256 outstanding, uint256 left,) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(outstanding, 0);
        assertEq(left, COLLATERAL_1000 - 57_750e18);
        assertEq(usdc.balanceOf(liquidator), 0);
    }

    /* REVERTS */

    function test_liquidate_revertsWhen_noLiquidations() public {
        _borrowAndDropPrice();
        _expectLiquidateRevert(
            new IERC20CollateralPool.Liquidation[](0), IERC20CollateralPool.NoLiquidationsProvided.selector
        );
    }

    function test_liquidate_revertsWhen_positionHealthy() public {
        uint256 borrowId = _borrow(carol, 1000e6);
        _skip(ELAPSED);
        assertFalse(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
        _expectLiquidateRevert(
            _liquidation(carol, borrowId, 1000e6), IERC20CollateralPool.PositionNotLiquidatable.selector
        );
    }

    function test_liquidate_revertsWhen_amountZero() public {
        uint256 borrowId = _borrowAndDropPrice();
        _expectLiquidateRevert(_liquidation(carol, borrowId, 0), IERC20CollateralPool.AmountCannotBeZero.selector);
    }

    function test_liquidate_revertsWhen_amountAboveOutstanding() public {
        uint256 borrowId = _borrowAndDropPrice();
        _expectLiquidateRevert(_liquidation(carol, borrowId, 1000e6 + 1), IERC20CollateralPool.AmountTooBig.selector);
    }

    function test_liquidate_revertsWhen_borrowAlreadyLiquidated() public {
        uint256 borrowId = _borrowAndDropPrice();
        _payAndLiquidate(_liquidation(carol, borrowId, 1000e6), PAYMENT_1000);
        _expectLiquidateRevert(
            _liquidation(carol, borrowId, 1000e6), IERC20CollateralPool.BorrowAlreadyLiquidated.selector
        );
    }

    function test_liquidate_revertsWhen_remainingBelowMinBorrow() public {
        uint256 borrowId = _borrowAndDropPrice();
        _expectLiquidateRevert(
            _liquidation(carol, borrowId, 1000e6 - MIN_BORROW + 1), IERC20CollateralPool.RemainingBorrowTooLow.selector
        );
    }

    function test_liquidate_revertsWhen_borrowDoesNotExist() public {
        uint256 borrowId = _borrowAndDropPrice();
        _expectLiquidateRevert(
            _liquidation(carol, borrowId + 1, 1000e6), IERC20CollateralPool.BorrowDoesNotExist.selector
        );
        _expectLiquidateRevert(_liquidation(dave, 0, 1000e6), IERC20CollateralPool.BorrowDoesNotExist.selector);
    }

    function test_liquidate_revertsWhen_paused() public {
        uint256 borrowId = _borrowAndDropPrice();
        vm.prank(admin);
        pool.pause();
        _expectLiquidateRevert(_liquidation(carol, borrowId, 1000e6), PausableUpgradeable.EnforcedPause.selector);
    }

    function test_liquidate_revertsWhen_insidePauseGracePeriod() public {
        uint256 borrowId = _borrowAndDropPrice();
        vm.startPrank(admin);
        pool.pause();
        pool.unpause();
        vm.stopPrank();
        // vm.getBlockTimestamp: under via-IR (make coverage) block.timestamp may be re-read after a warp.
        uint256 unpausedAt = vm.getBlockTimestamp();
        assertEq(pool.unPausedTimestamp(), unpausedAt);

        _expectLiquidateRevert(
            _liquidation(carol, borrowId, 1000e6), IERC20CollateralPool.PauseGracePeriodNotPassed.selector
        );

        _skip(86_399);
        _expectLiquidateRevert(
            _liquidation(carol, borrowId, 1000e6), IERC20CollateralPool.PauseGracePeriodNotPassed.selector
        );

        _skip(1); // exactly unpause + 86_400
        assertEq(vm.getBlockTimestamp(), unpausedAt + 86_400);
        uint256 payment =
            ReferenceMath.liquidationPayment(1000e6, ReferenceMath.interest(1000e6, INTEREST, ELAPSED + 86_400));
        _payAndLiquidate(_liquidation(carol, borrowId, 1000e6), payment);
        (, uint256 outstanding,,) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(outstanding, 0);
        assertEq(usdc.balanceOf(liquidator), 0);
    }

    function test_liquidate_revertsWhen_poolDoesNotExist() public {
        uint256 borrowId = _borrowAndDropPrice();
        vm.expectRevert(IERC20CollateralPool.PoolDoesNotExist.selector);
        vm.prank(liquidator);
        pool.liquidate(POOL_ID + 1, _liquidation(carol, borrowId, 1000e6));
    }

    /// @dev The view agrees with `liquidate`: an overdue loan with a stale feed is reported as not
    /// checkable (the view reverts like the liquidation would), not as liquidatable.
    function test_isPositionLiquidatable_overdueLoanWithStaleFeedReverts() public {
        _lend(alice, 10_000e6);
        uint256 borrowId = _borrow(carol, 1000e6);
        vm.warp(endTime + 90_001); // overdue, and no feed update since the borrow for > 90,000 s
        vm.expectRevert(IERC20CollateralPool.OracleDataTooOld.selector);
        pool.isPositionLiquidatable(POOL_ID, carol, borrowId);
        _skip(0); // fresh feeds: overdue, so liquidatable whatever the price
        assertTrue(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

import {BaseTest} from "./BaseTest.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {ReferenceMath} from "../utils/ReferenceMath.sol";

/// @notice `borrow`: F6 collateral, the position and its fixed rate (F2b), oracle checks and every revert.
contract BorrowTest is BaseTest {
    /// @dev SPEC F6 check value: 1,000 USDC at 65 % LTV, factor 100 %, $0.02 collateral, rounded up.
    uint256 internal constant PUBLISHED_COLLATERAL = 76_923_076_923_076_923_076_924;

    function setUp() public override {
        super.setUp();
        _lend(alice, 100_000e6);
    }

    function _amounts() internal view returns (IERC20CollateralPool.PoolAmounts memory amounts) {
        (amounts,,,,,,) = pool.pools(POOL_ID);
    }

    function _fundCollateral(address user, uint256 amount) internal {
        collateral.mint(user, amount);
        vm.prank(user);
        collateral.approve(address(pool), amount);
    }

    /* SUCCESS */

    function test_borrow_withExactlyRequiredCollateral() public {
        assertEq(pool.calculateCollateralTokenAmount(POOL_ID, 1000e6), PUBLISHED_COLLATERAL);
        _fundCollateral(carol, PUBLISHED_COLLATERAL);

        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.newBorrow(POOL_ID, 0, carol, 1000e6, PUBLISHED_COLLATERAL);
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, PUBLISHED_COLLATERAL);

        assertEq(usdc.balanceOf(carol), 1000e6);
        assertEq(collateral.balanceOf(carol), 0);
        assertEq(collateral.balanceOf(address(pool)), PUBLISHED_COLLATERAL);
        assertEq(usdc.balanceOf(address(pool)), 99_000e6);

        assertEq(pool.borrowsLength(POOL_ID, carol), 1);
        (uint256 starting, uint256 outstanding, uint256 locked, uint48 borrowTime) = pool.borrows(POOL_ID, carol, 0);
        assertEq(starting, 1000e6);
        assertEq(outstanding, 1000e6);
        assertEq(locked, PUBLISHED_COLLATERAL);
        assertEq(borrowTime, block.timestamp);
        assertEq(pool.borrowInterest(POOL_ID, carol, 0), INTEREST);
        assertEq(pool.weightedBorrowed(POOL_ID), 1000e6 * uint256(INTEREST));

        IERC20CollateralPool.PoolAmounts memory amounts = _amounts();
        assertEq(amounts.borrowed, 1000e6);
        assertEq(amounts.collateralTokenAmount, PUBLISHED_COLLATERAL);
        (uint256 available, uint256 heldCollateral) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(available, 99_000e6);
        assertEq(heldCollateral, PUBLISHED_COLLATERAL);
        (,,, uint256 rewardRate,,,) = pool.pools(POOL_ID);
        assertEq(rewardRate, uint256(1000e6) * 500 * 1e18 / (uint256(100_000e6) * ONE_YEAR * 10_000));
    }

    function test_borrow_acceptsMoreCollateralThanRequired() public {
        uint256 amount = PUBLISHED_COLLATERAL * 3;
        _fundCollateral(carol, amount);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.newBorrow(POOL_ID, 0, carol, 1000e6, amount);
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, amount);
        (,, uint256 locked,) = pool.borrows(POOL_ID, carol, 0);
        assertEq(locked, amount);
        assertEq(collateral.balanceOf(address(pool)), amount);
    }

    function test_borrow_secondBorrowOpensNewPositionWithItsOwnTime() public {
        _borrow(carol, 1000e6);
        _skip(10 days);
        uint256 id = _borrow(carol, 2000e6);
        assertEq(id, 1);
        (uint256 starting,,, uint48 borrowTime) = pool.borrows(POOL_ID, carol, 1);
        (,,, uint48 firstTime) = pool.borrows(POOL_ID, carol, 0);
        assertEq(starting, 2000e6);
        assertEq(borrowTime, block.timestamp);
        assertEq(uint256(borrowTime) - firstTime, 10 days);
        assertEq(pool.weightedBorrowed(POOL_ID), 3000e6 * uint256(INTEREST));
        assertEq(_amounts().borrowed, 3000e6);
        assertEq(usdc.balanceOf(carol), 3000e6);
    }

    function test_borrow_exactlyMinBorrowAndAllFreeUsdc() public {
        _borrow(carol, MIN_BORROW);
        _borrow(dave, 100_000e6 - MIN_BORROW);
        (uint256 available,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(available, 0);
        assertEq(usdc.balanceOf(address(pool)), 0);
    }

    /// @dev Oracle answers exactly `oracleMaxDelay()` old are still accepted.
    function test_borrow_acceptsOracleAtMaxDelay() public {
        assertEq(pool.oracleMaxDelay(), 90_000);
        uint256 required = pool.calculateCollateralTokenAmount(POOL_ID, 1000e6);
        vm.warp(block.timestamp + 90_000);
        _borrowWith(carol, 1000e6, required);
        assertEq(usdc.balanceOf(carol), 1000e6);
    }

    /* REVERTS */

    function test_borrow_revertsWhen_poolDoesNotExist() public {
        _fundCollateral(carol, PUBLISHED_COLLATERAL);
        vm.expectRevert(IERC20CollateralPool.PoolDoesNotExist.selector);
        vm.prank(carol);
        pool.borrow(1, 1000e6, PUBLISHED_COLLATERAL);
    }

    function test_borrow_revertsWhen_poolIsClosed() public {
        _fundCollateral(carol, PUBLISHED_COLLATERAL);
        vm.warp(endTime);
        collateralFeed.setAnswer(COLLATERAL_PRICE);
        usdcFeed.setAnswer(USDC_PRICE);
        vm.expectRevert(IERC20CollateralPool.PoolIsClosed.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, PUBLISHED_COLLATERAL);
    }

    function test_borrow_revertsWhen_amountBelowMinBorrow() public {
        _fundCollateral(carol, PUBLISHED_COLLATERAL);
        vm.expectRevert(IERC20CollateralPool.AmountTooLow.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, MIN_BORROW - 1, PUBLISHED_COLLATERAL);
    }

    function test_borrow_revertsWhen_notEnoughUsdcInPool() public {
        _borrow(dave, 60_000e6);
        uint256 required = pool.calculateCollateralTokenAmount(POOL_ID, 40_000e6 + 1);
        _fundCollateral(carol, required);
        vm.expectRevert(IERC20CollateralPool.NotEnoughUSDCInPool.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, 40_000e6 + 1, required);
    }

    function test_borrow_revertsWhen_collateralBelowRequired() public {
        _fundCollateral(carol, PUBLISHED_COLLATERAL);
        vm.expectRevert(IERC20CollateralPool.CollateralAmountTooLow.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, PUBLISHED_COLLATERAL - 1);
    }

    function test_borrow_revertsWhen_paused() public {
        _fundCollateral(carol, PUBLISHED_COLLATERAL);
        vm.prank(admin);
        pool.pause();
        vm.expectRevert(PausableUpgradeable.EnforcedPause.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, PUBLISHED_COLLATERAL);
    }

    function test_borrow_revertsWhen_collateralOracleStale() public {
        _fundCollateral(carol, PUBLISHED_COLLATERAL);
        vm.warp(block.timestamp + 90_001);
        usdcFeed.setAnswer(USDC_PRICE); // only the collateral feed is stale
        vm.expectRevert(IERC20CollateralPool.OracleDataTooOld.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, PUBLISHED_COLLATERAL);
    }

    function test_borrow_revertsWhen_usdcOracleStale() public {
        _fundCollateral(carol, PUBLISHED_COLLATERAL);
        vm.warp(block.timestamp + 90_001);
        collateralFeed.setAnswer(COLLATERAL_PRICE); // only the USDC feed is stale
        vm.expectRevert(IERC20CollateralPool.OracleDataTooOld.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, PUBLISHED_COLLATERAL);
    }

    function test_borrow_revertsWhen_collateralOracleUpdatedInTheFuture() public {
        _fundCollateral(carol, PUBLISHED_COLLATERAL);
        collateralFeed.setRound(COLLATERAL_PRICE, block.timestamp, block.timestamp + 1);
        vm.expectRevert(IERC20CollateralPool.OracleDataTooOld.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, PUBLISHED_COLLATERAL);
    }

    function test_borrow_revertsWhen_collateralPriceIsZero() public {
        _fundCollateral(carol, PUBLISHED_COLLATERAL);
        _setCollateralPrice(0);
        vm.expectRevert(IERC20CollateralPool.CollateralTokenPriceIsZero.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, PUBLISHED_COLLATERAL);
    }

    function test_borrow_revertsWhen_collateralPriceIsNegative() public {
        _fundCollateral(carol, PUBLISHED_COLLATERAL);
        _setCollateralPrice(-1);
        vm.expectRevert(IERC20CollateralPool.CollateralTokenPriceIsZero.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, PUBLISHED_COLLATERAL);
    }

    function test_borrow_revertsWhen_usdcPriceIsZero() public {
        _fundCollateral(carol, PUBLISHED_COLLATERAL);
        usdcFeed.setAnswer(0);
        vm.expectRevert(IERC20CollateralPool.UsdcPriceIsZero.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, PUBLISHED_COLLATERAL);
    }

    /// @dev A pool whose capacity is the 64-bit maximum can hold more free USDC than that once
    /// interest is repaid; a single borrow above 2^64 − 1 is still refused, exactly 2^64 − 1 is not.
    function test_borrow_revertsWhen_amountAboveUint64() public {
        uint256 maxAmount = type(uint64).max;
        IERC20CollateralPool.InitPool memory big = defaultInitPool();
        big.maxPoolCapacity = maxAmount;
        big.endTime = uint48(block.timestamp + 2 * ONE_YEAR);
        vm.prank(admin);
        pool.addPool(big);
        uint256 bigPool = 1;

        usdc.mint(bob, maxAmount);
        vm.startPrank(bob);
        usdc.approve(address(pool), maxAmount);
        pool.lend(bigPool, maxAmount);
        vm.stopPrank();

        uint256 small = pool.calculateCollateralTokenAmount(bigPool, 1000e6);
        collateral.mint(carol, small);
        usdc.mint(carol, 50e6);
        vm.startPrank(carol);
        collateral.approve(address(pool), small);
        pool.borrow(bigPool, 1000e6, small);
        vm.stopPrank();
        _skip(ONE_YEAR);
        vm.startPrank(carol);
        usdc.approve(address(pool), 1050e6);
        pool.repay(bigPool, 0, 1000e6);
        vm.stopPrank();
        (uint256 available,) = pool.getAvailableAmountsInPool(bigPool);
        assertEq(available, maxAmount + 50e6);

        uint256 required = pool.calculateCollateralTokenAmount(bigPool, maxAmount + 1);
        collateral.mint(dave, required);
        vm.startPrank(dave);
        collateral.approve(address(pool), required);
        vm.expectRevert(IERC20CollateralPool.AmountTooBig.selector);
        pool.borrow(bigPool, maxAmount + 1, required);
        pool.borrow(bigPool, maxAmount, required);
        vm.stopPrank();
        assertEq(usdc.balanceOf(dave), maxAmount);
    }

    /* FUZZ */

    /// @dev F6 from the view equals the naive reference, and it is the exact minimum `borrow` accepts.
    function testFuzz_borrow_requiredCollateralIsTheExactMinimum(
        uint256 usdcAmount,
        uint256 collateralPrice,
        uint256 usdcPrice
    ) public {
        usdcAmount = _bound(usdcAmount, MIN_BORROW, 100_000e6);
        collateralPrice = _bound(collateralPrice, 1, 1e16);
        usdcPrice = _bound(usdcPrice, 0.9e8, 1.1e8);
        _setCollateralPrice(int256(collateralPrice));
        usdcFeed.setAnswer(int256(usdcPrice));

        uint256 required = pool.calculateCollateralTokenAmount(POOL_ID, usdcAmount);
        assertEq(
            required, ReferenceMath.requiredCollateral(usdcAmount, LTV, FACTOR, usdcPrice, 8, collateralPrice, 8, 18)
        );

        _fundCollateral(carol, required);
        vm.expectRevert(IERC20CollateralPool.CollateralAmountTooLow.selector);
        vm.prank(carol);
        pool.borrow(POOL_ID, usdcAmount, required - 1);

        vm.prank(carol);
        pool.borrow(POOL_ID, usdcAmount, required);
        (, uint256 outstanding, uint256 locked,) = pool.borrows(POOL_ID, carol, 0);
        assertEq(outstanding, usdcAmount);
        assertEq(locked, required);
        assertEq(usdc.balanceOf(carol), usdcAmount);
    }

    /// @dev A borrow's collateral is stored in 128 bits: more is refused with a clear error, not truncated.
    function test_borrow_revertsWhen_collateralAboveUint128() public {
        _lend(alice, 10_000e6);
        uint256 tooMuch = uint256(type(uint128).max) + 1;
        collateral.mint(carol, tooMuch);
        vm.startPrank(carol);
        collateral.approve(address(pool), tooMuch);
        vm.expectRevert(IERC20CollateralPool.CollateralAmountTooBig.selector);
        pool.borrow(POOL_ID, 1000e6, tooMuch);
        vm.stopPrank();
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";

import {BaseTest} from "./BaseTest.sol";
import {ReferenceMath} from "../utils/ReferenceMath.sol";
import {ERC20CollateralPool} from "../../contracts/collateral/ERC20CollateralPool.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";

/// @notice Oracle handling: staleness, non-positive answers, L2 sequencer uptime, feed and token
/// decimals, a USDC depeg; and which operations a broken oracle blocks (borrow, collateral
/// removal, liquidation, the pricing views) and which it must not (repay, adding collateral, claims).
contract OracleTest is BaseTest {
    uint256 internal constant MAX_DELAY = 90_000;
    uint256 internal constant SEQUENCER_GRACE = 3600;
    uint256 internal constant LOAN = 1000e6;
    /// @dev F6 for 1_000 USDC at $0.02 collateral, 18 decimals (published example, rounded up).
    uint256 internal constant REQUIRED_1000 = 76_923_076_923_076_923_076_924;
    /// @dev Ample collateral: when a borrow with it reverts, the oracle is the reason, not F6.
    uint256 internal constant AMPLE = 2 * REQUIRED_1000;

    function setUp() public override {
        super.setUp();
        _lend(alice, 100_000e6);
    }

    /* STALENESS */

    function test_borrow_acceptsCollateralAnswerExactlyMaxDelayOld() public {
        collateralFeed.setRound(COLLATERAL_PRICE, block.timestamp - MAX_DELAY, block.timestamp - MAX_DELAY);
        _borrowWith(carol, LOAN, REQUIRED_1000);
        assertEq(usdc.balanceOf(carol), LOAN);
    }

    function test_borrow_revertsWhen_collateralAnswerOlderThanMaxDelay() public {
        collateralFeed.setRound(COLLATERAL_PRICE, block.timestamp - MAX_DELAY - 1, block.timestamp - MAX_DELAY - 1);
        _expectBorrowRevert(IERC20CollateralPool.OracleDataTooOld.selector);
    }

    function test_borrow_staleUsdcAnswerRevertsOnlyPastMaxDelay() public {
        usdcFeed.setRound(USDC_PRICE, block.timestamp - MAX_DELAY, block.timestamp - MAX_DELAY);
        assertEq(pool.calculateCollateralTokenAmount(POOL_ID, LOAN), REQUIRED_1000);

        usdcFeed.setRound(USDC_PRICE, block.timestamp - MAX_DELAY - 1, block.timestamp - MAX_DELAY - 1);
        _expectBorrowRevert(IERC20CollateralPool.OracleDataTooOld.selector);
    }

    function test_borrow_turnsStaleWhenTimePassesWithoutNewRound() public {
        vm.warp(block.timestamp + MAX_DELAY);
        assertEq(pool.calculateCollateralTokenAmount(POOL_ID, LOAN), REQUIRED_1000);
        vm.warp(block.timestamp + 1);
        _expectBorrowRevert(IERC20CollateralPool.OracleDataTooOld.selector);
    }

    function test_borrow_revertsWhen_updatedAtIsZero() public {
        collateralFeed.setRound(COLLATERAL_PRICE, block.timestamp, 0);
        _expectBorrowRevert(IERC20CollateralPool.OracleDataTooOld.selector);

        collateralFeed.setAnswer(COLLATERAL_PRICE);
        usdcFeed.setRound(USDC_PRICE, block.timestamp, 0);
        _expectBorrowRevert(IERC20CollateralPool.OracleDataTooOld.selector);
    }

    /// @dev An answer from the first second of the epoch is decades old: the age is a difference
    /// of timestamps, not anything that happens to be small for such a round.
    function test_borrow_revertsWhen_updatedAtIsTheEpochsFirstSecond() public {
        collateralFeed.setRound(COLLATERAL_PRICE, 1, 1);
        _expectBorrowRevert(IERC20CollateralPool.OracleDataTooOld.selector);
    }

    function test_borrow_revertsWhen_updatedAtIsInTheFuture() public {
        collateralFeed.setRound(COLLATERAL_PRICE, block.timestamp, block.timestamp + 1);
        _expectBorrowRevert(IERC20CollateralPool.OracleDataTooOld.selector);

        collateralFeed.setAnswer(COLLATERAL_PRICE);
        usdcFeed.setRound(USDC_PRICE, block.timestamp, block.timestamp + 1);
        _expectBorrowRevert(IERC20CollateralPool.OracleDataTooOld.selector);
    }

    function test_setOracleMaxDelay_movesTheStalenessEdge() public {
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.OracleMaxDelaySet(3600);
        vm.prank(admin);
        pool.setOracleMaxDelay(3600);
        assertEq(pool.oracleMaxDelay(), 3600);

        collateralFeed.setRound(COLLATERAL_PRICE, block.timestamp - 3600, block.timestamp - 3600);
        assertEq(pool.calculateCollateralTokenAmount(POOL_ID, LOAN), REQUIRED_1000);
        collateralFeed.setRound(COLLATERAL_PRICE, block.timestamp - 3601, block.timestamp - 3601);
        _expectBorrowRevert(IERC20CollateralPool.OracleDataTooOld.selector);
    }

    /* NON-POSITIVE ANSWERS */

    function test_borrow_revertsWhen_collateralAnswerIsZero() public {
        collateralFeed.setAnswer(0);
        _expectBorrowRevert(IERC20CollateralPool.CollateralTokenPriceIsZero.selector);
    }

    function testFuzz_borrow_revertsWhen_collateralAnswerIsNegative(int256 answer) public {
        answer = -int256(_bound(uint256(answer), 1, uint256(type(int256).max)));
        collateralFeed.setAnswer(answer);
        _expectBorrowRevert(IERC20CollateralPool.CollateralTokenPriceIsZero.selector);
    }

    function test_borrow_revertsWhen_usdcAnswerIsZero() public {
        usdcFeed.setAnswer(0);
        _expectBorrowRevert(IERC20CollateralPool.UsdcPriceIsZero.selector);
    }

    function testFuzz_borrow_revertsWhen_usdcAnswerIsNegative(int256 answer) public {
        answer = -int256(_bound(uint256(answer), 1, uint256(type(int256).max)));
        usdcFeed.setAnswer(answer);
        _expectBorrowRevert(IERC20CollateralPool.UsdcPriceIsZero.selector);
    }

    /* L2 SEQUENCER */

    function test_borrow_revertsWhen_usdcSequencerIsDown() public {
        (ERC20CollateralPool l2Pool, MockAggregator sequencer) = _usdcSequencerPool();
        sequencer.setRound(1, block.timestamp - 1 days, block.timestamp);
        _expectBorrowRevertIn(l2Pool, 0, IERC20CollateralPool.OracleSequencerDown.selector);
    }

    function test_borrow_revertsWhen_usdcSequencerUpForLessThanGracePeriod() public {
        (ERC20CollateralPool l2Pool, MockAggregator sequencer) = _usdcSequencerPool();
        sequencer.setRound(0, block.timestamp - (SEQUENCER_GRACE - 1), block.timestamp);
        _expectBorrowRevertIn(l2Pool, 0, IERC20CollateralPool.OracleSequencerDown.selector);
    }

    function test_borrow_worksWhen_usdcSequencerUpForGracePeriod() public {
        (ERC20CollateralPool l2Pool, MockAggregator sequencer) = _usdcSequencerPool();
        sequencer.setRound(0, block.timestamp - SEQUENCER_GRACE, block.timestamp);
        _borrowIn(l2Pool, 0, collateral, carol, LOAN, REQUIRED_1000);
        assertEq(usdc.balanceOf(carol), LOAN);
        assertEq(l2Pool.borrowsLength(0, carol), 1);
    }

    /// @dev A sequencer up since the epoch's first second has been up far longer than the grace period.
    function test_borrow_worksWhen_usdcSequencerUpSinceTheEpoch() public {
        (ERC20CollateralPool l2Pool, MockAggregator sequencer) = _usdcSequencerPool();
        sequencer.setRound(0, 1, block.timestamp);
        _borrowIn(l2Pool, 0, collateral, carol, LOAN, REQUIRED_1000);
        assertEq(usdc.balanceOf(carol), LOAN);
    }

    function test_borrow_revertsWhen_usdcSequencerStartedAtIsZero() public {
        (ERC20CollateralPool l2Pool, MockAggregator sequencer) = _usdcSequencerPool();
        sequencer.setRound(0, 0, block.timestamp);
        _expectBorrowRevertIn(l2Pool, 0, IERC20CollateralPool.OracleSequencerDown.selector);
    }

    function test_borrow_revertsWhen_collateralSequencerIsDown() public {
        (uint256 poolId, MockAggregator sequencer) = _collateralSequencerPool();
        sequencer.setRound(1, block.timestamp - 1 days, block.timestamp);
        _expectBorrowRevertIn(pool, poolId, IERC20CollateralPool.OracleSequencerDown.selector);
    }

    function test_borrow_revertsWhen_collateralSequencerUpForLessThanGracePeriod() public {
        (uint256 poolId, MockAggregator sequencer) = _collateralSequencerPool();
        sequencer.setRound(0, block.timestamp - (SEQUENCER_GRACE - 1), block.timestamp);
        _expectBorrowRevertIn(pool, poolId, IERC20CollateralPool.OracleSequencerDown.selector);
    }

    function test_borrow_worksWhen_collateralSequencerUpForGracePeriod() public {
        (uint256 poolId, MockAggregator sequencer) = _collateralSequencerPool();
        sequencer.setRound(0, block.timestamp - SEQUENCER_GRACE, block.timestamp);
        _borrowIn(pool, poolId, collateral, carol, LOAN, REQUIRED_1000);
        assertEq(usdc.balanceOf(carol), LOAN);
        (,, uint256 locked,) = pool.borrows(poolId, carol, 0);
        assertEq(locked, REQUIRED_1000);
    }

    function test_borrow_revertsWhen_collateralSequencerStartedAtIsZero() public {
        (uint256 poolId, MockAggregator sequencer) = _collateralSequencerPool();
        sequencer.setRound(0, 0, block.timestamp);
        _expectBorrowRevertIn(pool, poolId, IERC20CollateralPool.OracleSequencerDown.selector);
    }

    /// @dev A sequencer outage must not hide behind a fresh price: the feed is fresh, still refused.
    function test_isPositionLiquidatable_revertsWhen_collateralSequencerRestartedRecently() public {
        (uint256 poolId, MockAggregator sequencer) = _collateralSequencerPool();
        sequencer.setRound(0, block.timestamp - SEQUENCER_GRACE, block.timestamp);
        _borrowIn(pool, poolId, collateral, carol, LOAN, REQUIRED_1000);
        assertFalse(pool.isPositionLiquidatable(poolId, carol, 0));

        sequencer.setRound(0, block.timestamp - 60, block.timestamp); // went down and came back a minute ago
        vm.expectRevert(IERC20CollateralPool.OracleSequencerDown.selector);
        pool.isPositionLiquidatable(poolId, carol, 0);
        vm.expectRevert(IERC20CollateralPool.OracleSequencerDown.selector);
        pool.calculateCollateralTokenAmount(poolId, LOAN);
    }

    /* DECIMALS */

    /// @dev Feeds with 6, 8 and 18 decimals at $0.02 and tokens with 6, 8 and 18 decimals ask the
    /// same 76_923.08 whole tokens for 1_000 USDC, rounded up in each token's own base unit.
    function test_calculateCollateralTokenAmount_sameWholeTokensForEveryFeedAndTokenDecimals() public {
        uint8[3] memory decimals = [6, 8, 18];
        for (uint256 f; f < 3; ++f) {
            for (uint256 t; t < 3; ++t) {
                (uint256 poolId,) = _addPoolWithDecimals(decimals[f], decimals[t]);
                uint256 required = pool.calculateCollateralTokenAmount(poolId, LOAN);
                int256 answer = int256(2 * 10 ** (decimals[f] - 2));
                assertEq(
                    required,
                    ReferenceMath.requiredCollateral(
                        LOAN, LTV, FACTOR, uint256(USDC_PRICE), 8, uint256(answer), decimals[f], decimals[t]
                    )
                );
                assertEq(required, _expectedRequired(decimals[t]));
                assertEq(required / 10 ** decimals[t], 76_923);
            }
        }
    }

    function test_borrow_worksWithEveryFeedAndTokenDecimals() public {
        uint8[3] memory decimals = [6, 8, 18];
        for (uint256 f; f < 3; ++f) {
            for (uint256 t; t < 3; ++t) {
                (uint256 poolId, MockERC20 token) = _addPoolWithDecimals(decimals[f], decimals[t]);
                _lendIn(pool, poolId, bob, 10_000e6);
                uint256 required = _expectedRequired(decimals[t]);

                token.mint(carol, required);
                vm.startPrank(carol);
                token.approve(address(pool), required);
                vm.expectRevert(IERC20CollateralPool.CollateralAmountTooLow.selector);
                pool.borrow(poolId, LOAN, required - 1);
                pool.borrow(poolId, LOAN, required);
                vm.stopPrank();

                assertEq(token.balanceOf(address(pool)), required);
                assertFalse(pool.isPositionLiquidatable(poolId, carol, 0));
            }
        }
        assertEq(usdc.balanceOf(carol), 9 * LOAN);
    }

    function test_calculateCollateralTokenAmount_sameForEveryUsdcFeedDecimals() public {
        uint8[3] memory decimals = [6, 8, 18];
        for (uint256 f; f < 3; ++f) {
            MockAggregator feed = new MockAggregator(decimals[f], int256(10 ** decimals[f]));
            ERC20CollateralPool other = _deployProxy(address(feed), address(0));
            assertEq(other.calculateCollateralTokenAmount(0, LOAN), REQUIRED_1000);
            _lendIn(other, 0, bob, 10_000e6);
            _borrowIn(other, 0, collateral, carol, LOAN, REQUIRED_1000);
            (,, uint256 locked,) = other.borrows(0, carol, 0);
            assertEq(locked, REQUIRED_1000);
        }
    }

    /* USDC DEPEG */

    /// @dev USDC at $0.98: the debt is worth less, so F6 asks 2 % less collateral:
    /// 1_000 × 0.98 / 0.65 / 0.02 = 75_384.615384... tokens, rounded up.
    function test_borrow_usdcDepegLowersRequiredCollateral() public {
        usdcFeed.setAnswer(98e6);
        uint256 expected =
            ReferenceMath.requiredCollateral(LOAN, LTV, FACTOR, 98e6, 8, uint256(COLLATERAL_PRICE), 8, 18);
        assertEq(expected, 75_384_615_384_615_384_615_385);
        assertEq(pool.calculateCollateralTokenAmount(POOL_ID, LOAN), expected);

        collateral.mint(carol, expected);
        vm.startPrank(carol);
        collateral.approve(address(pool), expected);
        vm.expectRevert(IERC20CollateralPool.CollateralAmountTooLow.selector);
        pool.borrow(POOL_ID, LOAN, expected - 1);
        pool.borrow(POOL_ID, LOAN, expected);
        vm.stopPrank();
        assertEq(usdc.balanceOf(carol), LOAN);
    }

    /// @dev The other way: USDC above $1 makes the same debt worth more, until the loan is unhealthy.
    function test_isPositionLiquidatable_followsUsdcPrice() public {
        uint256 borrowId = _borrow(carol, LOAN);
        // Liquidatable when debt × P_usdc × 10_000 ≥ collateral value × 8_500: P_usdc ≥ $1.3077 here.
        usdcFeed.setAnswer(130e6);
        assertFalse(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
        assertFalse(
            ReferenceMath.isLiquidatableExact(LOAN, REQUIRED_1000, LTV, 130e6, 8, uint256(COLLATERAL_PRICE), 8, 18)
        );
        usdcFeed.setAnswer(131e6);
        assertTrue(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
        assertTrue(
            ReferenceMath.isLiquidatableExact(LOAN, REQUIRED_1000, LTV, 131e6, 8, uint256(COLLATERAL_PRICE), 8, 18)
        );
    }

    /* VIEWS READ THE ORACLES THE SAME WAY */

    function test_calculateCollateralTokenAmount_revertsWhen_oracleBroken() public {
        _assertViewsRevert(false);
    }

    function test_isPositionLiquidatable_revertsWhen_oracleBroken() public {
        _borrow(carol, LOAN);
        _assertViewsRevert(true);
    }

    /* BORROWERS AND LENDERS ARE NOT HELD HOSTAGE BY A BROKEN ORACLE */

    function test_repay_worksWhenOraclesAreStale() public {
        uint256 borrowId = _borrow(carol, LOAN);
        vm.warp(block.timestamp + MAX_DELAY + 1); // no new rounds: both feeds stale
        vm.expectRevert(IERC20CollateralPool.OracleDataTooOld.selector);
        pool.calculateCollateralTokenAmount(POOL_ID, LOAN);

        uint256 interest = ReferenceMath.interest(LOAN, INTEREST, MAX_DELAY + 1);
        usdc.mint(carol, interest);
        vm.startPrank(carol);
        usdc.approve(address(pool), LOAN + interest);
        pool.repay(POOL_ID, borrowId, LOAN);
        vm.stopPrank();

        assertEq(collateral.balanceOf(carol), REQUIRED_1000);
        assertEq(usdc.balanceOf(carol), 0);
        (IERC20CollateralPool.PoolAmounts memory amounts,,,,,,) = pool.pools(POOL_ID);
        assertEq(amounts.repaid, LOAN);
        assertEq(amounts.rewards, interest);
    }

    function test_repay_worksWhenCollateralPriceIsZeroAndUsdcPriceNegative() public {
        uint256 borrowId = _borrow(carol, LOAN);
        collateralFeed.setAnswer(0);
        usdcFeed.setAnswer(-1);
        usdc.mint(carol, LOAN / 2);
        vm.startPrank(carol);
        usdc.approve(address(pool), LOAN / 2);
        pool.repay(POOL_ID, borrowId, LOAN / 2); // no time passed: no interest
        vm.stopPrank();

        (, uint256 outstanding, uint256 locked,) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(outstanding, LOAN / 2);
        assertEq(locked, REQUIRED_1000 - REQUIRED_1000 / 2);
        assertEq(collateral.balanceOf(carol), REQUIRED_1000 / 2);
    }

    function test_repayAndAddCollateral_workWhileCollateralSequencerIsDown() public {
        (uint256 poolId, MockAggregator sequencer) = _collateralSequencerPool();
        sequencer.setRound(0, block.timestamp - SEQUENCER_GRACE, block.timestamp);
        _borrowIn(pool, poolId, collateral, carol, LOAN, REQUIRED_1000);
        sequencer.setRound(1, block.timestamp, block.timestamp);

        collateral.mint(carol, 1000e18);
        usdc.mint(carol, LOAN);
        vm.startPrank(carol);
        collateral.approve(address(pool), 1000e18);
        pool.changeCollateralAmount(poolId, 0, REQUIRED_1000 + 1000e18, 0);
        usdc.approve(address(pool), LOAN);
        pool.repay(poolId, 0, LOAN);
        vm.stopPrank();

        assertEq(collateral.balanceOf(carol), REQUIRED_1000 + 1000e18);
        assertEq(usdc.balanceOf(carol), LOAN);
        (, uint256 held) = pool.getAvailableAmountsInPool(poolId);
        assertEq(held, 0);
    }

    function test_changeCollateralAmount_addWorksButRemoveRevertsWhenOraclesAreStale() public {
        uint256 borrowId = _borrow(carol, LOAN);
        vm.warp(block.timestamp + MAX_DELAY + 1);

        collateral.mint(carol, 1000e18);
        vm.startPrank(carol);
        collateral.approve(address(pool), 1000e18);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.AddedCollateral(POOL_ID, borrowId, carol, 1000e18);
        pool.changeCollateralAmount(POOL_ID, borrowId, REQUIRED_1000 + 1000e18, 0);

        vm.expectRevert(IERC20CollateralPool.OracleDataTooOld.selector);
        pool.changeCollateralAmount(POOL_ID, borrowId, REQUIRED_1000 + 500e18, type(uint256).max);
        vm.stopPrank();

        (,, uint256 locked,) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(locked, REQUIRED_1000 + 1000e18);
    }

    function test_liquidate_revertsWhen_oraclesAreStale() public {
        uint256 borrowId = _borrow(carol, LOAN);
        _setCollateralPrice(1.5e6);
        assertTrue(pool.isPositionLiquidatable(POOL_ID, carol, borrowId));
        vm.warp(block.timestamp + MAX_DELAY + 1);

        usdc.mint(liquidator, 2 * LOAN);
        vm.startPrank(liquidator);
        usdc.approve(address(pool), 2 * LOAN);
        vm.expectRevert(IERC20CollateralPool.OracleDataTooOld.selector);
        pool.liquidate(POOL_ID, _liquidation(carol, borrowId, LOAN));
        vm.stopPrank();
    }

    function test_claim_worksWhenOraclesAreBroken() public {
        collateralFeed.setAnswer(0);
        usdcFeed.setRound(USDC_PRICE, block.timestamp, 0);
        _claim(alice, 0, 100_000e6);
        assertEq(usdc.balanceOf(alice), 100_000e6);
    }

    /* HELPERS */

    /// @dev Carol borrows 1_000 USDC in `target` against ample collateral; expects `selector`.
    function _expectBorrowRevertIn(ERC20CollateralPool target, uint256 poolId, bytes4 selector) internal {
        collateral.mint(carol, AMPLE);
        vm.startPrank(carol);
        collateral.approve(address(target), AMPLE);
        vm.expectRevert(selector);
        target.borrow(poolId, LOAN, AMPLE);
        vm.stopPrank();
        assertEq(target.borrowsLength(poolId, carol), 0);
    }

    function _expectBorrowRevert(bytes4 selector) internal {
        _expectBorrowRevertIn(pool, POOL_ID, selector);
        vm.expectRevert(selector);
        pool.calculateCollateralTokenAmount(POOL_ID, LOAN);
    }

    /// @dev Breaks the feeds one way at a time; the pricing views must revert as borrow does.
    function _assertViewsRevert(bool liquidatableView) internal {
        uint256 snapshot = vm.snapshotState();
        collateralFeed.setRound(COLLATERAL_PRICE, block.timestamp - MAX_DELAY - 1, block.timestamp - MAX_DELAY - 1);
        _expectViewRevert(liquidatableView, IERC20CollateralPool.OracleDataTooOld.selector);
        vm.revertToState(snapshot);

        usdcFeed.setRound(USDC_PRICE, block.timestamp, 0);
        _expectViewRevert(liquidatableView, IERC20CollateralPool.OracleDataTooOld.selector);
        vm.revertToState(snapshot);

        collateralFeed.setRound(COLLATERAL_PRICE, block.timestamp, block.timestamp + 1);
        _expectViewRevert(liquidatableView, IERC20CollateralPool.OracleDataTooOld.selector);
        vm.revertToState(snapshot);

        collateralFeed.setAnswer(0);
        _expectViewRevert(liquidatableView, IERC20CollateralPool.CollateralTokenPriceIsZero.selector);
        vm.revertToState(snapshot);

        usdcFeed.setAnswer(-1);
        _expectViewRevert(liquidatableView, IERC20CollateralPool.UsdcPriceIsZero.selector);
        vm.revertToState(snapshot);
    }

    function _expectViewRevert(bool liquidatableView, bytes4 selector) internal {
        vm.expectRevert(selector);
        if (liquidatableView) pool.isPositionLiquidatable(POOL_ID, carol, 0);
        else pool.calculateCollateralTokenAmount(POOL_ID, LOAN);
    }

    /// @dev A new proxy whose USDC feed is guarded by a sequencer feed (0 decimals, 0 = up),
    /// with alice's 10_000 USDC in its pool 0. The sequencer starts "up since now".
    function _usdcSequencerPool() internal returns (ERC20CollateralPool l2Pool, MockAggregator sequencer) {
        sequencer = new MockAggregator(0, 0);
        l2Pool = _deployProxy(address(usdcFeed), address(sequencer));
        assertEq(l2Pool.usdcSequencerOracle(), address(sequencer));
        _lendIn(l2Pool, 0, alice, 10_000e6);
    }

    /// @dev A pool of the main proxy whose collateral feed is guarded by a sequencer feed.
    function _collateralSequencerPool() internal returns (uint256 poolId, MockAggregator sequencer) {
        sequencer = new MockAggregator(0, 0);
        IERC20CollateralPool.InitPool memory p = defaultInitPool();
        p.collateralTokenSequencerOracle = address(sequencer);
        poolId = pool.poolsLength();
        vm.prank(admin);
        pool.addPool(p);
        _lendIn(pool, poolId, alice, 10_000e6);
    }

    /// @dev A pool of the main proxy: collateral with `tokenDecimals`, priced $0.02 by a feed with `feedDecimals`.
    function _addPoolWithDecimals(uint8 feedDecimals, uint8 tokenDecimals)
        internal
        returns (uint256 poolId, MockERC20 token)
    {
        token = new MockERC20("Collateral", "COLL", tokenDecimals);
        MockAggregator feed = new MockAggregator(feedDecimals, int256(2 * 10 ** (feedDecimals - 2)));
        IERC20CollateralPool.InitPool memory p = defaultInitPool();
        p.collateralToken = address(token);
        p.collateralTokenPriceOracle = address(feed);
        poolId = pool.poolsLength();
        vm.prank(admin);
        pool.addPool(p);
    }

    /// @dev 76_923.076923076923076923... whole tokens in base units, rounded up (by hand).
    function _expectedRequired(uint8 tokenDecimals) internal pure returns (uint256) {
        if (tokenDecimals == 6) return 76_923_076_924;
        if (tokenDecimals == 8) return 7_692_307_692_308;
        return REQUIRED_1000;
    }

    function _deployProxy(address usdcPriceFeed, address usdcSequencer) internal returns (ERC20CollateralPool) {
        IERC20CollateralPool.InitPool[] memory initial = new IERC20CollateralPool.InitPool[](1);
        initial[0] = defaultInitPool();
        return ERC20CollateralPool(
            address(
                new TransparentUpgradeableProxy(
                    address(implementation),
                    proxyAdminOwner,
                    abi.encodeCall(
                        ERC20CollateralPool.__ERC20CollateralPool_init,
                        (admin, address(usdc), usdcPriceFeed, usdcSequencer, initial)
                    )
                )
            )
        );
    }

    function _lendIn(ERC20CollateralPool target, uint256 poolId, address user, uint256 amount) internal {
        usdc.mint(user, amount);
        vm.startPrank(user);
        usdc.approve(address(target), amount);
        target.lend(poolId, amount);
        vm.stopPrank();
    }

    function _borrowIn(
        ERC20CollateralPool target,
        uint256 poolId,
        MockERC20 token,
        address user,
        uint256 amount,
        uint256 collateralAmount
    ) internal {
        token.mint(user, collateralAmount);
        vm.startPrank(user);
        token.approve(address(target), collateralAmount);
        target.borrow(poolId, amount, collateralAmount);
        vm.stopPrank();
    }
}

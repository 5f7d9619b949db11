// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

import {BaseTest} from "./BaseTest.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {ReferenceMath} from "../utils/ReferenceMath.sol";

/// @notice `claimCollateral` (SPEC §1 F7, F9): a lender exits by spending its claims (principal +
/// rewards) on the debt of a liquidatable loan. Alice lends 10_000 USDC, carol borrows 1_000 USDC
/// at the same instant, 100 days pass; numbers worked out by hand (python) from the SPEC formulas.
contract ClaimCollateralTest is BaseTest {
    uint256 internal constant COLLATERAL_1000 = 76_923_076_923_076_923_076_924;
    uint256 internal constant ELAPSED = 100 days;
    /// @dev F1 on 1_000 USDC over 100 days, rounded up.
    uint256 internal constant INTEREST_1000 = 13_698_631;
    uint256 internal constant DEBT = 1000e6 + INTEREST_1000;
    /// @dev F2: rewardRate = 1_000e6 × 500 × 1e18 / (10_000e6 × 31_536_000 × 10_000), rounded down.
    uint256 internal constant REWARD_RATE = 158_548_959;
    /// @dev F3 on 2_000 USDC: 2_000e6 × (8_640_000 × REWARD_RATE) / 1e18, rounded down.
    uint256 internal constant REWARD_2000 = 2_739_726;
    /// @dev Price ($0.0154) at which the loan is liquidatable and the 5 % fee fits in the pro-rata share.
    int256 internal constant PRICE_FEE_FITS = 1_540_000;
    /// @dev Price ($0.015) at which the 5 % fee is worth more than what is left of the share.
    int256 internal constant PRICE_FEE_CAPPED = 1_500_000;

    uint256 internal aliceLendId;
    uint256 internal carolBorrowId;

    function setUp() public override {
        super.setUp();
        aliceLendId = _lend(alice, 10_000e6);
        carolBorrowId = _borrow(carol, 1000e6);
        _skip(ELAPSED);
    }

    /* HELPERS */

    function _claims(uint256 amount) internal view returns (IERC20CollateralPool.Claim[] memory claims) {
        claims = new IERC20CollateralPool.Claim[](1);
        claims[0] = IERC20CollateralPool.Claim({lendId: aliceLendId, usdcAmount: amount});
    }

    function _claimCollateral(uint256 claimAmount) internal {
        vm.prank(alice);
        pool.claimCollateral(POOL_ID, _claims(claimAmount), _liquidation(carol, carolBorrowId, 1000e6));
    }

    function _expectClaimCollateralRevert(
        IERC20CollateralPool.Claim[] memory claims,
        IERC20CollateralPool.Liquidation[] memory liquidations,
        bytes4 selector
    ) internal {
        vm.prank(alice);
        vm.expectRevert(selector);
        pool.claimCollateral(POOL_ID, claims, liquidations);
    }

    /// @dev Naive collateral tokens worth `usdcAmount` here (USDC $1, 8-decimal feeds, 18-decimal token), down.
    function _tokensWorth(uint256 usdcAmount, int256 price) internal pure returns (uint256) {
        return usdcAmount * 1e20 / uint256(price);
    }

    /* SUCCESS */

    function test_claimCollateral_lenderGetsCollateralFeeAndUsdcLeftover() public {
        _setCollateralPrice(PRICE_FEE_FITS);
        assertTrue(pool.isPositionLiquidatable(POOL_ID, carol, carolBorrowId));
        assertEq(pool.calculateReward(POOL_ID, aliceLendId, alice), 10_000e6 * (ELAPSED * REWARD_RATE) / 1e18);
        uint256 poolUsdcBefore = usdc.balanceOf(address(pool));

        _claimCollateral(2000e6);

        // F9: min(all 76_923.07 tokens, 1_013.698631 × 1.10 / 0.0154 = 72_407.04 tokens).
        uint256 seized = DEBT * 11_000 * 1e20 / (10_000 * uint256(PRICE_FEE_FITS));
        assertEq(seized, 72_407_045_071_428_571_428_571);
        assertEq(collateral.balanceOf(alice), seized);
        // The protocol's 5 % (F7 − debt = 50.684932 USDC) in collateral: 3_291.22 tokens, which fits
        // in the 4_516.03 tokens left of the pro-rata share.
        uint256 feeUsdc = ReferenceMath.liquidationPayment(1000e6, INTEREST_1000) - DEBT;
        assertEq(feeUsdc, 50_684_932);
        uint256 fee = _tokensWorth(feeUsdc, PRICE_FEE_FITS);
        assertEq(fee, 3_291_229_350_649_350_649_350);
        assertLt(fee, COLLATERAL_1000 - seized);
        assertEq(pool.getCollateralTokenProtocolFee(address(collateral)), fee);
        assertEq(pool.usdcFeesCollected(), 0, "no USDC fee in claimCollateral");

        // The claim (2_000 + 2.739726 rewards) paid 1_013.698631 of debt; the rest is paid in USDC.
        uint256 leftover = 2000e6 + REWARD_2000 - DEBT;
        assertEq(leftover, 989_041_095);
        assertEq(usdc.balanceOf(alice), leftover);
        assertEq(usdc.balanceOf(address(pool)), poolUsdcBefore - leftover);

        (, uint256 outstanding, uint256 left,) = pool.borrows(POOL_ID, carol, carolBorrowId);
        assertEq(outstanding, 0);
        assertEq(left, COLLATERAL_1000 - seized - fee);
        assertEq(left, 1_224_802_500_999_000_999_003);
        (, uint256 lendLeft,) = pool.lendings(POOL_ID, alice, aliceLendId);
        assertEq(lendLeft, 8000e6);
        assertEq(collateral.balanceOf(address(pool)), left + fee);
    }

    function test_claimCollateral_updatesPoolAccounting() public {
        _setCollateralPrice(PRICE_FEE_FITS);
        assertEq(INTEREST_1000, ReferenceMath.interest(1000e6, INTEREST, ELAPSED));
        assertEq(REWARD_RATE, ReferenceMath.rewardRate(1000e6 * uint256(INTEREST), 10_000e6));
        assertEq(REWARD_2000, 2000e6 * (ELAPSED * REWARD_RATE) / 1e18);
        _claimCollateral(2000e6);

        (IERC20CollateralPool.PoolAmounts memory amounts,, uint256 rewardPerToken, uint256 rewardRate,,,) =
            pool.pools(POOL_ID);
        assertEq(amounts.lended, 10_000e6);
        assertEq(amounts.claimed, 2000e6);
        assertEq(amounts.borrowed, 1000e6);
        assertEq(amounts.repaid, 1000e6);
        assertEq(amounts.rewards, INTEREST_1000);
        assertEq(amounts.claimedRewards, REWARD_2000);
        assertEq(amounts.collateralTokenAmount, 1_224_802_500_999_000_999_003);
        assertEq(rewardPerToken, ELAPSED * REWARD_RATE);
        assertEq(rewardRate, 0, "nothing is borrowed any more");
        assertEq(pool.weightedBorrowed(POOL_ID), 0);
        (uint256 availableUsdc,) = pool.getAvailableAmountsInPool(POOL_ID);
        // lended − claimed + repaid + rewards − borrowed − claimedRewards
        assertEq(availableUsdc, 10_000e6 - 2000e6 + 1000e6 + INTEREST_1000 - 1000e6 - REWARD_2000);
        assertEq(availableUsdc, usdc.balanceOf(address(pool)));
    }

    function test_claimCollateral_protocolFeeCappedByRestOfProRataShare() public {
        _setCollateralPrice(PRICE_FEE_CAPPED);
        _claimCollateral(2000e6);

        uint256 seized = DEBT * 11_000 * 1e20 / (10_000 * uint256(PRICE_FEE_CAPPED));
        assertEq(seized, 74_337_899_606_666_666_666_666);
        uint256 uncappedFee = _tokensWorth(50_684_932, PRICE_FEE_CAPPED);
        assertEq(uncappedFee, 3_378_995_466_666_666_666_666);
        uint256 rest = COLLATERAL_1000 - seized;
        assertEq(rest, 2_585_177_316_410_256_410_258);
        assertLt(rest, uncappedFee);

        assertEq(collateral.balanceOf(alice), seized);
        assertEq(pool.getCollateralTokenProtocolFee(address(collateral)), rest);
        (, uint256 outstanding, uint256 left,) = pool.borrows(POOL_ID, carol, carolBorrowId);
        assertEq(outstanding, 0);
        assertEq(left, 0, "the whole share went to the lender and the protocol");
        assertEq(collateral.balanceOf(address(pool)), rest);
        assertEq(usdc.balanceOf(alice), 989_041_095);
    }

    function test_claimCollateral_emitsEvents() public {
        _setCollateralPrice(PRICE_FEE_FITS);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.RewardsClaimed(POOL_ID, alice, aliceLendId, 2000e6, REWARD_2000);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.UserPositionLiquidated(POOL_ID, carol, carolBorrowId, alice, 1000e6, INTEREST_1000);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.LiquidationCollateralSeized(
            POOL_ID, carol, carolBorrowId, alice, 72_407_045_071_428_571_428_571, 3_291_229_350_649_350_649_350
        );
        _claimCollateral(2000e6);
    }

    /// @dev 1_012_311_903 + its reward 1_386_728 is exactly the debt: nothing is left to pay in USDC.
    function test_claimCollateral_claimExactlyCoveringDebtLeavesNoUsdc() public {
        _setCollateralPrice(PRICE_FEE_FITS);
        uint256 claimAmount = 1_012_311_903;
        assertEq(claimAmount + claimAmount * (ELAPSED * REWARD_RATE) / 1e18, DEBT);
        _claimCollateral(claimAmount);
        assertEq(usdc.balanceOf(alice), 0);
        assertEq(collateral.balanceOf(alice), 72_407_045_071_428_571_428_571);
    }

    function test_claimCollateral_leftoverEqualToFreeUsdcIsPaid() public {
        _setCollateralPrice(PRICE_FEE_FITS);
        // Free USDC = 9_000 USDC − dave's borrow = 989.041095 USDC, exactly the leftover.
        _borrowWith(dave, 9000e6 - 989_041_095, 1e30);
        (uint256 availableUsdc,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(availableUsdc, 989_041_095);
        _claimCollateral(2000e6);
        assertEq(usdc.balanceOf(alice), 989_041_095);
        (availableUsdc,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(availableUsdc, 0);
        assertEq(usdc.balanceOf(address(pool)), 0);
    }

    /* REVERTS */

    function test_claimCollateral_revertsWhen_noClaims() public {
        _setCollateralPrice(PRICE_FEE_FITS);
        _expectClaimCollateralRevert(
            new IERC20CollateralPool.Claim[](0),
            _liquidation(carol, carolBorrowId, 1000e6),
            IERC20CollateralPool.NoClaimsProvided.selector
        );
    }

    function test_claimCollateral_revertsWhen_noLiquidations() public {
        _setCollateralPrice(PRICE_FEE_FITS);
        _expectClaimCollateralRevert(
            _claims(2000e6),
            new IERC20CollateralPool.Liquidation[](0),
            IERC20CollateralPool.NoLiquidationsProvided.selector
        );
    }

    function test_claimCollateral_revertsWhen_claimsDoNotCoverDebt() public {
        _setCollateralPrice(PRICE_FEE_FITS);
        // One unit less than the claim that covers the debt exactly.
        _expectClaimCollateralRevert(
            _claims(1_012_311_902),
            _liquidation(carol, carolBorrowId, 1000e6),
            IERC20CollateralPool.NotEnoughUSDCClaimedToLiquidatePositions.selector
        );
    }

    function test_claimCollateral_revertsWhen_positionHealthy() public {
        assertFalse(pool.isPositionLiquidatable(POOL_ID, carol, carolBorrowId));
        _expectClaimCollateralRevert(
            _claims(2000e6),
            _liquidation(carol, carolBorrowId, 1000e6),
            IERC20CollateralPool.PositionNotLiquidatable.selector
        );
    }

    function test_claimCollateral_revertsWhen_leftoverAboveFreeUsdc() public {
        _setCollateralPrice(PRICE_FEE_FITS);
        // One unit less free USDC than the 989.041095 USDC leftover.
        _borrowWith(dave, 9000e6 - 989_041_095 + 1, 1e30);
        (uint256 availableUsdc,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(availableUsdc, 989_041_094);
        _expectClaimCollateralRevert(
            _claims(2000e6),
            _liquidation(carol, carolBorrowId, 1000e6),
            IERC20CollateralPool.NotEnoughUSDCInPool.selector
        );
    }

    function test_claimCollateral_revertsWhen_paused() public {
        _setCollateralPrice(PRICE_FEE_FITS);
        vm.prank(admin);
        pool.pause();
        _expectClaimCollateralRevert(
            _claims(2000e6), _liquidation(carol, carolBorrowId, 1000e6), PausableUpgradeable.EnforcedPause.selector
        );
    }

    function test_claimCollateral_revertsWhen_insidePauseGracePeriod() public {
        _setCollateralPrice(PRICE_FEE_FITS);
        vm.startPrank(admin);
        pool.pause();
        pool.unpause();
        vm.stopPrank();
        // vm.getBlockTimestamp, not block.timestamp: under via-IR (make coverage) the compiler may
        // re-read block.timestamp after the warps below instead of keeping this value.
        uint256 unpausedAt = vm.getBlockTimestamp();

        _expectClaimCollateralRevert(
            _claims(2000e6),
            _liquidation(carol, carolBorrowId, 1000e6),
            IERC20CollateralPool.PauseGracePeriodNotPassed.selector
        );
        _skip(86_399);
        _expectClaimCollateralRevert(
            _claims(2000e6),
            _liquidation(carol, carolBorrowId, 1000e6),
            IERC20CollateralPool.PauseGracePeriodNotPassed.selector
        );
        _skip(1);
        assertEq(vm.getBlockTimestamp(), unpausedAt + 86_400);
        _claimCollateral(2000e6);
        (, uint256 outstanding,,) = pool.borrows(POOL_ID, carol, carolBorrowId);
        assertEq(outstanding, 0);
        assertGt(collateral.balanceOf(alice), 0);
    }
}

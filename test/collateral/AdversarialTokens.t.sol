// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {BaseTest} from "./BaseTest.sol";
import {ReferenceMath} from "../utils/ReferenceMath.sol";
import {ERC20CollateralPool} from "../../contracts/collateral/ERC20CollateralPool.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {FeeOnTransferToken} from "../mocks/FeeOnTransferToken.sol";
import {BlacklistToken} from "../mocks/BlacklistToken.sol";
import {RevertingToken} from "../mocks/RevertingToken.sol";
import {ReentrantToken} from "../mocks/ReentrantToken.sol";

/// @notice Hostile and non-standard tokens as collateral and as USDC: fee on transfer, blacklists,
/// `false` returns, and a collateral token that re-enters the pool during its own transfers.
contract AdversarialTokensTest is BaseTest {
    uint256 internal constant FEE_POOL = 1;
    uint256 internal constant BLACKLIST_POOL = 2;
    uint256 internal constant FALSE_POOL = 3;
    uint256 internal constant REENTRANT_POOL = 4;

    /// @dev F6 for 1_000 USDC at $0.02 collateral, 18 decimals (published example, rounded up).
    uint256 internal constant REQUIRED_1000 = 76_923_076_923_076_923_076_924;
    int256 internal constant CRASHED_PRICE = 1.5e6; // $0.015: a 1_000 USDC loan at F6 becomes unhealthy
    uint256 internal constant LOAN = 1000e6;

    FeeOnTransferToken internal feeCollateral;
    BlacklistToken internal blacklistCollateral;
    RevertingToken internal falseCollateral;
    ReentrantToken internal reentrantCollateral;
    MockAggregator internal reentrantFeed;

    function setUp() public override {
        super.setUp();
        feeCollateral = new FeeOnTransferToken("Fee collateral", "FEE", 18, 100); // 1 %
        blacklistCollateral = new BlacklistToken("Blacklist collateral", "BLK", 18);
        falseCollateral = new RevertingToken("False collateral", "FLS", 18);
        reentrantCollateral = new ReentrantToken("Reentrant collateral", "RE", 18);
        reentrantFeed = new MockAggregator(8, COLLATERAL_PRICE);

        vm.startPrank(admin);
        pool.addPool(_initPoolFor(address(feeCollateral), address(collateralFeed)));
        pool.addPool(_initPoolFor(address(blacklistCollateral), address(collateralFeed)));
        pool.addPool(_initPoolFor(address(falseCollateral), address(collateralFeed)));
        pool.addPool(_initPoolFor(address(reentrantCollateral), address(reentrantFeed)));
        vm.stopPrank();

        for (uint256 id = FEE_POOL; id <= REENTRANT_POOL; ++id) {
            _lendIn(pool, id, usdc, alice, 100_000e6);
        }
    }

    /* FEE ON TRANSFER */

    function test_borrow_revertsWhen_collateralTakesTransferFee() public {
        assertEq(pool.calculateCollateralTokenAmount(FEE_POOL, LOAN), REQUIRED_1000);
        _mintAndApprove(feeCollateral, carol, pool, REQUIRED_1000);

        vm.prank(carol);
        vm.expectRevert(IERC20CollateralPool.TokenTransferAmountIncludedFees.selector);
        pool.borrow(FEE_POOL, LOAN, REQUIRED_1000);

        assertEq(feeCollateral.balanceOf(carol), REQUIRED_1000);
        assertEq(pool.borrowsLength(FEE_POOL, carol), 0);
    }

    function test_borrow_acceptsFeeTokenWhileItsFeeIsOff() public {
        feeCollateral.setFeeBps(0);
        _borrowIn(pool, FEE_POOL, feeCollateral, carol, LOAN, REQUIRED_1000);

        assertEq(feeCollateral.balanceOf(address(pool)), REQUIRED_1000);
        assertEq(usdc.balanceOf(carol), LOAN);
        (, uint256 available) = pool.getAvailableAmountsInPool(FEE_POOL);
        assertEq(available, REQUIRED_1000);
    }

    function test_changeCollateralAmount_revertsWhen_addedCollateralTakesTransferFee() public {
        feeCollateral.setFeeBps(0);
        _borrowIn(pool, FEE_POOL, feeCollateral, carol, LOAN, REQUIRED_1000);
        feeCollateral.setFeeBps(1); // 0.01 %: even the smallest fee is refused
        _mintAndApprove(feeCollateral, carol, pool, 1000e18);

        vm.prank(carol);
        vm.expectRevert(IERC20CollateralPool.TokenTransferAmountIncludedFees.selector);
        pool.changeCollateralAmount(FEE_POOL, 0, REQUIRED_1000 + 1000e18, 0);

        (,, uint256 locked,) = pool.borrows(FEE_POOL, carol, 0);
        assertEq(locked, REQUIRED_1000);
        assertEq(feeCollateral.balanceOf(address(pool)), REQUIRED_1000);
    }

    function test_lend_revertsWhen_usdcTakesTransferFee() public {
        FeeOnTransferToken feeUsdc = new FeeOnTransferToken("Fee USD", "fUSDC", 6, 0);
        ERC20CollateralPool feePool = _deployProxy(address(feeUsdc), address(0));

        _lendIn(feePool, 0, feeUsdc, alice, 1000e6); // fee off: accepted
        assertEq(feeUsdc.balanceOf(address(feePool)), 1000e6);

        feeUsdc.setFeeBps(10);
        _mintAndApprove(feeUsdc, bob, feePool, 1000e6);
        vm.prank(bob);
        vm.expectRevert(IERC20CollateralPool.TokenTransferAmountIncludedFees.selector);
        feePool.lend(0, 1000e6);

        assertEq(feePool.lendingsLength(0, bob), 0);
        assertEq(feeUsdc.balanceOf(address(feePool)), 1000e6);
    }

    function test_repay_revertsWhen_usdcTakesTransferFee() public {
        FeeOnTransferToken feeUsdc = new FeeOnTransferToken("Fee USD", "fUSDC", 6, 0);
        ERC20CollateralPool feePool = _deployProxy(address(feeUsdc), address(0));
        _lendIn(feePool, 0, feeUsdc, alice, 10_000e6);
        _borrowIn(feePool, 0, collateral, carol, LOAN, REQUIRED_1000);

        _skip(30 days);
        feeUsdc.setFeeBps(10);
        uint256 due = LOAN + ReferenceMath.interest(LOAN, INTEREST, 30 days);
        _mintAndApprove(feeUsdc, carol, feePool, due);
        vm.prank(carol);
        vm.expectRevert(IERC20CollateralPool.TokenTransferAmountIncludedFees.selector);
        feePool.repay(0, 0, LOAN);

        (, uint256 outstanding, uint256 locked,) = feePool.borrows(0, carol, 0);
        assertEq(outstanding, LOAN);
        assertEq(locked, REQUIRED_1000);
    }

    function test_liquidate_revertsWhen_usdcTakesTransferFee() public {
        FeeOnTransferToken feeUsdc = new FeeOnTransferToken("Fee USD", "fUSDC", 6, 0);
        ERC20CollateralPool feePool = _deployProxy(address(feeUsdc), address(0));
        _lendIn(feePool, 0, feeUsdc, alice, 10_000e6);
        _borrowIn(feePool, 0, collateral, carol, LOAN, REQUIRED_1000);

        _skip(30 days);
        _setCollateralPrice(CRASHED_PRICE);
        assertTrue(feePool.isPositionLiquidatable(0, carol, 0));
        feeUsdc.setFeeBps(10);
        uint256 payment = feePool.getLiquidatableAmountWithProtocolFee(0, carol, 0);
        assertEq(payment, ReferenceMath.liquidationPayment(LOAN, ReferenceMath.interest(LOAN, INTEREST, 30 days)));
        _mintAndApprove(feeUsdc, liquidator, feePool, payment);

        vm.prank(liquidator);
        vm.expectRevert(IERC20CollateralPool.TokenTransferAmountIncludedFees.selector);
        feePool.liquidate(0, _liquidation(carol, 0, LOAN));
        assertEq(feePool.usdcFeesCollected(), 0);
    }

    /* BLACKLISTS */

    /// @dev The liquidator, not the borrower, receives the collateral, so a borrower blacklisted by
    /// the collateral token cannot block its own liquidation.
    function test_liquidate_paysLiquidatorWhenBorrowerIsBlacklistedByCollateral() public {
        _borrowIn(pool, BLACKLIST_POOL, blacklistCollateral, carol, LOAN, REQUIRED_1000);
        blacklistCollateral.setBlacklisted(carol, true);
        _skip(30 days);
        _setCollateralPrice(CRASHED_PRICE);

        uint256 interest = ReferenceMath.interest(LOAN, INTEREST, 30 days);
        assertEq(interest, 4_109_590);
        uint256 payment = ReferenceMath.liquidationPayment(LOAN, interest);
        uint256 seized = _referenceSeized(LOAN + interest, uint256(CRASHED_PRICE));
        assertEq(seized, 73_634_703_266_666_666_666_666); // value × 1.10 < the whole pro-rata share
        _mintAndApprove(usdc, liquidator, pool, payment);

        vm.prank(liquidator);
        pool.liquidate(BLACKLIST_POOL, _liquidation(carol, 0, LOAN));

        assertEq(blacklistCollateral.balanceOf(liquidator), seized);
        assertEq(usdc.balanceOf(liquidator), 0);
        assertEq(blacklistCollateral.balanceOf(carol), 0);
        assertEq(usdc.balanceOf(carol), LOAN); // the borrower keeps what she borrowed, pays nothing
        (, uint256 outstanding, uint256 remainder,) = pool.borrows(BLACKLIST_POOL, carol, 0);
        assertEq(outstanding, 0);
        assertEq(remainder, REQUIRED_1000 - seized);
        assertEq(blacklistCollateral.balanceOf(address(pool)), REQUIRED_1000 - seized);
        assertEq(pool.usdcFeesCollected(), payment - LOAN - interest);
    }

    function test_changeCollateralAmount_paysLiquidationRemainderOnceBorrowerIsUnblacklisted() public {
        _borrowIn(pool, BLACKLIST_POOL, blacklistCollateral, carol, LOAN, REQUIRED_1000);
        blacklistCollateral.setBlacklisted(carol, true);
        _skip(30 days);
        _setCollateralPrice(CRASHED_PRICE);
        uint256 payment = pool.getLiquidatableAmountWithProtocolFee(BLACKLIST_POOL, carol, 0);
        _mintAndApprove(usdc, liquidator, pool, payment);
        vm.prank(liquidator);
        pool.liquidate(BLACKLIST_POOL, _liquidation(carol, 0, LOAN));
        uint256 remainder = REQUIRED_1000 - _referenceSeized(LOAN + 4_109_590, uint256(CRASHED_PRICE));

        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(BlacklistToken.Blacklisted.selector, carol));
        pool.changeCollateralAmount(BLACKLIST_POOL, 0, 0, 0);

        blacklistCollateral.setBlacklisted(carol, false);
        vm.prank(carol);
        pool.changeCollateralAmount(BLACKLIST_POOL, 0, 0, 0);
        assertEq(blacklistCollateral.balanceOf(carol), remainder);
        assertEq(blacklistCollateral.balanceOf(address(pool)), 0);
    }

    function test_repay_revertsWhen_borrowerIsBlacklistedByCollateral() public {
        _borrowIn(pool, BLACKLIST_POOL, blacklistCollateral, carol, LOAN, REQUIRED_1000);
        blacklistCollateral.setBlacklisted(carol, true);
        _mintAndApprove(usdc, carol, pool, LOAN); // no time passed: no interest

        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(BlacklistToken.Blacklisted.selector, carol));
        pool.repay(BLACKLIST_POOL, 0, LOAN);

        (, uint256 outstanding,,) = pool.borrows(BLACKLIST_POOL, carol, 0);
        assertEq(outstanding, LOAN);
    }

    /// @dev A lender blacklisted by USDC cannot be paid, but that must not lock anyone else's funds.
    function test_claim_blacklistedLenderCannotClaimButOthersCan() public {
        BlacklistToken blacklistUsdc = new BlacklistToken("USD Coin", "USDC", 6);
        ERC20CollateralPool blPool = _deployProxy(address(blacklistUsdc), address(0));
        _lendIn(blPool, 0, blacklistUsdc, alice, 1000e6);
        _lendIn(blPool, 0, blacklistUsdc, bob, 1000e6);
        _borrowIn(blPool, 0, collateral, carol, 500e6, blPool.calculateCollateralTokenAmount(0, 500e6));

        _skip(ONE_YEAR);
        uint256 interest = ReferenceMath.interest(500e6, INTEREST, ONE_YEAR);
        assertEq(interest, 25e6);
        _mintAndApprove(blacklistUsdc, carol, blPool, 500e6 + interest);
        vm.prank(carol);
        blPool.repay(0, 0, 500e6);
        // Each lender earned one year at the rate fixed when the loan was opened (F2, rounded down).
        uint256 reward = 1000e6 * (ONE_YEAR * ReferenceMath.rewardRate(500e6 * uint256(INTEREST), 2000e6)) / 1e18;
        assertEq(reward, 12_499_999);

        blacklistUsdc.setBlacklisted(alice, true);
        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](1);
        claims[0] = IERC20CollateralPool.Claim({lendId: 0, usdcAmount: 1000e6});
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(BlacklistToken.Blacklisted.selector, alice));
        blPool.claim(0, claims);

        vm.prank(bob);
        blPool.claim(0, claims);
        assertEq(blacklistUsdc.balanceOf(bob), 1000e6 + reward);
        (, uint256 aliceLeft,) = blPool.lendings(0, alice, 0);
        assertEq(aliceLeft, 1000e6);
        assertEq(blacklistUsdc.balanceOf(address(blPool)), 2000e6 + interest - 1000e6 - reward);

        blacklistUsdc.setBlacklisted(alice, false);
        vm.prank(alice);
        blPool.claim(0, claims);
        assertEq(blacklistUsdc.balanceOf(alice), 1000e6 + reward);
    }

    /* FALSE RETURNS AND REVERTS */

    function test_borrow_revertsWhen_collateralTransferFromReturnsFalse() public {
        falseCollateral.setMode(RevertingToken.Mode.ReturnFalse);
        _mintAndApprove(falseCollateral, carol, pool, REQUIRED_1000);

        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(falseCollateral)));
        pool.borrow(FALSE_POOL, LOAN, REQUIRED_1000);
        assertEq(pool.borrowsLength(FALSE_POOL, carol), 0);
        assertEq(usdc.balanceOf(carol), 0);
    }

    function test_borrow_revertsWhen_collateralTransferFromReverts() public {
        falseCollateral.setMode(RevertingToken.Mode.Revert);
        _mintAndApprove(falseCollateral, carol, pool, REQUIRED_1000);

        vm.prank(carol);
        vm.expectRevert(RevertingToken.TransfersDisabled.selector);
        pool.borrow(FALSE_POOL, LOAN, REQUIRED_1000);
        assertEq(pool.borrowsLength(FALSE_POOL, carol), 0);
    }

    function test_repay_revertsWhen_collateralTransferReturnsFalse() public {
        _borrowIn(pool, FALSE_POOL, falseCollateral, carol, LOAN, REQUIRED_1000);
        falseCollateral.setMode(RevertingToken.Mode.ReturnFalse);
        _mintAndApprove(usdc, carol, pool, LOAN);

        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(falseCollateral)));
        pool.repay(FALSE_POOL, 0, LOAN);
        (, uint256 outstanding,,) = pool.borrows(FALSE_POOL, carol, 0);
        assertEq(outstanding, LOAN);

        falseCollateral.setMode(RevertingToken.Mode.Normal);
        vm.prank(carol);
        pool.repay(FALSE_POOL, 0, LOAN);
        assertEq(falseCollateral.balanceOf(carol), REQUIRED_1000);
        assertEq(usdc.balanceOf(carol), LOAN); // borrowed LOAN, minted LOAN, repaid LOAN
    }

    /// @dev Some tokens (BNB, LEND) revert on zero-value transfers: a repayment whose pro-rata
    /// collateral rounds down to nothing must not try to send that nothing.
    function test_repay_sendsNoZeroCollateralTransfer() public {
        RevertingToken coarse = new RevertingToken("Coarse", "CRS", 0);
        MockAggregator coarseFeed = new MockAggregator(8, 1000e8); // $1,000 a whole unit
        vm.prank(admin);
        pool.addPool(_initPoolFor(address(coarse), address(coarseFeed)));
        uint256 id = pool.poolsLength() - 1;
        _lendIn(pool, id, usdc, alice, 100_000e6);
        uint256 units = pool.calculateCollateralTokenAmount(id, LOAN);
        assertEq(units, 2); // 1,000 / 0.65 / 1,000 = 1.54, rounded up
        _borrowIn(pool, id, coarse, carol, LOAN, units);

        coarse.setMode(RevertingToken.Mode.RevertOnZero);
        _mintAndApprove(usdc, carol, pool, 2); // one unit of principal, one of interest (rounded up)
        vm.prank(carol);
        pool.repay(id, 0, 1); // collateral back: floor(2 × 1 / 1,000e6) = 0
        (, uint256 outstanding, uint256 locked,) = pool.borrows(id, carol, 0);
        assertEq(outstanding, LOAN - 1);
        assertEq(locked, units);
        assertEq(coarse.balanceOf(carol), 0);
    }

    function test_lend_revertsWhen_usdcTransferFromReturnsFalse() public {
        RevertingToken falseUsdc = new RevertingToken("USD Coin", "USDC", 6);
        ERC20CollateralPool falsePool = _deployProxy(address(falseUsdc), address(0));
        falseUsdc.setMode(RevertingToken.Mode.ReturnFalse);
        _mintAndApprove(falseUsdc, alice, falsePool, 1000e6);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(falseUsdc)));
        falsePool.lend(0, 1000e6);
        assertEq(falsePool.lendingsLength(0, alice), 0);
    }

    function test_claim_revertsWhen_usdcTransferReturnsFalse() public {
        RevertingToken falseUsdc = new RevertingToken("USD Coin", "USDC", 6);
        ERC20CollateralPool falsePool = _deployProxy(address(falseUsdc), address(0));
        _lendIn(falsePool, 0, falseUsdc, alice, 1000e6);
        falseUsdc.setMode(RevertingToken.Mode.ReturnFalse);
        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](1);
        claims[0] = IERC20CollateralPool.Claim({lendId: 0, usdcAmount: 1000e6});

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(falseUsdc)));
        falsePool.claim(0, claims);
        (, uint256 left,) = falsePool.lendings(0, alice, 0);
        assertEq(left, 1000e6);

        falseUsdc.setMode(RevertingToken.Mode.Normal);
        vm.prank(alice);
        falsePool.claim(0, claims);
        assertEq(falseUsdc.balanceOf(alice), 1000e6);
    }

    function test_borrow_revertsWhen_usdcTransferReturnsFalse() public {
        RevertingToken falseUsdc = new RevertingToken("USD Coin", "USDC", 6);
        ERC20CollateralPool falsePool = _deployProxy(address(falseUsdc), address(0));
        _lendIn(falsePool, 0, falseUsdc, alice, 10_000e6);
        falseUsdc.setMode(RevertingToken.Mode.ReturnFalse);
        _mintAndApprove(collateral, carol, falsePool, REQUIRED_1000);

        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(falseUsdc)));
        falsePool.borrow(0, LOAN, REQUIRED_1000);
        assertEq(collateral.balanceOf(carol), REQUIRED_1000);
        assertEq(falsePool.borrowsLength(0, carol), 0);
    }

    /* REENTRANCY */

    uint8 internal constant OUTER_BORROW = 0;
    uint8 internal constant OUTER_REPAY = 1;
    uint8 internal constant OUTER_LIQUIDATE = 2;
    uint8 internal constant OUTER_ADD_COLLATERAL = 3;
    uint8 internal constant OUTER_CLAIM_COLLATERAL = 4;
    /// @dev Collateral the token locks for its own 100 USDC loan: generous, so it stays valid after a crash.
    uint256 internal constant ATTACKER_COLLATERAL = 20_000e18;

    function test_borrow_refusesEveryReentrantCall() public {
        _setUpReentrancy(false);
        _assertReentryRefused(OUTER_BORROW);

        assertEq(usdc.balanceOf(carol), LOAN);
        (uint256 starting, uint256 outstanding, uint256 locked, uint48 borrowTime) =
            pool.borrows(REENTRANT_POOL, carol, 0);
        assertEq(starting, LOAN);
        assertEq(outstanding, LOAN);
        assertEq(locked, REQUIRED_1000);
        assertEq(borrowTime, block.timestamp);
        (IERC20CollateralPool.PoolAmounts memory amounts,,,,,,) = pool.pools(REENTRANT_POOL);
        assertEq(amounts.borrowed, LOAN + 100e6);
        assertEq(amounts.collateralTokenAmount, REQUIRED_1000 + ATTACKER_COLLATERAL);
        assertEq(reentrantCollateral.balanceOf(address(pool)), REQUIRED_1000 + ATTACKER_COLLATERAL);
    }

    function test_repay_refusesEveryReentrantCall() public {
        _setUpReentrancy(true);
        _assertReentryRefused(OUTER_REPAY);

        uint256 interest = ReferenceMath.interest(LOAN, INTEREST, 30 days);
        assertEq(reentrantCollateral.balanceOf(carol), REQUIRED_1000);
        assertEq(usdc.balanceOf(carol), LOAN);
        (, uint256 outstanding, uint256 locked,) = pool.borrows(REENTRANT_POOL, carol, 0);
        assertEq(outstanding, 0);
        assertEq(locked, 0);
        (IERC20CollateralPool.PoolAmounts memory amounts,,,,,,) = pool.pools(REENTRANT_POOL);
        assertEq(amounts.repaid, LOAN);
        assertEq(amounts.rewards, interest);
        assertEq(reentrantCollateral.balanceOf(address(pool)), ATTACKER_COLLATERAL);
    }

    function test_liquidate_refusesEveryReentrantCall() public {
        _setUpReentrancy(true);
        reentrantFeed.setAnswer(CRASHED_PRICE);
        _assertReentryRefused(OUTER_LIQUIDATE);

        uint256 interest = ReferenceMath.interest(LOAN, INTEREST, 30 days);
        uint256 seized = _referenceSeized(LOAN + interest, uint256(CRASHED_PRICE));
        assertEq(reentrantCollateral.balanceOf(liquidator), seized);
        assertEq(usdc.balanceOf(liquidator), 0);
        (, uint256 outstanding, uint256 remainder,) = pool.borrows(REENTRANT_POOL, carol, 0);
        assertEq(outstanding, 0);
        assertEq(remainder, REQUIRED_1000 - seized);
        assertEq(pool.usdcFeesCollected(), ReferenceMath.liquidationPayment(LOAN, interest) - LOAN - interest);
    }

    function test_changeCollateralAmount_refusesEveryReentrantCallWhileAdding() public {
        _setUpReentrancy(true);
        _assertReentryRefused(OUTER_ADD_COLLATERAL);

        (, uint256 outstanding, uint256 locked,) = pool.borrows(REENTRANT_POOL, carol, 0);
        assertEq(outstanding, LOAN);
        assertEq(locked, REQUIRED_1000 + 1000e18);
        assertEq(reentrantCollateral.balanceOf(address(pool)), REQUIRED_1000 + 1000e18 + ATTACKER_COLLATERAL);
        (, uint256 held) = pool.getAvailableAmountsInPool(REENTRANT_POOL);
        assertEq(held, REQUIRED_1000 + 1000e18 + ATTACKER_COLLATERAL);
    }

    function test_claimCollateral_refusesEveryReentrantCall() public {
        _setUpReentrancy(true);
        reentrantFeed.setAnswer(CRASHED_PRICE);
        uint256 claimValue = 2000e6 + _pendingReward(REENTRANT_POOL, alice, 0, 2000e6);
        _assertReentryRefused(OUTER_CLAIM_COLLATERAL);

        uint256 interest = ReferenceMath.interest(LOAN, INTEREST, 30 days);
        uint256 seized = _referenceSeized(LOAN + interest, uint256(CRASHED_PRICE));
        uint256 feeByValue = (ReferenceMath.liquidationPayment(LOAN, interest) - LOAN - interest) * 1e18 * 1e8
            / (uint256(CRASHED_PRICE) * 1e6);
        // The 5 % fee in collateral is worth more than what is left of the share: it is capped to it.
        assertGt(feeByValue, REQUIRED_1000 - seized);
        uint256 fee = REQUIRED_1000 - seized;
        assertEq(reentrantCollateral.balanceOf(alice), seized);
        assertEq(pool.getCollateralTokenProtocolFee(address(reentrantCollateral)), fee);
        assertEq(usdc.balanceOf(alice), claimValue - LOAN - interest);
        (, uint256 outstanding, uint256 remainder,) = pool.borrows(REENTRANT_POOL, carol, 0);
        assertEq(outstanding, 0);
        assertEq(remainder, REQUIRED_1000 - seized - fee);
    }

    /// @dev Pool 4 has alice's 100_000 USDC. The token contract itself lends 1_000 USDC and borrows
    /// 100 USDC there, and holds USDC and its own tokens with approvals, so each reentrant call
    /// would be valid if it were not reentrant. Dave's pool-0 loan is made liquidatable for the
    /// reentrant `liquidate`. Then 30 days pass (feeds refreshed).
    function _setUpReentrancy(bool carolBorrowsFirst) internal {
        address attacker = address(reentrantCollateral);
        usdc.mint(attacker, 10_000e6);
        reentrantCollateral.mint(attacker, 1_000_000e18);
        vm.startPrank(attacker);
        usdc.approve(address(pool), type(uint256).max);
        reentrantCollateral.approve(address(pool), type(uint256).max);
        pool.lend(REENTRANT_POOL, 1000e6);
        pool.borrow(REENTRANT_POOL, 100e6, ATTACKER_COLLATERAL);
        vm.stopPrank();

        _lend(bob, 10_000e6);
        _borrow(dave, LOAN);
        if (carolBorrowsFirst) _borrowIn(pool, REENTRANT_POOL, reentrantCollateral, carol, LOAN, REQUIRED_1000);

        _skip(30 days);
        reentrantFeed.setAnswer(COLLATERAL_PRICE);
        _setCollateralPrice(CRASHED_PRICE);
        assertTrue(pool.isPositionLiquidatable(POOL_ID, dave, 0));
    }

    /// @dev The five entry points the token tries to re-enter, each valid on its own.
    function _reentrantCalls() internal view returns (bytes[] memory calls) {
        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](1);
        claims[0] = IERC20CollateralPool.Claim({lendId: 0, usdcAmount: 100e6});
        calls = new bytes[](5);
        calls[0] = abi.encodeCall(ERC20CollateralPool.borrow, (REENTRANT_POOL, 100e6, ATTACKER_COLLATERAL));
        calls[1] = abi.encodeCall(ERC20CollateralPool.repay, (REENTRANT_POOL, 0, 100e6));
        calls[2] = abi.encodeCall(ERC20CollateralPool.liquidate, (POOL_ID, _liquidation(dave, 0, LOAN)));
        calls[3] = abi.encodeCall(ERC20CollateralPool.lend, (REENTRANT_POOL, 100e6));
        calls[4] = abi.encodeCall(ERC20CollateralPool.claim, (REENTRANT_POOL, claims));
    }

    /// @dev Runs `op` once without the attack, then once per reentrant call from the same state:
    /// each reentrant call must revert with ReentrancyGuardReentrantCall() and leave the outer
    /// call's effects exactly as without the attack. Leaves the state of the last run.
    function _assertReentryRefused(uint8 op) internal {
        bytes[] memory calls = _reentrantCalls();
        uint256 before = vm.snapshotState();
        for (uint256 k; k < calls.length; ++k) {
            vm.prank(address(reentrantCollateral));
            (bool ok,) = address(pool).call(calls[k]);
            assertTrue(ok, "the call is valid when not reentrant");
            vm.revertToState(before);
        }

        _outer(op);
        assertEq(reentrantCollateral.reentryCount(), 0);
        bytes32 expected = _stateHash();

        for (uint256 k; k < calls.length; ++k) {
            vm.revertToState(before);
            reentrantCollateral.arm(address(pool), calls[k]);
            _outer(op);
            assertEq(reentrantCollateral.reentryCount(), 1, "the hook fired once");
            assertFalse(reentrantCollateral.lastCallSucceeded(), "the reentrant call was refused");
            assertEq(
                reentrantCollateral.lastReturnData(),
                abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
            );
            assertEq(_stateHash(), expected, "accounting as without the attack");
        }
    }

    function _outer(uint8 op) internal {
        if (op == OUTER_BORROW) {
            _borrowIn(pool, REENTRANT_POOL, reentrantCollateral, carol, LOAN, REQUIRED_1000);
        } else if (op == OUTER_REPAY) {
            uint256 due = LOAN + ReferenceMath.interest(LOAN, INTEREST, 30 days);
            _mintAndApprove(usdc, carol, pool, due);
            vm.prank(carol);
            pool.repay(REENTRANT_POOL, 0, LOAN);
        } else if (op == OUTER_LIQUIDATE) {
            uint256 payment = pool.getLiquidatableAmountWithProtocolFee(REENTRANT_POOL, carol, 0);
            _mintAndApprove(usdc, liquidator, pool, payment);
            vm.prank(liquidator);
            pool.liquidate(REENTRANT_POOL, _liquidation(carol, 0, LOAN));
        } else if (op == OUTER_ADD_COLLATERAL) {
            _mintAndApprove(reentrantCollateral, carol, pool, 1000e18);
            vm.prank(carol);
            pool.changeCollateralAmount(REENTRANT_POOL, 0, REQUIRED_1000 + 1000e18, 0);
        } else {
            IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](1);
            claims[0] = IERC20CollateralPool.Claim({lendId: 0, usdcAmount: 2000e6});
            vm.prank(alice);
            pool.claimCollateral(REENTRANT_POOL, claims, _liquidation(carol, 0, LOAN));
        }
    }

    /// @dev Everything the outer calls can change: pool totals, positions, fees and balances.
    function _stateHash() internal view returns (bytes32) {
        return keccak256(abi.encode(_poolHash(REENTRANT_POOL), _poolHash(POOL_ID), _positionsHash(), _balancesHash()));
    }

    function _poolHash(uint256 poolId) internal view returns (bytes32) {
        (IERC20CollateralPool.PoolAmounts memory amounts,, uint256 rewardPerToken, uint256 rewardRate, uint48 last,,) =
            pool.pools(poolId);
        return keccak256(abi.encode(amounts, rewardPerToken, rewardRate, last, pool.weightedBorrowed(poolId)));
    }

    function _positionsHash() internal view returns (bytes32) {
        address attacker = address(reentrantCollateral);
        return keccak256(
            abi.encode(
                _borrowHash(REENTRANT_POOL, carol),
                _borrowHash(REENTRANT_POOL, attacker),
                _borrowHash(POOL_ID, dave),
                _lendHash(REENTRANT_POOL, attacker),
                _lendHash(REENTRANT_POOL, alice),
                pool.usdcFeesCollected(),
                pool.getCollateralTokenProtocolFee(address(reentrantCollateral))
            )
        );
    }

    /// @dev Every borrow position of `user` in `poolId`.
    function _borrowHash(uint256 poolId, address user) internal view returns (bytes32 h) {
        uint256 length = pool.borrowsLength(poolId, user);
        h = bytes32(length);
        for (uint256 i; i < length; ++i) {
            (uint256 starting, uint256 outstanding, uint256 locked, uint48 borrowTime) = pool.borrows(poolId, user, i);
            h = keccak256(abi.encode(h, starting, outstanding, locked, borrowTime));
        }
    }

    /// @dev Every lend position of `user` in `poolId`.
    function _lendHash(uint256 poolId, address user) internal view returns (bytes32 h) {
        uint256 length = pool.lendingsLength(poolId, user);
        h = bytes32(length);
        for (uint256 i; i < length; ++i) {
            (uint256 starting, uint256 outstanding, uint256 ignored) = pool.lendings(poolId, user, i);
            h = keccak256(abi.encode(h, starting, outstanding, ignored));
        }
    }

    function _balancesHash() internal view returns (bytes32 h) {
        address[6] memory holders = [address(pool), carol, alice, liquidator, dave, address(reentrantCollateral)];
        for (uint256 i; i < holders.length; ++i) {
            h = keccak256(
                abi.encode(
                    h,
                    usdc.balanceOf(holders[i]),
                    collateral.balanceOf(holders[i]),
                    reentrantCollateral.balanceOf(holders[i])
                )
            );
        }
    }

    /* HELPERS */

    function _initPoolFor(address token, address feed) internal view returns (IERC20CollateralPool.InitPool memory p) {
        p = defaultInitPool();
        p.collateralToken = token;
        p.collateralTokenPriceOracle = feed;
    }

    /// @dev A second proxy whose lent token is `usdcToken`, with BaseTest's feeds and pool 0 parameters.
    function _deployProxy(address usdcToken, address usdcSequencer) internal returns (ERC20CollateralPool) {
        IERC20CollateralPool.InitPool[] memory initial = new IERC20CollateralPool.InitPool[](1);
        initial[0] = defaultInitPool();
        return ERC20CollateralPool(
            address(
                new TransparentUpgradeableProxy(
                    address(implementation),
                    proxyAdminOwner,
                    abi.encodeCall(
                        ERC20CollateralPool.__ERC20CollateralPool_init,
                        (admin, usdcToken, address(usdcFeed), usdcSequencer, initial)
                    )
                )
            )
        );
    }

    function _mintAndApprove(MockERC20 token, address user, ERC20CollateralPool spender, uint256 amount) internal {
        token.mint(user, amount);
        vm.prank(user);
        token.approve(address(spender), amount);
    }

    function _lendIn(ERC20CollateralPool target, uint256 poolId, MockERC20 token, address user, uint256 amount)
        internal
    {
        _mintAndApprove(token, user, target, amount);
        vm.prank(user);
        target.lend(poolId, amount);
    }

    function _borrowIn(
        ERC20CollateralPool target,
        uint256 poolId,
        MockERC20 collateralToken,
        address user,
        uint256 amount,
        uint256 collateralAmount
    ) internal {
        _mintAndApprove(collateralToken, user, target, collateralAmount);
        vm.prank(user);
        target.borrow(poolId, amount, collateralAmount);
    }

    /// @dev F9 by value, written out in feed units: (x + interest) × 1.10 × P_usdc / P_collateral,
    /// USDC at $1 on an 8-decimal feed, collateral price `collateralAnswer` on an 8-decimal feed,
    /// 18-decimal token, rounded down.
    function _referenceSeized(uint256 cleared, uint256 collateralAnswer) internal pure returns (uint256) {
        return cleared * 11_000 * 1e8 * 1e18 / (10_000 * collateralAnswer * 1e6);
    }

    /// @dev F2/F3 from the stored accumulator: reward now on `amount` of a lend position.
    function _pendingReward(uint256 poolId, address user, uint256 lendId, uint256 amount)
        internal
        view
        returns (uint256)
    {
        (,, uint256 rewardPerToken, uint256 rewardRate, uint48 last,,) = pool.pools(poolId);
        (,, uint256 ignored) = pool.lendings(poolId, user, lendId);
        return amount * (rewardPerToken + (block.timestamp - last) * rewardRate - ignored) / 1e18;
    }
}

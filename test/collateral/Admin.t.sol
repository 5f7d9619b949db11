// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

import {BaseTest} from "./BaseTest.sol";
import {ERC20CollateralPool} from "../../contracts/collateral/ERC20CollateralPool.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";

/// @notice Initialisation and the admin surface of the collateral pool: pool creation and its
/// validation, time-locked edits, pause, protocol-fee withdrawal, oracle delay, constants.
contract AdminTest is BaseTest {
    address internal treasury = makeAddr("treasury");
    bytes32 internal constant ADMIN_ROLE = 0x00; // DEFAULT_ADMIN_ROLE

    /* HELPERS */

    function _unauthorized(address account) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, ADMIN_ROLE);
    }

    function _deployProxy(address admin_, address usdc_) internal returns (ERC20CollateralPool) {
        return ERC20CollateralPool(
            address(
                new TransparentUpgradeableProxy(
                    address(implementation),
                    proxyAdminOwner,
                    abi.encodeCall(
                        ERC20CollateralPool.__ERC20CollateralPool_init,
                        (admin_, usdc_, address(usdcFeed), address(0), new IERC20CollateralPool.InitPool[](0))
                    )
                )
            )
        );
    }

    function _expectAddPoolRevert(IERC20CollateralPool.InitPool memory init, bytes4 selector) internal {
        vm.prank(admin);
        vm.expectRevert(selector);
        pool.addPool(init);
    }

    function _edit() internal returns (IERC20CollateralPool.EditPool memory) {
        return IERC20CollateralPool.EditPool({
            collateralTokenPriceOracle: address(new MockAggregator(18, 0.03e18)),
            collateralTokenSequencerOracle: address(0),
            maxPoolCapacity: 2_000_000e6,
            minLended: 20e6,
            minBorrow: 30e6,
            endTime: uint48(block.timestamp + 400 days),
            collateralTokenFactor: 10_500,
            collateralTokenLTVPercentage: 6000,
            interest: 800
        });
    }

    function _announce(IERC20CollateralPool.EditPool memory edit) internal {
        vm.prank(admin);
        pool.announceEditPool(POOL_ID, edit);
    }

    /// @dev A liquidation 100 days after a 1_000 USDC borrow at $0.015: 50.684932 USDC of fees.
    function _liquidationWithUsdcFee() internal returns (uint256 fee) {
        _lend(alice, 10_000e6);
        uint256 borrowId = _borrow(carol, 1000e6);
        _skip(100 days);
        _setCollateralPrice(1_500_000);
        _liquidate(carol, borrowId, 1000e6);
        return 50_684_932;
    }

    /// @dev Alice's claimCollateral of carol's loan at $0.0154: 3_291.229... tokens of fees (see ClaimCollateral.t.sol).
    function _claimCollateralWithFee() internal returns (uint256 fee) {
        uint256 lendId = _lend(alice, 10_000e6);
        uint256 borrowId = _borrow(carol, 1000e6);
        _skip(100 days);
        _setCollateralPrice(1_540_000);
        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](1);
        claims[0] = IERC20CollateralPool.Claim({lendId: lendId, usdcAmount: 2000e6});
        vm.prank(alice);
        pool.claimCollateral(POOL_ID, claims, _liquidation(carol, borrowId, 1000e6));
        return 3_291_229_350_649_350_649_350;
    }

    /* INITIALISATION */

    function test_initialize_setsState() public view {
        assertTrue(pool.hasRole(ADMIN_ROLE, admin));
        assertFalse(pool.hasRole(ADMIN_ROLE, proxyAdminOwner));
        assertEq(pool.USDC(), address(usdc));
        assertEq(pool.usdcPriceOracle(), address(usdcFeed));
        assertEq(pool.usdcSequencerOracle(), address(0));
        assertEq(pool.oracleMaxDelay(), 90_000);
        assertEq(pool.poolsLength(), 1);
        assertEq(pool.unPausedTimestamp(), 0);
        assertFalse(pool.paused());
        address[] memory tokens = pool.getCollateralTokens();
        assertEq(tokens.length, 1);
        assertEq(tokens[0], address(collateral));
    }

    function test_initialize_revertsWhen_calledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        pool.__ERC20CollateralPool_init(
            alice, address(usdc), address(usdcFeed), address(0), new IERC20CollateralPool.InitPool[](0)
        );
        assertFalse(pool.hasRole(ADMIN_ROLE, alice));
    }

    function test_initialize_revertsWhen_calledOnImplementation() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        implementation.__ERC20CollateralPool_init(
            alice, address(usdc), address(usdcFeed), address(0), new IERC20CollateralPool.InitPool[](0)
        );
    }

    function test_initialize_revertsWhen_adminIsZero() public {
        vm.expectRevert(IERC20CollateralPool.AdminMustNotBeZeroAddress.selector);
        _deployProxy(address(0), address(usdc));
    }

    function test_initialize_revertsWhen_usdcNotSixDecimals() public {
        MockERC20 wrongUsdc = new MockERC20("USD Coin 18", "USDC18", 18);
        vm.expectRevert(IERC20CollateralPool.UsdcMustHaveSixDecimals.selector);
        _deployProxy(admin, address(wrongUsdc));
    }

    /* ADD POOL */

    function test_addPool_storesParametersAndEmits() public {
        MockERC20 token = new MockERC20("Six", "SIX", 6);
        MockAggregator feed = new MockAggregator(18, 5e18);
        IERC20CollateralPool.InitPool memory init = IERC20CollateralPool.InitPool({
            collateralToken: address(token),
            collateralTokenPriceOracle: address(feed),
            collateralTokenSequencerOracle: address(0xBEEF),
            maxPoolCapacity: 500_000e6,
            minLended: 50e6,
            minBorrow: 25e6,
            endTime: uint48(block.timestamp + 30 days),
            collateralTokenFactor: 11_000,
            collateralTokenLTVPercentage: 5000,
            interest: 1200
        });
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.PoolAdded(1, admin);
        vm.prank(admin);
        pool.addPool(init);

        assertEq(pool.poolsLength(), 2);
        // Two reads: all seven return values at once are too deep for the stack in the
        // unoptimised build `make coverage` needs.
        (IERC20CollateralPool.PoolAmounts memory amounts, IERC20CollateralPool.CollateralDetails memory details,,,,,) =
            pool.pools(1);
        assertEq(abi.encode(amounts), abi.encode(IERC20CollateralPool.PoolAmounts(0, 0, 0, 0, 0, 0, 0)));
        assertEq(details.collateralToken, address(token));
        assertEq(details.collateralTokenPriceOracle, address(feed));
        assertEq(details.collateralTokenSequencerOracle, address(0xBEEF));
        assertEq(details.maxPoolCapacity, 500_000e6);
        assertEq(details.minLended, 50e6);
        assertEq(details.minBorrow, 25e6);
        assertEq(details.collateralTokenFactor, 11_000);
        assertEq(details.collateralTokenLTVPercentage, 5000);
        (,, uint256 rewardPerToken, uint256 rewardRate, uint48 lastUpdated, uint48 poolEnd, uint24 interest) =
            pool.pools(1);
        assertEq(rewardPerToken, 0);
        assertEq(rewardRate, 0);
        assertEq(lastUpdated, block.timestamp);
        assertEq(poolEnd, block.timestamp + 30 days);
        assertEq(interest, 1200);
    }

    function test_addPool_listsEachCollateralTokenOnce() public {
        vm.startPrank(admin);
        pool.addPool(defaultInitPool()); // same token as pool 0
        MockERC20 other = new MockERC20("Other", "OTH", 8);
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralToken = address(other);
        pool.addPool(init);
        pool.addPool(init);
        vm.stopPrank();

        assertEq(pool.poolsLength(), 4);
        address[] memory tokens = pool.getCollateralTokens();
        assertEq(tokens.length, 2);
        assertEq(tokens[0], address(collateral));
        assertEq(tokens[1], address(other));
    }

    function test_addPool_acceptsMaximumLtvAndCapacity() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralTokenLTVPercentage = 6500;
        init.maxPoolCapacity = type(uint64).max;
        init.collateralTokenFactor = 10_000;
        init.endTime = uint48(block.timestamp + 1);
        vm.prank(admin);
        pool.addPool(init);
        (, IERC20CollateralPool.CollateralDetails memory details,,,,,) = pool.pools(1);
        assertEq(details.collateralTokenLTVPercentage, 6500);
        assertEq(details.maxPoolCapacity, type(uint64).max);
    }

    function test_addPool_revertsWhen_collateralTokenZero() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralToken = address(0);
        _expectAddPoolRevert(init, IERC20CollateralPool.PoolCollateralTokenCannotBeZeroAddress.selector);
    }

    function test_addPool_revertsWhen_collateralTokenIsUsdc() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralToken = address(usdc);
        _expectAddPoolRevert(init, IERC20CollateralPool.CollateralTokenCannotBeUsdc.selector);
    }

    function test_addPool_revertsWhen_endTimeNotInFuture() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.endTime = uint48(block.timestamp);
        _expectAddPoolRevert(init, IERC20CollateralPool.PoolEndsAtIsInThePast.selector);
        init.endTime = uint48(block.timestamp - 1);
        _expectAddPoolRevert(init, IERC20CollateralPool.PoolEndsAtIsInThePast.selector);
    }

    function test_addPool_revertsWhen_minimumsZero() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.minLended = 0;
        _expectAddPoolRevert(init, IERC20CollateralPool.AmountTooLow.selector);
        init = defaultInitPool();
        init.minBorrow = 0;
        _expectAddPoolRevert(init, IERC20CollateralPool.AmountTooLow.selector);
    }

    function test_addPool_revertsWhen_capacityAboveUint64() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.maxPoolCapacity = uint256(type(uint64).max) + 1;
        _expectAddPoolRevert(init, IERC20CollateralPool.AmountTooBig.selector);
    }

    /// @dev The bound is inclusive: a pool may be filled by a single minimum deposit.
    function test_addPool_acceptsMinLendedEqualToCapacity() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.minLended = init.maxPoolCapacity;
        vm.prank(admin);
        pool.addPool(init);
        assertEq(pool.poolsLength(), 2);
    }

    function test_addPool_revertsWhen_minLendedAboveCapacity() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.minLended = init.maxPoolCapacity + 1;
        _expectAddPoolRevert(init, IERC20CollateralPool.MinLendedGreaterThanMaxPoolCapacity.selector);
    }

    function test_addPool_revertsWhen_factorBelowHundredPercent() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralTokenFactor = 9999;
        _expectAddPoolRevert(init, IERC20CollateralPool.CollateralTokenFactorTooLow.selector);
    }

    function test_addPool_revertsWhen_ltvZero() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralTokenLTVPercentage = 0;
        _expectAddPoolRevert(init, IERC20CollateralPool.CollateralTokenLTVPercentageCannotBeZero.selector);
    }

    function test_addPool_revertsWhen_ltvAboveMaximum() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralTokenLTVPercentage = 6501;
        _expectAddPoolRevert(init, IERC20CollateralPool.CollateralTokenLTVPercentageTooHigh.selector);
    }

    function test_addPool_revertsWhen_priceOracleZero() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralTokenPriceOracle = address(0);
        _expectAddPoolRevert(init, IERC20CollateralPool.PriceOracleCannotBeZeroAddress.selector);
    }

    function test_addPool_revertsWhen_feedHasMoreThan18Decimals() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralTokenPriceOracle = address(new MockAggregator(19, 1e19));
        _expectAddPoolRevert(init, IERC20CollateralPool.UnsupportedDecimals.selector);
    }

    function test_addPool_revertsWhen_tokenHasMoreThan18Decimals() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralToken = address(new MockERC20("Nineteen", "N19", 19));
        _expectAddPoolRevert(init, IERC20CollateralPool.UnsupportedDecimals.selector);
    }

    function test_addPool_revertsWhen_callerNotAdmin() public {
        vm.prank(alice);
        vm.expectRevert(_unauthorized(alice));
        pool.addPool(defaultInitPool());
        assertEq(pool.poolsLength(), 1);
    }

    /* POOL EDITS */

    function test_announceEditPool_storesEditAndEmits() public {
        IERC20CollateralPool.EditPool memory edit = _edit();
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.PoolEditAnnounced(POOL_ID);
        _announce(edit);

        (uint256 unlocksAt, IERC20CollateralPool.EditPool memory stored) = pool.announcedPoolEdit(POOL_ID);
        assertEq(unlocksAt, block.timestamp + 3 days);
        assertEq(abi.encode(stored), abi.encode(edit));
        // Nothing changes before the commit.
        (, IERC20CollateralPool.CollateralDetails memory details,,,, uint48 poolEnd, uint24 interest) =
            pool.pools(POOL_ID);
        assertEq(details.collateralTokenLTVPercentage, LTV);
        assertEq(poolEnd, endTime);
        assertEq(interest, INTEREST);
    }

    function test_commitEditPool_appliesEditAfterThreeDays() public {
        IERC20CollateralPool.EditPool memory edit = _edit();
        _announce(edit);
        uint256 announcedAt = vm.getBlockTimestamp(); // not block.timestamp: via-IR may re-read it after the warp

        vm.warp(announcedAt + 3 days - 1);
        vm.prank(admin);
        vm.expectRevert(IERC20CollateralPool.PoolAnnouncementIsLocked.selector);
        pool.commitEditPool(POOL_ID);

        vm.warp(announcedAt + 3 days);
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.PoolEdited(POOL_ID);
        vm.prank(admin);
        pool.commitEditPool(POOL_ID);

        (, IERC20CollateralPool.CollateralDetails memory details,,,, uint48 poolEnd, uint24 interest) =
            pool.pools(POOL_ID);
        assertEq(details.collateralToken, address(collateral), "the token is not editable");
        assertEq(details.collateralTokenPriceOracle, edit.collateralTokenPriceOracle);
        assertEq(details.collateralTokenSequencerOracle, address(0));
        assertEq(details.maxPoolCapacity, 2_000_000e6);
        assertEq(details.minLended, 20e6);
        assertEq(details.minBorrow, 30e6);
        assertEq(details.collateralTokenFactor, 10_500);
        assertEq(details.collateralTokenLTVPercentage, 6000);
        assertEq(poolEnd, edit.endTime);
        assertEq(interest, 800);
        (uint256 unlocksAt, IERC20CollateralPool.EditPool memory left) = pool.announcedPoolEdit(POOL_ID);
        assertEq(unlocksAt, 0);
        assertEq(left.collateralTokenPriceOracle, address(0));

        // The new 18-decimal feed, LTV and factor drive F6: 1_000 / 0.60 × 1.05 / 0.03 = 58_333.33... tokens.
        MockAggregator(edit.collateralTokenPriceOracle).setAnswer(0.03e18);
        usdcFeed.setAnswer(USDC_PRICE);
        assertEq(pool.calculateCollateralTokenAmount(POOL_ID, 1000e6), 58_333_333_333_333_333_333_334);
    }

    function test_commitEditPool_newInterestAppliesToNewBorrowsOnly() public {
        _lend(alice, 10_000e6);
        uint256 carolId = _borrow(carol, 1000e6);
        IERC20CollateralPool.EditPool memory edit = _edit();
        edit.collateralTokenPriceOracle = address(collateralFeed);
        edit.collateralTokenFactor = FACTOR;
        edit.collateralTokenLTVPercentage = LTV;
        _announce(edit);
        _skip(3 days);
        vm.prank(admin);
        pool.commitEditPool(POOL_ID);

        uint256 daveId = _borrow(dave, 1000e6);
        assertEq(pool.borrowInterest(POOL_ID, carol, carolId), 500);
        assertEq(pool.borrowInterest(POOL_ID, dave, daveId), 800);
        assertEq(pool.weightedBorrowed(POOL_ID), 1000e6 * uint256(500) + 1000e6 * uint256(800));
    }

    function test_announceEditPool_revertsWhen_announcementActive() public {
        _announce(_edit());
        IERC20CollateralPool.EditPool memory second = _edit();
        vm.prank(admin);
        vm.expectRevert(IERC20CollateralPool.ThereIsAlreadyActiveAnnouncementForThisPool.selector);
        pool.announceEditPool(POOL_ID, second);
    }

    function test_announceEditPool_revertsWhen_paramsInvalid() public {
        IERC20CollateralPool.EditPool memory edit = _edit();
        edit.collateralTokenLTVPercentage = 6501;
        vm.prank(admin);
        vm.expectRevert(IERC20CollateralPool.CollateralTokenLTVPercentageTooHigh.selector);
        pool.announceEditPool(POOL_ID, edit);
        (uint256 unlocksAt,) = pool.announcedPoolEdit(POOL_ID);
        assertEq(unlocksAt, 0);
    }

    function test_announceEditPool_revertsWhen_poolDoesNotExist() public {
        IERC20CollateralPool.EditPool memory edit = _edit();
        vm.prank(admin);
        vm.expectRevert(IERC20CollateralPool.PoolDoesNotExist.selector);
        pool.announceEditPool(1, edit);
    }

    function test_announceEditPool_revertsWhen_callerNotAdmin() public {
        IERC20CollateralPool.EditPool memory edit = _edit();
        vm.prank(alice);
        vm.expectRevert(_unauthorized(alice));
        pool.announceEditPool(POOL_ID, edit);
    }

    function test_commitEditPool_revertsWhen_noAnnouncement() public {
        vm.prank(admin);
        vm.expectRevert(IERC20CollateralPool.NoAnnouncementForThisPool.selector);
        pool.commitEditPool(POOL_ID);
    }

    function test_cancelEditPool_revertsWhen_noAnnouncement() public {
        vm.prank(admin);
        vm.expectRevert(IERC20CollateralPool.NoAnnouncementForThisPool.selector);
        pool.cancelEditPool(POOL_ID);
    }

    function test_cancelEditPool_withdrawsAnnouncement() public {
        _announce(_edit());
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.PoolEditCanceled(POOL_ID);
        vm.prank(admin);
        pool.cancelEditPool(POOL_ID);

        (uint256 unlocksAt,) = pool.announcedPoolEdit(POOL_ID);
        assertEq(unlocksAt, 0);
        vm.warp(block.timestamp + 3 days);
        vm.prank(admin);
        vm.expectRevert(IERC20CollateralPool.NoAnnouncementForThisPool.selector);
        pool.commitEditPool(POOL_ID);
        (,,,,,, uint24 interest) = pool.pools(POOL_ID);
        assertEq(interest, INTEREST);
        _announce(_edit()); // a new announcement is possible again
    }

    /* PAUSE */

    function test_pause_onlyAdmin() public {
        vm.prank(alice);
        vm.expectRevert(_unauthorized(alice));
        pool.pause();

        vm.expectEmit(address(pool));
        emit PausableUpgradeable.Paused(admin);
        vm.prank(admin);
        pool.pause();
        assertTrue(pool.paused());
    }

    function test_unpause_onlyAdminAndStampsTime() public {
        vm.prank(admin);
        pool.pause();
        vm.warp(block.timestamp + 5 days);

        vm.prank(alice);
        vm.expectRevert(_unauthorized(alice));
        pool.unpause();
        assertTrue(pool.paused());

        vm.expectEmit(address(pool));
        emit PausableUpgradeable.Unpaused(admin);
        vm.prank(admin);
        pool.unpause();
        assertFalse(pool.paused());
        assertEq(pool.unPausedTimestamp(), block.timestamp);
    }

    /* PROTOCOL REWARDS */

    function test_withdrawProtocolRewards_sendsUsdcFeesAndResets() public {
        uint256 fee = _liquidationWithUsdcFee();
        assertEq(pool.usdcFeesCollected(), fee);
        (uint256 availableBefore, uint256 collateralBefore) = pool.getAvailableAmountsInPool(POOL_ID);
        uint256 balanceBefore = usdc.balanceOf(address(pool));

        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.AdminWithdrawProtocolRewards(address(usdc), fee);
        vm.prank(admin);
        pool.withdrawProtocolRewards(address(usdc), treasury);

        assertEq(usdc.balanceOf(treasury), fee);
        assertEq(pool.usdcFeesCollected(), 0);
        assertEq(usdc.balanceOf(address(pool)), balanceBefore - fee);
        (uint256 availableAfter, uint256 collateralAfter) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(availableAfter, availableBefore, "user funds untouched");
        assertEq(availableAfter, usdc.balanceOf(address(pool)));
        assertEq(collateralAfter, collateralBefore);
    }

    function test_withdrawProtocolRewards_sendsCollateralFees() public {
        uint256 fee = _claimCollateralWithFee();
        assertEq(pool.getCollateralTokenProtocolFee(address(collateral)), fee);
        (uint256 availableBefore, uint256 collateralBefore) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(collateral.balanceOf(address(pool)), collateralBefore + fee);

        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.AdminWithdrawProtocolRewards(address(collateral), fee);
        vm.prank(admin);
        pool.withdrawProtocolRewards(address(collateral), treasury);

        assertEq(collateral.balanceOf(treasury), fee);
        assertEq(pool.getCollateralTokenProtocolFee(address(collateral)), 0);
        (uint256 availableAfter, uint256 collateralAfter) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(availableAfter, availableBefore);
        assertEq(collateralAfter, collateralBefore, "the borrower's remainder stays");
        assertEq(collateral.balanceOf(address(pool)), collateralAfter);
    }

    function test_withdrawProtocolRewards_neverMoreThanTrackedFees() public {
        uint256 fee = _liquidationWithUsdcFee();
        vm.startPrank(admin);
        pool.withdrawProtocolRewards(address(usdc), treasury);
        // The pool still holds lenders' USDC and the borrower's collateral remainder: none is a fee.
        assertGt(usdc.balanceOf(address(pool)), 0);
        assertGt(collateral.balanceOf(address(pool)), 0);
        vm.expectRevert(IERC20CollateralPool.AmountCannotBeZero.selector);
        pool.withdrawProtocolRewards(address(usdc), treasury);
        vm.expectRevert(IERC20CollateralPool.AmountCannotBeZero.selector);
        pool.withdrawProtocolRewards(address(collateral), treasury);
        vm.stopPrank();
        assertEq(usdc.balanceOf(treasury), fee);
        assertEq(collateral.balanceOf(treasury), 0);
    }

    function test_withdrawProtocolRewards_revertsWhen_nothingCollected() public {
        _lend(alice, 10_000e6);
        _borrow(carol, 1000e6);
        vm.startPrank(admin);
        vm.expectRevert(IERC20CollateralPool.AmountCannotBeZero.selector);
        pool.withdrawProtocolRewards(address(usdc), treasury);
        vm.expectRevert(IERC20CollateralPool.AmountCannotBeZero.selector);
        pool.withdrawProtocolRewards(address(collateral), treasury);
        vm.stopPrank();
    }

    function test_withdrawProtocolRewards_revertsWhen_recipientZero() public {
        _liquidationWithUsdcFee();
        vm.prank(admin);
        vm.expectRevert(IERC20CollateralPool.RecipientCannotBeZeroAddress.selector);
        pool.withdrawProtocolRewards(address(usdc), address(0));
    }

    function test_withdrawProtocolRewards_revertsWhen_callerNotAdmin() public {
        uint256 fee = _liquidationWithUsdcFee();
        vm.prank(alice);
        vm.expectRevert(_unauthorized(alice));
        pool.withdrawProtocolRewards(address(usdc), alice);
        assertEq(pool.usdcFeesCollected(), fee);
    }

    /* ORACLE DELAY */

    function test_setOracleMaxDelay_setsAndEmits() public {
        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.OracleMaxDelaySet(3600);
        vm.prank(admin);
        pool.setOracleMaxDelay(3600);
        assertEq(pool.oracleMaxDelay(), 3600);
    }

    function test_setOracleMaxDelay_acceptsBounds() public {
        vm.startPrank(admin);
        pool.setOracleMaxDelay(1);
        assertEq(pool.oracleMaxDelay(), 1);
        pool.setOracleMaxDelay(7 days);
        assertEq(pool.oracleMaxDelay(), 7 days);
        vm.stopPrank();
    }

    function test_setOracleMaxDelay_revertsWhen_outOfBounds() public {
        vm.startPrank(admin);
        vm.expectRevert(IERC20CollateralPool.InvalidOracleMaxDelay.selector);
        pool.setOracleMaxDelay(0);
        vm.expectRevert(IERC20CollateralPool.InvalidOracleMaxDelay.selector);
        pool.setOracleMaxDelay(7 days + 1);
        vm.stopPrank();
        assertEq(pool.oracleMaxDelay(), 90_000);
    }

    function test_setOracleMaxDelay_revertsWhen_callerNotAdmin() public {
        vm.prank(alice);
        vm.expectRevert(_unauthorized(alice));
        pool.setOracleMaxDelay(3600);
    }

    function test_setOracleMaxDelay_changesStaleness() public {
        // vm.getBlockTimestamp: under via-IR (make coverage) block.timestamp may be re-read after the warp.
        uint256 published = vm.getBlockTimestamp();
        vm.warp(published + 3601);
        // Under the default 90_000 s an hour-old answer is fresh.
        assertEq(pool.calculateCollateralTokenAmount(POOL_ID, 1000e6), 76_923_076_923_076_923_076_924);

        vm.prank(admin);
        pool.setOracleMaxDelay(3600);
        vm.expectRevert(IERC20CollateralPool.OracleDataTooOld.selector);
        pool.calculateCollateralTokenAmount(POOL_ID, 1000e6);

        vm.warp(published + 3600); // exactly the maximum age is still accepted
        assertEq(pool.calculateCollateralTokenAmount(POOL_ID, 1000e6), 76_923_076_923_076_923_076_924);
    }

    /* CONSTANTS */

    function test_constants_havePublishedValues() public view {
        assertEq(pool.LIQUIDATION_PROTOCOL_FEE(), 500);
        assertEq(pool.LIQUIDATION_FEE(), 1000);
        assertEq(pool.LIQUIDATION_MARGIN_FACTOR(), 2000);
        assertEq(pool.MAX_LTV_PERCENTAGE(), 6500);
        assertEq(pool.BPS_DIVIDER(), 10_000);
        assertEq(pool.ONE_YEAR(), 31_536_000);
        assertEq(pool.PAUSE_GRACE_PERIOD(), 86_400);
    }

    /* HARDENING: EDIT END TIMES AND DECIMALS */

    /// @dev An edit cannot end the pool before it unlocks: borrowers must see an early end coming.
    function test_announceEditPool_revertsWhen_endTimeBeforeUnlock() public {
        IERC20CollateralPool.EditPool memory edit = _edit();
        edit.endTime = uint48(block.timestamp + 3 days);
        vm.prank(admin);
        vm.expectRevert(IERC20CollateralPool.PoolEndsAtIsInThePast.selector);
        pool.announceEditPool(POOL_ID, edit);

        edit.endTime = uint48(block.timestamp + 3 days + 1);
        _announce(edit);
        (uint256 unlocksAt,) = pool.announcedPoolEdit(POOL_ID);
        assertEq(unlocksAt, block.timestamp + 3 days);
    }

    function test_commitEditPool_revertsWhen_endTimePassedWhileWaiting() public {
        IERC20CollateralPool.EditPool memory edit = _edit();
        edit.endTime = uint48(block.timestamp + 4 days);
        _announce(edit);
        vm.warp(block.timestamp + 4 days);
        vm.prank(admin);
        vm.expectRevert(IERC20CollateralPool.PoolEndsAtIsInThePast.selector);
        pool.commitEditPool(POOL_ID);

        vm.warp(block.timestamp - 1); // one second before the new end: still valid
        vm.prank(admin);
        pool.commitEditPool(POOL_ID);
        (,,,,, uint48 newEnd,) = pool.pools(POOL_ID);
        assertEq(newEnd, edit.endTime);
    }

    function test_addPool_revertsWhen_collateralHasNoDecimals() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralToken = makeAddr("not a contract");
        _expectAddPoolRevert(init, IERC20CollateralPool.UnsupportedDecimals.selector);
        init.collateralToken = address(this); // a contract without decimals()
        _expectAddPoolRevert(init, IERC20CollateralPool.UnsupportedDecimals.selector);
    }

    function test_addPool_revertsWhen_feedHasNoDecimals() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralTokenPriceOracle = makeAddr("not a feed");
        _expectAddPoolRevert(init, IERC20CollateralPool.UnsupportedDecimals.selector);
    }

    /// @dev A `decimals()` answer that is a word but not a uint8 (a non-standard token or feed)
    /// is refused, not truncated: 256 would otherwise read as 0 decimals.
    function test_addPool_revertsWhen_decimalsAnswerDoesNotFitUint8() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        MockERC20 odd = new MockERC20("Odd", "ODD", 18);
        vm.mockCall(address(odd), abi.encodeWithSignature("decimals()"), abi.encode(uint256(256)));
        init.collateralToken = address(odd);
        _expectAddPoolRevert(init, IERC20CollateralPool.UnsupportedDecimals.selector);

        init = defaultInitPool();
        MockAggregator feed = new MockAggregator(8, 1e8);
        vm.mockCall(address(feed), abi.encodeWithSignature("decimals()"), abi.encode(uint256(1) << 8));
        init.collateralTokenPriceOracle = address(feed);
        _expectAddPoolRevert(init, IERC20CollateralPool.UnsupportedDecimals.selector);
    }

    function test_addPool_revertsWhen_minBorrowAboveUint64() public {
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.minBorrow = uint256(type(uint64).max) + 1;
        _expectAddPoolRevert(init, IERC20CollateralPool.AmountTooBig.selector);
    }

    /// @dev Every F-formula scales by 1e6 for USDC: a 5- or 18-decimal "USDC" is refused, not
    /// silently mispriced by powers of ten.
    function test_init_revertsWhen_usdcDecimalsAreNotSix() public {
        uint8[2] memory wrong = [5, 18];
        for (uint256 i; i < wrong.length; ++i) {
            _expectInitRefusesUsdc(address(new MockERC20("Not USDC", "NUSD", wrong[i])));
        }
    }

    function test_init_revertsWhen_usdcIsNotAToken() public {
        _expectInitRefusesUsdc(makeAddr("not a token"));
    }

    /// @dev A fresh proxy initialised with `notUsdc` as USDC must revert `UsdcMustHaveSixDecimals`.
    function _expectInitRefusesUsdc(address notUsdc) internal {
        ERC20CollateralPool fresh = new ERC20CollateralPool();
        vm.expectRevert(IERC20CollateralPool.UsdcMustHaveSixDecimals.selector);
        new TransparentUpgradeableProxy(
            address(fresh),
            proxyAdminOwner,
            abi.encodeCall(
                ERC20CollateralPool.__ERC20CollateralPool_init,
                (admin, notUsdc, address(usdcFeed), address(0), new IERC20CollateralPool.InitPool[](0))
            )
        );
    }
}

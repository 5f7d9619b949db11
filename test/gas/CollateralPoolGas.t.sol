// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "../collateral/BaseTest.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";

/// @notice Gas benchmark of the collateral pool: one contract per operation so that all the
/// preparation happens in `setUp` (its own transaction: the measured call starts with cold storage,
/// as on chain) and the test makes exactly one measured call, recorded with `snapshotGasLastCall`
/// into snapshots/ERC20CollateralPool.json. The pool is in a steady state, not fresh: lenders,
/// an open loan, an earlier repay, claim and liquidation, so every pool counter is already non-zero
/// and the measured call pays for its own work only, as it would in a live pool. The measured
/// user acts in this pool for the first time (new position), like Morpho's "new position" figures.
abstract contract CollateralPoolGasBase is BaseTest {
    string internal constant GROUP = "ERC20CollateralPool";
    address internal erin = makeAddr("erin");
    uint256 internal borrowId;

    function setUp() public virtual override {
        super.setUp();
        _lend(alice, 100_000e6);
        borrowId = _borrow(dave, 10_000e6); // the loan the liquidation benchmarks clear
        uint256 erinBorrow = _borrow(erin, 100e6);
        _skip(1 days);
        _repay(dave, borrowId, 1000e6);
        _claim(alice, 0, 1000e6);
        _setCollateralPrice(COLLATERAL_PRICE * 70 / 100);
        _liquidate(erin, erinBorrow, 100e6);
        _setCollateralPrice(COLLATERAL_PRICE);
        _skip(1 days);
    }

    function _prepareBorrowOfCarol() internal returns (uint256 id) {
        id = _borrow(carol, 1000e6);
        _skip(30 days);
        usdc.mint(carol, 2000e6);
        vm.prank(carol);
        usdc.approve(address(pool), type(uint256).max);
    }

    function _dropPriceAndFundLiquidator() internal {
        _setCollateralPrice(COLLATERAL_PRICE * 70 / 100); // −30 %: past the 85 % threshold
        usdc.mint(liquidator, 20_000e6);
        vm.prank(liquidator);
        usdc.approve(address(pool), type(uint256).max);
    }
}

contract LendGas is CollateralPoolGasBase {
    function setUp() public override {
        super.setUp();
        usdc.mint(bob, 1000e6);
        vm.prank(bob);
        usdc.approve(address(pool), type(uint256).max);
    }

    /// @dev A new lender's first position.
    function test_gas_lend() public {
        vm.prank(bob);
        pool.lend(POOL_ID, 1000e6);
        vm.snapshotGasLastCall(GROUP, "lend");
    }
}

contract BorrowGas is CollateralPoolGasBase {
    uint256 internal required;

    function setUp() public override {
        super.setUp();
        required = pool.calculateCollateralTokenAmount(POOL_ID, 1000e6);
        collateral.mint(carol, required);
        vm.prank(carol);
        collateral.approve(address(pool), type(uint256).max);
    }

    /// @dev A new borrower's first loan: collateral pulled, two oracle reads, USDC sent.
    function test_gas_borrow() public {
        vm.prank(carol);
        pool.borrow(POOL_ID, 1000e6, required);
        vm.snapshotGasLastCall(GROUP, "borrow");
    }
}

contract RepayGas is CollateralPoolGasBase {
    uint256 internal carolBorrow;

    function setUp() public override {
        super.setUp();
        carolBorrow = _prepareBorrowOfCarol();
    }

    function test_gas_repay_partial() public {
        vm.prank(carol);
        pool.repay(POOL_ID, carolBorrow, 400e6);
        vm.snapshotGasLastCall(GROUP, "repay_partial");
    }

    /// @dev Principal + interest in, all collateral back out.
    function test_gas_repay_full() public {
        vm.prank(carol);
        pool.repay(POOL_ID, carolBorrow, 1000e6);
        vm.snapshotGasLastCall(GROUP, "repay_full");
    }
}

contract ClaimGas is CollateralPoolGasBase {
    function setUp() public override {
        super.setUp();
        _skip(30 days);
    }

    /// @dev A lender takes part of the principal and its rewards out.
    function test_gas_claim() public {
        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](1);
        claims[0] = IERC20CollateralPool.Claim({lendId: 0, usdcAmount: 50_000e6});
        vm.prank(alice);
        pool.claim(POOL_ID, claims);
        vm.snapshotGasLastCall(GROUP, "claim");
    }
}

contract ChangeCollateralGas is CollateralPoolGasBase {
    uint256 internal carolBorrow;

    function setUp() public override {
        super.setUp();
        carolBorrow = _borrowWith(carol, 1000e6, 100_000e18);
    }

    /// @dev Withdrawing part of the collateral: interest, two oracle reads, health and LTV checks.
    function test_gas_change_collateral() public {
        vm.prank(carol);
        pool.changeCollateralAmount(POOL_ID, carolBorrow, 90_000e18, LTV);
        vm.snapshotGasLastCall(GROUP, "change_collateral");
    }
}

contract LiquidateGas is CollateralPoolGasBase {
    function setUp() public override {
        super.setUp();
        _dropPriceAndFundLiquidator();
    }

    function test_gas_liquidate_partial() public {
        vm.prank(liquidator);
        pool.liquidate(POOL_ID, _liquidation(dave, borrowId, 4000e6));
        vm.snapshotGasLastCall(GROUP, "liquidate_partial");
    }

    function test_gas_liquidate_full() public {
        vm.prank(liquidator);
        pool.liquidate(POOL_ID, _liquidation(dave, borrowId, 9000e6));
        vm.snapshotGasLastCall(GROUP, "liquidate_full");
    }
}

contract ClaimCollateralGas is CollateralPoolGasBase {
    function setUp() public override {
        super.setUp();
        _setCollateralPrice(COLLATERAL_PRICE * 70 / 100);
    }

    /// @dev A lender turns 20,000 USDC of claims into the collateral of a 9,000 USDC loan.
    function test_gas_claim_collateral() public {
        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](1);
        claims[0] = IERC20CollateralPool.Claim({lendId: 0, usdcAmount: 20_000e6});
        vm.prank(alice);
        pool.claimCollateral(POOL_ID, claims, _liquidation(dave, borrowId, 9000e6));
        vm.snapshotGasLastCall(GROUP, "claim_collateral");
    }
}

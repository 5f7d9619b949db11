// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";
import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";

import {ERC20CollateralPool} from "../../contracts/collateral/ERC20CollateralPool.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";

/// @notice Builds the whole collateral-pool system once, as production deploys it: implementation,
/// TransparentUpgradeableProxy, initialiser. One pool (id 0) with the published example numbers:
/// collateral at $0.02 (8-decimal feed), USDC at $1, LTV 65 %, factor 100 %, 5 % a year.
abstract contract BaseTest is Test {
    uint256 internal constant ONE_YEAR = 31_536_000;
    uint256 internal constant POOL_ID = 0;
    uint256 internal constant CAPACITY = 1_000_000e6;
    uint256 internal constant MIN_LENDED = 10e6;
    uint256 internal constant MIN_BORROW = 10e6;
    uint24 internal constant LTV = 6500;
    uint24 internal constant FACTOR = 10_000;
    uint24 internal constant INTEREST = 500;
    int256 internal constant USDC_PRICE = 1e8;
    int256 internal constant COLLATERAL_PRICE = 2e6; // $0.02

    ERC20CollateralPool internal implementation;
    ERC20CollateralPool internal pool;
    address internal proxyAdminOwner = makeAddr("proxyAdminOwner");
    MockERC20 internal usdc;
    MockERC20 internal collateral;
    MockAggregator internal usdcFeed;
    MockAggregator internal collateralFeed;

    address internal admin = makeAddr("admin");
    address internal alice = makeAddr("alice"); // lender
    address internal bob = makeAddr("bob"); // lender
    address internal carol = makeAddr("carol"); // borrower
    address internal dave = makeAddr("dave"); // borrower
    address internal liquidator = makeAddr("liquidator");

    uint48 internal endTime;

    function setUp() public virtual {
        vm.warp(1_767_225_600); // 2026-01-01: far from 0 so time arithmetic is realistic
        usdc = new MockERC20("USD Coin", "USDC", 6);
        collateral = new MockERC20("Collateral", "COLL", 18);
        usdcFeed = new MockAggregator(8, USDC_PRICE);
        collateralFeed = new MockAggregator(8, COLLATERAL_PRICE);
        endTime = uint48(block.timestamp + 365 days);

        IERC20CollateralPool.InitPool[] memory initial = new IERC20CollateralPool.InitPool[](1);
        initial[0] = defaultInitPool();
        implementation = new ERC20CollateralPool();
        pool = ERC20CollateralPool(
            address(
                new TransparentUpgradeableProxy(
                    address(implementation),
                    proxyAdminOwner,
                    abi.encodeCall(
                        ERC20CollateralPool.__ERC20CollateralPool_init,
                        (admin, address(usdc), address(usdcFeed), address(0), initial)
                    )
                )
            )
        );
        vm.label(address(pool), "pool");
        vm.label(address(usdc), "USDC");
        vm.label(address(collateral), "COLL");
    }

    function defaultInitPool() internal view returns (IERC20CollateralPool.InitPool memory) {
        return IERC20CollateralPool.InitPool({
            collateralToken: address(collateral),
            collateralTokenPriceOracle: address(collateralFeed),
            collateralTokenSequencerOracle: address(0),
            maxPoolCapacity: CAPACITY,
            minLended: MIN_LENDED,
            minBorrow: MIN_BORROW,
            endTime: endTime,
            collateralTokenFactor: FACTOR,
            collateralTokenLTVPercentage: LTV,
            interest: INTEREST
        });
    }

    /* ACTIONS */

    function _lend(address user, uint256 amount) internal returns (uint256 lendId) {
        usdc.mint(user, amount);
        vm.startPrank(user);
        usdc.approve(address(pool), amount);
        pool.lend(POOL_ID, amount);
        vm.stopPrank();
        return pool.lendingsLength(POOL_ID, user) - 1;
    }

    /// @dev Borrows `amount` with exactly the collateral F6 requires now.
    function _borrow(address user, uint256 amount) internal returns (uint256 borrowId) {
        return _borrowWith(user, amount, pool.calculateCollateralTokenAmount(POOL_ID, amount));
    }

    function _borrowWith(address user, uint256 amount, uint256 collateralAmount) internal returns (uint256 borrowId) {
        collateral.mint(user, collateralAmount);
        vm.startPrank(user);
        collateral.approve(address(pool), collateralAmount);
        pool.borrow(POOL_ID, amount, collateralAmount);
        vm.stopPrank();
        return pool.borrowsLength(POOL_ID, user) - 1;
    }

    /// @dev Repays `amount` of principal, minting the USDC principal + interest needs.
    function _repay(address user, uint256 borrowId, uint256 amount) internal {
        (, uint256 outstanding,,) = pool.borrows(POOL_ID, user, borrowId);
        uint256 due = amount + pool.calculateRepayInterest(POOL_ID, borrowId, user) * amount / outstanding + 1;
        usdc.mint(user, due);
        vm.startPrank(user);
        usdc.approve(address(pool), due);
        pool.repay(POOL_ID, borrowId, amount);
        vm.stopPrank();
    }

    function _claim(address user, uint256 lendId, uint256 amount) internal {
        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](1);
        claims[0] = IERC20CollateralPool.Claim({lendId: lendId, usdcAmount: amount});
        vm.prank(user);
        pool.claim(POOL_ID, claims);
    }

    function _liquidation(address user, uint256 borrowId, uint256 amount)
        internal
        pure
        returns (IERC20CollateralPool.Liquidation[] memory liquidations)
    {
        liquidations = new IERC20CollateralPool.Liquidation[](1);
        liquidations[0] = IERC20CollateralPool.Liquidation({borrowId: borrowId, user: user, usdcAmount: amount});
    }

    /// @dev Liquidates with `liquidator`, minting exactly what F7 asks.
    function _liquidate(address user, uint256 borrowId, uint256 amount) internal {
        uint256 payment = pool.getLiquidatableAmountWithProtocolFee(POOL_ID, user, borrowId);
        usdc.mint(liquidator, payment);
        vm.startPrank(liquidator);
        usdc.approve(address(pool), payment);
        pool.liquidate(POOL_ID, _liquidation(user, borrowId, amount));
        vm.stopPrank();
    }

    /* TIME AND PRICES */

    /// @dev Moves time forward and republishes both feeds so they stay fresh.
    function _skip(uint256 secondsForward) internal {
        vm.warp(block.timestamp + secondsForward);
        (, int256 usdcAnswer,,,) = usdcFeed.latestRoundData();
        (, int256 collateralAnswer,,,) = collateralFeed.latestRoundData();
        usdcFeed.setAnswer(usdcAnswer);
        collateralFeed.setAnswer(collateralAnswer);
    }

    function _setCollateralPrice(int256 answer) internal {
        collateralFeed.setAnswer(answer);
    }
}

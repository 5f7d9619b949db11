// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {ProxyAdmin} from "@openzeppelin/contracts/proxy/transparent/ProxyAdmin.sol";
import {ITransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {BaseTest} from "./BaseTest.sol";
import {ERC20CollateralPool} from "../../contracts/collateral/ERC20CollateralPool.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";

/// @notice Test-only next version of the pool: same storage, one new view.
contract ERC20CollateralPoolV2Mock is ERC20CollateralPool {
    /// @notice Version marker that only the new implementation has.
    function version() external pure returns (uint256) {
        return 2;
    }
}

/// @notice Upgrading the TransparentUpgradeableProxy through its ProxyAdmin keeps every piece of
/// state (pools, positions, fees, roles, reward accumulator) and lets users carry on.
contract UpgradeTest is BaseTest {
    /// @dev keccak256(abi.encode(uint256(keccak256("defactor.storage.ERC20CollateralPool")) - 1)) & ~0xff
    bytes32 internal constant POOL_STORAGE =
        keccak256(abi.encode(uint256(keccak256("defactor.storage.ERC20CollateralPool")) - 1)) & ~bytes32(uint256(0xff));
    bytes32 internal constant ADMIN_ROLE = 0x00;

    address internal secondAdmin = makeAddr("secondAdmin");
    ERC20CollateralPoolV2Mock internal newImplementation;

    function setUp() public override {
        super.setUp();
        newImplementation = new ERC20CollateralPoolV2Mock();
    }

    /* HELPERS */

    function _proxyAdmin() internal view returns (ProxyAdmin) {
        return ProxyAdmin(address(uint160(uint256(vm.load(address(pool), ERC1967Utils.ADMIN_SLOT)))));
    }

    function _implementation() internal view returns (address) {
        return address(uint160(uint256(vm.load(address(pool), ERC1967Utils.IMPLEMENTATION_SLOT))));
    }

    function _upgrade() internal {
        ProxyAdmin proxyAdmin = _proxyAdmin();
        vm.prank(proxyAdminOwner);
        proxyAdmin.upgradeAndCall(ITransparentUpgradeableProxy(address(pool)), address(newImplementation), "");
    }

    /// @dev Lends, borrows, a USDC-fee liquidation (dave), a collateral-fee claimCollateral (bob on
    /// part of carol's loan), a second pool, a pending edit, a second admin, a new oracle delay.
    function _buildState() internal {
        _lend(alice, 10_000e6);
        _lend(bob, 5000e6);
        _borrow(carol, 1000e6);
        _borrow(dave, 500e6);
        _skip(30 days);
        _setCollateralPrice(1_500_000);
        _liquidate(dave, 0, 500e6);
        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](1);
        claims[0] = IERC20CollateralPool.Claim({lendId: 0, usdcAmount: 1000e6});
        vm.prank(bob);
        pool.claimCollateral(POOL_ID, claims, _liquidation(carol, 0, 400e6));
        _setCollateralPrice(COLLATERAL_PRICE);

        vm.startPrank(admin);
        pool.addPool(defaultInitPool());
        IERC20CollateralPool.EditPool memory edit = IERC20CollateralPool.EditPool({
            collateralTokenPriceOracle: address(collateralFeed),
            collateralTokenSequencerOracle: address(0),
            maxPoolCapacity: 42e6,
            minLended: 1e6,
            minBorrow: 1e6,
            endTime: uint48(block.timestamp + 100 days),
            collateralTokenFactor: 12_000,
            collateralTokenLTVPercentage: 4000,
            interest: 900
        });
        pool.announceEditPool(1, edit);
        pool.grantRole(ADMIN_ROLE, secondAdmin);
        pool.setOracleMaxDelay(100_000);
        pool.pause();
        pool.unpause();
        vm.stopPrank();
        _skip(10 days);
    }

    function _poolState(uint256 poolId) internal view returns (bytes memory) {
        (uint256 availableUsdc, uint256 availableCollateral) = pool.getAvailableAmountsInPool(poolId);
        return bytes.concat(
            _poolParameters(poolId),
            _poolAccumulator(poolId),
            abi.encode(availableUsdc, availableCollateral, pool.weightedBorrowed(poolId))
        );
    }

    function _poolParameters(uint256 poolId) internal view returns (bytes memory) {
        (IERC20CollateralPool.PoolAmounts memory amounts, IERC20CollateralPool.CollateralDetails memory details,,,,,) =
            pool.pools(poolId);
        return abi.encode(amounts, details);
    }

    function _poolAccumulator(uint256 poolId) internal view returns (bytes memory) {
        (,, uint256 rewardPerToken, uint256 rewardRate, uint48 lastUpdated, uint48 poolEnd, uint24 interest) =
            pool.pools(poolId);
        return abi.encode(rewardPerToken, rewardRate, lastUpdated, poolEnd, interest);
    }

    function _lendingState(address user) internal view returns (bytes memory) {
        (uint256 starting, uint256 outstanding, uint256 rewardPerTokenIgnored) = pool.lendings(POOL_ID, user, 0);
        return abi.encode(starting, outstanding, rewardPerTokenIgnored);
    }

    function _borrowState(address user) internal view returns (bytes memory) {
        (uint256 starting, uint256 outstanding, uint256 collateralAmount, uint48 borrowTime) =
            pool.borrows(POOL_ID, user, 0);
        return abi.encode(starting, outstanding, collateralAmount, borrowTime);
    }

    function _positionState() internal view returns (bytes memory) {
        return bytes.concat(
            _lendingState(alice),
            _lendingState(bob),
            _borrowState(carol),
            _borrowState(dave),
            abi.encode(
                pool.calculateReward(POOL_ID, 0, alice),
                pool.calculateReward(POOL_ID, 0, bob),
                pool.calculateRepayInterest(POOL_ID, 0, carol),
                pool.borrowInterest(POOL_ID, carol, 0),
                pool.isPositionLiquidatable(POOL_ID, carol, 0),
                pool.getLiquidatableAmountWithProtocolFee(POOL_ID, carol, 0)
            )
        );
    }

    function _globalState() internal view returns (bytes memory) {
        (uint256 unlocksAt, IERC20CollateralPool.EditPool memory edit) = pool.announcedPoolEdit(1);
        return bytes.concat(
            abi.encode(
                pool.usdcFeesCollected(),
                pool.getCollateralTokenProtocolFee(address(collateral)),
                pool.getCollateralTokens(),
                pool.hasRole(ADMIN_ROLE, admin),
                pool.hasRole(ADMIN_ROLE, secondAdmin),
                pool.hasRole(ADMIN_ROLE, alice),
                pool.oracleMaxDelay(),
                pool.unPausedTimestamp(),
                pool.paused()
            ),
            abi.encode(
                unlocksAt,
                edit,
                pool.poolsLength(),
                pool.USDC(),
                pool.usdcPriceOracle(),
                pool.usdcSequencerOracle(),
                usdc.balanceOf(address(pool)),
                collateral.balanceOf(address(pool))
            )
        );
    }

    function _state() internal view returns (bytes memory) {
        return bytes.concat(_poolState(0), _poolState(1), _positionState(), _globalState());
    }

    function _rawStorage() internal view returns (bytes32[] memory slots) {
        slots = new bytes32[](24);
        for (uint256 i; i < slots.length; ++i) {
            slots[i] = vm.load(address(pool), bytes32(uint256(POOL_STORAGE) + i));
        }
    }

    /* TESTS */

    function test_upgrade_proxyAdminOwnerSwitchesImplementation() public {
        ProxyAdmin proxyAdmin = _proxyAdmin();
        assertEq(proxyAdmin.owner(), proxyAdminOwner);
        assertEq(_implementation(), address(implementation));
        vm.expectRevert(); // the current implementation has no version()
        ERC20CollateralPoolV2Mock(address(pool)).version();

        vm.expectEmit(address(pool));
        emit IERC1967.Upgraded(address(newImplementation));
        _upgrade();

        assertEq(_implementation(), address(newImplementation));
        assertEq(ERC20CollateralPoolV2Mock(address(pool)).version(), 2);
        assertEq(address(_proxyAdmin()), address(proxyAdmin), "the proxy admin does not change");
    }

    function test_upgrade_keepsAllState() public {
        _buildState();
        // The state is not trivial: both fee kinds, rewards and an open loan exist.
        assertGt(pool.usdcFeesCollected(), 0);
        assertGt(pool.getCollateralTokenProtocolFee(address(collateral)), 0);
        (,, uint256 rewardPerToken, uint256 rewardRate,,,) = pool.pools(POOL_ID);
        assertGt(rewardPerToken, 0);
        assertGt(rewardRate, 0);
        (, uint256 carolOutstanding,,) = pool.borrows(POOL_ID, carol, 0);
        assertEq(carolOutstanding, 600e6);

        bytes memory before = _state();
        bytes32[] memory rawBefore = _rawStorage();
        _upgrade();
        assertEq(_state(), before);
        assertEq(_rawStorage(), rawBefore);
        (,, uint256 rewardPerTokenAfter,,,,) = pool.pools(POOL_ID);
        assertEq(rewardPerTokenAfter, rewardPerToken);
    }

    /// @dev The same repay, collateral withdrawal and claims give the same results with and without the upgrade.
    function test_upgrade_usersKeepActing() public {
        _buildState();
        uint256 snapshot = vm.snapshotState();
        bytes memory withoutUpgrade = _actAfterwards();
        vm.revertToState(snapshot);

        _upgrade();
        bytes memory withUpgrade = _actAfterwards();
        assertEq(withUpgrade, withoutUpgrade);
    }

    function _actAfterwards() internal returns (bytes memory) {
        (,, uint256 carolCollateral,) = pool.borrows(POOL_ID, carol, 0);
        (,, uint256 daveRemainder,) = pool.borrows(POOL_ID, dave, 0);
        uint256 carolBefore = collateral.balanceOf(carol);
        _repay(carol, 0, 600e6);
        assertEq(collateral.balanceOf(carol) - carolBefore, carolCollateral, "full repay returns all collateral");

        uint256 daveBefore = collateral.balanceOf(dave);
        vm.prank(dave);
        pool.changeCollateralAmount(POOL_ID, 0, 0, 0);
        assertEq(collateral.balanceOf(dave) - daveBefore, daveRemainder);

        uint256 aliceReward = pool.calculateReward(POOL_ID, 0, alice);
        _claim(alice, 0, 10_000e6);
        assertEq(usdc.balanceOf(alice), 10_000e6 + aliceReward);
        uint256 bobReward = pool.calculateReward(POOL_ID, 0, bob);
        uint256 bobBefore = usdc.balanceOf(bob);
        _claim(bob, 0, 4000e6);
        assertEq(usdc.balanceOf(bob) - bobBefore, 4000e6 + bobReward);

        (IERC20CollateralPool.PoolAmounts memory amounts,,,,,,) = pool.pools(POOL_ID);
        assertEq(amounts.borrowed, amounts.repaid, "every loan is settled");
        return bytes.concat(
            abi.encode(aliceReward, bobReward, carolCollateral, daveRemainder, usdc.balanceOf(carol)), _state()
        );
    }

    function test_upgrade_revertsWhen_callerNotProxyAdminOwner() public {
        ProxyAdmin proxyAdmin = _proxyAdmin();
        address[2] memory intruders = [alice, admin];
        for (uint256 i; i < intruders.length; ++i) {
            vm.prank(intruders[i]);
            vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, intruders[i]));
            proxyAdmin.upgradeAndCall(ITransparentUpgradeableProxy(address(pool)), address(newImplementation), "");
        }
        // Calling the proxy's upgrade function directly is not the admin path either.
        vm.prank(admin);
        vm.expectRevert();
        ITransparentUpgradeableProxy(address(pool)).upgradeToAndCall(address(newImplementation), "");
        assertEq(_implementation(), address(implementation));
    }

    function test_upgrade_initializerCannotRunAgain() public {
        IERC20CollateralPool.InitPool[] memory none = new IERC20CollateralPool.InitPool[](0);
        bytes memory reinit = abi.encodeCall(
            ERC20CollateralPool.__ERC20CollateralPool_init, (alice, address(usdc), address(usdcFeed), address(0), none)
        );
        // Not as part of the upgrade...
        ProxyAdmin proxyAdmin = _proxyAdmin();
        vm.prank(proxyAdminOwner);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        proxyAdmin.upgradeAndCall(ITransparentUpgradeableProxy(address(pool)), address(newImplementation), reinit);
        assertEq(_implementation(), address(implementation));

        // ...nor afterwards, on the proxy or on the new implementation itself.
        _upgrade();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        pool.__ERC20CollateralPool_init(alice, address(usdc), address(usdcFeed), address(0), none);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        newImplementation.__ERC20CollateralPool_init(alice, address(usdc), address(usdcFeed), address(0), none);
        assertFalse(pool.hasRole(ADMIN_ROLE, alice));
        assertEq(pool.USDC(), address(usdc));
    }

    function test_upgrade_adminKeepsAdministering() public {
        _upgrade();
        MockERC20 other = new MockERC20("Other", "OTH", 6);
        IERC20CollateralPool.InitPool memory init = defaultInitPool();
        init.collateralToken = address(other);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, ADMIN_ROLE)
        );
        pool.addPool(init);

        vm.expectEmit(address(pool));
        emit IERC20CollateralPool.PoolAdded(1, admin);
        vm.prank(admin);
        pool.addPool(init);
        assertEq(pool.poolsLength(), 2);
        address[] memory tokens = pool.getCollateralTokens();
        assertEq(tokens.length, 2);
        assertEq(tokens[1], address(other));
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProxyAdmin} from "@openzeppelin/contracts/proxy/transparent/ProxyAdmin.sol";
import {ITransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {CounterpartyBaseTest} from "./CounterpartyBaseTest.sol";
import {CounterpartyPool} from "../../contracts/counterparty/CounterpartyPool.sol";
import {AdminCounterpartyPool} from "../../contracts/counterparty/AdminCounterpartyPool.sol";
import {CounterpartyPoolBase} from "../../contracts/counterparty/CounterpartyPoolBase.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";
import {CounterpartyPoolV2, AdminCounterpartyPoolV2} from "../mocks/CounterpartyPoolV2.sol";

/// @notice Both variants upgrade through their ProxyAdmin (found in the ERC-1967 admin slot) to a
/// subclass with one new function; every pool, commit, fee and role survives, the initializer
/// stays locked, and only the ProxyAdmin's owner can upgrade.
contract UpgradeTest is CounterpartyBaseTest {
    /// @dev ERC-1967 slots: keccak256("eip1967.proxy.admin") − 1 and keccak256("eip1967.proxy.implementation") − 1.
    bytes32 internal constant ADMIN_SLOT = 0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103;
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    bytes32 internal constant ADMIN_ROLE = 0x00;

    address internal admin2 = makeAddr("admin2");

    /* HELPERS */

    function _proxyAdmin(address proxy) internal view returns (ProxyAdmin) {
        return ProxyAdmin(address(uint160(uint256(vm.load(proxy, ADMIN_SLOT)))));
    }

    function _implementation(address proxy) internal view returns (address) {
        return address(uint160(uint256(vm.load(proxy, IMPLEMENTATION_SLOT))));
    }

    function _upgrade(address proxy, address newImplementation) internal {
        ProxyAdmin proxyAdmin = _proxyAdmin(proxy);
        vm.prank(proxyAdminOwner);
        proxyAdmin.upgradeAndCall(ITransparentUpgradeableProxy(proxy), newImplementation, "");
    }

    /// @dev Default variant: pool 0 ACTIVE with collateral, 700 of 1,122 repaid and alice paid
    /// floor(700 × 600 / 1,100) = 381.818181; pool 1 CREATED with carol's 250; a second admin.
    function _defaultVariantState() internal {
        _createPool(_allKinds(owner, address(pools)));
        _createPool(_noCollateral());
        _commit(pools, 0, alice, 600e6);
        _commit(pools, 0, bob, 500e6);
        _commit(pools, 1, carol, 250e6);
        vm.warp(deadline);
        vm.prank(owner);
        pools.collectPool(0);
        _deposit(pools, 0, owner, 700e6);
        vm.prank(alice);
        pools.claim(0);
        vm.prank(admin);
        pools.grantRole(ADMIN_ROLE, admin2);
    }

    /// @dev Admin variant: pool 0 CLOSED with alice paid in full (partialClaimed 600), pool 1
    /// ACTIVE with carol's 250 collected and 100 deposited; a second admin.
    function _adminVariantState() internal {
        _createAdminPool(_allKinds(admin, address(adminPools)));
        _createAdminPool(_noCollateral());
        _commit(adminPools, 0, alice, 600e6);
        _commit(adminPools, 0, bob, 500e6);
        _commit(adminPools, 1, carol, 250e6);
        vm.startPrank(admin);
        adminPools.collectPool(0);
        adminPools.collectPool(1);
        vm.stopPrank();
        _deposit(adminPools, 0, admin, 1122e6);
        _deposit(adminPools, 1, admin, 100e6);
        vm.prank(admin);
        adminPools.closePool(0);
        vm.prank(alice);
        adminPools.claim(0);
        vm.prank(admin);
        adminPools.grantRole(ADMIN_ROLE, admin2);
    }

    /* PROXY ADMIN */

    function test_upgrade_throughProxyAdmin_switchesImplementation() public {
        address[2] memory proxies = [address(pools), address(adminPools)];
        address[2] memory newImpls = [address(new CounterpartyPoolV2()), address(new AdminCounterpartyPoolV2())];
        for (uint256 i; i < 2; ++i) {
            ProxyAdmin proxyAdmin = _proxyAdmin(proxies[i]);
            assertEq(proxyAdmin.owner(), proxyAdminOwner);
            address before = _implementation(proxies[i]);
            assertTrue(before != address(0));

            vm.expectEmit(proxies[i]);
            emit IERC1967.Upgraded(newImpls[i]);
            _upgrade(proxies[i], newImpls[i]);
            assertEq(_implementation(proxies[i]), newImpls[i]);
        }
        assertEq(CounterpartyPoolV2(address(pools)).version(), "2.0.0");
        assertEq(AdminCounterpartyPoolV2(address(adminPools)).version(), "2.0.0");
    }

    function test_upgrade_revertsWhen_callerNotProxyAdminOwner() public {
        address[2] memory proxies = [address(pools), address(adminPools)];
        address newImpl = address(new CounterpartyPoolV2());
        address[2] memory callers = [alice, admin]; // the pools' admin does not own the ProxyAdmin
        for (uint256 i; i < 2; ++i) {
            ProxyAdmin proxyAdmin = _proxyAdmin(proxies[i]);
            address before = _implementation(proxies[i]);
            for (uint256 j; j < 2; ++j) {
                vm.prank(callers[j]);
                vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, callers[j]));
                proxyAdmin.upgradeAndCall(ITransparentUpgradeableProxy(proxies[i]), newImpl, "");
            }
            // Asking the proxy directly only reaches the implementation, which has no such function.
            vm.prank(admin);
            vm.expectRevert();
            ITransparentUpgradeableProxy(proxies[i]).upgradeToAndCall(newImpl, "");
            assertEq(_implementation(proxies[i]), before);
        }
    }

    /* INITIALIZER */

    function test_initializer_revertsWhen_runAgain() public {
        _upgrade(address(pools), address(new CounterpartyPoolV2()));
        _upgrade(address(adminPools), address(new AdminCounterpartyPoolV2()));

        vm.prank(alice);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        pools.__Pools_init(alice);
        vm.prank(admin);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        adminPools.__Pools_init(address(usdc));
        assertFalse(pools.hasRole(ADMIN_ROLE, alice));
        assertEq(pools.USDC(), address(usdc));
    }

    function test_initializer_revertsWhen_calledOnImplementation() public {
        CounterpartyPoolBase[2] memory impls = [
            CounterpartyPoolBase(_implementation(address(pools))),
            CounterpartyPoolBase(address(new AdminCounterpartyPoolV2()))
        ];
        for (uint256 i; i < 2; ++i) {
            vm.prank(alice);
            vm.expectRevert(Initializable.InvalidInitialization.selector);
            impls[i].__Pools_init(address(usdc));
        }
    }

    /* STATE */

    function test_upgrade_preservesState() public {
        _defaultVariantState();
        bytes memory pool0 = abi.encode(pools.getPool(0));
        bytes memory pool1 = abi.encode(pools.getPool(1));

        _upgrade(address(pools), address(new CounterpartyPoolV2()));
        assertEq(CounterpartyPoolV2(address(pools)).version(), "2.0.0");

        assertEq(abi.encode(pools.getPool(0)), pool0);
        assertEq(abi.encode(pools.getPool(1)), pool1);
        (
            uint256 softCap,
            uint256 hardCap,
            uint256 totalCommitted,
            uint256 totalRewards,
            uint256 rewardsPaidOut,,
            uint48 poolDeadline,,
            uint48 minimumAPR,
            uint8 status,
            address poolOwner
        ) = pools.pools(0);
        assertEq(softCap, SOFT_CAP);
        assertEq(hardCap, HARD_CAP);
        assertEq(totalCommitted, 1100e6);
        assertEq(totalRewards, 700e6);
        assertEq(rewardsPaidOut, 381_818_181);
        assertEq(poolDeadline, deadline);
        assertEq(minimumAPR, MIN_APR);
        assertEq(status, 1);
        assertEq(poolOwner, owner);
        assertEq(pools.getPool(0).collateralTokens.length, 3);
        assertEq(pools.getPool(1).totalCommitted, 250e6);
        assertEq(pools.poolIndex(), 2);
        assertEq(pools.feesCollected(), 2 * CREATION_FEE + 22e6);
        assertEq(pools.USDC(), address(usdc));
        (uint256 aliceCommit, uint256 aliceClaimed) = pools.poolCommits(alice, 0);
        assertEq(aliceCommit, 600e6);
        assertEq(aliceClaimed, 381_818_181);
        (uint256 carolCommit,) = pools.poolCommits(carol, 1);
        assertEq(carolCommit, 250e6);
        (uint48 repaymentDate, bool defaulted) = pools.repaymentInfo(0);
        assertEq(repaymentDate, uint256(deadline) + 365 days);
        assertFalse(defaulted);
        assertTrue(pools.hasRole(ADMIN_ROLE, admin));
        assertTrue(pools.hasRole(ADMIN_ROLE, admin2));
        assertFalse(pools.hasRole(ADMIN_ROLE, owner));

        // The pools keep working: repay the rest, close, claim, withdraw fees.
        _deposit(pools, 0, owner, 422e6);
        vm.prank(owner);
        pools.closePool(0);
        assertEq(nft.ownerOf(NFT_ID), owner);
        vm.prank(alice);
        pools.claim(0);
        vm.prank(bob);
        pools.claim(0);
        assertEq(usdc.balanceOf(alice), 612e6);
        assertEq(usdc.balanceOf(bob), 510e6);
        vm.prank(admin2);
        pools.withdrawFeesCollected();
        assertEq(usdc.balanceOf(admin2), 422e6);
        assertEq(usdc.balanceOf(address(pools)), 250e6); // carol's commit to pool 1
    }

    function test_upgrade_preservesState_adminVariant() public {
        _adminVariantState();
        bytes memory pool0 = abi.encode(adminPools.getPool(0));
        bytes memory pool1 = abi.encode(adminPools.getPool(1));

        _upgrade(address(adminPools), address(new AdminCounterpartyPoolV2()));
        assertEq(AdminCounterpartyPoolV2(address(adminPools)).version(), "2.0.0");

        assertEq(abi.encode(adminPools.getPool(0)), pool0);
        assertEq(abi.encode(adminPools.getPool(1)), pool1);
        AdminCounterpartyPool.Pool memory p0 = adminPools.getPool(0);
        assertEq(p0.totalCommitted, 1100e6);
        assertEq(p0.partialClaimed, 600e6);
        assertEq(p0.totalRewards, 1122e6);
        assertEq(p0.rewardsPaidOut, 612e6);
        assertEq(p0.poolStatus, 2);
        assertEq(p0.poolOwner, admin);
        AdminCounterpartyPool.Pool memory p1 = adminPools.getPool(1);
        assertEq(p1.totalCommitted, 250e6);
        assertEq(p1.totalRewards, 100e6);
        assertEq(p1.poolStatus, 1);
        assertEq(adminPools.poolIndex(), 2);
        assertEq(adminPools.feesCollected(), 0);
        assertEq(adminPools.paidInFullCommits(0), 600e6);
        (uint256 aliceCommit, uint256 aliceClaimed) = adminPools.poolCommits(alice, 0);
        assertEq(aliceCommit, 600e6);
        assertEq(aliceClaimed, 612e6);
        assertTrue(adminPools.hasRole(ADMIN_ROLE, admin));
        assertTrue(adminPools.hasRole(ADMIN_ROLE, admin2));

        // Bob's claim completes the set; the second admin acts as borrower on the old pool.
        vm.prank(bob);
        adminPools.claim(0);
        assertEq(usdc.balanceOf(bob), 510e6);
        assertEq(adminPools.getPool(0).partialClaimed, 1100e6);
        _deposit(adminPools, 1, admin2, 155e6); // 255 required for 250 at 2 %
        vm.prank(admin2);
        adminPools.closePool(1);
        vm.prank(carol);
        adminPools.claim(1);
        assertEq(usdc.balanceOf(carol), 255e6);
        assertEq(usdc.balanceOf(address(adminPools)), 0);
    }

    function test_upgrade_preservesPause() public {
        vm.prank(admin);
        pools.pause();
        _upgrade(address(pools), address(new CounterpartyPoolV2()));
        assertTrue(pools.paused());
        _fund(owner, address(pools), CREATION_FEE);
        ICounterpartyPool.CollateralToken[] memory none = _noCollateral();
        vm.prank(owner);
        vm.expectRevert(bytes4(keccak256("EnforcedPause()")));
        pools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, none);
    }
}

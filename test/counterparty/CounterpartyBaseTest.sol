// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";
import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";

import {CounterpartyPool} from "../../contracts/counterparty/CounterpartyPool.sol";
import {AdminCounterpartyPool} from "../../contracts/counterparty/AdminCounterpartyPool.sol";
import {CounterpartyPoolBase} from "../../contracts/counterparty/CounterpartyPoolBase.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockERC721} from "../../contracts/mocks/MockERC721.sol";
import {MockERC1155} from "../../contracts/mocks/MockERC1155.sol";

/// @notice Builds both counterparty variants as production deploys them (implementation,
/// TransparentUpgradeableProxy, `__Pools_init` by the admin), with USDC and one collateral token
/// of each kind, and named actors. Pools use the published worked numbers: soft cap 1,000 USDC,
/// hard cap 2,000, minimumAPR 2 % (2_000_000 on the 1e8 scale).
abstract contract CounterpartyBaseTest is Test {
    uint256 internal constant SOFT_CAP = 1000e6;
    uint256 internal constant HARD_CAP = 2000e6;
    uint48 internal constant MIN_APR = 2_000_000; // 2 %
    uint256 internal constant CREATION_FEE = 200e6;
    uint256 internal constant NFT_ID = 7;
    uint256 internal constant ERC1155_ID = 3;

    CounterpartyPool internal pools;
    AdminCounterpartyPool internal adminPools;
    MockERC20 internal usdc;
    MockERC20 internal token; // ERC-20 collateral, 18 decimals
    MockERC721 internal nft;
    MockERC1155 internal multi;

    address internal admin = makeAddr("admin");
    address internal proxyAdminOwner = makeAddr("proxyAdminOwner");
    address internal owner = makeAddr("owner"); // borrower of default-variant pools
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");

    uint48 internal deadline;

    function setUp() public virtual {
        vm.warp(1_767_225_600); // 2026-01-01
        usdc = new MockERC20("USD Coin", "USDC", 6);
        token = new MockERC20("Collateral", "COLL", 18);
        nft = new MockERC721("Deeds", "DEED");
        multi = new MockERC1155();
        deadline = uint48(block.timestamp + 30 days);

        vm.startPrank(admin);
        pools = CounterpartyPool(
            address(
                new TransparentUpgradeableProxy(
                    address(new CounterpartyPool()),
                    proxyAdminOwner,
                    abi.encodeCall(CounterpartyPoolBase.__Pools_init, (address(usdc)))
                )
            )
        );
        adminPools = AdminCounterpartyPool(
            address(
                new TransparentUpgradeableProxy(
                    address(new AdminCounterpartyPool()),
                    proxyAdminOwner,
                    abi.encodeCall(CounterpartyPoolBase.__Pools_init, (address(usdc)))
                )
            )
        );
        vm.stopPrank();
        vm.label(address(pools), "pools");
        vm.label(address(adminPools), "adminPools");
    }

    /* COLLATERAL */

    function _noCollateral() internal pure returns (ICounterpartyPool.CollateralToken[] memory) {
        return new ICounterpartyPool.CollateralToken[](0);
    }

    /// @dev One item of each kind: 1,000 COLL, NFT #7, 50 of ERC-1155 id 3; minted to `to` and
    /// approved for `spender`.
    function _allKinds(address to, address spender) internal returns (ICounterpartyPool.CollateralToken[] memory c) {
        token.mint(to, 1000e18);
        nft.mint(to, NFT_ID);
        multi.mint(to, ERC1155_ID, 50);
        vm.startPrank(to);
        token.approve(spender, type(uint256).max);
        nft.setApprovalForAll(spender, true);
        multi.setApprovalForAll(spender, true);
        vm.stopPrank();
        c = new ICounterpartyPool.CollateralToken[](3);
        c[0] = ICounterpartyPool.CollateralToken({contractAddress: address(token), amount: 1000e18, id: 0});
        c[1] = ICounterpartyPool.CollateralToken({contractAddress: address(nft), amount: 1, id: NFT_ID});
        c[2] = ICounterpartyPool.CollateralToken({contractAddress: address(multi), amount: 50, id: ERC1155_ID});
    }

    /* ACTIONS */

    function _fund(address who, address spender, uint256 amount) internal {
        usdc.mint(who, amount);
        vm.prank(who);
        usdc.approve(spender, type(uint256).max);
    }

    /// @dev `owner` creates a default-variant pool with the published caps, paying the fee.
    function _createPool(ICounterpartyPool.CollateralToken[] memory collateral) internal returns (uint256 poolId) {
        _fund(owner, address(pools), CREATION_FEE);
        poolId = pools.poolIndex();
        vm.prank(owner);
        pools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, collateral);
    }

    /// @dev The admin creates an admin-variant pool with the published caps.
    function _createAdminPool(ICounterpartyPool.CollateralToken[] memory collateral) internal returns (uint256 poolId) {
        poolId = adminPools.poolIndex();
        vm.prank(admin);
        adminPools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, collateral);
    }

    function _commit(ICounterpartyPool target, uint256 poolId, address who, uint256 amount) internal {
        _fund(who, address(target), amount);
        vm.prank(who);
        target.commitToPool(poolId, amount);
    }

    function _deposit(ICounterpartyPool target, uint256 poolId, address by, uint256 amount) internal {
        _fund(by, address(target), amount);
        vm.prank(by);
        target.depositRewards(poolId, amount);
    }
}

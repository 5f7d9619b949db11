// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {CounterpartyBaseTest} from "./CounterpartyBaseTest.sol";
import {CounterpartyPool} from "../../contracts/counterparty/CounterpartyPool.sol";
import {AdminCounterpartyPool} from "../../contracts/counterparty/AdminCounterpartyPool.sol";
import {CounterpartyPoolBase} from "../../contracts/counterparty/CounterpartyPoolBase.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {FeeOnTransferToken} from "../mocks/FeeOnTransferToken.sol";
import {CounterpartyLyingERC721} from "../mocks/CounterpartyLyingERC721.sol";
import {CounterpartyMisdeliveringERC1155} from "../mocks/CounterpartyMisdeliveringERC1155.sol";
import {CounterpartyReentrantToken} from "../mocks/CounterpartyReentrantToken.sol";

/// @notice Collateral of every kind goes in at creation and comes back out whole (to the owner on
/// close or archive); tokens that deliver less than asked are refused; a collateral token that
/// calls back into the pool is stopped by the reentrancy guard and changes nothing.
contract CollateralRoundTripTest is CounterpartyBaseTest {
    /// @dev `CollateralTransfer.TokenTransferAmountIncludedFees()`.
    bytes4 internal constant INCLUDED_FEES = bytes4(keccak256("TokenTransferAmountIncludedFees()"));

    /// @dev The malicious collateral token of the reentrancy tests.
    CounterpartyReentrantToken internal evil;

    /* HELPERS */

    function _one(address tokenAddress, uint256 amount, uint256 id)
        internal
        pure
        returns (ICounterpartyPool.CollateralToken[] memory c)
    {
        c = new ICounterpartyPool.CollateralToken[](1);
        c[0] = ICounterpartyPool.CollateralToken({contractAddress: tokenAddress, amount: amount, id: id});
    }

    function _mintErc20(MockERC20 erc20, address to, address spender, uint256 amount) internal {
        erc20.mint(to, amount);
        vm.prank(to);
        erc20.approve(spender, type(uint256).max);
    }

    function _status(uint256 poolId) internal view returns (uint8) {
        return pools.getPool(poolId).poolStatus;
    }

    /// @dev Collects a default-variant pool at its deadline and repays exactly what closing needs.
    function _collectAndRepay(uint256 poolId) internal {
        vm.warp(deadline);
        vm.prank(owner);
        pools.collectPool(poolId);
        _deposit(pools, poolId, owner, pools.requiredRewards(poolId));
    }

    /* ROUND TRIPS */

    function test_closePool_returnsErc20WithSixDecimals() public {
        MockERC20 six = new MockERC20("Six", "SIX", 6);
        _mintErc20(six, owner, address(pools), 12_345_678);
        uint256 poolId = _createPool(_one(address(six), 12_345_678, 0));

        assertEq(six.balanceOf(address(pools)), 12_345_678);
        assertEq(six.balanceOf(owner), 0);
        CounterpartyPool.Pool memory p = pools.getPool(poolId);
        assertEq(p.collateralTokens.length, 1);
        assertEq(p.collateralTokens[0].contractAddress, address(six));
        assertEq(p.collateralTokens[0].amount, 12_345_678);
        assertEq(p.collateralTokens[0].id, 0);

        // Nothing committed: closable from CREATED once past the deadline.
        vm.warp(uint256(deadline) + 1);
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.PoolClosed(poolId, owner);
        vm.prank(owner);
        pools.closePool(poolId);
        assertEq(six.balanceOf(owner), 12_345_678);
        assertEq(six.balanceOf(address(pools)), 0);
        assertEq(_status(poolId), 2);
    }

    function test_closePool_returnsErc20WithEighteenDecimals_adminVariant() public {
        MockERC20 eighteen = new MockERC20("Eighteen", "EIGHT", 18);
        _mintErc20(eighteen, admin, address(adminPools), 123.456789012345678901e18);
        uint256 poolId = _createAdminPool(_one(address(eighteen), 123.456789012345678901e18, 0));
        assertEq(eighteen.balanceOf(address(adminPools)), 123.456789012345678901e18);

        _commit(adminPools, poolId, alice, 1000e6);
        vm.prank(admin);
        adminPools.collectPool(poolId);
        _deposit(adminPools, poolId, admin, 1020e6);
        vm.prank(admin);
        adminPools.closePool(poolId);
        assertEq(eighteen.balanceOf(admin), 123.456789012345678901e18);
        assertEq(eighteen.balanceOf(address(adminPools)), 0);
    }

    function test_closePool_returnsErc721() public {
        nft.mint(owner, 42);
        vm.prank(owner);
        nft.approve(address(pools), 42);
        uint256 poolId = _createPool(_one(address(nft), 1, 42));
        assertEq(nft.ownerOf(42), address(pools));

        _commit(pools, poolId, alice, 1000e6);
        _collectAndRepay(poolId);
        vm.prank(owner);
        pools.closePool(poolId);
        assertEq(nft.ownerOf(42), owner);
        assertEq(nft.balanceOf(address(pools)), 0);
    }

    function test_closePool_returnsErc1155_twoIds_adminVariant() public {
        multi.mint(admin, 3, 40);
        multi.mint(admin, 4, 9);
        vm.prank(admin);
        multi.setApprovalForAll(address(adminPools), true);
        ICounterpartyPool.CollateralToken[] memory c = new ICounterpartyPool.CollateralToken[](2);
        c[0] = ICounterpartyPool.CollateralToken({contractAddress: address(multi), amount: 40, id: 3});
        c[1] = ICounterpartyPool.CollateralToken({contractAddress: address(multi), amount: 9, id: 4});
        uint256 poolId = _createAdminPool(c);
        assertEq(multi.balanceOf(address(adminPools), 3), 40);
        assertEq(multi.balanceOf(address(adminPools), 4), 9);

        _commit(adminPools, poolId, alice, 500e6);
        vm.prank(admin);
        adminPools.collectPool(poolId);
        _deposit(adminPools, poolId, admin, 510e6);
        vm.prank(admin);
        adminPools.closePool(poolId);
        assertEq(multi.balanceOf(admin, 3), 40);
        assertEq(multi.balanceOf(admin, 4), 9);
        assertEq(multi.balanceOf(address(adminPools), 3) + multi.balanceOf(address(adminPools), 4), 0);
    }

    function test_archivePool_neverClosedCreatedPool_returnsAllKinds() public {
        uint256 poolId = _createPool(_allKinds(owner, address(pools)));
        vm.warp(uint256(deadline) + 60 days - 1);
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeAtLeast60DaysPastDeadline.selector);
        pools.archivePool(poolId);

        vm.warp(uint256(deadline) + 60 days);
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.PoolArchived(poolId, owner);
        vm.prank(admin); // the admin archives; the collateral still goes to the owner
        pools.archivePool(poolId);
        assertEq(_status(poolId), 3);
        assertEq(token.balanceOf(owner), 1000e18);
        assertEq(nft.ownerOf(NFT_ID), owner);
        assertEq(multi.balanceOf(owner, ERC1155_ID), 50);
        assertEq(token.balanceOf(address(pools)) + nft.balanceOf(address(pools)), 0);
        assertEq(multi.balanceOf(address(pools), ERC1155_ID), 0);
    }

    function test_archivePool_neverCollectedCreatedPool_returnsAllKinds_adminVariant() public {
        uint256 poolId = _createAdminPool(_allKinds(admin, address(adminPools)));
        _commit(adminPools, poolId, alice, 700e6);
        vm.warp(uint256(deadline) + 60 days);
        vm.prank(admin);
        vm.expectRevert(ICounterpartyPool.PoolIsNotEmpty.selector);
        adminPools.archivePool(poolId);

        vm.prank(alice);
        adminPools.uncommitFromPool(poolId);
        vm.prank(admin);
        adminPools.archivePool(poolId);
        assertEq(adminPools.getPool(poolId).poolStatus, 3);
        assertEq(usdc.balanceOf(alice), 700e6);
        assertEq(token.balanceOf(admin), 1000e18);
        assertEq(nft.ownerOf(NFT_ID), admin);
        assertEq(multi.balanceOf(admin, ERC1155_ID), 50);
        assertEq(usdc.balanceOf(address(adminPools)), 0);
    }

    function test_createPool_revertsWhen_collateralMalformed() public {
        nft.mint(owner, 9);
        vm.prank(owner);
        nft.setApprovalForAll(address(pools), true);
        _fund(owner, address(pools), CREATION_FEE);
        ICounterpartyPool.CollateralToken[] memory c = new ICounterpartyPool.CollateralToken[](2);
        c[0] = ICounterpartyPool.CollateralToken({contractAddress: address(token), amount: 1, id: 0});
        c[1] = ICounterpartyPool.CollateralToken({contractAddress: address(nft), amount: 2, id: 9});
        token.mint(owner, 1);
        vm.prank(owner);
        token.approve(address(pools), 1);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(ICounterpartyPool.InvalidCollateral.selector, 1));
        pools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, c);

        c[1].amount = 1;
        c[0].amount = 0;
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(ICounterpartyPool.InvalidCollateral.selector, 0));
        pools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, c);
        assertEq(pools.poolIndex(), 0);
    }

    /* TOKENS THAT DELIVER LESS */

    function test_createPool_revertsWhen_collateralTakesAFee() public {
        FeeOnTransferToken feeToken = new FeeOnTransferToken("Fee", "FEE", 18, 100); // 1 %
        _mintErc20(feeToken, owner, address(pools), 1000e18);
        _fund(owner, address(pools), CREATION_FEE);
        ICounterpartyPool.CollateralToken[] memory c = _one(address(feeToken), 1000e18, 0);
        vm.prank(owner);
        vm.expectRevert(INCLUDED_FEES);
        pools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, c);

        _mintErc20(feeToken, admin, address(adminPools), 1000e18);
        vm.prank(admin);
        vm.expectRevert(INCLUDED_FEES);
        adminPools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, c);

        assertEq(feeToken.balanceOf(owner), 1000e18);
        assertEq(pools.poolIndex() + adminPools.poolIndex(), 0);
    }

    function test_createPool_revertsWhen_erc721DoesNotMove() public {
        CounterpartyLyingERC721 liar = new CounterpartyLyingERC721();
        liar.mint(owner, 5);
        vm.prank(owner);
        liar.setApprovalForAll(address(pools), true);
        _fund(owner, address(pools), CREATION_FEE);
        ICounterpartyPool.CollateralToken[] memory c = _one(address(liar), 1, 5);
        vm.prank(owner);
        vm.expectRevert(INCLUDED_FEES);
        pools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, c);
        assertEq(liar.ownerOf(5), owner);
        assertEq(pools.poolIndex(), 0);
    }

    /// @dev The pool holds exactly what it records: short deliveries would be unbacked claims, and
    /// surplus would be stranded (nothing can withdraw it).
    function test_createPool_revertsWhen_erc1155DeliversOtherThanAsked() public {
        int8[2] memory deltas = [int8(-1), int8(1)];
        for (uint256 i; i < deltas.length; ++i) {
            CounterpartyMisdeliveringERC1155 liar = new CounterpartyMisdeliveringERC1155(deltas[i]);
            liar.mint(owner, ERC1155_ID, 51);
            vm.prank(owner);
            liar.setApprovalForAll(address(pools), true);
            _fund(owner, address(pools), CREATION_FEE);
            ICounterpartyPool.CollateralToken[] memory c = _one(address(liar), 50, ERC1155_ID);
            vm.prank(owner);
            vm.expectRevert(INCLUDED_FEES);
            pools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, c);
            assertEq(liar.balanceOf(owner, ERC1155_ID), 51);
            assertEq(pools.poolIndex(), 0);
        }
    }

    /// @dev Both variants behind fresh proxies whose USDC is a fee token (fee off at first).
    function _feeUsdcDeploys()
        internal
        returns (FeeOnTransferToken feeUsdc, CounterpartyPool p, AdminCounterpartyPool a)
    {
        feeUsdc = new FeeOnTransferToken("Fee USD", "fUSD", 6, 0);
        bytes memory init = abi.encodeCall(CounterpartyPoolBase.__Pools_init, (address(feeUsdc)));
        vm.startPrank(admin);
        p = CounterpartyPool(
            address(new TransparentUpgradeableProxy(address(new CounterpartyPool()), proxyAdminOwner, init))
        );
        a = AdminCounterpartyPool(
            address(new TransparentUpgradeableProxy(address(new AdminCounterpartyPool()), proxyAdminOwner, init))
        );
        vm.stopPrank();
    }

    function _fundFee(FeeOnTransferToken feeUsdc, address who, address spender, uint256 amount) internal {
        feeUsdc.mint(who, amount);
        vm.prank(who);
        feeUsdc.approve(spender, type(uint256).max);
    }

    function test_commitToPool_revertsWhen_usdcTakesAFee() public {
        (FeeOnTransferToken feeUsdc, CounterpartyPool p, AdminCounterpartyPool a) = _feeUsdcDeploys();
        _fundFee(feeUsdc, owner, address(p), CREATION_FEE);
        vm.prank(owner);
        p.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, _noCollateral());
        vm.prank(admin);
        a.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, _noCollateral());

        feeUsdc.setFeeBps(50); // 0.5 %
        _fundFee(feeUsdc, alice, address(p), 600e6);
        vm.prank(alice);
        feeUsdc.approve(address(a), type(uint256).max);
        vm.prank(alice);
        vm.expectRevert(INCLUDED_FEES);
        p.commitToPool(0, 600e6);
        vm.prank(alice);
        vm.expectRevert(INCLUDED_FEES);
        a.commitToPool(0, 600e6);

        assertEq(feeUsdc.balanceOf(alice), 600e6);
        assertEq(p.getPool(0).totalCommitted + a.getPool(0).totalCommitted, 0);
    }

    function test_createPool_revertsWhen_usdcTakesAFeeOnTheCreationFee() public {
        (FeeOnTransferToken feeUsdc, CounterpartyPool p,) = _feeUsdcDeploys();
        feeUsdc.setFeeBps(100);
        _fundFee(feeUsdc, owner, address(p), CREATION_FEE);
        vm.prank(owner);
        vm.expectRevert(INCLUDED_FEES);
        p.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, _noCollateral());
        assertEq(p.feesCollected(), 0);
        assertEq(p.poolIndex(), 0);
    }

    function test_depositRewards_revertsWhen_usdcTakesAFee() public {
        (FeeOnTransferToken feeUsdc,, AdminCounterpartyPool a) = _feeUsdcDeploys();
        vm.prank(admin);
        a.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, _noCollateral());
        _fundFee(feeUsdc, alice, address(a), 1000e6);
        vm.prank(alice);
        a.commitToPool(0, 1000e6);
        vm.prank(admin);
        a.collectPool(0);

        feeUsdc.setFeeBps(1);
        _fundFee(feeUsdc, admin, address(a), 20e6); // admin also holds the 1,000 collected
        vm.prank(admin);
        vm.expectRevert(INCLUDED_FEES);
        a.depositRewards(0, 1020e6);
        assertEq(a.getPool(0).totalRewards, 0);
    }

    /* REENTRANCY */

    /// @dev A default-variant pool locking 1,000 of the malicious token; the hook is not armed yet.
    function _evilPool() internal returns (uint256 poolId) {
        evil = new CounterpartyReentrantToken(18);
        _mintErc20(evil, owner, address(pools), 1000e18);
        poolId = _createPool(_one(address(evil), 1000e18, 0));
    }

    /// @dev The malicious token itself commits `amount` to `poolId` (so a reentrant call from it
    /// would be a lender's legitimate call if the guard let it through).
    function _evilCommits(ICounterpartyPool target, uint256 poolId, uint256 amount) internal {
        usdc.mint(address(evil), amount);
        evil.execute(address(usdc), abi.encodeCall(IERC20.approve, (address(target), type(uint256).max)));
        evil.execute(address(target), abi.encodeCall(ICounterpartyPool.commitToPool, (poolId, amount)));
    }

    function _assertReentryRefused() internal view {
        assertEq(evil.reentryCount(), 1, "hook did not fire");
        assertFalse(evil.lastCallSucceeded(), "reentrant call went through");
        assertEq(evil.lastRevertSelector(), ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
    }

    function test_reentrancy_closePoolCollateralReturn_refusesClaim() public {
        uint256 poolId = _evilPool();
        _evilCommits(pools, poolId, 400e6);
        _commit(pools, poolId, alice, 700e6);
        _collectAndRepay(poolId); // 1,122 USDC

        evil.arm(address(pools), abi.encodeCall(ICounterpartyPool.claim, (poolId)));
        vm.prank(owner);
        pools.closePool(poolId);
        _assertReentryRefused();

        assertEq(_status(poolId), 2);
        assertEq(evil.balanceOf(owner), 1000e18);
        (uint256 committed, uint256 claimed) = pools.poolCommits(address(evil), poolId);
        assertEq(committed, 400e6);
        assertEq(claimed, 0);
        assertEq(pools.paidInFullCommits(poolId), 0);
        assertEq(pools.getPool(poolId).rewardsPaidOut, 0);
        assertEq(usdc.balanceOf(address(evil)), 0);

        // The same call outside the transfer is a normal claim: 1,122 × 400 / 1,100 = 408.
        evil.execute(address(pools), abi.encodeCall(ICounterpartyPool.claim, (poolId)));
        assertEq(usdc.balanceOf(address(evil)), 408e6);
        vm.prank(alice);
        pools.claim(poolId);
        assertEq(usdc.balanceOf(alice), 714e6);
        assertEq(usdc.balanceOf(address(pools)), pools.feesCollected());
    }

    function test_reentrancy_createPoolCollateralPull_refusesCommit() public {
        evil = new CounterpartyReentrantToken(18);
        uint256 open = _createPool(_noCollateral());
        usdc.mint(address(evil), 100e6);
        evil.execute(address(usdc), abi.encodeCall(IERC20.approve, (address(pools), type(uint256).max)));

        _mintErc20(evil, owner, address(pools), 1000e18);
        evil.arm(address(pools), abi.encodeCall(ICounterpartyPool.commitToPool, (open, 100e6)));
        uint256 poolId = _createPool(_one(address(evil), 1000e18, 0));
        _assertReentryRefused();

        assertEq(evil.balanceOf(address(pools)), 1000e18);
        assertEq(pools.getPool(poolId).collateralTokens[0].amount, 1000e18);
        assertEq(pools.getPool(open).totalCommitted, 0);
        assertEq(usdc.balanceOf(address(evil)), 100e6);
        assertEq(usdc.balanceOf(address(pools)), 2 * CREATION_FEE);

        evil.execute(address(pools), abi.encodeCall(ICounterpartyPool.commitToPool, (open, 100e6)));
        assertEq(pools.getPool(open).totalCommitted, 100e6);
    }

    function test_reentrancy_claimDefaultCollateral_refusesClaimDefaultCollateral() public {
        uint256 poolId = _evilPool();
        _commit(pools, poolId, alice, 600e6);
        _evilCommits(pools, poolId, 500e6);
        vm.warp(deadline);
        vm.prank(owner);
        pools.collectPool(poolId);
        vm.prank(admin);
        pools.declareDefault(poolId);

        evil.arm(address(pools), abi.encodeCall(ICounterpartyPool.claimDefaultCollateral, (poolId)));
        vm.prank(alice);
        pools.claimDefaultCollateral(poolId);
        _assertReentryRefused();

        // floor(1,000e18 × 600 / 1,100) to alice; the token's own share is untouched.
        assertEq(evil.balanceOf(alice), 545_454_545_454_545_454_545);
        assertEq(evil.balanceOf(address(evil)), 0);
        assertEq(evil.balanceOf(address(pools)), 1000e18 - 545_454_545_454_545_454_545);

        evil.execute(address(pools), abi.encodeCall(ICounterpartyPool.claimDefaultCollateral, (poolId)));
        assertEq(evil.balanceOf(address(evil)), 454_545_454_545_454_545_455);
        assertEq(evil.balanceOf(address(pools)), 0);
    }

    function test_reentrancy_closePoolCollateralReturn_refusesClosePool() public {
        uint256 poolId = _evilPool();
        // The token borrows too: its own pool, nothing committed, closable after the deadline.
        usdc.mint(address(evil), CREATION_FEE);
        evil.execute(address(usdc), abi.encodeCall(IERC20.approve, (address(pools), type(uint256).max)));
        uint256 evilPool = pools.poolIndex();
        evil.execute(
            address(pools),
            abi.encodeCall(ICounterpartyPool.createPool, (SOFT_CAP, HARD_CAP, deadline, MIN_APR, _noCollateral()))
        );

        vm.warp(uint256(deadline) + 1);
        evil.arm(address(pools), abi.encodeCall(ICounterpartyPool.closePool, (evilPool)));
        vm.prank(owner);
        pools.closePool(poolId);
        _assertReentryRefused();

        assertEq(_status(poolId), 2);
        assertEq(_status(evilPool), 0);
        assertEq(pools.getPool(evilPool).closedTime, 0);
        assertEq(evil.balanceOf(owner), 1000e18);

        evil.execute(address(pools), abi.encodeCall(ICounterpartyPool.closePool, (evilPool)));
        assertEq(_status(evilPool), 2);
    }

    function test_reentrancy_claimRewardsForUsers_refusesClaim_adminVariant() public {
        evil = new CounterpartyReentrantToken(18);
        _mintErc20(evil, admin, address(adminPools), 1000e18);
        uint256 poolId = _createAdminPool(_one(address(evil), 1000e18, 0));
        _commit(adminPools, poolId, alice, 600e6);
        _evilCommits(adminPools, poolId, 500e6);
        vm.prank(admin);
        adminPools.collectPool(poolId);
        _deposit(adminPools, poolId, admin, 300e6);
        vm.prank(admin);
        adminPools.declareDefault(poolId);
        vm.warp(block.timestamp + 60 days);

        address[] memory users = new address[](2);
        users[0] = alice;
        users[1] = address(evil);
        evil.arm(address(adminPools), abi.encodeCall(ICounterpartyPool.claim, (poolId)));
        vm.prank(admin);
        adminPools.claimRewardsForUsers(poolId, users);
        _assertReentryRefused();

        // Each paid exactly once: floor(300 × 600 / 1,100) = 163.636363, the rest to the last.
        assertEq(usdc.balanceOf(alice), 163_636_363);
        assertEq(usdc.balanceOf(address(evil)), 136_363_637);
        (, uint256 evilClaimed) = adminPools.poolCommits(address(evil), poolId);
        assertEq(evilClaimed, 136_363_637);
        assertEq(adminPools.getPool(poolId).rewardsPaidOut, 300e6);
        assertEq(evil.balanceOf(alice), 545_454_545_454_545_454_545);
        assertEq(evil.balanceOf(address(evil)), 454_545_454_545_454_545_455);
        assertEq(usdc.balanceOf(address(adminPools)), 0);
    }
}

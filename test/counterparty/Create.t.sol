// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20Errors, IERC721Errors, IERC1155Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

import {CounterpartyBaseTest} from "./CounterpartyBaseTest.sol";
import {CounterpartyPool} from "../../contracts/counterparty/CounterpartyPool.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";

/// @notice `createPool` and `setRepaymentDate` of the default variant.
contract CreateTest is CounterpartyBaseTest {
    /* HELPERS */

    /// @dev Funds the owner's creation fee, then expects `createPool` to revert with `err`.
    function _expectCreateRevert(
        bytes memory err,
        uint256 softCap,
        uint256 hardCap,
        uint48 poolDeadline,
        ICounterpartyPool.CollateralToken[] memory collateral
    ) internal {
        _fund(owner, address(pools), CREATION_FEE);
        vm.prank(owner);
        vm.expectRevert(err);
        pools.createPool(softCap, hardCap, poolDeadline, MIN_APR, collateral);
    }

    function _one(address contractAddress, uint256 amount, uint256 id)
        internal
        pure
        returns (ICounterpartyPool.CollateralToken[] memory c)
    {
        c = new ICounterpartyPool.CollateralToken[](1);
        c[0] = ICounterpartyPool.CollateralToken({contractAddress: contractAddress, amount: amount, id: id});
    }

    /// @dev `n` ERC-20 items of one unit each, minted to and approved by the owner.
    function _erc20Items(uint256 n) internal returns (ICounterpartyPool.CollateralToken[] memory c) {
        token.mint(owner, n);
        vm.prank(owner);
        token.approve(address(pools), type(uint256).max);
        c = new ICounterpartyPool.CollateralToken[](n);
        for (uint256 i; i < n; ++i) {
            c[i] = ICounterpartyPool.CollateralToken({contractAddress: address(token), amount: 1, id: 0});
        }
    }

    /* CREATE POOL */

    function test_createPool_storesPoolTakesFeeAndCollateral() public {
        ICounterpartyPool.CollateralToken[] memory collateral = _allKinds(owner, address(pools));
        _fund(owner, address(pools), CREATION_FEE);

        vm.expectEmit(address(pools));
        emit ICounterpartyPool.PoolCreated(0, owner);
        vm.prank(owner);
        pools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, collateral);

        assertEq(pools.poolIndex(), 1);
        assertEq(pools.feesCollected(), 200e6);
        assertEq(usdc.balanceOf(address(pools)), 200e6);
        assertEq(usdc.balanceOf(owner), 0);

        CounterpartyPool.Pool memory p = pools.getPool(0);
        assertEq(p.softCap, 1000e6);
        assertEq(p.hardCap, 2000e6);
        assertEq(p.totalCommitted, 0);
        assertEq(p.totalRewards, 0);
        assertEq(p.rewardsPaidOut, 0);
        assertEq(p.createdAt, 1_767_225_600);
        assertEq(p.deadline, 1_767_225_600 + 30 days);
        assertEq(p.closedTime, 0);
        assertEq(p.minimumAPR, 2_000_000);
        assertEq(p.poolStatus, 0);
        assertEq(p.poolOwner, owner);
        assertEq(p.collateralTokens.length, 3);
        assertEq(p.collateralTokens[0].contractAddress, address(token));
        assertEq(p.collateralTokens[0].amount, 1000e18);
        assertEq(p.collateralTokens[0].id, 0);
        assertEq(p.collateralTokens[1].contractAddress, address(nft));
        assertEq(p.collateralTokens[1].amount, 1);
        assertEq(p.collateralTokens[1].id, NFT_ID);
        assertEq(p.collateralTokens[2].contractAddress, address(multi));
        assertEq(p.collateralTokens[2].amount, 50);
        assertEq(p.collateralTokens[2].id, ERC1155_ID);

        (
            uint256 softCap,
            uint256 hardCap,
            uint256 totalCommitted,
            uint256 totalRewards,
            uint256 rewardsPaidOut,
            uint48 createdAt,
            uint48 poolDeadline,
            uint48 closedTime,
            uint48 minimumAPR,
            uint8 poolStatus,
            address poolOwner
        ) = pools.pools(0);
        assertEq(softCap, 1000e6);
        assertEq(hardCap, 2000e6);
        assertEq(totalCommitted + totalRewards + rewardsPaidOut + closedTime, 0);
        assertEq(createdAt, 1_767_225_600);
        assertEq(poolDeadline, 1_767_225_600 + 30 days);
        assertEq(minimumAPR, 2_000_000);
        assertEq(poolStatus, 0);
        assertEq(poolOwner, owner);

        (uint48 repaymentDate, bool defaulted) = pools.repaymentInfo(0);
        assertEq(repaymentDate, 1_767_225_600 + 30 days + 365 days);
        assertFalse(defaulted);
    }

    function test_createPool_pullsErc20Collateral() public {
        token.mint(owner, 5e18);
        vm.prank(owner);
        token.approve(address(pools), 5e18);
        _createPool(_one(address(token), 5e18, 0));
        assertEq(token.balanceOf(address(pools)), 5e18);
        assertEq(token.balanceOf(owner), 0);
    }

    function test_createPool_pullsErc721Collateral() public {
        nft.mint(owner, NFT_ID);
        vm.prank(owner);
        nft.approve(address(pools), NFT_ID);
        _createPool(_one(address(nft), 1, NFT_ID));
        assertEq(nft.ownerOf(NFT_ID), address(pools));
    }

    function test_createPool_pullsErc1155Collateral() public {
        multi.mint(owner, ERC1155_ID, 80);
        vm.prank(owner);
        multi.setApprovalForAll(address(pools), true);
        _createPool(_one(address(multi), 50, ERC1155_ID));
        assertEq(multi.balanceOf(address(pools), ERC1155_ID), 50);
        assertEq(multi.balanceOf(owner, ERC1155_ID), 30);
    }

    function test_createPool_withoutCollateral() public {
        uint256 poolId = _createPool(_noCollateral());
        assertEq(pools.getPool(poolId).collateralTokens.length, 0);
        assertEq(pools.feesCollected(), 200e6);
    }

    function test_createPool_tenCollateralItemsAllowed() public {
        uint256 poolId = _createPool(_erc20Items(10));
        assertEq(pools.getPool(poolId).collateralTokens.length, 10);
        assertEq(token.balanceOf(address(pools)), 10);
    }

    function test_createPool_softCapEqualToHardCapAllowed() public {
        _fund(owner, address(pools), CREATION_FEE);
        vm.prank(owner);
        pools.createPool(HARD_CAP, HARD_CAP, deadline, MIN_APR, _noCollateral());
        assertEq(pools.getPool(0).softCap, 2000e6);
        assertEq(pools.getPool(0).hardCap, 2000e6);
    }

    function test_createPool_hardCapAtUint128MaxAllowed() public {
        _fund(owner, address(pools), CREATION_FEE);
        vm.prank(owner);
        pools.createPool(0, type(uint128).max, deadline, MIN_APR, _noCollateral());
        assertEq(pools.getPool(0).hardCap, type(uint128).max);
    }

    function test_createPool_deadlineExactlyOneYearAheadAllowed() public {
        uint48 farthest = uint48(block.timestamp + 365 days);
        _fund(owner, address(pools), CREATION_FEE);
        vm.prank(owner);
        pools.createPool(SOFT_CAP, HARD_CAP, farthest, MIN_APR, _noCollateral());
        assertEq(pools.getPool(0).deadline, farthest);
    }

    function test_createPool_secondPoolGetsNextIdAndSecondFee() public {
        _createPool(_noCollateral());
        uint256 second = _createPool(_noCollateral());
        assertEq(second, 1);
        assertEq(pools.poolIndex(), 2);
        assertEq(pools.feesCollected(), 400e6);
    }

    function test_createPool_revertsWhen_softCapAboveHardCap() public {
        _expectCreateRevert(
            abi.encodeWithSelector(ICounterpartyPool.SoftCapMustBeLessThanHardCap.selector),
            HARD_CAP + 1,
            HARD_CAP,
            deadline,
            _noCollateral()
        );
    }

    function test_createPool_revertsWhen_hardCapZero() public {
        _expectCreateRevert(
            abi.encodeWithSelector(ICounterpartyPool.HardCapCannotBeZero.selector), 0, 0, deadline, _noCollateral()
        );
    }

    function test_createPool_revertsWhen_hardCapAboveUint128() public {
        _expectCreateRevert(
            abi.encodeWithSelector(ICounterpartyPool.AmountTooBig.selector),
            0,
            uint256(type(uint128).max) + 1,
            deadline,
            _noCollateral()
        );
    }

    function test_createPool_revertsWhen_deadlineIsNow() public {
        _expectCreateRevert(
            abi.encodeWithSelector(ICounterpartyPool.DeadlineMustBeInFuture.selector),
            SOFT_CAP,
            HARD_CAP,
            uint48(block.timestamp),
            _noCollateral()
        );
    }

    function test_createPool_revertsWhen_deadlineMoreThanOneYearAhead() public {
        _expectCreateRevert(
            abi.encodeWithSelector(ICounterpartyPool.DeadlineMustNotBeMoreThan1YearInTheFuture.selector),
            SOFT_CAP,
            HARD_CAP,
            uint48(block.timestamp + 365 days + 1),
            _noCollateral()
        );
    }

    function test_createPool_revertsWhen_elevenCollateralItems() public {
        _expectCreateRevert(
            abi.encodeWithSelector(ICounterpartyPool.TooManyCollateralTokens.selector),
            SOFT_CAP,
            HARD_CAP,
            deadline,
            _erc20Items(11)
        );
    }

    function test_createPool_revertsWhen_collateralZeroAddress() public {
        ICounterpartyPool.CollateralToken[] memory c = _erc20Items(2);
        c[1].contractAddress = address(0);
        _expectCreateRevert(
            abi.encodeWithSelector(ICounterpartyPool.InvalidCollateral.selector, 1), SOFT_CAP, HARD_CAP, deadline, c
        );
    }

    function test_createPool_revertsWhen_collateralZeroAmount() public {
        ICounterpartyPool.CollateralToken[] memory c = _allKinds(owner, address(pools));
        c[2].amount = 0;
        _expectCreateRevert(
            abi.encodeWithSelector(ICounterpartyPool.InvalidCollateral.selector, 2), SOFT_CAP, HARD_CAP, deadline, c
        );
    }

    function test_createPool_revertsWhen_erc721AmountNotOne() public {
        ICounterpartyPool.CollateralToken[] memory c = _allKinds(owner, address(pools));
        c[1].amount = 2;
        _expectCreateRevert(
            abi.encodeWithSelector(ICounterpartyPool.InvalidCollateral.selector, 1), SOFT_CAP, HARD_CAP, deadline, c
        );
    }

    function test_createPool_revertsWhen_erc20CollateralNotApproved() public {
        token.mint(owner, 5e18);
        _expectCreateRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(pools), 0, 5e18),
            SOFT_CAP,
            HARD_CAP,
            deadline,
            _one(address(token), 5e18, 0)
        );
    }

    function test_createPool_revertsWhen_erc721CollateralNotApproved() public {
        nft.mint(owner, NFT_ID);
        _expectCreateRevert(
            abi.encodeWithSelector(IERC721Errors.ERC721InsufficientApproval.selector, address(pools), NFT_ID),
            SOFT_CAP,
            HARD_CAP,
            deadline,
            _one(address(nft), 1, NFT_ID)
        );
    }

    function test_createPool_revertsWhen_erc1155CollateralNotApproved() public {
        multi.mint(owner, ERC1155_ID, 50);
        _expectCreateRevert(
            abi.encodeWithSelector(IERC1155Errors.ERC1155MissingApprovalForAll.selector, address(pools), owner),
            SOFT_CAP,
            HARD_CAP,
            deadline,
            _one(address(multi), 50, ERC1155_ID)
        );
    }

    function test_createPool_revertsWhen_creationFeeNotApproved() public {
        usdc.mint(owner, CREATION_FEE);
        vm.prank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(pools), 0, CREATION_FEE)
        );
        pools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, _noCollateral());
    }

    function test_createPool_revertsWhen_paused() public {
        vm.prank(admin);
        pools.pause();
        _expectCreateRevert(
            abi.encodeWithSelector(PausableUpgradeable.EnforcedPause.selector),
            SOFT_CAP,
            HARD_CAP,
            deadline,
            _noCollateral()
        );
    }

    /* SET REPAYMENT DATE */

    function test_setRepaymentDate_setsDateJustAfterDeadline() public {
        uint256 poolId = _createPool(_noCollateral());
        uint48 date = deadline + 1;
        vm.expectEmit(address(pools));
        emit ICounterpartyPool.RepaymentDateSet(poolId, date);
        vm.prank(owner);
        pools.setRepaymentDate(poolId, date);
        (uint48 repaymentDate, bool defaulted) = pools.repaymentInfo(poolId);
        assertEq(repaymentDate, 1_767_225_600 + 30 days + 1);
        assertFalse(defaulted);
    }

    function test_setRepaymentDate_revertsWhen_notOwner() public {
        uint256 poolId = _createPool(_noCollateral());
        vm.prank(alice);
        vm.expectRevert(ICounterpartyPool.MustBePoolOwner.selector);
        pools.setRepaymentDate(poolId, deadline + 90 days);
    }

    function test_setRepaymentDate_revertsWhen_beforeDeadline() public {
        uint256 poolId = _createPool(_noCollateral());
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.InvalidRepaymentDate.selector);
        pools.setRepaymentDate(poolId, deadline - 1);
    }

    function test_setRepaymentDate_revertsWhen_atDeadline() public {
        uint256 poolId = _createPool(_noCollateral());
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.InvalidRepaymentDate.selector);
        pools.setRepaymentDate(poolId, deadline);
    }

    function test_setRepaymentDate_revertsWhen_somethingCommitted() public {
        uint256 poolId = _createPool(_noCollateral());
        _commit(pools, poolId, alice, 1);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.InvalidRepaymentDate.selector);
        pools.setRepaymentDate(poolId, deadline + 90 days);
    }

    function test_setRepaymentDate_revertsWhen_poolNotCreated() public {
        uint256 poolId = _createPool(_noCollateral());
        vm.warp(uint256(deadline) + 1);
        vm.prank(owner);
        pools.closePool(poolId); // nothing committed: CREATED → CLOSED
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.PoolStatusMustBeCreated.selector);
        pools.setRepaymentDate(poolId, deadline + 90 days);
    }
}

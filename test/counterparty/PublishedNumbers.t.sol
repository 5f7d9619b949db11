// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CounterpartyBaseTest} from "./CounterpartyBaseTest.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";

/// @notice The published worked numbers, end to end: soft cap 1,000, hard cap 2,000, 2 %;
/// commits 1,100 → collect fee 22 USDC → close needs 1,122 USDC of rewards.
contract PublishedNumbersTest is CounterpartyBaseTest {
    function test_publishedNumbers_feeTwentyTwoAndCloseAtElevenTwentyTwo() public {
        uint256 poolId = _createPool(_allKinds(owner, address(pools)));
        _commit(pools, poolId, alice, 600e6);
        _commit(pools, poolId, bob, 500e6);
        vm.warp(deadline);
        vm.prank(owner);
        pools.collectPool(poolId);
        assertEq(pools.feesCollected(), CREATION_FEE + 22e6);
        assertEq(usdc.balanceOf(owner), 1078e6);
        assertEq(pools.requiredRewards(poolId), 1122e6);

        _deposit(pools, poolId, owner, 1121e6);
        vm.prank(owner);
        vm.expectRevert(ICounterpartyPool.MustDepositAtleastCommittedAmount.selector);
        pools.closePool(poolId);
        _deposit(pools, poolId, owner, 1e6);
        vm.prank(owner);
        pools.closePool(poolId);
        assertEq(nft.ownerOf(NFT_ID), owner);
        assertEq(token.balanceOf(owner), 1000e18);
        assertEq(multi.balanceOf(owner, ERC1155_ID), 50);

        vm.prank(alice);
        pools.claim(poolId);
        vm.prank(bob);
        pools.claim(poolId);
        assertEq(usdc.balanceOf(alice), 612e6); // 1,122 × 600 / 1,100
        assertEq(usdc.balanceOf(bob), 510e6);
        (,,,, uint256 paidOut,,,,,,) = pools.pools(poolId);
        assertEq(paidOut, 1122e6);

        vm.warp(block.timestamp + 60 days);
        vm.prank(owner);
        pools.archivePool(poolId);
        assertEq(usdc.balanceOf(address(pools)), pools.feesCollected());
    }
}

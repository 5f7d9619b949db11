// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "./BaseTest.sol";

/// @notice One full lifecycle with exact numbers: lend, borrow, a year of interest, repay, claim.
contract LifecycleTest is BaseTest {
    function test_lifecycle_lenderEarnsTheInterestTheBorrowerPays() public {
        uint256 lendId = _lend(alice, 10_000e6);
        uint256 borrowId = _borrow(carol, 1000e6);
        (,, uint256 locked,) = pool.borrows(POOL_ID, carol, borrowId);
        assertEq(locked, 76_923_076_923_076_923_076_924); // published example
        assertEq(usdc.balanceOf(carol), 1000e6);

        _skip(ONE_YEAR);
        assertEq(pool.calculateRepayInterest(POOL_ID, borrowId, carol), 50e6);
        _repay(carol, borrowId, 1000e6);
        assertEq(collateral.balanceOf(carol), locked);

        uint256 reward = pool.calculateReward(POOL_ID, lendId, alice);
        assertLe(reward, 50e6);
        assertApproxEqAbs(reward, 50e6, 10);
        _claim(alice, lendId, 10_000e6);
        assertEq(usdc.balanceOf(alice), 10_000e6 + reward);
        (uint256 available,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(available, usdc.balanceOf(address(pool)));
        assertEq(available, 50e6 - reward); // rounding dust stays in the pool, never a deficit
    }
}

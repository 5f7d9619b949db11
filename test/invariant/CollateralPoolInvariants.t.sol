// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "../collateral/BaseTest.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {CollateralPoolHandler} from "./CollateralPoolHandler.sol";

/// @notice The collateral pool's promises (SPEC §4, properties 1–11), checked after every call of
/// random sequences of lend, claim, borrow, repay, collateral changes, liquidations,
/// claimCollateral, pause, pool edits, fee withdrawals, oracle settings, time warps and price
/// moves. Each `invariant_` function is one property; the handler counts what it saw while acting.
/// foundry.toml's 16 sequences of 256 calls per property: long enough for a loan to be lent for,
/// borrowed, hit by price moves and found by a liquidator within one sequence.
contract CollateralPoolInvariantsTest is BaseTest {
    uint256 internal constant PAUSE_GRACE_PERIOD = 86_400;

    CollateralPoolHandler internal handler;
    address internal erin = makeAddr("erin"); // third lender
    address internal frank = makeAddr("frank"); // third borrower
    address internal treasury = makeAddr("treasury");
    address[] internal lenders;
    address[] internal borrowers;

    function setUp() public override {
        super.setUp();
        lenders.push(alice);
        lenders.push(bob);
        lenders.push(erin);
        borrowers.push(carol);
        borrowers.push(dave);
        borrowers.push(frank);
        handler = new CollateralPoolHandler(
            CollateralPoolHandler.Deployment({
                pool: pool,
                usdc: usdc,
                collateral: collateral,
                usdcFeed: usdcFeed,
                collateralFeed: collateralFeed,
                admin: admin,
                treasury: treasury,
                liquidator: liquidator
            }),
            lenders,
            borrowers,
            defaultInitPool()
        );

        // Lend and borrow are listed twice (every other action needs positions to act on), and so
        // are liquidate and claimCollateral (they need an unhealthy loan, the rarest state).
        bytes4[] memory selectors = new bytes4[](18);
        selectors[0] = CollateralPoolHandler.lend.selector;
        selectors[1] = CollateralPoolHandler.claim.selector;
        selectors[2] = CollateralPoolHandler.borrow.selector;
        selectors[3] = CollateralPoolHandler.repay.selector;
        selectors[4] = CollateralPoolHandler.addCollateral.selector;
        selectors[5] = CollateralPoolHandler.removeCollateral.selector;
        selectors[6] = CollateralPoolHandler.liquidate.selector;
        selectors[7] = CollateralPoolHandler.claimCollateral.selector;
        selectors[8] = CollateralPoolHandler.togglePause.selector;
        selectors[9] = CollateralPoolHandler.editPool.selector;
        selectors[10] = CollateralPoolHandler.withdrawProtocolRewards.selector;
        selectors[11] = CollateralPoolHandler.setOracleMaxDelay.selector;
        selectors[12] = CollateralPoolHandler.warp.selector;
        selectors[13] = CollateralPoolHandler.moveCollateralPrice.selector;
        selectors[14] = CollateralPoolHandler.lend.selector;
        selectors[15] = CollateralPoolHandler.borrow.selector;
        selectors[16] = CollateralPoolHandler.liquidate.selector;
        selectors[17] = CollateralPoolHandler.claimCollateral.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice Prints how often every action was tried and went through in the run (forge shows
    /// the last run's summary with -vv).
    function afterInvariant() public view {
        handler.logCallSummary();
    }

    /* SPEC §4 */

    /// (1) The pool always holds at least the USDC lenders can claim plus the protocol's fees.
    function invariant_poolHoldsFreeUsdcPlusFees() public view {
        (uint256 available,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertGe(usdc.balanceOf(address(pool)), available + pool.usdcFeesCollected(), "USDC held < free USDC + fees");
    }

    /// (2) No USDC or collateral is created or lost: actors, pool and fee recipient hold exactly what was minted.
    function invariant_tokensAreConserved() public view {
        address[] memory holders = _holders();
        uint256 usdcHeld;
        uint256 collateralHeld;
        for (uint256 i; i < holders.length; ++i) {
            usdcHeld += usdc.balanceOf(holders[i]);
            collateralHeld += collateral.balanceOf(holders[i]);
        }
        assertEq(usdcHeld, handler.ghostUsdcMinted(), "USDC not conserved");
        assertEq(collateralHeld, handler.ghostCollateralMinted(), "collateral not conserved");
    }

    /// (3) The pool holds exactly the collateral of all borrow positions (liquidation remainders included) plus its collateral fees.
    function invariant_collateralHeldEqualsPositionsPlusFees() public view {
        uint256 inPositions;
        for (uint256 i; i < borrowers.length; ++i) {
            uint256 count = pool.borrowsLength(POOL_ID, borrowers[i]);
            for (uint256 borrowId; borrowId < count; ++borrowId) {
                (,, uint256 collateralAmount,) = pool.borrows(POOL_ID, borrowers[i], borrowId);
                inPositions += collateralAmount;
            }
        }
        assertEq(
            collateral.balanceOf(address(pool)),
            inPositions + pool.getCollateralTokenProtocolFee(address(collateral)),
            "collateral held != positions + fees"
        );
    }

    /// (4) No borrow, and no collateral removal, ever went through with less collateral than LTV × factor requires.
    function invariant_noBorrowBeyondLtvTimesFactor() public view {
        assertEq(handler.undercollateralisedBorrows(), 0, "borrow below F6 collateral succeeded");
        assertEq(handler.undercollateralisedRemovals(), 0, "removal below F6 or beyond the LTV bound succeeded");
    }

    /// (5) The interest owed on a borrow never goes down as time passes while its principal stays the same.
    function invariant_interestNeverDecreasesWithTime() public view {
        assertEq(handler.interestDecreases(), 0, "calculateRepayInterest decreased");
    }

    /// (6) A position is liquidatable exactly when it is unhealthy (F8) or overdue; outside pause and grace, liquidation follows that.
    function invariant_onlyUnhealthyPositionsAreLiquidatable() public view {
        for (uint256 i; i < borrowers.length; ++i) {
            uint256 count = pool.borrowsLength(POOL_ID, borrowers[i]);
            for (uint256 borrowId; borrowId < count; ++borrowId) {
                (bool unhealthy, bool unhealthyWithinRounding) = handler.referenceLiquidatable(borrowers[i], borrowId);
                bool liquidatable = pool.isPositionLiquidatable(POOL_ID, borrowers[i], borrowId);
                if (unhealthy) assertTrue(liquidatable, "unhealthy position reported healthy");
                if (!unhealthyWithinRounding) assertFalse(liquidatable, "healthy position reported liquidatable");
            }
        }
        assertEq(handler.healthyLiquidations(), 0, "a healthy position was liquidated");
        assertEq(handler.unhealthyLiquidationsRefused(), 0, "an unhealthy position could not be liquidated");
        assertEq(handler.liquidationsDuringGrace(), 0, "liquidation during the pause grace period");
    }

    /// (7) Borrowers never pay less than the reference model, and lenders never receive more than borrowers pay or owe.
    function invariant_borrowersPayAtLeastAndLendersGetAtMostTheReference() public view {
        assertEq(handler.underpayments(), 0, "a repay or liquidation paid less than the reference");
        assertEq(handler.overpaidRewards(), 0, "a lender received more than the reference");
        assertEq(handler.liquidationCollateralMismatches(), 0, "liquidator collateral differs from F9");

        uint256 interestOwed;
        for (uint256 i; i < borrowers.length; ++i) {
            address borrower = borrowers[i];
            uint256 count = pool.borrowsLength(POOL_ID, borrower);
            for (uint256 borrowId; borrowId < count; ++borrowId) {
                assertGe(
                    handler.interestPaidOn(borrower, borrowId),
                    handler.referenceInterestOn(borrower, borrowId),
                    "interest paid on a borrow below F1"
                );
                (, uint256 principal,,) = pool.borrows(POOL_ID, borrower, borrowId);
                uint256 expected = handler.referenceInterest(borrower, borrowId, principal);
                assertGe(pool.calculateRepayInterest(POOL_ID, borrowId, borrower), expected, "interest owed below F1");
                interestOwed += expected;
            }
        }
        uint256 rewardsPending;
        for (uint256 i; i < lenders.length; ++i) {
            uint256 count = pool.lendingsLength(POOL_ID, lenders[i]);
            for (uint256 lendId; lendId < count; ++lendId) {
                (, uint256 outstanding,) = pool.lendings(POOL_ID, lenders[i], lendId);
                uint256 reward = pool.calculateReward(POOL_ID, lendId, lenders[i]);
                assertLe(reward, handler.referenceReward(lenders[i], lendId, outstanding), "reward above F3");
                rewardsPending += reward;
            }
        }
        // Lenders may claim accrued rewards before borrowers pay them (they are paid from idle
        // liquidity), so "rewards paid ≤ interest paid" only holds once loans are settled (checked
        // in (11)); at any time the bound must count the interest still owed.
        (IERC20CollateralPool.PoolAmounts memory amounts,,,,,,) = pool.pools(POOL_ID);
        assertLe(
            amounts.claimedRewards + rewardsPending,
            amounts.rewards + interestOwed,
            "rewards paid or pending exceed interest paid or owed"
        );
    }

    /// (8) While paused, only repaying and adding collateral can change positions, and those two are never refused.
    function invariant_pauseAllowsOnlyRepayAndAddCollateral() public view {
        assertEq(handler.pausedActionsSucceeded(), 0, "a blocked action succeeded while paused");
        assertEq(handler.repaysRefused(), 0, "a valid repay was refused");
        assertEq(handler.collateralAdditionsRefused(), 0, "adding collateral was refused");
    }

    /// (9) No lend exceeded the pool capacity, no loan or claim exceeded free USDC, and positions respect their minimums.
    /// @dev Capacity (F4) is a check on each lend, not a state bound: repaying raises
    /// (lended − claimed) + repaid − borrowed, and an edit may lower maxPoolCapacity, so that sum
    /// can legitimately exceed the capacity (lend 1M, borrow 500k, lend 500k, repay 500k → 1.5M).
    /// Likewise an edit may raise minBorrow above older loans: each open loan is held to the
    /// minBorrow in force when its principal last changed.
    function invariant_capacityAndMinimumsHold() public view {
        assertEq(
            handler.capacityBreaches(), 0, "a lend beyond capacity, or a borrow or claim beyond free USDC, succeeded"
        );
        assertEq(handler.minimumBreaches(), 0, "an action below a minimum (or a lend/borrow after endTime) succeeded");
        for (uint256 i; i < borrowers.length; ++i) {
            uint256 count = pool.borrowsLength(POOL_ID, borrowers[i]);
            for (uint256 borrowId; borrowId < count; ++borrowId) {
                (, uint256 principal,,) = pool.borrows(POOL_ID, borrowers[i], borrowId);
                if (principal != 0) {
                    assertGe(
                        principal,
                        handler.minBorrowAtLastChange(borrowers[i], borrowId),
                        "open borrow below the minBorrow of its last change"
                    );
                }
            }
        }
    }

    /// (10) The reward accumulator never decreases.
    function invariant_rewardPerTokenNeverDecreases() public view {
        assertEq(handler.rewardPerTokenDecreases(), 0, "rewardPerToken decreased");
        (,, uint256 rewardPerToken,,,,) = pool.pools(POOL_ID);
        assertGe(rewardPerToken, handler.lastRewardPerTokenSeen(), "rewardPerToken below its last value");
    }

    /// (11) Once every loan is repaid, every lender can claim back all principal plus rewards.
    function invariant_settledPoolPaysEveryLender() public {
        uint256 snapshot = vm.snapshotState();
        if (pool.paused()) {
            vm.prank(admin);
            pool.unpause();
        }
        _skip(PAUSE_GRACE_PERIOD + 1);

        for (uint256 i; i < borrowers.length; ++i) {
            uint256 count = pool.borrowsLength(POOL_ID, borrowers[i]);
            for (uint256 borrowId; borrowId < count; ++borrowId) {
                (, uint256 principal,,) = pool.borrows(POOL_ID, borrowers[i], borrowId);
                if (principal == 0) continue;
                usdc.mint(borrowers[i], principal + pool.calculateRepayInterest(POOL_ID, borrowId, borrowers[i]));
                vm.prank(borrowers[i]); // approved by the handler
                try pool.repay(POOL_ID, borrowId, principal) {}
                catch (bytes memory reason) {
                    _settlementFailed("repay", borrowers[i], borrowId, reason);
                }
            }
        }

        for (uint256 i; i < lenders.length; ++i) {
            uint256 count = pool.lendingsLength(POOL_ID, lenders[i]);
            for (uint256 lendId; lendId < count; ++lendId) {
                (, uint256 outstanding,) = pool.lendings(POOL_ID, lenders[i], lendId);
                if (outstanding == 0) continue;
                uint256 reward = pool.calculateReward(POOL_ID, lendId, lenders[i]);
                uint256 balanceBefore = usdc.balanceOf(lenders[i]);
                IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](1);
                claims[0] = IERC20CollateralPool.Claim({lendId: lendId, usdcAmount: outstanding});
                vm.prank(lenders[i]);
                try pool.claim(POOL_ID, claims) {
                    assertEq(
                        usdc.balanceOf(lenders[i]) - balanceBefore,
                        outstanding + reward,
                        "settled: a claim paid other than principal + rewards"
                    );
                } catch (bytes memory reason) {
                    _settlementFailed("claim", lenders[i], lendId, reason);
                }
            }
        }

        (IERC20CollateralPool.PoolAmounts memory amounts,,,,,,) = pool.pools(POOL_ID);
        assertLe(amounts.claimedRewards, amounts.rewards, "settled: rewards paid exceed interest paid");
        assertGe(usdc.balanceOf(address(pool)), pool.usdcFeesCollected(), "settled: fees not covered");
        vm.revertToState(snapshot);
    }

    /* BOOKKEEPING */

    /// The pool's running totals equal the sums over its positions and the handler's independent bookkeeping (F2, F5, F7 fees).
    function invariant_trackedTotalsMatchPositionsAndModel() public view {
        (IERC20CollateralPool.PoolAmounts memory amounts,, uint256 rewardPerToken, uint256 rewardRate,,,) =
            pool.pools(POOL_ID);

        uint256 lent;
        for (uint256 i; i < lenders.length; ++i) {
            uint256 count = pool.lendingsLength(POOL_ID, lenders[i]);
            for (uint256 lendId; lendId < count; ++lendId) {
                (, uint256 outstanding,) = pool.lendings(POOL_ID, lenders[i], lendId);
                lent += outstanding;
            }
        }
        uint256 borrowed;
        uint256 weighted;
        uint256 collateralInPositions;
        for (uint256 i; i < borrowers.length; ++i) {
            uint256 count = pool.borrowsLength(POOL_ID, borrowers[i]);
            for (uint256 borrowId; borrowId < count; ++borrowId) {
                (, uint256 principal, uint256 collateralAmount,) = pool.borrows(POOL_ID, borrowers[i], borrowId);
                borrowed += principal;
                weighted += principal * pool.borrowInterest(POOL_ID, borrowers[i], borrowId);
                collateralInPositions += collateralAmount;
            }
        }
        assertEq(lent, amounts.lended - amounts.claimed, "sum of lendings != lended - claimed");
        assertEq(borrowed, amounts.borrowed - amounts.repaid, "sum of borrows != borrowed - repaid");
        assertEq(pool.weightedBorrowed(POOL_ID), weighted, "weightedBorrowed != sum of principal x rate");
        assertEq(amounts.collateralTokenAmount, collateralInPositions, "pool collateral != sum of positions");

        assertEq(amounts.lended, handler.ghostLended(), "lended != model");
        assertEq(amounts.claimed, handler.ghostClaimed(), "claimed != model");
        assertEq(amounts.borrowed, handler.ghostBorrowed(), "borrowed != model");
        assertEq(amounts.repaid, handler.ghostRepaid(), "repaid != model");
        assertEq(amounts.rewards, handler.ghostInterestPaid(), "rewards != F1 interest paid by the model");
        assertEq(amounts.claimedRewards, handler.ghostRewardsPaid(), "claimedRewards != F3 rewards of the model");
        assertEq(rewardPerToken, handler.ghostRewardPerToken(), "rewardPerToken != F2 model");
        assertEq(rewardRate, handler.ghostRewardRate(), "rewardRate != F2 model");
        assertEq(
            rewardRate,
            handler.referenceRewardRate(weighted, amounts.lended - amounts.claimed),
            "rewardRate != F2 of the positions"
        );

        (uint256 available,) = pool.getAvailableAmountsInPool(POOL_ID);
        assertEq(available, handler.freeUsdc(), "getAvailableAmountsInPool != F5 model");
        assertEq(
            pool.usdcFeesCollected() + handler.ghostUsdcFeesWithdrawn(),
            handler.ghostUsdcFeesEarned(),
            "USDC fees held + withdrawn != F7 fees earned"
        );
        assertEq(
            pool.getCollateralTokenProtocolFee(address(collateral)) + handler.ghostCollateralFeesWithdrawn(),
            handler.ghostCollateralFeesEarned(),
            "collateral fees held + withdrawn != fees earned"
        );
        assertEq(handler.feeWithdrawalMismatches(), 0, "a fee withdrawal moved something other than tracked fees");
        assertEq(handler.adminActionsRefused(), 0, "a valid admin action was refused");
        // With no donations, every USDC unit the pool holds is either free or a fee.
        assertEq(usdc.balanceOf(address(pool)), available + pool.usdcFeesCollected(), "USDC held != free + fees");
    }

    function _settlementFailed(string memory action, address user, uint256 positionId, bytes memory reason) internal {
        emit log_named_address("user", user);
        emit log_named_uint("position", positionId);
        emit log_named_bytes("revert data", reason);
        assertTrue(false, string.concat("settled pool: a ", action, " reverted"));
    }

    function _holders() internal view returns (address[] memory holders) {
        holders = new address[](lenders.length + borrowers.length + 3);
        uint256 n;
        for (uint256 i; i < lenders.length; ++i) {
            holders[n++] = lenders[i];
        }
        for (uint256 i; i < borrowers.length; ++i) {
            holders[n++] = borrowers[i];
        }
        holders[n++] = liquidator;
        holders[n++] = treasury;
        holders[n] = address(pool);
    }
}

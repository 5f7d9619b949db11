// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CounterpartyBaseTest} from "../counterparty/CounterpartyBaseTest.sol";
import {CounterpartyPoolBase} from "../../contracts/counterparty/CounterpartyPoolBase.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";
import {CounterpartyPoolHandler} from "./CounterpartyPoolHandler.sol";

/// @notice The counterparty pools' promises (SPEC §4, properties 12–16, plus "every token can
/// leave"), checked after every call of random sequences of pool creations (with ERC-20, ERC-721
/// and ERC-1155 collateral), repayment-date changes, commits, uncommits, collects, deposits,
/// closes, claims, defaults (by anyone and by the admin), default-collateral claims, archives,
/// the owner's and admin's *ForUsers calls, fee withdrawals, pauses and time warps.
/// Each `invariant_` function is one property; the handler keeps the model it is checked against.
/// Written once for both variants: `CounterpartyPoolInvariants` and
/// `AdminCounterpartyPoolInvariants` below only say which one they drive.
abstract contract CounterpartyPoolInvariantsBase is CounterpartyBaseTest {
    uint256 internal constant COLLECT_FEE_BPS = 200;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant ARCHIVE_DELAY = 60 days;

    CounterpartyPoolHandler internal handler;
    /// @notice The variant under test, behind its proxy.
    CounterpartyPoolBase internal target;
    address internal owner2 = makeAddr("owner2");
    address internal keeper = makeAddr("keeper");
    address[] internal lenders;

    /// @dev True for the admin variant.
    function _adminVariant() internal pure virtual returns (bool);

    function setUp() public override {
        super.setUp();
        bool adminVariant = _adminVariant();
        target = adminVariant ? CounterpartyPoolBase(address(adminPools)) : CounterpartyPoolBase(address(pools));
        lenders.push(alice);
        lenders.push(bob);
        lenders.push(carol);
        address[] memory borrowers = new address[](adminVariant ? 1 : 2);
        if (adminVariant) {
            borrowers[0] = admin;
        } else {
            borrowers[0] = owner;
            borrowers[1] = owner2;
        }
        handler = new CounterpartyPoolHandler(
            CounterpartyPoolHandler.Deployment({
                pool: target,
                adminVariant: adminVariant,
                usdc: usdc,
                token: token,
                nft: nft,
                multi: multi,
                admin: admin,
                keeper: keeper
            }),
            lenders,
            borrowers
        );

        // Each action once, then extra weight: commit 4 more times, warp twice more, and once more
        // createPool, setRepaymentDate, collect, deposit, close, claim, declareDefault,
        // claimDefaultCollateral and togglePause. A pool must be filled, reach its deadline and be
        // collected before most actions have anything to act on.
        bytes4[] memory selectors = new bytes4[](31);
        selectors[0] = CounterpartyPoolHandler.createPool.selector;
        selectors[1] = CounterpartyPoolHandler.setRepaymentDate.selector;
        selectors[2] = CounterpartyPoolHandler.commit.selector;
        selectors[3] = CounterpartyPoolHandler.uncommit.selector;
        selectors[4] = CounterpartyPoolHandler.collect.selector;
        selectors[5] = CounterpartyPoolHandler.depositRewards.selector;
        selectors[6] = CounterpartyPoolHandler.close.selector;
        selectors[7] = CounterpartyPoolHandler.claim.selector;
        selectors[8] = CounterpartyPoolHandler.declareDefault.selector;
        selectors[9] = CounterpartyPoolHandler.claimDefaultCollateral.selector;
        selectors[10] = CounterpartyPoolHandler.archive.selector;
        selectors[11] = CounterpartyPoolHandler.claimRewardsForUsers.selector;
        selectors[12] = CounterpartyPoolHandler.uncommitForUsers.selector;
        selectors[13] = CounterpartyPoolHandler.withdrawFeesCollected.selector;
        selectors[14] = CounterpartyPoolHandler.togglePause.selector;
        selectors[15] = CounterpartyPoolHandler.warp.selector;
        selectors[16] = CounterpartyPoolHandler.createPool.selector;
        selectors[17] = CounterpartyPoolHandler.setRepaymentDate.selector;
        selectors[18] = CounterpartyPoolHandler.commit.selector;
        selectors[19] = CounterpartyPoolHandler.commit.selector;
        selectors[20] = CounterpartyPoolHandler.commit.selector;
        selectors[21] = CounterpartyPoolHandler.commit.selector;
        selectors[22] = CounterpartyPoolHandler.collect.selector;
        selectors[23] = CounterpartyPoolHandler.depositRewards.selector;
        selectors[24] = CounterpartyPoolHandler.close.selector;
        selectors[25] = CounterpartyPoolHandler.claim.selector;
        selectors[26] = CounterpartyPoolHandler.declareDefault.selector;
        selectors[27] = CounterpartyPoolHandler.claimDefaultCollateral.selector;
        selectors[28] = CounterpartyPoolHandler.togglePause.selector;
        selectors[29] = CounterpartyPoolHandler.warp.selector;
        selectors[30] = CounterpartyPoolHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice Prints, after each run, how often every action went through (visible with -vv).
    function afterInvariant() public view {
        handler.logCallSummary();
    }

    /* SPEC §4 */

    /// (12) In every pool the lenders' commits add up to totalCommitted, which never exceeds the hard cap.
    function invariant_commitsAddUpToTotalCommittedWithinHardCap() public view {
        for (uint256 poolId; poolId < handler.poolCount(); ++poolId) {
            CounterpartyPoolHandler.PoolView memory v = handler.poolView(poolId);
            uint256 sum;
            for (uint256 i; i < lenders.length; ++i) {
                (uint256 amount,) = target.poolCommits(lenders[i], poolId);
                assertEq(amount, handler.ghostLender(poolId, lenders[i]).commit, "commit differs from the model");
                sum += amount;
            }
            assertEq(sum, v.totalCommitted, "sum of commits != totalCommitted");
            assertEq(v.totalCommitted, handler.ghostPool(poolId).committed, "totalCommitted differs from the model");
            assertLe(v.totalCommitted, v.hardCap, "totalCommitted above the hard cap");
        }
        assertEq(handler.refundMismatches(), 0, "an uncommit returned a different amount than the commit");
    }

    /// (13) A pool's status only moves forward, CREATED → ACTIVE → CLOSED → ARCHIVED, and only by the actions that lead there.
    function invariant_statusOnlyMovesForward() public view {
        for (uint256 poolId; poolId < handler.poolCount(); ++poolId) {
            ICounterpartyPool.PoolStatus[] memory history = handler.statusHistoryOf(poolId);
            for (uint256 i = 1; i < history.length; ++i) {
                assertGt(uint8(history[i]), uint8(history[i - 1]), "status moved backwards");
            }
            uint8 current = uint8(handler.statusOf(poolId));
            assertEq(current, uint8(history[history.length - 1]), "status changed outside the history");
            assertEq(
                current, uint8(handler.ghostPool(poolId).status), "status differs from the actions that went through"
            );
        }
    }

    /// (14) No pool pays out more rewards than were deposited; each lender gets at most its pro-rata share of the deposits (exactly that once paid in full), and only the last lender paid in full also gets the rounding remainder.
    function invariant_rewardsAreProRataAndNeverExceedDeposits() public view {
        for (uint256 poolId; poolId < handler.poolCount(); ++poolId) {
            CounterpartyPoolHandler.PoolView memory v = handler.poolView(poolId);
            CounterpartyPoolHandler.GhostPool memory g = handler.ghostPool(poolId);
            assertLe(v.rewardsPaidOut, v.totalRewards, "rewardsPaidOut above totalRewards");
            assertEq(v.totalRewards, g.rewards, "totalRewards differs from the deposits");
            if (v.totalCommitted == 0) {
                assertEq(v.rewardsPaidOut, 0, "rewards paid from a pool with no commits");
                continue;
            }
            uint256[] memory shares = new uint256[](lenders.length);
            uint256[] memory claims = new uint256[](lenders.length);
            uint256 sharesSum;
            uint256 claimedSum;
            for (uint256 i; i < lenders.length; ++i) {
                (uint256 amount, uint256 claimed) = target.poolCommits(lenders[i], poolId);
                shares[i] = v.totalRewards * amount / v.totalCommitted;
                sharesSum += shares[i];
                claims[i] = claimed;
                claimedSum += claimed;
            }
            uint256 remainder = v.totalRewards - sharesSum;
            for (uint256 i; i < lenders.length; ++i) {
                uint256 claimed = claims[i];
                if (lenders[i] == g.dustTaker) {
                    assertEq(
                        claimed, shares[i] + remainder, "last lender paid in full got other than share + remainder"
                    );
                } else {
                    assertLe(claimed, shares[i], "lender paid above its pro-rata share");
                    if (handler.ghostLender(poolId, lenders[i]).paidInFull) {
                        assertEq(claimed, shares[i], "lender paid in full got other than its pro-rata share");
                    }
                }
            }
            assertEq(claimedSum, v.rewardsPaidOut, "sum of lenders' claims != rewardsPaidOut");
        }
        assertEq(handler.rewardPayoutMismatches(), 0, "a claim paid other than the pro-rata rule");
    }

    /// (15) Fees held plus fees withdrawn equal 200 USDC per pool created plus ceil(2 %) of each collected pool's commits, exactly (nothing in the admin variant).
    function invariant_feesAreCreationPlusCollectFees() public view {
        uint256 creationFees;
        uint256 collectFees;
        if (!_adminVariant()) {
            creationFees = CREATION_FEE * handler.poolCount();
            for (uint256 poolId; poolId < handler.poolCount(); ++poolId) {
                if (!handler.ghostPool(poolId).collected) continue;
                uint256 committed = handler.poolView(poolId).totalCommitted; // frozen since the collect
                collectFees += (committed * COLLECT_FEE_BPS + BPS - 1) / BPS;
            }
        }
        assertEq(handler.ghostCreationFees(), creationFees, "creation fees differ from 200 USDC per pool");
        assertEq(handler.ghostCollectFees(), collectFees, "collect fees differ from ceil(2 %) of collected commits");
        assertEq(
            target.feesCollected() + handler.ghostFeesWithdrawn(),
            creationFees + collectFees,
            "fees held + withdrawn != creation fees + collect fees"
        );
        assertEq(handler.collectPayoutMismatches(), 0, "a collect paid the owner other than commits - fee");
        assertEq(handler.feeWithdrawalMismatches(), 0, "a fee withdrawal paid other than the fees owed");
    }

    /// (16) No stranded tokens: the contract holds exactly the fees, the commits of CREATED pools and the unpaid rewards of ACTIVE and CLOSED pools in USDC, exactly the collateral of CREATED and ACTIVE pools plus what defaulted pools have not yet handed out, and ARCHIVED pools hold nothing.
    function invariant_noStrandedTokens() public view {
        uint256 usdcOwed = target.feesCollected();
        uint256 erc20Owed;
        uint256 nftsOwed;
        uint256[] memory erc1155Owed = new uint256[](handler.ERC1155_IDS() + 1);
        for (uint256 poolId; poolId < handler.poolCount(); ++poolId) {
            CounterpartyPoolHandler.PoolView memory v = handler.poolView(poolId);
            CounterpartyPoolHandler.GhostPool memory g = handler.ghostPool(poolId);
            if (v.status == ICounterpartyPool.PoolStatus.CREATED) {
                usdcOwed += v.totalCommitted;
            } else if (v.status != ICounterpartyPool.PoolStatus.ARCHIVED) {
                usdcOwed += v.totalRewards - v.rewardsPaidOut;
            } else {
                assertEq(v.rewardsPaidOut, v.totalRewards, "archived pool with unpaid rewards");
                if (!g.collected) assertEq(v.totalCommitted, 0, "archived pool still holds its lenders' commits");
            }
            CounterpartyPoolHandler.GhostItem[] memory items = handler.ghostCollateral(poolId);
            for (uint256 i; i < items.length; ++i) {
                uint256 held;
                if (v.status <= ICounterpartyPool.PoolStatus.ACTIVE) {
                    held = items[i].amount;
                } else if (v.status == ICounterpartyPool.PoolStatus.CLOSED && g.defaulted) {
                    held = items[i].amount - items[i].released;
                }
                assertEq(held, items[i].amount - items[i].released, "collateral item held differs from the model");
                if (items[i].kind == CounterpartyPoolHandler.Kind.ERC20) {
                    erc20Owed += held;
                } else if (items[i].kind == CounterpartyPoolHandler.Kind.ERC721) {
                    nftsOwed += held;
                    if (held == 1) assertEq(nft.ownerOf(items[i].id), address(target), "ERC-721 collateral not held");
                } else {
                    erc1155Owed[items[i].id] += held;
                }
            }
        }
        assertEq(
            usdc.balanceOf(address(target)),
            usdcOwed,
            "USDC held != fees + commits of CREATED pools + unpaid rewards of ACTIVE/CLOSED pools"
        );
        assertEq(token.balanceOf(address(target)), erc20Owed, "ERC-20 collateral held != collateral owed");
        assertEq(nft.balanceOf(address(target)), nftsOwed, "ERC-721 collateral held != collateral owed");
        for (uint256 id = 1; id <= handler.ERC1155_IDS(); ++id) {
            assertEq(
                multi.balanceOf(address(target), id), erc1155Owed[id], "ERC-1155 collateral held != collateral owed"
            );
        }
        assertEq(handler.collateralPayoutMismatches(), 0, "a lender got other than its share of default collateral");
    }

    /// (17) From any state, unpausing, waiting and letting everyone exit (collect or close, repay and close or default, claim, uncommit, take collateral, archive) leaves the contract with exactly its fees and no collateral.
    function invariant_everythingCanExit() public {
        uint256 snapshot = vm.snapshotState();
        if (target.paused()) {
            vm.prank(admin);
            target.unpause();
        }
        uint256 count = handler.poolCount();
        // Collect what can be collected now: once time moves on, the windows are gone.
        for (uint256 poolId; poolId < count; ++poolId) {
            (bool collectable,,) = target.poolActions(poolId);
            if (handler.statusOf(poolId) == ICounterpartyPool.PoolStatus.CREATED && collectable) {
                _exitStep(
                    _borrowerOf(poolId), abi.encodeCall(ICounterpartyPool.collectPool, (poolId)), "collect", poolId
                );
            }
        }
        // Past every deadline, collect window, default repayment date and 60-day wait.
        vm.warp(block.timestamp + 2 * 365 days + ARCHIVE_DELAY);
        for (uint256 poolId; poolId < count; ++poolId) {
            ICounterpartyPool.PoolStatus status = handler.statusOf(poolId);
            if (status == ICounterpartyPool.PoolStatus.CREATED) {
                _uncommitAll(poolId);
                if (!_adminVariant()) {
                    _exitStep(
                        _borrowerOf(poolId), abi.encodeCall(ICounterpartyPool.closePool, (poolId)), "close", poolId
                    );
                }
            } else if (status == ICounterpartyPool.PoolStatus.ACTIVE) {
                if (poolId % 2 == 0) _repayAndClose(poolId);
                else _default(poolId);
            }
        }
        for (uint256 poolId; poolId < count; ++poolId) {
            if (handler.statusOf(poolId) == ICounterpartyPool.PoolStatus.CLOSED) _lendersTakeEverything(poolId);
        }
        vm.warp(block.timestamp + ARCHIVE_DELAY);
        for (uint256 poolId; poolId < count; ++poolId) {
            if (handler.statusOf(poolId) != ICounterpartyPool.PoolStatus.ARCHIVED) {
                _exitStep(
                    _borrowerOf(poolId), abi.encodeCall(ICounterpartyPool.archivePool, (poolId)), "archive", poolId
                );
            }
        }

        assertEq(usdc.balanceOf(address(target)), target.feesCollected(), "USDC beyond the fees left after every exit");
        assertEq(token.balanceOf(address(target)), 0, "ERC-20 collateral left after every exit");
        assertEq(nft.balanceOf(address(target)), 0, "ERC-721 collateral left after every exit");
        for (uint256 id = 1; id <= handler.ERC1155_IDS(); ++id) {
            assertEq(multi.balanceOf(address(target), id), 0, "ERC-1155 collateral left after every exit");
        }
        vm.revertToState(snapshot);
    }

    /* BEYOND §4 */

    /// Nothing is created or lost: the cast and the contract together hold every USDC, ERC-20, ERC-721 and ERC-1155 unit minted.
    function invariant_tokensAreConserved() public view {
        address[] memory everyone = handler.holders();
        uint256 usdcHeld;
        uint256 erc20Held;
        uint256 nftsHeld;
        for (uint256 i; i < everyone.length; ++i) {
            usdcHeld += usdc.balanceOf(everyone[i]);
            erc20Held += token.balanceOf(everyone[i]);
            nftsHeld += nft.balanceOf(everyone[i]);
        }
        assertEq(usdcHeld, handler.ghostUsdcMinted(), "USDC not conserved");
        assertEq(erc20Held, handler.ghostErc20Minted(), "ERC-20 collateral not conserved");
        assertEq(nftsHeld, handler.ghostNftMinted(), "ERC-721 collateral not conserved");
        for (uint256 id = 1; id <= handler.ERC1155_IDS(); ++id) {
            uint256 held;
            for (uint256 i; i < everyone.length; ++i) {
                held += multi.balanceOf(everyone[i], id);
            }
            assertEq(held, handler.ghostErc1155Minted(id), "ERC-1155 collateral not conserved");
        }
    }

    /// Nothing the rules forbid went through: no user action while paused, no borrower or owner action by someone else, no early default by a non-admin, no close of an underpaid ACTIVE pool.
    function invariant_forbiddenActionsAreRefused() public view {
        assertEq(handler.pausedActionsSucceeded(), 0, "a blocked action went through while paused");
        assertEq(handler.wrongCallerSuccesses(), 0, "an owner or admin action went through for someone else");
        assertEq(
            handler.earlyDefaults(), 0, "a non-admin declared a default before the repayment date or on a repaid pool"
        );
        assertEq(handler.underpaidCloses(), 0, "an ACTIVE pool closed with less than commits + minimumAPR deposited");
    }

    /* EXIT STEPS */

    /// @dev Calls the pool as `caller`; a revert fails the property with the step, pool and reason.
    function _exitStep(address caller, bytes memory data, string memory step, uint256 poolId) internal {
        vm.prank(caller);
        (bool ok, bytes memory reason) = address(target).call(data);
        assertTrue(
            ok, string.concat("exit step reverted: ", step, " on pool ", vm.toString(poolId), " ", vm.toString(reason))
        );
    }

    function _borrowerOf(uint256 poolId) internal view returns (address) {
        return handler.ghostPool(poolId).owner;
    }

    function _uncommitAll(uint256 poolId) internal {
        for (uint256 i; i < lenders.length; ++i) {
            (uint256 amount,) = target.poolCommits(lenders[i], poolId);
            if (amount == 0) continue;
            _exitStep(lenders[i], abi.encodeCall(ICounterpartyPool.uncommitFromPool, (poolId)), "uncommit", poolId);
        }
    }

    /// @dev The borrower deposits whatever is still missing and closes.
    function _repayAndClose(uint256 poolId) internal {
        address borrower = _borrowerOf(poolId);
        CounterpartyPoolHandler.PoolView memory v = handler.poolView(poolId);
        uint256 required = target.requiredRewards(poolId);
        if (required > v.totalRewards) {
            usdc.mint(borrower, required - v.totalRewards);
            vm.prank(borrower);
            usdc.approve(address(target), type(uint256).max);
            _exitStep(
                borrower,
                abi.encodeCall(ICounterpartyPool.depositRewards, (poolId, required - v.totalRewards)),
                "deposit",
                poolId
            );
        }
        _exitStep(borrower, abi.encodeCall(ICounterpartyPool.closePool, (poolId)), "close", poolId);
    }

    /// @dev The keeper declares the default when anyone may, otherwise the admin does.
    function _default(uint256 poolId) internal {
        (uint48 repaymentDate,) = target.repaymentInfo(poolId);
        bool anyoneMay =
            block.timestamp >= repaymentDate && handler.poolView(poolId).totalRewards < target.requiredRewards(poolId);
        _exitStep(
            anyoneMay ? keeper : admin, abi.encodeCall(ICounterpartyPool.declareDefault, (poolId)), "default", poolId
        );
    }

    /// @dev Every lender with a commit claims what it has not been paid and, after a default, its collateral.
    function _lendersTakeEverything(uint256 poolId) internal {
        (, bool defaulted) = target.repaymentInfo(poolId);
        for (uint256 i; i < lenders.length; ++i) {
            (uint256 amount,) = target.poolCommits(lenders[i], poolId);
            if (amount == 0) continue;
            CounterpartyPoolHandler.GhostLender memory l = handler.ghostLender(poolId, lenders[i]);
            if (!l.paidInFull) {
                _exitStep(lenders[i], abi.encodeCall(ICounterpartyPool.claim, (poolId)), "claim", poolId);
            }
            if (defaulted && !l.collateralClaimed) {
                _exitStep(
                    lenders[i],
                    abi.encodeCall(ICounterpartyPool.claimDefaultCollateral, (poolId)),
                    "claimDefaultCollateral",
                    poolId
                );
            }
        }
    }
}

/// @notice The invariant suite over the default variant (anyone borrows, 200 USDC + 2 % fees).
/// foundry.toml's 16 sequences of 256 calls per property: long enough for a pool to be created,
/// filled, collected, repaid or defaulted, claimed and archived within one sequence.
contract CounterpartyPoolInvariants is CounterpartyPoolInvariantsBase {
    function _adminVariant() internal pure override returns (bool) {
        return false;
    }
}

/// @notice The invariant suite over the admin variant (only the admin borrows, no fees).
/// Sequences as above.
contract AdminCounterpartyPoolInvariants is CounterpartyPoolInvariantsBase {
    function _adminVariant() internal pure override returns (bool) {
        return true;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {console} from "forge-std/console.sol";

import {ERC20CollateralPool} from "../../contracts/collateral/ERC20CollateralPool.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {ReferenceMath} from "../utils/ReferenceMath.sol";

/// @notice Drives pool 0 of an ERC20CollateralPool through every user and admin action with
/// bounded inputs, on behalf of a fixed cast (3 lenders, 3 borrowers, 1 liquidator, the admin).
/// It keeps an independent model of the pool (its parameters, the F2 reward accumulator, each
/// borrow's rate and start time, token flows) and counts every violation it sees while acting,
/// so that `CollateralPoolInvariantsTest` can state each SPEC §4 property in one line.
/// Every action catches reverts itself: a refused call is only a violation when the model says
/// it must have gone through (repay, add collateral, liquidating an unhealthy loan).
contract CollateralPoolHandler is CommonBase, StdUtils {
    /* CONSTANTS */

    uint256 internal constant POOL_ID = 0;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant REWARD_PRECISION = 1e18;
    uint256 internal constant USDC_UNIT = 1e6;
    uint256 internal constant MAX_REWARD_RATE = type(uint64).max;
    uint256 internal constant PAUSE_GRACE_PERIOD = 86_400; // seconds
    uint256 internal constant POOL_EDIT_DELAY = 3 days;
    uint256 internal constant MAX_ORACLE_DELAY = 7 days;
    uint256 internal constant MAX_LEND = 300_000e6;
    uint256 internal constant MAX_BORROW = 200_000e6;
    uint256 internal constant MAX_COLLATERAL_TOP_UP = 100_000e18;
    /// @dev Collateral price band: 0.4x to 2x the initial $0.02 (8-decimal feed). A bounded walk
    /// keeps coming back, so loans opened high become unhealthy when the price comes down again.
    int256 internal constant MIN_COLLATERAL_PRICE = 8e5;
    int256 internal constant MAX_COLLATERAL_PRICE = 4e6;

    /* CAST AND SYSTEM */

    /// @notice Everything the handler acts on, built by the test's setUp.
    struct Deployment {
        ERC20CollateralPool pool;
        MockERC20 usdc;
        MockERC20 collateral;
        MockAggregator usdcFeed;
        MockAggregator collateralFeed;
        address admin;
        address treasury;
        address liquidator;
    }

    ERC20CollateralPool public immutable pool;
    MockERC20 public immutable usdc;
    MockERC20 public immutable collateral;
    MockAggregator public immutable usdcFeed;
    MockAggregator public immutable collateralFeed;
    address public immutable admin;
    /// @notice Receives withdrawn protocol fees.
    address public immutable treasury;
    address public immutable liquidator;
    uint8 internal immutable collateralDecimals;
    address[] internal lenders;
    address[] internal borrowers;

    /* MODEL OF THE POOL */

    /// @notice Pool parameters as the handler set them (initial values, then each committed edit).
    struct Params {
        uint256 maxPoolCapacity;
        uint256 minLended;
        uint256 minBorrow;
        uint256 endTime;
        uint256 factor;
        uint256 ltv;
        uint256 interest;
    }

    Params public params;
    bool public ghostPaused;
    uint256 public ghostUnpausedAt;

    // Principal and interest flows, each updated with the reference value of a successful action.
    uint256 public ghostLended;
    uint256 public ghostClaimed;
    uint256 public ghostBorrowed;
    uint256 public ghostRepaid;
    /// @notice Interest borrowers paid (repay) or that liquidations cleared, F1 reference.
    uint256 public ghostInterestPaid;
    /// @notice Rewards lenders were paid (claim) or spent (claimCollateral), F3 reference.
    uint256 public ghostRewardsPaid;

    // F2 accumulator, recomputed independently with ReferenceMath.
    uint256 public ghostRewardPerToken;
    uint256 public ghostRewardRate;
    uint256 public ghostLastUpdated;
    uint256 public ghostWeightedBorrowed;

    mapping(address lender => mapping(uint256 lendId => uint256)) public ghostRewardPerTokenIgnored;
    mapping(address borrower => mapping(uint256 borrowId => uint256)) public ghostBorrowRate;
    mapping(address borrower => mapping(uint256 borrowId => uint256)) public ghostBorrowTime;
    /// @notice Interest actually paid on each borrow (repay: USDC beyond principal; liquidation:
    /// interest credited to the pool), and what F1 of the reference says it should be.
    mapping(address borrower => mapping(uint256 borrowId => uint256)) public interestPaidOn;
    mapping(address borrower => mapping(uint256 borrowId => uint256)) public referenceInterestOn;
    /// @notice `minBorrow` in force when the borrow's principal last changed: an edit may raise
    /// `minBorrow` above older positions, which is allowed.
    mapping(address borrower => mapping(uint256 borrowId => uint256)) public minBorrowAtLastChange;

    // Token flows.
    uint256 public ghostUsdcMinted;
    uint256 public ghostCollateralMinted;
    uint256 public ghostUsdcFeesEarned;
    uint256 public ghostUsdcFeesWithdrawn;
    uint256 public ghostCollateralFeesEarned;
    uint256 public ghostCollateralFeesWithdrawn;

    // Last observations, for the "never decreases" properties.
    uint256 public lastRewardPerTokenSeen;
    mapping(address borrower => mapping(uint256 borrowId => uint256)) internal lastPrincipalSeen;
    mapping(address borrower => mapping(uint256 borrowId => uint256)) internal lastInterestSeen;

    /* VIOLATIONS SEEN WHILE ACTING (all must stay 0) */

    /// @notice (4) A borrow went through with less collateral than F6 requires.
    uint256 public undercollateralisedBorrows;
    /// @notice (4) A collateral removal left less than F6 requires for principal + interest,
    /// or a resulting LTV above the caller's bound.
    uint256 public undercollateralisedRemovals;
    /// @notice (5) `calculateRepayInterest` went down while the principal stayed the same.
    uint256 public interestDecreases;
    /// @notice (6) A liquidation (or claimCollateral) of a healthy, not overdue position went through.
    uint256 public healthyLiquidations;
    /// @notice (6) Liquidating an unhealthy or overdue position was refused outside pause and grace.
    uint256 public unhealthyLiquidationsRefused;
    /// @notice (6) A liquidation went through during the grace period after an unpause.
    uint256 public liquidationsDuringGrace;
    /// @notice (7) A repay or liquidation paid less than principal + F1 (or F7) of the reference.
    uint256 public underpayments;
    /// @notice (7) A lender received more than principal + F3 of the reference model.
    uint256 public overpaidRewards;
    /// @notice (7) A liquidator got a different amount of collateral than F9.
    uint256 public liquidationCollateralMismatches;
    /// @notice (8) Lend, borrow, claim, removal, liquidate or claimCollateral went through while paused.
    uint256 public pausedActionsSucceeded;
    /// @notice (8) A funded, valid repay was refused (it must work, paused or not).
    uint256 public repaysRefused;
    /// @notice (8) Adding collateral was refused (it must work, paused or not).
    uint256 public collateralAdditionsRefused;
    /// @notice (9) A lend beyond F4 capacity, or a borrow or claim beyond free USDC (F5), went through.
    uint256 public capacityBreaches;
    /// @notice (9) A lend below minLended, a borrow below minBorrow, or either after endTime, went through.
    uint256 public minimumBreaches;
    /// @notice (10) `rewardPerToken` went down.
    uint256 public rewardPerTokenDecreases;
    /// @notice withdrawProtocolRewards moved anything other than the tracked fee balance.
    uint256 public feeWithdrawalMismatches;
    /// @notice An admin action with valid inputs (pause, unpause, edit, oracle delay) was refused.
    uint256 public adminActionsRefused;

    /* CALL SUMMARY */

    enum Action {
        Lend,
        ClaimPartial,
        ClaimFull,
        Borrow,
        RepayPartial,
        RepayFull,
        AddCollateral,
        RemoveCollateral,
        LiquidatePartial,
        LiquidateFull,
        LiquidateHealthy,
        ClaimCollateral,
        Pause,
        Unpause,
        EditCommitted,
        EditCanceled,
        WithdrawUsdcFees,
        WithdrawCollateralFees,
        SetOracleMaxDelay,
        Warp,
        WarpPastEndTime,
        PriceMove,
        RemainderBelowMinimum
    }

    uint256 internal constant ACTION_COUNT = 23;
    mapping(Action => uint256) public attempts;
    mapping(Action => uint256) public successes;
    /// @notice Blocked actions tried while paused (each must have been refused).
    uint256 public refusedWhilePaused;
    uint256 public repaysWhilePaused;
    uint256 public additionsWhilePaused;
    uint256 public minBorrowRaises;

    constructor(
        Deployment memory d,
        address[] memory lenders_,
        address[] memory borrowers_,
        IERC20CollateralPool.InitPool memory initial
    ) {
        pool = d.pool;
        usdc = d.usdc;
        collateral = d.collateral;
        usdcFeed = d.usdcFeed;
        collateralFeed = d.collateralFeed;
        admin = d.admin;
        treasury = d.treasury;
        liquidator = d.liquidator;
        collateralDecimals = d.collateral.decimals();
        lenders = lenders_;
        borrowers = borrowers_;
        params = Params({
            maxPoolCapacity: initial.maxPoolCapacity,
            minLended: initial.minLended,
            minBorrow: initial.minBorrow,
            endTime: initial.endTime,
            factor: initial.collateralTokenFactor,
            ltv: initial.collateralTokenLTVPercentage,
            interest: initial.interest
        });
        ghostLastUpdated = block.timestamp; // the pool was created in the same block

        _approveAll(d.liquidator);
        for (uint256 i; i < lenders_.length; ++i) {
            _approveAll(lenders_[i]);
        }
        for (uint256 i; i < borrowers_.length; ++i) {
            _approveAll(borrowers_[i]);
        }
    }

    /* LENDER ACTIONS */

    /// @notice Lends a bounded amount; 1 in 16 tries below `minLended`, 1 in 16 beyond capacity.
    function lend(uint256 lenderSeed, uint256 amountSeed, uint256 modeSeed) external {
        address lender = lenders[lenderSeed % lenders.length];
        int256 net = int256(ghostLended) - int256(ghostClaimed) + int256(ghostRepaid) - int256(ghostBorrowed);
        uint256 mode = modeSeed % 16;
        uint256 amount;
        if (mode == 0 && params.minLended > 1) {
            amount = _bound(amountSeed, 1, params.minLended - 1);
        } else if (mode == 1 && net < int256(params.maxPoolCapacity)) {
            amount = uint256(int256(params.maxPoolCapacity) - net) + _bound(amountSeed, 1, 1000e6);
        } else {
            amount = _bound(amountSeed, params.minLended, MAX_LEND);
        }
        bool beyondCapacity = net + int256(amount) > int256(params.maxPoolCapacity);
        bool belowMinimumOrClosed = amount < params.minLended || block.timestamp >= params.endTime;

        attempts[Action.Lend]++;
        _mintUsdc(lender, amount);
        uint256 lendId = pool.lendingsLength(POOL_ID, lender);
        vm.prank(lender);
        try pool.lend(POOL_ID, amount) {
            successes[Action.Lend]++;
            if (ghostPaused) pausedActionsSucceeded++;
            if (beyondCapacity) capacityBreaches++;
            if (belowMinimumOrClosed) minimumBreaches++;
            _accrueModel();
            ghostLended += amount;
            _updateModelRate();
            ghostRewardPerTokenIgnored[lender][lendId] = ghostRewardPerToken;
        } catch {
            if (ghostPaused) refusedWhilePaused++;
        }
        _observe();
    }

    /// @notice Claims part or all of one open lend position with its rewards; 1 in 4 partial
    /// claims asks for a payout one unit above the free USDC, which must be refused.
    function claim(uint256 lenderSeed, uint256 positionSeed, uint256 amountSeed, bool full) external {
        address lender = lenders[lenderSeed % lenders.length];
        (uint256[] memory ids, uint256 count) = _openLendIds(lender);
        if (count == 0) return;
        uint256 lendId = ids[positionSeed % count];
        (, uint256 outstanding,) = pool.lendings(POOL_ID, lender, lendId);
        uint256 available = freeUsdc();
        uint256 amount = full ? outstanding : _bound(amountSeed, 1, outstanding);
        if (!full && amountSeed % 4 == 0) amount = _smallestClaimAbove(lender, lendId, available, outstanding);
        uint256 reward = referenceReward(lender, lendId, amount);
        Action action = amount == outstanding ? Action.ClaimFull : Action.ClaimPartial;

        attempts[action]++;
        uint256 balanceBefore = usdc.balanceOf(lender);
        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](1);
        claims[0] = IERC20CollateralPool.Claim({lendId: lendId, usdcAmount: amount});
        vm.prank(lender);
        try pool.claim(POOL_ID, claims) {
            successes[action]++;
            if (ghostPaused) pausedActionsSucceeded++;
            if (usdc.balanceOf(lender) - balanceBefore > amount + reward) overpaidRewards++;
            if (amount + reward > available) capacityBreaches++;
            _accrueModel();
            ghostClaimed += amount;
            ghostRewardsPaid += reward;
            _updateModelRate();
        } catch {
            if (ghostPaused) refusedWhilePaused++;
        }
        _observe();
    }

    /* BORROWER ACTIONS */

    /// @notice Borrows with exactly the F6 collateral, or more (1 in 4); 1 in 8 tries with less,
    /// 1 in 16 below `minBorrow`, 1 in 16 beyond the free USDC.
    function borrow(uint256 borrowerSeed, uint256 amountSeed, uint256 collateralSeed, uint256 modeSeed) external {
        address borrower = borrowers[borrowerSeed % borrowers.length];
        uint256 available = freeUsdc();
        uint256 mode = modeSeed % 16;
        uint256 amount;
        if (mode == 0 && params.minBorrow > 1) {
            amount = _bound(amountSeed, 1, params.minBorrow - 1);
        } else if (mode == 1) {
            amount = available + _bound(amountSeed, 1, 1000e6);
        } else {
            uint256 ceiling = available < MAX_BORROW ? available : MAX_BORROW;
            amount = _bound(amountSeed, params.minBorrow, ceiling > params.minBorrow ? ceiling : params.minBorrow);
        }
        uint256 required = requiredCollateral(amount);
        uint256 collateralAmount = required;
        if (mode == 2 || mode == 3) collateralAmount = required - _bound(collateralSeed, 1, required / 3 + 1);
        else if (mode >= 4 && mode < 8) collateralAmount = required + _bound(collateralSeed, 0, required);

        attempts[Action.Borrow]++;
        _mintCollateral(borrower, collateralAmount);
        uint256 borrowId = pool.borrowsLength(POOL_ID, borrower);
        vm.prank(borrower);
        try pool.borrow(POOL_ID, amount, collateralAmount) {
            successes[Action.Borrow]++;
            if (ghostPaused) pausedActionsSucceeded++;
            if (collateralAmount < required) undercollateralisedBorrows++;
            if (amount < params.minBorrow || block.timestamp >= params.endTime) minimumBreaches++;
            if (amount > available) capacityBreaches++;
            _accrueModel();
            ghostBorrowed += amount;
            ghostWeightedBorrowed += amount * params.interest;
            _updateModelRate();
            ghostBorrowRate[borrower][borrowId] = params.interest;
            ghostBorrowTime[borrower][borrowId] = block.timestamp;
            minBorrowAtLastChange[borrower][borrowId] = params.minBorrow;
        } catch {
            if (ghostPaused) refusedWhilePaused++;
        }
        _observe();
    }

    /// @notice Repays part or all (1 in 4) of an open borrow, funded with principal + F1; also while
    /// paused. 1 in 8 partial repays tries to leave less than `minBorrow`, which must be refused.
    function repay(uint256 positionSeed, uint256 amountSeed, bool full) external {
        (bool found, address borrower, uint256 borrowId, uint256 principal) = _pickBorrow(positionSeed, true);
        if (!found) return;
        (uint256 amount, bool leavesDust) = _reductionAmount(principal, amountSeed, full && positionSeed % 2 == 0);
        uint256 interest = referenceInterest(borrower, borrowId, amount);
        Action action =
            leavesDust ? Action.RemainderBelowMinimum : (amount == principal ? Action.RepayFull : Action.RepayPartial);

        attempts[action]++;
        _mintUsdc(borrower, amount + interest);
        uint256 balanceBefore = usdc.balanceOf(borrower);
        vm.prank(borrower);
        try pool.repay(POOL_ID, borrowId, amount) {
            successes[action]++;
            if (leavesDust) minimumBreaches++;
            if (ghostPaused) repaysWhilePaused++;
            uint256 paid = balanceBefore - usdc.balanceOf(borrower);
            if (paid < amount + interest) underpayments++;
            interestPaidOn[borrower][borrowId] += paid > amount ? paid - amount : 0;
            _settleInModel(borrower, borrowId, principal, amount, interest);
        } catch {
            if (!leavesDust) repaysRefused++;
        }
        _observe();
    }

    /// @notice Adds collateral to an open borrow; also while paused.
    function addCollateral(uint256 positionSeed, uint256 amountSeed) external {
        (bool found, address borrower, uint256 borrowId,) = _pickBorrow(positionSeed, true);
        if (!found) return;
        uint256 added = _bound(amountSeed, 1, MAX_COLLATERAL_TOP_UP);
        (,, uint256 current,) = pool.borrows(POOL_ID, borrower, borrowId);

        attempts[Action.AddCollateral]++;
        _mintCollateral(borrower, added);
        vm.prank(borrower);
        try pool.changeCollateralAmount(POOL_ID, borrowId, current + added, 0) {
            successes[Action.AddCollateral]++;
            if (ghostPaused) additionsWhilePaused++;
        } catch {
            collateralAdditionsRefused++;
        }
        _observe();
    }

    /// @notice Removes collateral: usually down to somewhere at or above what F6 asks for principal
    /// + interest; 1 in 4 times to one unit below it, 1 in 4 anywhere (those must mostly be
    /// refused); 1 in 3 times with a tight LTV bound.
    function removeCollateral(uint256 positionSeed, uint256 amountSeed, uint256 ltvBoundSeed) external {
        (bool found, address borrower, uint256 borrowId, uint256 principal) = _pickBorrow(positionSeed, false);
        if (!found) return;
        (,, uint256 current,) = pool.borrows(POOL_ID, borrower, borrowId);
        uint256 debt = principal + referenceInterest(borrower, borrowId, principal);
        uint256 required = principal == 0 ? 0 : requiredCollateral(debt);
        uint256 mode = amountSeed % 4;
        uint256 newAmount;
        if (mode == 0 && required != 0 && required - 1 < current) newAmount = required - 1;
        else if (mode != 1 && required < current) newAmount = _bound(amountSeed, required, current - 1);
        else newAmount = _bound(amountSeed, 0, current - 1);
        uint256 maxLtv = ltvBoundSeed % 3 == 0 ? _bound(ltvBoundSeed, 0, BPS) : type(uint256).max;

        attempts[Action.RemoveCollateral]++;
        vm.prank(borrower);
        try pool.changeCollateralAmount(POOL_ID, borrowId, newAmount, maxLtv) {
            successes[Action.RemoveCollateral]++;
            if (ghostPaused) pausedActionsSucceeded++;
            if (principal != 0 && (newAmount < required || referenceLtvBps(debt, newAmount) > maxLtv)) {
                undercollateralisedRemovals++;
            }
        } catch {
            if (ghostPaused) refusedWhilePaused++;
        }
        _observe();
    }

    /* LIQUIDATIONS */

    /// @dev Inputs of one liquidation attempt, kept together to stay within the stack.
    struct LiquidationPlan {
        address borrower;
        uint256 borrowId;
        uint256 principal;
        uint256 amount;
        uint256 interest;
        uint256 payment;
        uint256 seized;
        bool unhealthy;
        bool unhealthyWithinRounding;
        bool inGrace;
        bool leavesDust;
        Action action;
    }

    /// @notice Liquidates part or all of a borrow with the liquidator, paying the reference F7.
    /// Prefers unhealthy or overdue positions; 1 in 4 times takes any, so healthy ones are tried too.
    function liquidate(uint256 positionSeed, uint256 amountSeed, bool full) external {
        LiquidationPlan memory plan;
        bool found;
        (found, plan.borrower, plan.borrowId, plan.principal) = _pickLiquidationTarget(positionSeed);
        if (!found) return;
        (plan.unhealthy, plan.unhealthyWithinRounding) = referenceLiquidatable(plan.borrower, plan.borrowId);
        (plan.amount, plan.leavesDust) = _reductionAmount(plan.principal, amountSeed, full);
        plan.interest = referenceInterest(plan.borrower, plan.borrowId, plan.amount);
        plan.payment = ReferenceMath.liquidationPayment(plan.amount, plan.interest);
        (plan.seized,) =
            _referenceLiquidationCollateral(plan.borrower, plan.borrowId, plan.amount, plan.interest, false);
        if (plan.leavesDust) plan.action = Action.RemainderBelowMinimum;
        else if (!plan.unhealthyWithinRounding) plan.action = Action.LiquidateHealthy;
        else plan.action = plan.amount == plan.principal ? Action.LiquidateFull : Action.LiquidatePartial;
        plan.inGrace = block.timestamp < ghostUnpausedAt + PAUSE_GRACE_PERIOD;

        attempts[plan.action]++;
        _mintUsdc(liquidator, plan.payment);
        uint256 usdcBefore = usdc.balanceOf(liquidator);
        uint256 collateralBefore = collateral.balanceOf(liquidator);
        uint256 rewardsBefore = _poolRewards();
        vm.prank(liquidator);
        try pool.liquidate(POOL_ID, _liquidations(plan.borrower, plan.borrowId, plan.amount)) {
            successes[plan.action]++;
            if (plan.leavesDust) minimumBreaches++;
            if (!plan.unhealthyWithinRounding) healthyLiquidations++;
            if (ghostPaused) pausedActionsSucceeded++;
            if (plan.inGrace) liquidationsDuringGrace++;
            if (usdcBefore - usdc.balanceOf(liquidator) < plan.payment) underpayments++;
            if (collateral.balanceOf(liquidator) - collateralBefore != plan.seized) liquidationCollateralMismatches++;
            ghostUsdcFeesEarned += plan.payment - plan.amount - plan.interest;
            interestPaidOn[plan.borrower][plan.borrowId] += _poolRewards() - rewardsBefore;
            _settleInModel(plan.borrower, plan.borrowId, plan.principal, plan.amount, plan.interest);
        } catch {
            if (ghostPaused) refusedWhilePaused++;
            else if (plan.unhealthy && !plan.inGrace && !plan.leavesDust) unhealthyLiquidationsRefused++;
        }
        _observe();
    }

    /// @dev Inputs of one claimCollateral attempt, kept together to stay within the stack.
    struct ClaimCollateralPlan {
        address lender;
        address borrower;
        uint256 borrowId;
        uint256 principal;
        uint256 amount;
        uint256 interest;
        uint256 claimedPrincipal;
        uint256 claimedRewards;
        uint256 leftover;
        uint256 available;
        uint256 seized;
        uint256 protocolFee;
        bool unhealthy;
        bool unhealthyWithinRounding;
        bool leavesDust;
        bool inGrace;
        IERC20CollateralPool.Claim[] claims;
    }

    /// @notice A lender turns its claims into the liquidation of a (usually unhealthy) borrow:
    /// claims sized to the cost; 1 in 8 times all of its positions, the rest paid out in USDC;
    /// 1 in 8 times the cost plus one unit more than the free USDC, which must be refused.
    function claimCollateral(
        uint256 lenderSeed,
        uint256 positionSeed,
        uint256 amountSeed,
        bool full,
        uint256 claimsSeed
    ) external {
        ClaimCollateralPlan memory plan;
        bool found;
        (found, plan.borrower, plan.borrowId, plan.principal) = _pickLiquidationTarget(positionSeed);
        if (!found) return;
        plan.lender = lenders[lenderSeed % lenders.length];
        (plan.unhealthy, plan.unhealthyWithinRounding) = referenceLiquidatable(plan.borrower, plan.borrowId);
        (plan.amount, plan.leavesDust) = _reductionAmount(plan.principal, amountSeed, full);
        plan.interest = referenceInterest(plan.borrower, plan.borrowId, plan.amount);
        plan.available = freeUsdc();
        if (!_planClaims(plan, claimsSeed % 8 == 1 ? plan.available + 1 : 0, claimsSeed % 8 == 0)) return;
        plan.leftover = plan.claimedPrincipal + plan.claimedRewards - plan.amount - plan.interest;
        (plan.seized, plan.protocolFee) =
            _referenceLiquidationCollateral(plan.borrower, plan.borrowId, plan.amount, plan.interest, true);
        plan.inGrace = block.timestamp < ghostUnpausedAt + PAUSE_GRACE_PERIOD;

        attempts[Action.ClaimCollateral]++;
        uint256 usdcBefore = usdc.balanceOf(plan.lender);
        uint256 collateralBefore = collateral.balanceOf(plan.lender);
        uint256 rewardsBefore = _poolRewards();
        vm.prank(plan.lender);
        try pool.claimCollateral(POOL_ID, plan.claims, _liquidations(plan.borrower, plan.borrowId, plan.amount)) {
            successes[Action.ClaimCollateral]++;
            if (plan.leavesDust) minimumBreaches++;
            if (!plan.unhealthyWithinRounding) healthyLiquidations++;
            if (ghostPaused) pausedActionsSucceeded++;
            if (plan.inGrace) liquidationsDuringGrace++;
            if (plan.leftover > plan.available) capacityBreaches++;
            if (usdc.balanceOf(plan.lender) - usdcBefore > plan.leftover) overpaidRewards++;
            if (collateral.balanceOf(plan.lender) - collateralBefore != plan.seized) liquidationCollateralMismatches++;
            ghostCollateralFeesEarned += plan.protocolFee;
            interestPaidOn[plan.borrower][plan.borrowId] += _poolRewards() - rewardsBefore;
            // The claims leave the pool first, then the loan is settled; one accrual covers both.
            _accrueModel();
            ghostClaimed += plan.claimedPrincipal;
            ghostRewardsPaid += plan.claimedRewards;
            _settleInModel(plan.borrower, plan.borrowId, plan.principal, plan.amount, plan.interest);
        } catch {
            if (ghostPaused) refusedWhilePaused++;
            else if (_claimCollateralMustSucceed(plan)) unhealthyLiquidationsRefused++;
        }
        _observe();
    }

    /// @dev An unhealthy or overdue loan, outside pause and grace, paid by claims that cover it,
    /// leaving a valid remainder and a USDC leftover the pool can pay.
    function _claimCollateralMustSucceed(ClaimCollateralPlan memory plan) internal view returns (bool) {
        return plan.unhealthy && !plan.leavesDust && !ghostPaused && !plan.inGrace && plan.leftover <= plan.available;
    }

    /* ADMIN ACTIONS */

    /// @notice Unpauses when paused; otherwise pauses one time in four (so the pool is mostly live).
    function togglePause(uint256 seed) external {
        if (ghostPaused) {
            attempts[Action.Unpause]++;
            vm.prank(admin);
            try pool.unpause() {
                successes[Action.Unpause]++;
                ghostPaused = false;
                ghostUnpausedAt = block.timestamp;
            } catch {
                adminActionsRefused++;
            }
        } else if (seed % 4 == 0) {
            attempts[Action.Pause]++;
            vm.prank(admin);
            try pool.pause() {
                successes[Action.Pause]++;
                ghostPaused = true;
            } catch {
                adminActionsRefused++;
            }
        }
        _observe();
    }

    /// @notice Announces an edit of every parameter, waits the 3-day delay, then commits it
    /// (1 time in 6 cancels it instead).
    function editPool(
        uint256 capacitySeed,
        uint256 minimumsSeed,
        uint256 endTimeSeed,
        uint256 riskSeed,
        uint256 interestSeed,
        bool cancel
    ) external {
        uint256 minLended = _bound(minimumsSeed, 1e6, 50e6);
        IERC20CollateralPool.EditPool memory edit = IERC20CollateralPool.EditPool({
            collateralTokenPriceOracle: address(collateralFeed),
            collateralTokenSequencerOracle: address(0),
            maxPoolCapacity: _bound(capacitySeed, 200_000e6, 2_000_000e6),
            minLended: minLended,
            minBorrow: _bound(minimumsSeed >> 128, 1e6, 50e6),
            endTime: uint48(block.timestamp + _bound(endTimeSeed, POOL_EDIT_DELAY + 1 days, 500 days)),
            collateralTokenFactor: uint24(_bound(riskSeed, BPS, 11_000)),
            collateralTokenLTVPercentage: uint24(_bound(riskSeed >> 128, 5000, 6500)),
            interest: uint24(_bound(interestSeed, 0, 3000))
        });
        bool toCancel = cancel && capacitySeed % 6 == 0;
        attempts[toCancel ? Action.EditCanceled : Action.EditCommitted]++;
        vm.prank(admin);
        try pool.announceEditPool(POOL_ID, edit) {}
        catch {
            adminActionsRefused++;
            return;
        }
        _warp(POOL_EDIT_DELAY);

        vm.prank(admin);
        if (toCancel) {
            try pool.cancelEditPool(POOL_ID) {
                successes[Action.EditCanceled]++;
            } catch {
                adminActionsRefused++;
            }
        } else {
            try pool.commitEditPool(POOL_ID) {
                successes[Action.EditCommitted]++;
            } catch {
                adminActionsRefused++;
                return;
            }
            if (edit.minBorrow > params.minBorrow) minBorrowRaises++;
            params = Params({
                maxPoolCapacity: edit.maxPoolCapacity,
                minLended: edit.minLended,
                minBorrow: edit.minBorrow,
                endTime: edit.endTime,
                factor: edit.collateralTokenFactor,
                ltv: edit.collateralTokenLTVPercentage,
                interest: edit.interest
            });
        }
        _observe();
    }

    /// @notice Withdraws the USDC or the collateral protocol fees to the treasury; exactly the
    /// tracked balance must move.
    function withdrawProtocolRewards(bool inUsdc) external {
        MockERC20 token = inUsdc ? usdc : collateral;
        Action action = inUsdc ? Action.WithdrawUsdcFees : Action.WithdrawCollateralFees;
        uint256 tracked = inUsdc ? pool.usdcFeesCollected() : pool.getCollateralTokenProtocolFee(address(collateral));
        uint256 treasuryBefore = token.balanceOf(treasury);

        attempts[action]++;
        vm.prank(admin);
        try pool.withdrawProtocolRewards(address(token), treasury) {
            successes[action]++;
            uint256 moved = token.balanceOf(treasury) - treasuryBefore;
            if (moved != tracked || tracked == 0) feeWithdrawalMismatches++;
            if (inUsdc) ghostUsdcFeesWithdrawn += moved;
            else ghostCollateralFeesWithdrawn += moved;
        } catch {
            if (tracked != 0) feeWithdrawalMismatches++;
        }
        _observe();
    }

    /// @notice Sets the oracle max delay anywhere in its valid range (feeds are refreshed on
    /// every warp, so even 1 s keeps them usable).
    function setOracleMaxDelay(uint256 delaySeed) external {
        attempts[Action.SetOracleMaxDelay]++;
        vm.prank(admin);
        try pool.setOracleMaxDelay(_bound(delaySeed, 1, MAX_ORACLE_DELAY)) {
            successes[Action.SetOracleMaxDelay]++;
        } catch {
            adminActionsRefused++;
        }
        _observe();
    }

    /* TIME AND PRICES */

    /// @notice Moves time forward: 5 times in 16 by 1 minute to 1 day, 10 in 16 by 1 to 15 days,
    /// 1 in 16 by 30 to 400 days (often past endTime). Inside the pause grace period, half of
    /// the warps stay inside it, so liquidations are tried there too.
    function warp(uint256 secondsSeed) external {
        uint256 kind = secondsSeed % 16;
        uint256 graceEnd = ghostUnpausedAt + PAUSE_GRACE_PERIOD;
        uint256 step;
        if (block.timestamp + 1 < graceEnd && kind % 2 == 1) {
            step = _bound(secondsSeed, 1, graceEnd - block.timestamp - 1);
        } else if (kind == 0) {
            step = _bound(secondsSeed, 30 days, 400 days);
        } else if (kind < 6) {
            step = _bound(secondsSeed, 1 minutes, 1 days);
        } else {
            step = _bound(secondsSeed, 1 days, 15 days);
        }
        bool wasOpen = block.timestamp < params.endTime;
        attempts[Action.Warp]++;
        if (wasOpen) attempts[Action.WarpPastEndTime]++;
        _warp(step);
        successes[Action.Warp]++;
        if (wasOpen && block.timestamp >= params.endTime) successes[Action.WarpPastEndTime]++;
        _observe();
    }

    /// @notice Moves the collateral price by −30 % to +30 %, within the price band.
    function moveCollateralPrice(int256 changeBpsSeed) external {
        int256 changeBps = _bound(changeBpsSeed, -3000, 3000);
        (, int256 price,,,) = collateralFeed.latestRoundData();
        price = price * (int256(BPS) + changeBps) / int256(BPS);
        if (price < MIN_COLLATERAL_PRICE) price = MIN_COLLATERAL_PRICE;
        if (price > MAX_COLLATERAL_PRICE) price = MAX_COLLATERAL_PRICE;
        attempts[Action.PriceMove]++;
        collateralFeed.setAnswer(price);
        successes[Action.PriceMove]++;
        _observe();
    }

    /* REFERENCE MODEL (views the invariants use too) */

    /// @notice F5 free USDC by the model's own totals.
    function freeUsdc() public view returns (uint256) {
        uint256 credits = ghostLended + ghostRepaid + ghostInterestPaid;
        uint256 debits = ghostClaimed + ghostBorrowed + ghostRewardsPaid;
        return credits > debits ? credits - debits : 0;
    }

    /// @notice F6 collateral for `usdcAmount` at the feeds' current answers and the model's parameters.
    function requiredCollateral(uint256 usdcAmount) public view returns (uint256) {
        (uint256 usdcPrice, uint8 usdcDecimals, uint256 collateralPrice, uint8 feedDecimals) = _feedAnswers();
        return ReferenceMath.requiredCollateral(
            usdcAmount,
            params.ltv,
            params.factor,
            usdcPrice,
            usdcDecimals,
            collateralPrice,
            feedDecimals,
            collateralDecimals
        );
    }

    /// @notice F1 on `amount` of a borrow, with the rate and start time the model recorded.
    function referenceInterest(address borrower, uint256 borrowId, uint256 amount) public view returns (uint256) {
        return ReferenceMath.interest(
            amount, ghostBorrowRate[borrower][borrowId], block.timestamp - ghostBorrowTime[borrower][borrowId]
        );
    }

    /// @notice F2 reward rate for `weighted` = Σ principal × rate against `lent` outstanding, with
    /// the pool's documented saturation at 2^64 − 1 (lenders then receive less, never more).
    function referenceRewardRate(uint256 weighted, uint256 lent) public pure returns (uint256) {
        uint256 rate = ReferenceMath.rewardRate(weighted, lent);
        return rate > MAX_REWARD_RATE ? MAX_REWARD_RATE : rate;
    }

    /// @notice F2 accumulator of the model, accrued to now.
    function referenceRewardPerToken() public view returns (uint256) {
        return ghostRewardPerToken + (block.timestamp - ghostLastUpdated) * ghostRewardRate;
    }

    /// @notice F3 reward on `amount` of a lend position, with the model's accumulator.
    function referenceReward(address lender, uint256 lendId, uint256 amount) public view returns (uint256) {
        return amount * (referenceRewardPerToken() - ghostRewardPerTokenIgnored[lender][lendId]) / REWARD_PRECISION;
    }

    /// @notice Whether a borrow is overdue or unhealthy by F8 computed exactly (`unhealthy`), and
    /// the same with one more USDC base unit of debt (`unhealthyWithinRounding`), which absorbs the
    /// pool's sub-wei rounding towards "liquidatable" (debt value up, collateral value down).
    function referenceLiquidatable(address borrower, uint256 borrowId)
        public
        view
        returns (bool unhealthy, bool unhealthyWithinRounding)
    {
        (, uint256 principal, uint256 collateralAmount,) = pool.borrows(POOL_ID, borrower, borrowId);
        if (principal == 0) return (false, false);
        if (block.timestamp >= params.endTime) return (true, true);
        uint256 debt = principal + referenceInterest(borrower, borrowId, principal);
        unhealthy = _unhealthyExact(debt, collateralAmount);
        unhealthyWithinRounding = unhealthy || _unhealthyExact(debt + 1, collateralAmount);
    }

    /// @notice Exact loan-to-value of `debt` against `collateralAmount`, in bps, rounded up.
    function referenceLtvBps(uint256 debt, uint256 collateralAmount) public view returns (uint256) {
        if (collateralAmount == 0) return type(uint256).max;
        (uint256 usdcPrice, uint8 usdcDecimals, uint256 collateralPrice, uint8 feedDecimals) = _feedAnswers();
        return ReferenceMath.ceilDiv(
            debt * usdcPrice * 10 ** feedDecimals * 10 ** collateralDecimals * BPS,
            collateralAmount * collateralPrice * 10 ** usdcDecimals * USDC_UNIT
        );
    }

    function lendersLength() external view returns (uint256) {
        return lenders.length;
    }

    function borrowersLength() external view returns (uint256) {
        return borrowers.length;
    }

    function lenderAt(uint256 i) external view returns (address) {
        return lenders[i];
    }

    function borrowerAt(uint256 i) external view returns (address) {
        return borrowers[i];
    }

    /// @notice Prints how often each action was tried and went through, and the counters.
    function logCallSummary() external view {
        string[ACTION_COUNT] memory names = [
            string("lend"),
            "claim (partial)",
            "claim (full)",
            "borrow",
            "repay (partial)",
            "repay (full)",
            "add collateral",
            "remove collateral",
            "liquidate (partial)",
            "liquidate (full)",
            "liquidate a healthy position",
            "claimCollateral",
            "pause",
            "unpause",
            "edit committed",
            "edit canceled",
            "withdraw USDC fees",
            "withdraw collateral fees",
            "setOracleMaxDelay",
            "warp",
            "warp past endTime",
            "collateral price move",
            "repay/liquidate leaving 0 < principal < minBorrow (must fail)"
        ];
        console.log("call summary (succeeded / tried):");
        for (uint256 i; i < ACTION_COUNT; ++i) {
            console.log("  %s: %s / %s", names[i], successes[Action(i)], attempts[Action(i)]);
        }
        console.log("  blocked actions refused while paused: %s", refusedWhilePaused);
        console.log("  repays while paused: %s", repaysWhilePaused);
        console.log("  collateral additions while paused: %s", additionsWhilePaused);
        console.log("  edits that raised minBorrow: %s", minBorrowRaises);
    }

    /* INTERNAL: MODEL */

    function _accrueModel() internal {
        ghostRewardPerToken = referenceRewardPerToken();
        ghostLastUpdated = block.timestamp;
    }

    function _updateModelRate() internal {
        ghostRewardRate = referenceRewardRate(ghostWeightedBorrowed, ghostLended - ghostClaimed);
    }

    /// @dev Books `amount` of principal and its `interest` as paid back (repay or liquidation).
    /// Claim bookkeeping, when there is some, is done by the caller before; accrual is idempotent
    /// within a block, so calling it twice is harmless.
    function _settleInModel(address borrower, uint256 borrowId, uint256 principal, uint256 amount, uint256 interest)
        internal
    {
        _accrueModel();
        ghostRepaid += amount;
        ghostInterestPaid += interest;
        referenceInterestOn[borrower][borrowId] += interest;
        ghostWeightedBorrowed -= amount * ghostBorrowRate[borrower][borrowId];
        _updateModelRate();
        if (principal != amount) minBorrowAtLastChange[borrower][borrowId] = params.minBorrow;
    }

    /// @dev Checks the "never decreases" properties against the last observation.
    function _observe() internal {
        (,, uint256 rewardPerToken,,,,) = pool.pools(POOL_ID);
        if (rewardPerToken < lastRewardPerTokenSeen) rewardPerTokenDecreases++;
        lastRewardPerTokenSeen = rewardPerToken;
        for (uint256 i; i < borrowers.length; ++i) {
            address borrower = borrowers[i];
            uint256 count = pool.borrowsLength(POOL_ID, borrower);
            for (uint256 borrowId; borrowId < count; ++borrowId) {
                (, uint256 principal,,) = pool.borrows(POOL_ID, borrower, borrowId);
                uint256 interest = pool.calculateRepayInterest(POOL_ID, borrowId, borrower);
                if (
                    principal == lastPrincipalSeen[borrower][borrowId]
                        && interest < lastInterestSeen[borrower][borrowId]
                ) {
                    interestDecreases++;
                }
                lastPrincipalSeen[borrower][borrowId] = principal;
                lastInterestSeen[borrower][borrowId] = interest;
            }
        }
    }

    /// @dev F9 (and, with `feeInCollateral`, the protocol's 5 % in collateral) written out exactly.
    function _referenceLiquidationCollateral(
        address borrower,
        uint256 borrowId,
        uint256 amount,
        uint256 interest,
        bool feeInCollateral
    ) internal view returns (uint256 seized, uint256 protocolFee) {
        (, uint256 principal, uint256 collateralAmount,) = pool.borrows(POOL_ID, borrower, borrowId);
        uint256 proRata = collateralAmount * amount / principal;
        seized = _collateralWorthDown((amount + interest) * 11_000, BPS);
        if (seized > proRata) seized = proRata;
        if (feeInCollateral) {
            protocolFee =
                _collateralWorthDown(ReferenceMath.liquidationPayment(amount, interest) - amount - interest, 1);
            if (protocolFee > proRata - seized) protocolFee = proRata - seized;
        }
    }

    /// @dev Collateral tokens worth `usdcNumerator / usdcDenominator` USDC base units, rounded down once.
    function _collateralWorthDown(uint256 usdcNumerator, uint256 usdcDenominator) internal view returns (uint256) {
        (uint256 usdcPrice, uint8 usdcDecimals, uint256 collateralPrice, uint8 feedDecimals) = _feedAnswers();
        return usdcNumerator * usdcPrice * 10 ** feedDecimals * 10 ** collateralDecimals
            / (usdcDenominator * collateralPrice * 10 ** usdcDecimals * USDC_UNIT);
    }

    function _unhealthyExact(uint256 debt, uint256 collateralAmount) internal view returns (bool) {
        (uint256 usdcPrice, uint8 usdcDecimals, uint256 collateralPrice, uint8 feedDecimals) = _feedAnswers();
        return ReferenceMath.isLiquidatableExact(
            debt,
            collateralAmount,
            params.ltv,
            usdcPrice,
            usdcDecimals,
            collateralPrice,
            feedDecimals,
            collateralDecimals
        );
    }

    function _feedAnswers()
        internal
        view
        returns (uint256 usdcPrice, uint8 usdcDecimals, uint256 collateralPrice, uint8 feedDecimals)
    {
        (, int256 usdcAnswer,,,) = usdcFeed.latestRoundData();
        (, int256 collateralAnswer,,,) = collateralFeed.latestRoundData();
        return (uint256(usdcAnswer), usdcFeed.decimals(), uint256(collateralAnswer), collateralFeed.decimals());
    }

    /* INTERNAL: PICKING POSITIONS AND AMOUNTS */

    /// @dev A borrow among all borrowers' positions, starting at `seed`: with principal left when
    /// `open`, otherwise with collateral left (liquidation remainders included).
    function _pickBorrow(uint256 seed, bool open)
        internal
        view
        returns (bool found, address borrower, uint256 borrowId, uint256 principal)
    {
        uint256 total = _borrowCount();
        if (total == 0) return (false, address(0), 0, 0);
        uint256 start = seed % total;
        for (uint256 k; k < total; ++k) {
            (borrower, borrowId) = _borrowAt((start + k) % total);
            uint256 collateralAmount;
            (, principal, collateralAmount,) = pool.borrows(POOL_ID, borrower, borrowId);
            if (open ? principal != 0 : collateralAmount != 0) return (true, borrower, borrowId, principal);
        }
        return (false, address(0), 0, 0);
    }

    /// @dev Three times in four an open borrow that is liquidatable by the reference, if any;
    /// otherwise any open borrow.
    function _pickLiquidationTarget(uint256 seed)
        internal
        view
        returns (bool found, address borrower, uint256 borrowId, uint256 principal)
    {
        if (seed % 4 != 0) {
            uint256 total = _borrowCount();
            uint256 start = total == 0 ? 0 : seed % total;
            for (uint256 k; k < total; ++k) {
                (borrower, borrowId) = _borrowAt((start + k) % total);
                (bool unhealthy,) = referenceLiquidatable(borrower, borrowId);
                if (unhealthy) {
                    (, principal,,) = pool.borrows(POOL_ID, borrower, borrowId);
                    return (true, borrower, borrowId, principal);
                }
            }
        }
        return _pickBorrow(seed, true);
    }

    function _borrowCount() internal view returns (uint256 total) {
        for (uint256 i; i < borrowers.length; ++i) {
            total += pool.borrowsLength(POOL_ID, borrowers[i]);
        }
    }

    function _borrowAt(uint256 index) internal view returns (address, uint256) {
        for (uint256 i; i < borrowers.length; ++i) {
            uint256 count = pool.borrowsLength(POOL_ID, borrowers[i]);
            if (index < count) return (borrowers[i], index);
            index -= count;
        }
        revert("CollateralPoolHandler: no such borrow");
    }

    function _openLendIds(address lender) internal view returns (uint256[] memory ids, uint256 count) {
        uint256 total = pool.lendingsLength(POOL_ID, lender);
        ids = new uint256[](total);
        for (uint256 lendId; lendId < total; ++lendId) {
            (, uint256 outstanding,) = pool.lendings(POOL_ID, lender, lendId);
            if (outstanding != 0) ids[count++] = lendId;
        }
    }

    /// @dev Claims of the plan's lender covering principal + interest of the plan's liquidation plus
    /// `extra`: all open positions when `claimEverything`, otherwise just enough. False when they
    /// cannot cover it.
    function _planClaims(ClaimCollateralPlan memory plan, uint256 extra, bool claimEverything)
        internal
        view
        returns (bool)
    {
        (uint256[] memory ids, uint256 count) = _openLendIds(plan.lender);
        uint256 cost = plan.amount + plan.interest + extra;
        IERC20CollateralPool.Claim[] memory claims = new IERC20CollateralPool.Claim[](count);
        uint256 used;
        for (uint256 k; k < count && (claimEverything || plan.claimedPrincipal + plan.claimedRewards < cost); ++k) {
            (, uint256 outstanding,) = pool.lendings(POOL_ID, plan.lender, ids[k]);
            uint256 take = outstanding;
            if (!claimEverything) {
                uint256 missing = cost - plan.claimedPrincipal - plan.claimedRewards;
                if (missing < take) take = missing;
            }
            claims[used++] = IERC20CollateralPool.Claim({lendId: ids[k], usdcAmount: take});
            plan.claimedPrincipal += take;
            plan.claimedRewards += referenceReward(plan.lender, ids[k], take);
        }
        if (used == 0 || plan.claimedPrincipal + plan.claimedRewards < cost) return false;
        assembly ("memory-safe") {
            mstore(claims, used)
        }
        plan.claims = claims;
        return true;
    }

    /// @dev The smallest principal whose payout (principal + F3 reward) exceeds `available`, at
    /// most `outstanding`: probes the liquidity check at its edge.
    function _smallestClaimAbove(address lender, uint256 lendId, uint256 available, uint256 outstanding)
        internal
        view
        returns (uint256 amount)
    {
        uint256 perUnit = REWARD_PRECISION + referenceRewardPerToken() - ghostRewardPerTokenIgnored[lender][lendId];
        amount = ReferenceMath.ceilDiv((available + 1) * REWARD_PRECISION, perUnit);
        if (amount + referenceReward(lender, lendId, amount) <= available) amount++;
        if (amount > outstanding) amount = outstanding;
        if (amount == 0) amount = 1;
    }

    /// @dev All of `principal`, or a part that leaves at least `minBorrow`; 1 in 8 partial ones
    /// instead leaves between 1 and `minBorrow` − 1 (`leavesDust`), which the pool must refuse.
    function _reductionAmount(uint256 principal, uint256 seed, bool full)
        internal
        view
        returns (uint256 amount, bool leavesDust)
    {
        if (full) return (principal, false);
        if (seed % 8 == 0 && principal > 1 && params.minBorrow > 1) {
            uint256 maxRemainder = params.minBorrow - 1 < principal - 1 ? params.minBorrow - 1 : principal - 1;
            return (principal - _bound(seed >> 8, 1, maxRemainder), true);
        }
        if (principal <= params.minBorrow) return (principal, false);
        return (_bound(seed, 1, principal - params.minBorrow), false);
    }

    function _poolRewards() internal view returns (uint256) {
        (IERC20CollateralPool.PoolAmounts memory amounts,,,,,,) = pool.pools(POOL_ID);
        return amounts.rewards;
    }

    function _liquidations(address borrower, uint256 borrowId, uint256 amount)
        internal
        pure
        returns (IERC20CollateralPool.Liquidation[] memory liquidations)
    {
        liquidations = new IERC20CollateralPool.Liquidation[](1);
        liquidations[0] = IERC20CollateralPool.Liquidation({borrowId: borrowId, user: borrower, usdcAmount: amount});
    }

    /* INTERNAL: TOKENS AND TIME */

    /// @dev Tops `user` up to `amount` USDC, counting what is minted.
    function _mintUsdc(address user, uint256 amount) internal {
        uint256 balance = usdc.balanceOf(user);
        if (balance >= amount) return;
        usdc.mint(user, amount - balance);
        ghostUsdcMinted += amount - balance;
    }

    function _mintCollateral(address user, uint256 amount) internal {
        uint256 balance = collateral.balanceOf(user);
        if (balance >= amount) return;
        collateral.mint(user, amount - balance);
        ghostCollateralMinted += amount - balance;
    }

    function _approveAll(address user) internal {
        vm.startPrank(user);
        usdc.approve(address(pool), type(uint256).max);
        collateral.approve(address(pool), type(uint256).max);
        vm.stopPrank();
    }

    /// @dev Moves time forward and republishes both feeds so they stay fresh.
    function _warp(uint256 step) internal {
        vm.warp(block.timestamp + step);
        (, int256 usdcAnswer,,,) = usdcFeed.latestRoundData();
        (, int256 collateralAnswer,,,) = collateralFeed.latestRoundData();
        usdcFeed.setAnswer(usdcAnswer);
        collateralFeed.setAnswer(collateralAnswer);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {console} from "forge-std/console.sol";

import {CounterpartyPool} from "../../contracts/counterparty/CounterpartyPool.sol";
import {AdminCounterpartyPool} from "../../contracts/counterparty/AdminCounterpartyPool.sol";
import {CounterpartyPoolBase} from "../../contracts/counterparty/CounterpartyPoolBase.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockERC721} from "../../contracts/mocks/MockERC721.sol";
import {MockERC1155} from "../../contracts/mocks/MockERC1155.sol";

/// @notice Drives one counterparty variant (default or admin) through every user and admin action
/// with bounded inputs, on behalf of a fixed cast: 3 lenders, the borrowers (2 owners in the
/// default variant, the admin in the admin variant), the admin and a keeper (anyone).
/// It keeps an independent model of every pool it creates (caps, times, commits, deposits,
/// claims, who was paid in full, default collateral handed out, the status each successful action
/// must lead to), every token it mints and the fees the protocol must have earned, so that
/// `CounterpartyPoolInvariants` can state each SPEC §4 property (12–16) in a few lines.
/// Every action catches reverts: a refused call changes nothing in the model; a call that went
/// through though the rules forbid it (paused, wrong caller, default or close too early) is counted.
/// Never calls `adminWithdrawAll`: it sends the whole USDC balance (lenders' commits and rewards
/// included) to the admin on purpose, so no book-keeping property can hold after it.
contract CounterpartyPoolHandler is CommonBase, StdUtils {
    /* CONSTANTS (restated from the spec, so the model never reads them from the contract) */

    uint256 internal constant CREATION_FEE = 200e6; // USDC, default variant only
    uint256 internal constant COLLECT_FEE_BPS = 200; // default variant only
    uint256 internal constant BPS = 10_000;
    uint256 internal constant APR_SCALE = 1e8;
    uint256 internal constant COLLECT_WINDOW = 30 days;
    uint256 internal constant ARCHIVE_DELAY = 60 days;
    uint256 internal constant MAX_DEADLINE = 365 days;
    uint256 internal constant DEFAULT_REPAYMENT_TERM = 365 days;
    /// @dev Pools per run: enough for overlapping lifecycles, few enough to keep each check cheap.
    uint256 public constant MAX_POOLS = 16;
    /// @dev No new pool while this many are still open for commits: pools come one after another.
    uint256 internal constant MAX_OPEN_POOLS = 3;
    uint256 internal constant MAX_HARD_CAP = 100_000e6;
    /// @dev Furthest milestone a single warp jumps to (seconds), so one jump rarely ends every pool.
    uint256 internal constant MAX_MILESTONE_JUMP = 60 days;
    uint256 internal constant MAX_APR = 20_000_000; // 20 % on the 1e8 scale
    uint256 internal constant MAX_ERC20_COLLATERAL = 1_000_000e18;
    uint256 internal constant MAX_ERC1155_COLLATERAL = 1000;
    /// @notice ERC-1155 collateral uses ids 1..ERC1155_IDS, shared between pools.
    uint256 public constant ERC1155_IDS = 3;

    /* CAST AND SYSTEM */

    /// @notice Everything the handler acts on, built by the test's setUp.
    struct Deployment {
        CounterpartyPoolBase pool;
        bool adminVariant;
        MockERC20 usdc;
        MockERC20 token;
        MockERC721 nft;
        MockERC1155 multi;
        address admin;
        address keeper;
    }

    CounterpartyPoolBase public immutable pool;
    bool public immutable adminVariant;
    MockERC20 public immutable usdc;
    MockERC20 public immutable token;
    MockERC721 public immutable nft;
    MockERC1155 public immutable multi;
    address public immutable admin;
    /// @notice Anyone: declares defaults, is listed in *ForUsers calls though it never commits.
    address public immutable keeper;
    address[] internal lenders;
    address[] internal owners;

    /* MODEL */

    /// @notice Collateral kinds, as the model knows them from minting (not from ERC-165).
    enum Kind {
        ERC20,
        ERC721,
        ERC1155
    }

    /// @notice What an action looks for in a pool (see `_wants`).
    enum Want {
        Open,
        Funded,
        Unfunded,
        Created,
        Empty,
        Collectable,
        Active,
        Closable,
        Claimable,
        Overdue,
        Unsettled,
        Settling,
        Defaulted,
        Archivable
    }

    /// @notice What an action looks for in a lender (see `_lenderWants`).
    enum LenderWant {
        Committed,
        Unpaid,
        CollateralDue
    }

    /// @notice One collateral item and how much of it has left the contract.
    struct GhostItem {
        Kind kind;
        uint256 id;
        uint256 amount;
        uint256 released;
    }

    /// @notice A pool as the model sees it.
    struct GhostPool {
        address owner;
        uint256 softCap;
        uint256 hardCap;
        uint256 deadline;
        uint256 minimumAPR;
        uint256 repaymentDate;
        /// @dev Σ lenders' commits.
        uint256 committed;
        /// @dev Σ deposits.
        uint256 rewards;
        /// @dev Σ rewards paid to lenders.
        uint256 rewardsPaid;
        /// @dev Σ commits of lenders paid in full (claimed while CLOSED).
        uint256 paidInFullCommits;
        /// @dev Σ commits of lenders who took their share of the default collateral.
        uint256 collateralClaimedCommits;
        uint256 closedAt;
        /// @dev The status the successful actions so far must have led to.
        ICounterpartyPool.PoolStatus status;
        bool collected;
        bool defaulted;
        /// @dev The lender whose claim completed the paid-in-full set (took the rounding dust).
        address dustTaker;
    }

    /// @notice A lender's position in a pool as the model sees it.
    struct GhostLender {
        uint256 commit;
        uint256 claimed;
        bool paidInFull;
        bool collateralClaimed;
    }

    /// @notice A pool as either variant publishes it (their getters differ in shape).
    struct PoolView {
        uint256 softCap;
        uint256 hardCap;
        uint256 totalCommitted;
        uint256 totalRewards;
        uint256 rewardsPaidOut;
        uint256 deadline;
        uint256 closedTime;
        uint256 minimumAPR;
        ICounterpartyPool.PoolStatus status;
        address poolOwner;
    }

    /// @dev `CounterpartyPool.pools` return values.
    struct DefaultPoolRow {
        uint256 softCap;
        uint256 hardCap;
        uint256 totalCommitted;
        uint256 totalRewards;
        uint256 rewardsPaidOut;
        uint48 createdAt;
        uint48 deadline;
        uint48 closedTime;
        uint48 minimumAPR;
        uint8 poolStatus;
        address poolOwner;
    }

    /// @dev `AdminCounterpartyPool.pools` return values (with `partialClaimed`).
    struct AdminPoolRow {
        uint256 softCap;
        uint256 hardCap;
        uint256 totalCommitted;
        uint256 partialClaimed;
        uint256 totalRewards;
        uint256 rewardsPaidOut;
        uint48 createdAt;
        uint48 deadline;
        uint48 closedTime;
        uint48 minimumAPR;
        uint8 poolStatus;
        address poolOwner;
    }

    uint256 public poolCount;
    mapping(uint256 poolId => GhostPool) internal ghostPools;
    mapping(uint256 poolId => GhostItem[]) internal ghostItems;
    mapping(uint256 poolId => mapping(address lender => GhostLender)) internal ghostLenders;
    /// @notice Every status each pool was seen in after a handler call, in order (changes only).
    mapping(uint256 poolId => ICounterpartyPool.PoolStatus[]) internal statusHistory;
    bool public ghostPaused;

    // Token flows.
    uint256 public ghostUsdcMinted;
    uint256 public ghostErc20Minted;
    uint256 public ghostNftMinted;
    mapping(uint256 id => uint256) public ghostErc1155Minted;
    /// @notice Creation fees charged (200 USDC per pool, default variant).
    uint256 public ghostCreationFees;
    /// @notice Collect fees charged: ceil(2 % × commits) at each collect, from the model's commits.
    uint256 public ghostCollectFees;
    /// @notice USDC the admin received from withdrawFeesCollected.
    uint256 public ghostFeesWithdrawn;

    /* VIOLATIONS SEEN WHILE ACTING (all must stay 0) */

    /// @notice (12) An uncommit (own or for users) returned a different amount than the commit.
    uint256 public refundMismatches;
    /// @notice (14) A claim paid a lender a different amount than the pro-rata rule gives.
    uint256 public rewardPayoutMismatches;
    /// @notice (15) A collect paid the owner something other than commits − ceil(2 %).
    uint256 public collectPayoutMismatches;
    /// @notice (15) withdrawFeesCollected paid something other than the fees earned and not yet withdrawn.
    uint256 public feeWithdrawalMismatches;
    /// @notice (16) A lender received a different amount of default collateral than the pro-rata rule gives.
    uint256 public collateralPayoutMismatches;
    /// @notice A create, commit, uncommit, collect, claim, default or *ForUsers call went through while paused.
    uint256 public pausedActionsSucceeded;
    /// @notice An owner-only or owner-or-admin action went through for somebody else.
    uint256 public wrongCallerSuccesses;
    /// @notice Somebody other than the admin declared a default before the repayment date, or on a repaid pool.
    uint256 public earlyDefaults;
    /// @notice An ACTIVE pool closed with less than commits + minimumAPR deposited.
    uint256 public underpaidCloses;

    /* CALL SUMMARY */

    enum Action {
        CreatePool,
        CreateWithAllKinds,
        SetRepaymentDate,
        Commit,
        Uncommit,
        Collect,
        DepositRewards,
        CloseActive,
        CloseCreated,
        Claim,
        ClaimTakingDust,
        DeclareDefaultByAnyone,
        DeclareDefaultByAdmin,
        ClaimDefaultCollateral,
        ArchiveClosed,
        ArchiveCreated,
        ClaimRewardsForUsers,
        UncommitForUsers,
        WithdrawFees,
        Pause,
        Unpause,
        Warp
    }

    uint256 internal constant ACTION_COUNT = 22;
    mapping(Action => uint256) public attempts;
    mapping(Action => uint256) public successes;

    constructor(Deployment memory d, address[] memory lenders_, address[] memory owners_) {
        pool = d.pool;
        adminVariant = d.adminVariant;
        usdc = d.usdc;
        token = d.token;
        nft = d.nft;
        multi = d.multi;
        admin = d.admin;
        keeper = d.keeper;
        lenders = lenders_;
        owners = owners_;
        for (uint256 i; i < lenders_.length; ++i) {
            _approveAll(lenders_[i]);
        }
        for (uint256 i; i < owners_.length; ++i) {
            _approveAll(owners_[i]);
        }
        _approveAll(d.admin);
    }

    /* BORROWER ACTIONS */

    /// @notice Creates a pool (at most MAX_POOLS per run, and only while fewer than MAX_OPEN_POOLS
    /// take commits) with bounded caps, deadline and APR and 0 to 3 freshly minted collateral
    /// items, one of each kind chosen (all three 1 time in 4).
    function createPool(
        uint256 ownerSeed,
        uint256 capSeed,
        uint256 softCapSeed,
        uint256 deadlineSeed,
        uint256 aprSeed,
        uint256 collateralSeed
    ) external {
        if (poolCount >= MAX_POOLS || _count(Want.Open) >= MAX_OPEN_POOLS) return;
        address poolOwner = owners[ownerSeed % owners.length];
        uint256 hardCap = _bound(capSeed, 1e6, MAX_HARD_CAP);
        uint256 softCap = _bound(softCapSeed, 0, hardCap);
        // Mostly short deadlines so that sequences reach collect and close; 1 in 16 up to a year.
        uint256 deadline = block.timestamp
            + (deadlineSeed % 16 == 0 ? _bound(deadlineSeed, 1, MAX_DEADLINE) : _bound(deadlineSeed, 1 days, 30 days));
        uint256 apr = _bound(aprSeed, 0, MAX_APR);
        uint256 kindsMask = collateralSeed % 4 == 0 ? 7 : (collateralSeed >> 2) % 8;
        (ICounterpartyPool.CollateralToken[] memory collateral, GhostItem[] memory items) =
            _mintCollateral(poolOwner, kindsMask, collateralSeed);
        if (!adminVariant) _mintUsdc(poolOwner, CREATION_FEE);

        _attempt(Action.CreatePool);
        if (kindsMask == 7) _attempt(Action.CreateWithAllKinds);
        vm.prank(poolOwner);
        try pool.createPool(softCap, hardCap, uint48(deadline), uint48(apr), collateral) {
            _succeed(Action.CreatePool);
            if (kindsMask == 7) _succeed(Action.CreateWithAllKinds);
            if (ghostPaused) pausedActionsSucceeded++;
            uint256 poolId = poolCount++;
            GhostPool storage g = ghostPools[poolId];
            g.owner = poolOwner;
            g.softCap = softCap;
            g.hardCap = hardCap;
            g.deadline = deadline;
            g.minimumAPR = apr;
            g.repaymentDate = deadline + DEFAULT_REPAYMENT_TERM;
            for (uint256 i; i < items.length; ++i) {
                ghostItems[poolId].push(items[i]);
            }
            if (!adminVariant) ghostCreationFees += CREATION_FEE;
        } catch {}
        _recordStatuses();
    }

    /// @notice Moves a pool's repayment date to 1 second .. 60 days after its deadline (1 in 8
    /// times up to 2 years); 1 in 8 times to a date at or before the deadline, which must be refused.
    function setRepaymentDate(uint256 poolSeed, uint256 dateSeed, uint256 callerSeed) external {
        (bool found, uint256 poolId) = _pickPool(poolSeed, Want.Empty);
        if (!found) return;
        GhostPool storage g = ghostPools[poolId];
        uint256 mode = dateSeed % 8;
        uint256 date;
        if (mode == 0) date = _bound(dateSeed, g.deadline - 1 hours, g.deadline);
        else if (mode == 1) date = g.deadline + _bound(dateSeed, 1, 730 days);
        else date = g.deadline + _bound(dateSeed, 1, 60 days);
        (address caller, bool legit) = _borrower(poolId, callerSeed);

        _attempt(Action.SetRepaymentDate);
        vm.prank(caller);
        try pool.setRepaymentDate(poolId, uint48(date)) {
            _succeed(Action.SetRepaymentDate);
            if (!legit) wrongCallerSuccesses++;
            g.repaymentDate = date;
        } catch {}
        _recordStatuses();
    }

    /// @notice The owner collects a pool (funds go to the owner, the fee to the protocol).
    function collect(uint256 poolSeed, uint256 callerSeed) external {
        (bool found, uint256 poolId) = _pickPool(poolSeed, Want.Collectable);
        if (!found) return;
        GhostPool storage g = ghostPools[poolId];
        (address caller, bool legit) = _borrower(poolId, callerSeed);
        uint256 ownerBefore = usdc.balanceOf(g.owner);

        _attempt(Action.Collect);
        vm.prank(caller);
        try pool.collectPool(poolId) {
            _succeed(Action.Collect);
            if (ghostPaused) pausedActionsSucceeded++;
            if (!legit) wrongCallerSuccesses++;
            uint256 fee = adminVariant ? 0 : _mulDivUp(g.committed, COLLECT_FEE_BPS, BPS);
            ghostCollectFees += fee;
            if (usdc.balanceOf(g.owner) - ownerBefore != g.committed - fee) collectPayoutMismatches++;
            g.collected = true;
            g.status = ICounterpartyPool.PoolStatus.ACTIVE;
        } catch {}
        _recordStatuses();
    }

    /// @notice The owner deposits rewards: 1 in 4 exactly what is still missing for close, 1 in 8
    /// one unit less, otherwise a bounded amount up to the whole requirement.
    function depositRewards(uint256 poolSeed, uint256 amountSeed, uint256 callerSeed) external {
        (bool found, uint256 poolId) = _pickPool(poolSeed, Want.Active);
        if (!found) return;
        GhostPool storage g = ghostPools[poolId];
        uint256 required = requiredRewards(poolId);
        uint256 missing = required > g.rewards ? required - g.rewards : 0;
        uint256 mode = amountSeed % 8;
        uint256 amount;
        if (mode < 2 && missing != 0) amount = missing;
        else if (mode == 2 && missing > 1) amount = missing - 1;
        else amount = _bound(amountSeed, 1, required > 1 ? required : 1);
        (address caller, bool legit) = _borrower(poolId, callerSeed);
        _mintUsdc(caller, amount);

        _attempt(Action.DepositRewards);
        vm.prank(caller);
        try pool.depositRewards(poolId, amount) {
            _succeed(Action.DepositRewards);
            if (!legit) wrongCallerSuccesses++;
            g.rewards += amount;
        } catch {}
        _recordStatuses();
    }

    /// @notice The owner closes a pool: from ACTIVE (needs commits + minimumAPR deposited) or
    /// from CREATED (default variant: after the deadline, never collectable, every commit back).
    /// Collateral goes back to the owner.
    function close(uint256 poolSeed, uint256 callerSeed) external {
        (bool found, uint256 poolId) = _pickPool(poolSeed, Want.Closable);
        if (!found) return;
        GhostPool storage g = ghostPools[poolId];
        (address caller, bool legit) = _borrower(poolId, callerSeed);
        bool fromActive = g.status == ICounterpartyPool.PoolStatus.ACTIVE;
        Action action = fromActive ? Action.CloseActive : Action.CloseCreated;

        _attempt(action);
        vm.prank(caller);
        try pool.closePool(poolId) {
            _succeed(action);
            if (!legit) wrongCallerSuccesses++;
            if (fromActive && g.rewards < requiredRewards(poolId)) underpaidCloses++;
            g.status = ICounterpartyPool.PoolStatus.CLOSED;
            g.closedAt = block.timestamp;
            _releaseAllCollateral(poolId);
        } catch {}
        _recordStatuses();
    }

    /* LENDER ACTIONS */

    /// @notice A lender commits: 1 in 4 fills the pool to its hard cap, 1 in 4 fills it to its soft
    /// cap, 1 in 8 goes beyond the hard cap (must be refused), otherwise a bounded amount.
    function commit(uint256 poolSeed, uint256 lenderSeed, uint256 amountSeed) external {
        (bool found, uint256 poolId) = _pickPool(poolSeed, Want.Open);
        if (!found) return;
        GhostPool storage g = ghostPools[poolId];
        address lender = lenders[lenderSeed % lenders.length];
        uint256 room = g.hardCap - g.committed;
        uint256 mode = amountSeed % 8;
        uint256 amount;
        if (mode < 2) amount = room;
        else if (mode < 4 && g.softCap > g.committed) amount = g.softCap - g.committed;
        else if (mode == 4) amount = room + _bound(amountSeed, 1, 1000e6);
        else amount = _bound(amountSeed, 1, room > 1 ? room : 1);
        _mintUsdc(lender, amount);

        _attempt(Action.Commit);
        vm.prank(lender);
        try pool.commitToPool(poolId, amount) {
            _succeed(Action.Commit);
            if (ghostPaused) pausedActionsSucceeded++;
            ghostLenders[poolId][lender].commit += amount;
            g.committed += amount;
        } catch {}
        _recordStatuses();
    }

    /// @notice A lender takes its whole commit back from a CREATED pool.
    function uncommit(uint256 poolSeed, uint256 lenderSeed) external {
        (bool found, uint256 poolId) = _pickPool(poolSeed, Want.Created);
        if (!found) return;
        address lender = _pickLender(poolId, lenderSeed, LenderWant.Committed);
        uint256 before = usdc.balanceOf(lender);

        _attempt(Action.Uncommit);
        vm.prank(lender);
        try pool.uncommitFromPool(poolId) {
            _succeed(Action.Uncommit);
            if (ghostPaused) pausedActionsSucceeded++;
            uint256 refund = _applyRefund(poolId, lender);
            if (usdc.balanceOf(lender) - before != refund) refundMismatches++;
        } catch {}
        _recordStatuses();
    }

    /// @notice A lender claims its rewards (ACTIVE or CLOSED); the payout is checked against the
    /// pro-rata rule, and the claim that completes the paid-in-full set against the dust rule.
    function claim(uint256 poolSeed, uint256 lenderSeed) external {
        (bool found, uint256 poolId) = _pickPool(poolSeed, Want.Claimable);
        if (!found) return;
        address lender = _pickLender(poolId, lenderSeed, LenderWant.Unpaid);
        uint256 before = usdc.balanceOf(lender);

        _attempt(Action.Claim);
        vm.prank(lender);
        try pool.claim(poolId) {
            _succeed(Action.Claim);
            if (ghostPaused) pausedActionsSucceeded++;
            (uint256 due, bool tookDust) = _applyClaim(poolId, lender);
            if (tookDust) _countDone(Action.ClaimTakingDust);
            if (usdc.balanceOf(lender) - before != due) rewardPayoutMismatches++;
        } catch {}
        _recordStatuses();
    }

    /// @notice Declares an ACTIVE pool in default: 1 in 3 times the admin (allowed at any time),
    /// otherwise the keeper or a lender (only past the repayment date with rewards short).
    function declareDefault(uint256 poolSeed, uint256 callerSeed) external {
        bool byAdmin = callerSeed % 3 == 0;
        (bool found, uint256 poolId) = _pickPool(poolSeed, byAdmin ? Want.Active : Want.Overdue);
        if (!found) return;
        GhostPool storage g = ghostPools[poolId];
        address caller = byAdmin ? admin : (callerSeed % 2 == 0 ? keeper : lenders[callerSeed % lenders.length]);
        bool allowedForAnyone = block.timestamp >= g.repaymentDate && g.rewards < requiredRewards(poolId);
        Action action = byAdmin ? Action.DeclareDefaultByAdmin : Action.DeclareDefaultByAnyone;

        _attempt(action);
        vm.prank(caller);
        try pool.declareDefault(poolId) {
            _succeed(action);
            if (ghostPaused) pausedActionsSucceeded++;
            if (!byAdmin && !allowedForAnyone) earlyDefaults++;
            g.defaulted = true;
            g.status = ICounterpartyPool.PoolStatus.CLOSED;
            g.closedAt = block.timestamp;
        } catch {}
        _recordStatuses();
    }

    /// @notice A lender takes its share of a defaulted pool's collateral, checked item by item.
    function claimDefaultCollateral(uint256 poolSeed, uint256 lenderSeed) external {
        (bool found, uint256 poolId) = _pickPool(poolSeed, Want.Defaulted);
        if (!found) return;
        address lender = _pickLender(poolId, lenderSeed, LenderWant.CollateralDue);
        uint256[] memory before = _itemBalances(poolId, lender);

        _attempt(Action.ClaimDefaultCollateral);
        vm.prank(lender);
        try pool.claimDefaultCollateral(poolId) {
            _succeed(Action.ClaimDefaultCollateral);
            if (ghostPaused) pausedActionsSucceeded++;
            uint256[] memory expected = _applyDefaultCollateral(poolId, lender);
            uint256[] memory afterwards = _itemBalances(poolId, lender);
            for (uint256 i; i < expected.length; ++i) {
                if (afterwards[i] - before[i] != expected[i]) collateralPayoutMismatches++;
            }
        } catch {}
        _recordStatuses();
    }

    /* OWNER OR ADMIN ACTIONS */

    /// @notice Archives a pool (CLOSED for 60 days and settled, or CREATED, empty and 60 days past
    /// its deadline), by its owner or the admin.
    function archive(uint256 poolSeed, uint256 callerSeed) external {
        (bool found, uint256 poolId) = _pickPool(poolSeed, Want.Archivable);
        if (!found) return;
        GhostPool storage g = ghostPools[poolId];
        (address caller, bool legit) = _ownerOrAdmin(poolId, callerSeed);
        bool fromCreated = g.status == ICounterpartyPool.PoolStatus.CREATED;
        Action action = fromCreated ? Action.ArchiveCreated : Action.ArchiveClosed;

        _attempt(action);
        vm.prank(caller);
        try pool.archivePool(poolId) {
            _succeed(action);
            if (!legit) wrongCallerSuccesses++;
            if (fromCreated) _releaseAllCollateral(poolId); // never closed: collateral back to the owner
            g.status = ICounterpartyPool.PoolStatus.ARCHIVED;
        } catch {}
        _recordStatuses();
    }

    /// @notice The owner or admin pays listed users (a subset of the lenders, the keeper who never
    /// committed, sometimes one twice) their rewards and default collateral, checked per user.
    function claimRewardsForUsers(uint256 poolSeed, uint256 callerSeed, uint256 listSeed) external {
        (bool found, uint256 poolId) = _pickPool(poolSeed, Want.Settling);
        if (!found) return;
        (address caller, bool legit) = _ownerOrAdmin(poolId, callerSeed);
        address[] memory claimants = _claimants();
        address[] memory users = _userList(listSeed);
        uint256[] memory usdcBefore = new uint256[](claimants.length);
        uint256[][] memory itemsBefore = new uint256[][](claimants.length);
        for (uint256 k; k < claimants.length; ++k) {
            usdcBefore[k] = usdc.balanceOf(claimants[k]);
            itemsBefore[k] = _itemBalances(poolId, claimants[k]);
        }

        _attempt(Action.ClaimRewardsForUsers);
        vm.prank(caller);
        try pool.claimRewardsForUsers(poolId, users) {
            _succeed(Action.ClaimRewardsForUsers);
            if (ghostPaused) pausedActionsSucceeded++;
            if (!legit) wrongCallerSuccesses++;
            _checkPaidForUsers(poolId, claimants, users, usdcBefore, itemsBefore);
        } catch {}
        _recordStatuses();
    }

    /// @notice The owner or admin returns listed users' commits from a CREATED pool 60 days past its deadline.
    function uncommitForUsers(uint256 poolSeed, uint256 callerSeed, uint256 listSeed) external {
        (bool found, uint256 poolId) = _pickPool(poolSeed, Want.Created);
        if (!found) return;
        (address caller, bool legit) = _ownerOrAdmin(poolId, callerSeed);
        address[] memory claimants = _claimants();
        address[] memory users = _userList(listSeed);
        uint256[] memory before = new uint256[](claimants.length);
        for (uint256 k; k < claimants.length; ++k) {
            before[k] = usdc.balanceOf(claimants[k]);
        }

        _attempt(Action.UncommitForUsers);
        vm.prank(caller);
        try pool.uncommitForUsers(poolId, users) {
            _succeed(Action.UncommitForUsers);
            if (ghostPaused) pausedActionsSucceeded++;
            if (!legit) wrongCallerSuccesses++;
            uint256[] memory expected = new uint256[](claimants.length);
            for (uint256 j; j < users.length; ++j) {
                expected[_indexOf(claimants, users[j])] += _applyRefund(poolId, users[j]);
            }
            for (uint256 k; k < claimants.length; ++k) {
                if (usdc.balanceOf(claimants[k]) - before[k] != expected[k]) refundMismatches++;
            }
        } catch {}
        _recordStatuses();
    }

    /* ADMIN ACTIONS */

    /// @notice The admin withdraws the fees collected (never adminWithdrawAll, see the contract's notice).
    function withdrawFeesCollected() external {
        uint256 before = usdc.balanceOf(admin);
        uint256 owed = ghostCreationFees + ghostCollectFees - ghostFeesWithdrawn;

        _attempt(Action.WithdrawFees);
        vm.prank(admin);
        try pool.withdrawFeesCollected() {
            _succeed(Action.WithdrawFees);
            uint256 received = usdc.balanceOf(admin) - before;
            if (received != owed) feeWithdrawalMismatches++;
            ghostFeesWithdrawn += received;
        } catch {}
        _recordStatuses();
    }

    /// @notice Unpauses when paused; otherwise pauses 1 time in 16 (pauses stay short and rare, so
    /// that most of a sequence can act, yet every blocked action meets a pause now and then).
    function togglePause(uint256 seed) external {
        if (ghostPaused) {
            _attempt(Action.Unpause);
            vm.prank(admin);
            try pool.unpause() {
                _succeed(Action.Unpause);
                ghostPaused = false;
            } catch {}
        } else if (uint256(keccak256(abi.encode(seed))) % 16 == 0) {
            _attempt(Action.Pause);
            vm.prank(admin);
            try pool.pause() {
                _succeed(Action.Pause);
                ghostPaused = true;
            } catch {}
        }
        _recordStatuses();
    }

    /* TIME */

    /// @notice Moves time forward: 1 time in 8 to a milestone of a pool it matters to (the deadline
    /// of a funded pool or just past it, the end of an unfunded CREATED pool's 30-day collect
    /// window or 60 days past its deadline, an ACTIVE pool's repayment date, 60 days after the close
    /// of a pool its lenders have not all settled) when it is ahead and at most 60 days away;
    /// otherwise by 1 to 12 hours, 1 to 20 days (5 in 64) or 30 to 400 days (1 in 64, which ends
    /// every open window).
    function warp(uint256 seed) external {
        uint256 mode = seed % 64;
        uint256 target;
        if (mode < 8) {
            uint256 milestone = (seed >> 6) % 6;
            Want want = milestone < 2
                ? Want.Funded
                : milestone < 4 ? Want.Unfunded : milestone == 4 ? Want.Active : Want.Unsettled;
            (bool found, uint256 poolId) = _pickPool(seed >> 9, want);
            if (found) {
                GhostPool storage g = ghostPools[poolId];
                if (milestone == 0) target = g.deadline;
                else if (milestone == 1) target = g.deadline + 1;
                else if (milestone == 2) target = g.deadline + COLLECT_WINDOW + 1;
                else if (milestone == 3) target = g.deadline + ARCHIVE_DELAY;
                else if (milestone == 4) target = g.repaymentDate;
                else target = g.closedAt == 0 ? 0 : g.closedAt + ARCHIVE_DELAY;
                if (target > block.timestamp + MAX_MILESTONE_JUMP) target = 0;
            }
        }
        if (target <= block.timestamp) {
            uint256 step;
            if (mode < 58) step = _bound(seed, 1 hours, 12 hours);
            else if (mode < 63) step = _bound(seed, 1 days, 20 days);
            else step = _bound(seed, 30 days, 400 days);
            target = block.timestamp + step;
        }
        _attempt(Action.Warp);
        vm.warp(target);
        _succeed(Action.Warp);
        _recordStatuses();
    }

    /* VIEWS FOR THE INVARIANTS */

    /// @notice The model of pool `poolId`.
    function ghostPool(uint256 poolId) external view returns (GhostPool memory) {
        return ghostPools[poolId];
    }

    /// @notice The model of `lender`'s position in pool `poolId`.
    function ghostLender(uint256 poolId, address lender) external view returns (GhostLender memory) {
        return ghostLenders[poolId][lender];
    }

    /// @notice The model of pool `poolId`'s collateral items.
    function ghostCollateral(uint256 poolId) external view returns (GhostItem[] memory) {
        return ghostItems[poolId];
    }

    /// @notice The statuses pool `poolId` was seen in, in order.
    function statusHistoryOf(uint256 poolId) external view returns (ICounterpartyPool.PoolStatus[] memory) {
        return statusHistory[poolId];
    }

    /// @notice The lenders of the cast.
    function lendersList() external view returns (address[] memory) {
        return lenders;
    }

    /// @notice Everybody who can hold tokens: lenders, owners, admin, keeper and the pool contract.
    function holders() external view returns (address[] memory list) {
        list = new address[](lenders.length + owners.length + 3);
        uint256 n;
        for (uint256 i; i < lenders.length; ++i) {
            list[n++] = lenders[i];
        }
        for (uint256 i; i < owners.length; ++i) {
            if (owners[i] != admin) list[n++] = owners[i];
        }
        list[n++] = admin;
        list[n++] = keeper;
        list[n++] = address(pool);
        assembly ("memory-safe") {
            mstore(list, n)
        }
    }

    /// @notice Commits + minimumAPR of them, rounded up: what an ACTIVE pool needs before it can close.
    function requiredRewards(uint256 poolId) public view returns (uint256) {
        GhostPool storage g = ghostPools[poolId];
        return g.committed + _mulDivUp(g.committed, g.minimumAPR, APR_SCALE);
    }

    /// @notice Pool `poolId` as published, in one shape for both variants (their getters differ).
    function poolView(uint256 poolId) public view returns (PoolView memory v) {
        // Both `pools` getters return static values only, so their return data decodes as a struct.
        bytes memory data = _call(abi.encodeCall(CounterpartyPool.pools, (poolId)));
        if (adminVariant) {
            AdminPoolRow memory r = abi.decode(data, (AdminPoolRow));
            v = PoolView({
                softCap: r.softCap,
                hardCap: r.hardCap,
                totalCommitted: r.totalCommitted,
                totalRewards: r.totalRewards,
                rewardsPaidOut: r.rewardsPaidOut,
                deadline: r.deadline,
                closedTime: r.closedTime,
                minimumAPR: r.minimumAPR,
                status: ICounterpartyPool.PoolStatus(r.poolStatus),
                poolOwner: r.poolOwner
            });
        } else {
            DefaultPoolRow memory r = abi.decode(data, (DefaultPoolRow));
            v = PoolView({
                softCap: r.softCap,
                hardCap: r.hardCap,
                totalCommitted: r.totalCommitted,
                totalRewards: r.totalRewards,
                rewardsPaidOut: r.rewardsPaidOut,
                deadline: r.deadline,
                closedTime: r.closedTime,
                minimumAPR: r.minimumAPR,
                status: ICounterpartyPool.PoolStatus(r.poolStatus),
                poolOwner: r.poolOwner
            });
        }
    }

    /// @notice Pool `poolId`'s status as published.
    function statusOf(uint256 poolId) public view returns (ICounterpartyPool.PoolStatus) {
        uint8 status;
        if (adminVariant) (,,,,,,,,,, status,) = AdminCounterpartyPool(address(pool)).pools(poolId);
        else (,,,,,,,,, status,) = CounterpartyPool(address(pool)).pools(poolId);
        return ICounterpartyPool.PoolStatus(status);
    }

    /// @notice Prints how often every action was tried and went through in this run (visible with -vv).
    function logCallSummary() external view {
        string[ACTION_COUNT] memory names = [
            string("createPool"),
            "createPool with ERC-20 + ERC-721 + ERC-1155",
            "setRepaymentDate",
            "commit",
            "uncommit",
            "collect",
            "depositRewards",
            "close from ACTIVE",
            "close from CREATED",
            "claim",
            "claim completing the set (dust)",
            "declareDefault by anyone",
            "declareDefault by admin",
            "claimDefaultCollateral",
            "archive from CLOSED",
            "archive from CREATED",
            "claimRewardsForUsers",
            "uncommitForUsers",
            "withdrawFeesCollected",
            "pause",
            "unpause",
            "warp"
        ];
        console.log("%s call summary (succeeded / tried):", adminVariant ? "admin variant" : "default variant");
        for (uint256 i; i < ACTION_COUNT; ++i) {
            console.log("  %s: %s / %s", names[i], successes[Action(i)], attempts[Action(i)]);
        }
        console.log("  pools created: %s", poolCount);
    }

    /* INTERNAL: MODEL */

    /// @dev Gives `user`'s whole commit back in the model; returns it.
    function _applyRefund(uint256 poolId, address user) internal returns (uint256 refund) {
        GhostLender storage l = ghostLenders[poolId][user];
        refund = l.commit;
        l.commit = 0;
        ghostPools[poolId].committed -= refund;
    }

    /// @dev A claim by `user` in the model: floor(rewards × commit / commits) − claimed (0 for the
    /// lender who took the dust and so holds more); once CLOSED the user is paid in full, and the
    /// one completing that set takes everything left.
    function _applyClaim(uint256 poolId, address user) internal returns (uint256 due, bool tookDust) {
        GhostPool storage g = ghostPools[poolId];
        GhostLender storage l = ghostLenders[poolId][user];
        uint256 share = g.rewards * l.commit / g.committed;
        due = share > l.claimed ? share - l.claimed : 0;
        if (g.status == ICounterpartyPool.PoolStatus.CLOSED && !l.paidInFull) {
            l.paidInFull = true;
            g.paidInFullCommits += l.commit;
            if (g.paidInFullCommits == g.committed) {
                due = g.rewards - g.rewardsPaid;
                g.dustTaker = user;
                tookDust = true;
            }
        }
        l.claimed += due;
        g.rewardsPaid += due;
    }

    /// @dev `user` takes its share of a defaulted pool's collateral in the model: ERC-20 and
    /// ERC-1155 pro rata to commits rounded down; the last one takes every ERC-721 and the rest.
    function _applyDefaultCollateral(uint256 poolId, address user) internal returns (uint256[] memory amounts) {
        GhostPool storage g = ghostPools[poolId];
        GhostLender storage l = ghostLenders[poolId][user];
        l.collateralClaimed = true;
        g.collateralClaimedCommits += l.commit;
        bool last = g.collateralClaimedCommits == g.committed;
        GhostItem[] storage items = ghostItems[poolId];
        amounts = new uint256[](items.length);
        for (uint256 i; i < items.length; ++i) {
            GhostItem storage item = items[i];
            if (last) amounts[i] = item.amount - item.released;
            else if (item.kind != Kind.ERC721) amounts[i] = item.amount * l.commit / g.committed;
            item.released += amounts[i];
        }
    }

    /// @dev Applies claimRewardsForUsers to the model user by user, then compares each claimant's
    /// USDC and collateral received with what the model says.
    function _checkPaidForUsers(
        uint256 poolId,
        address[] memory claimants,
        address[] memory users,
        uint256[] memory usdcBefore,
        uint256[][] memory itemsBefore
    ) internal {
        GhostPool storage g = ghostPools[poolId];
        uint256 itemCount = ghostItems[poolId].length;
        uint256[] memory usdcExpected = new uint256[](claimants.length);
        uint256[][] memory itemsExpected = new uint256[][](claimants.length);
        for (uint256 k; k < claimants.length; ++k) {
            itemsExpected[k] = new uint256[](itemCount);
        }
        for (uint256 j; j < users.length; ++j) {
            GhostLender storage l = ghostLenders[poolId][users[j]];
            if (l.commit == 0) continue;
            uint256 k = _indexOf(claimants, users[j]);
            (uint256 due, bool tookDust) = _applyClaim(poolId, users[j]);
            if (tookDust) _countDone(Action.ClaimTakingDust);
            usdcExpected[k] += due;
            if (g.defaulted && !l.collateralClaimed) {
                uint256[] memory amounts = _applyDefaultCollateral(poolId, users[j]);
                for (uint256 i; i < itemCount; ++i) {
                    itemsExpected[k][i] += amounts[i];
                }
            }
        }
        for (uint256 k; k < claimants.length; ++k) {
            if (usdc.balanceOf(claimants[k]) - usdcBefore[k] != usdcExpected[k]) rewardPayoutMismatches++;
            uint256[] memory itemsAfter = _itemBalances(poolId, claimants[k]);
            for (uint256 i; i < itemCount; ++i) {
                if (itemsAfter[i] - itemsBefore[k][i] != itemsExpected[k][i]) collateralPayoutMismatches++;
            }
        }
    }

    /// @dev Every item of the pool has left the contract (close, or archive of a CREATED pool).
    function _releaseAllCollateral(uint256 poolId) internal {
        GhostItem[] storage items = ghostItems[poolId];
        for (uint256 i; i < items.length; ++i) {
            items[i].released = items[i].amount;
        }
    }

    /// @dev Appends each pool's status to its history when it changed.
    function _recordStatuses() internal {
        for (uint256 poolId; poolId < poolCount; ++poolId) {
            ICounterpartyPool.PoolStatus status = statusOf(poolId);
            ICounterpartyPool.PoolStatus[] storage history = statusHistory[poolId];
            if (history.length == 0 || history[history.length - 1] != status) history.push(status);
        }
    }

    /* INTERNAL: CHOICES */

    /// @dev Picks a pool the action can work on (`_wants`), scanning from the seed; 1 in 8 times,
    /// or when none fits, any pool (so calls that must be refused are tried too). False when
    /// there is no pool yet.
    function _pickPool(uint256 seed, Want want) internal view returns (bool found, uint256 poolId) {
        if (poolCount == 0) return (false, 0);
        uint256 start = (seed >> 3) % poolCount;
        if (seed % 8 == 0) return (true, start);
        for (uint256 i; i < poolCount; ++i) {
            uint256 candidate = (start + i) % poolCount;
            if (_wants(ghostPools[candidate], want)) return (true, candidate);
        }
        return (true, start);
    }

    /// @dev How many pools look like `want`.
    function _count(Want want) internal view returns (uint256 n) {
        for (uint256 poolId; poolId < poolCount; ++poolId) {
            if (_wants(ghostPools[poolId], want)) ++n;
        }
    }

    /// @dev Whether the model of a pool looks like what the action needs (a hint, never a rule).
    function _wants(GhostPool storage g, Want want) internal view returns (bool) {
        ICounterpartyPool.PoolStatus status = g.status;
        bool created = status == ICounterpartyPool.PoolStatus.CREATED;
        bool active = status == ICounterpartyPool.PoolStatus.ACTIVE;
        bool closed = status == ICounterpartyPool.PoolStatus.CLOSED;
        bool waited = closed && block.timestamp >= g.closedAt + ARCHIVE_DELAY;
        if (want == Want.Open) return created && block.timestamp <= g.deadline && g.committed < g.hardCap;
        bool funded = g.committed != 0 && (adminVariant || g.committed >= g.softCap);
        if (want == Want.Funded) return created && funded && block.timestamp < g.deadline;
        if (want == Want.Unfunded) return created && !funded;
        if (want == Want.Created) return created;
        if (want == Want.Empty) return created && g.committed == 0;
        if (want == Want.Collectable) {
            bool inWindow = block.timestamp <= g.deadline + COLLECT_WINDOW
                && (adminVariant || (block.timestamp >= g.deadline && g.committed >= g.softCap));
            return created && g.committed != 0 && inWindow;
        }
        if (want == Want.Active) return active;
        if (want == Want.Closable) return active || (created && block.timestamp > g.deadline);
        if (want == Want.Claimable) {
            return (active && g.rewards > g.rewardsPaid) || (closed && g.paidInFullCommits < g.committed);
        }
        if (want == Want.Overdue) return active && block.timestamp >= g.repaymentDate;
        bool unsettled =
            closed && (g.paidInFullCommits < g.committed || (g.defaulted && g.collateralClaimedCommits < g.committed));
        if (want == Want.Unsettled) return unsettled;
        if (want == Want.Settling) return waited && unsettled;
        if (want == Want.Defaulted) return closed && g.defaulted && g.collateralClaimedCommits < g.committed;
        return waited || (created && block.timestamp >= g.deadline + ARCHIVE_DELAY);
    }

    /// @dev Picks a lender the action can work on in pool `poolId`, scanning from the seed; 1 in 8
    /// times, or when none fits, any lender (so calls that must be refused are tried too).
    function _pickLender(uint256 poolId, uint256 seed, LenderWant want) internal view returns (address) {
        uint256 start = (seed >> 3) % lenders.length;
        if (seed % 8 == 0) return lenders[start];
        GhostPool storage g = ghostPools[poolId];
        for (uint256 i; i < lenders.length; ++i) {
            address lender = lenders[(start + i) % lenders.length];
            GhostLender storage l = ghostLenders[poolId][lender];
            if (l.commit == 0) continue;
            if (want == LenderWant.Committed) return lender;
            if (want == LenderWant.CollateralDue && !l.collateralClaimed) return lender;
            if (want == LenderWant.Unpaid) {
                if (g.status == ICounterpartyPool.PoolStatus.CLOSED ? !l.paidInFull : l.claimed < g.rewards) {
                    return lender;
                }
            }
        }
        return lenders[start];
    }

    /// @dev The pool's borrower (its owner; in the admin variant the admin), or 1 time in 16 a
    /// lender, who must be refused.
    function _borrower(uint256 poolId, uint256 seed) internal view returns (address caller, bool legit) {
        if (seed % 16 == 0) return (lenders[(seed >> 4) % lenders.length], false);
        return (ghostPools[poolId].owner, true);
    }

    /// @dev The pool's owner or the admin (default variant), the admin (admin variant), or 1 time
    /// in 16 a lender, who must be refused.
    function _ownerOrAdmin(uint256 poolId, uint256 seed) internal view returns (address caller, bool legit) {
        if (seed % 16 == 0) return (lenders[(seed >> 4) % lenders.length], false);
        if (adminVariant || seed % 3 == 0) return (admin, true);
        return (ghostPools[poolId].owner, true);
    }

    /// @dev Who a *ForUsers list may name: the lenders and the keeper (never a committer).
    function _claimants() internal view returns (address[] memory list) {
        list = new address[](lenders.length + 1);
        for (uint256 i; i < lenders.length; ++i) {
            list[i] = lenders[i];
        }
        list[lenders.length] = keeper;
    }

    /// @dev 1 to 5 users drawn from the claimants, repeats possible.
    function _userList(uint256 seed) internal view returns (address[] memory users) {
        address[] memory claimants = _claimants();
        users = new address[](_bound(seed, 1, 5));
        for (uint256 j; j < users.length; ++j) {
            users[j] = claimants[uint256(keccak256(abi.encode(seed, j))) % claimants.length];
        }
    }

    function _indexOf(address[] memory list, address who) internal pure returns (uint256) {
        for (uint256 k; k < list.length; ++k) {
            if (list[k] == who) return k;
        }
        revert("not in list");
    }

    /* INTERNAL: TOKENS */

    /// @dev Mints fresh collateral of the kinds in `kindsMask` (bit 0 ERC-20, 1 ERC-721, 2 ERC-1155) to `to`.
    function _mintCollateral(address to, uint256 kindsMask, uint256 seed)
        internal
        returns (ICounterpartyPool.CollateralToken[] memory collateral, GhostItem[] memory items)
    {
        uint256 count = (kindsMask & 1) + ((kindsMask >> 1) & 1) + ((kindsMask >> 2) & 1);
        collateral = new ICounterpartyPool.CollateralToken[](count);
        items = new GhostItem[](count);
        uint256 n;
        if (kindsMask & 1 != 0) {
            uint256 amount = _bound(uint256(keccak256(abi.encode(seed, "erc20"))), 1, MAX_ERC20_COLLATERAL);
            token.mint(to, amount);
            ghostErc20Minted += amount;
            collateral[n] = ICounterpartyPool.CollateralToken({contractAddress: address(token), amount: amount, id: 0});
            items[n++] = GhostItem({kind: Kind.ERC20, id: 0, amount: amount, released: 0});
        }
        if (kindsMask & 2 != 0) {
            uint256 id = ++ghostNftMinted;
            nft.mint(to, id);
            collateral[n] = ICounterpartyPool.CollateralToken({contractAddress: address(nft), amount: 1, id: id});
            items[n++] = GhostItem({kind: Kind.ERC721, id: id, amount: 1, released: 0});
        }
        if (kindsMask & 4 != 0) {
            uint256 id = 1 + (seed >> 16) % ERC1155_IDS;
            uint256 amount = _bound(uint256(keccak256(abi.encode(seed, "erc1155"))), 1, MAX_ERC1155_COLLATERAL);
            multi.mint(to, id, amount);
            ghostErc1155Minted[id] += amount;
            collateral[n] = ICounterpartyPool.CollateralToken({contractAddress: address(multi), amount: amount, id: id});
            items[n++] = GhostItem({kind: Kind.ERC1155, id: id, amount: amount, released: 0});
        }
    }

    /// @dev `who`'s balance of each collateral item of the pool (ERC-721: 1 if it owns the token).
    function _itemBalances(uint256 poolId, address who) internal view returns (uint256[] memory balances) {
        GhostItem[] storage items = ghostItems[poolId];
        balances = new uint256[](items.length);
        for (uint256 i; i < items.length; ++i) {
            GhostItem storage item = items[i];
            if (item.kind == Kind.ERC20) balances[i] = token.balanceOf(who);
            else if (item.kind == Kind.ERC721) balances[i] = nft.ownerOf(item.id) == who ? 1 : 0;
            else balances[i] = multi.balanceOf(who, item.id);
        }
    }

    function _mintUsdc(address to, uint256 amount) internal {
        usdc.mint(to, amount);
        ghostUsdcMinted += amount;
    }

    function _approveAll(address who) internal {
        vm.startPrank(who);
        usdc.approve(address(pool), type(uint256).max);
        token.approve(address(pool), type(uint256).max);
        nft.setApprovalForAll(address(pool), true);
        multi.setApprovalForAll(address(pool), true);
        vm.stopPrank();
    }

    /// @dev A view call to the pool that must succeed.
    function _call(bytes memory data) internal view returns (bytes memory result) {
        bool ok;
        (ok, result) = address(pool).staticcall(data);
        require(ok, "pool view reverted");
    }

    function _mulDivUp(uint256 a, uint256 b, uint256 d) internal pure returns (uint256) {
        return (a * b + d - 1) / d;
    }

    function _attempt(Action action) internal {
        attempts[action]++;
    }

    function _succeed(Action action) internal {
        successes[action]++;
    }

    /// @dev For outcomes only known once the call went through (the claim that took the dust).
    function _countDone(Action action) internal {
        attempts[action]++;
        successes[action]++;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ICounterpartyPool
/// @notice Counterparty pools (SPEC §2): a pool owner (the borrower) raises USDC from lenders for a
/// deal, with collateral (ERC-20, ERC-721 or ERC-1155) locked at creation. Status moves only forward:
/// CREATED → ACTIVE (collected) → CLOSED (repaid, never collected, or defaulted) → ARCHIVED.
/// Lenders' rewards are the owner's deposits, shared pro rata to commits; if the owner never
/// repays, the collateral goes to the lenders pro rata instead ("no stranded funds").
/// @dev Shared by `CounterpartyPool` (anyone borrows) and `AdminCounterpartyPool` (only the admin
/// borrows); each adds its published `pools` / `getPool` getters. ABI-compatible superset of the
/// published `Pools` interfaces (test/fixtures/abi/). USDC amounts have 6 decimals; `minimumAPR`
/// uses a 1e8 scale (2_000_000 = 2 %) and is flat over the deal, not annualised.
interface ICounterpartyPool {
    /* TYPES */

    /// @notice Pool statuses, in the only order they can happen.
    enum PoolStatus {
        CREATED,
        ACTIVE,
        CLOSED,
        ARCHIVED
    }

    /// @notice One collateral item: an ERC-20 amount, one ERC-721 token `id` (amount 1), or an
    /// ERC-1155 `amount` of `id`. The kind is detected through ERC-165.
    struct CollateralToken {
        address contractAddress;
        uint256 amount;
        uint256 id;
    }

    /* EVENTS (published) */

    /// @notice A pool was created by `poolOwner`.
    event PoolCreated(uint256 indexed poolId, address poolOwner);
    /// @notice `wallet` committed `amount` USDC.
    event CommittedToPool(uint256 indexed poolId, uint256 amount, address wallet);
    /// @notice `wallet` got its `amount` USDC commit back.
    event UncommittedFromPool(uint256 indexed poolId, uint256 amount, address wallet);
    /// @notice The owner collected `amount` USDC (commits less the collect fee).
    event PoolCollected(uint256 indexed poolId, uint256 amount, address poolOwner);
    /// @notice The owner deposited `amount` USDC of repayment.
    event RewardsDeposited(uint256 indexed poolId, uint256 amount, address poolOwner);
    /// @notice `wallet` received `amount` USDC of rewards.
    event RewardsClaimed(uint256 indexed poolId, uint256 amount, address wallet);
    /// @notice The pool closed; unless defaulted, its collateral went back to `poolOwner`.
    event PoolClosed(uint256 indexed poolId, address poolOwner);
    /// @notice The pool was archived.
    event PoolArchived(uint256 indexed poolId, address poolOwner);

    /* EVENTS (added) */

    /// @notice The pool defaulted (declared by `by`); its collateral now belongs to the lenders.
    event PoolDefaulted(uint256 indexed poolId, address by);
    /// @notice `wallet` received `amount` of collateral item `token`/`id` from a defaulted pool.
    event DefaultCollateralClaimed(
        uint256 indexed poolId, address indexed wallet, address token, uint256 id, uint256 amount
    );
    /// @notice The owner set when the deal must be repaid.
    event RepaymentDateSet(uint256 indexed poolId, uint48 repaymentDate);
    /// @notice The admin withdrew `amount` USDC of fees to `to`.
    event FeesWithdrawn(address indexed to, uint256 amount);
    /// @notice Emergency: the admin withdrew the contract's whole USDC balance to `to` while paused.
    event AdminWithdrewAll(address indexed to, uint256 amount);

    /* ERRORS (published) */

    error CannotBeZeroAddress();
    error CannotCollect30DaysAfterDeadline();
    error DeadlineMustBeInFuture();
    error DeadlineMustNotBeMoreThan1YearInTheFuture();
    error MustBePoolOwner();
    error MustBePoolOwnerOrAdmin();
    error MustDepositAtleastCommittedAmount();
    error PoolDeadlineNotReached();
    error PoolDeadlineReached();
    error PoolDoesNotExists();
    error PoolHardCapReached();
    error PoolIsNotEmpty();
    error PoolOwnerCannotCommitToHisOwnPool();
    error PoolSoftCapNotReached();
    error PoolSoftCapReached();
    error PoolStatusMustBeActive();
    error PoolStatusMustBeAtLeast60DaysPastDeadline();
    error PoolStatusMustBeClosed();
    error PoolStatusMustBeClosedForAtLeast60Days();
    error PoolStatusMustBeCreated();
    error PoolStatusMustBeEitherClosedOrActive();
    error PoolStatusMustBeEitherClosedOrCreated();
    error RewardsHaveNotYetBeenPaidOut();
    error SoftCapMustBeLessThanHardCap();

    /* ERRORS (added) */

    /// @notice An amount was zero.
    error AmountCannotBeZero();
    /// @notice An amount does not fit the 128-bit accounting.
    error AmountTooBig();
    /// @notice `hardCap` must be above zero.
    error HardCapCannotBeZero();
    /// @notice At most `MAX_COLLATERAL_TOKENS` collateral items per pool.
    error TooManyCollateralTokens();
    /// @notice A collateral item is malformed (zero address or amount, ERC-721 amount other than 1).
    error InvalidCollateral(uint256 index);
    /// @notice This variant does not let lenders withdraw commits while the pool can still be collected.
    error UncommitNotAllowed();
    /// @notice The caller has nothing committed to this pool.
    error NotACommitter();
    /// @notice Default needs an ACTIVE pool past its repayment date whose rewards do not cover the deal.
    error PoolCannotBeDefaulted();
    /// @notice The pool has not defaulted.
    error PoolNotDefaulted();
    /// @notice The caller already took its share of the defaulted pool's collateral.
    error CollateralAlreadyClaimed();
    /// @notice The repayment date must be after the deadline, and can change only before any commit.
    error InvalidRepaymentDate();
    /// @notice Only while paused.
    error MustBePaused();
    /// @notice Nothing is owed to the caller now.
    error NothingToClaim();
    /// @notice A defaulted pool's collateral must all be handed out before archiving.
    error CollateralNotYetDistributed();

    /* BORROWER (POOL OWNER) */

    /// @notice Creates a pool and locks `collateralTokens` (pulled from the caller, balance deltas
    /// checked; fee-on-transfer tokens refused). The repayment date starts at deadline + 365 days.
    /// @dev `softCap ≤ hardCap`, `hardCap > 0`, `now < deadline ≤ now + 365 days`, at most
    /// `MAX_COLLATERAL_TOKENS` items. The default variant charges `POOL_CREATION_FEE` USDC.
    function createPool(
        uint256 softCap,
        uint256 hardCap,
        uint48 deadline,
        uint48 minimumAPR,
        CollateralToken[] calldata collateralTokens
    ) external;

    /// @notice Sets when the deal must be repaid (after the deadline). Only the owner, only while
    /// nothing is committed, so lenders always commit knowing the date.
    function setRepaymentDate(uint256 poolId, uint48 repaymentDate) external;

    /// @notice Takes the committed USDC less the 2 % collect fee; the pool becomes ACTIVE.
    function collectPool(uint256 poolId) external;

    /// @notice Deposits `amount` USDC of repayment for the lenders. Only the owner, while ACTIVE.
    function depositRewards(uint256 poolId, uint256 amount) external;

    /// @notice Closes the pool and returns the collateral to the owner: from ACTIVE once rewards
    /// cover commits plus `minimumAPR`; from CREATED once it can never be collected and every
    /// commit has been returned (`PoolIsNotEmpty` before).
    function closePool(uint256 poolId) external;

    /* LENDERS */

    /// @notice Commits `amount` USDC while CREATED and not past the deadline, up to the hard cap.
    function commitToPool(uint256 poolId, uint256 amount) external;

    /// @notice Takes back the caller's whole commit from a CREATED pool, unless it can still be collected.
    function uncommitFromPool(uint256 poolId) external;

    /// @notice Pays the caller its share of the rewards deposited so far (ACTIVE or CLOSED),
    /// `totalRewards × commit / totalCommitted − claimedAmount`, rounded down; once CLOSED, the
    /// last lender to be paid in full also takes the rounding dust.
    function claim(uint256 poolId) external;

    /// @notice Declares an ACTIVE pool in default: past its repayment date with rewards short of
    /// commits plus `minimumAPR`. Anyone may call; the admin may also mark a default at any time.
    /// The pool closes and its collateral goes to the lenders instead of the owner.
    function declareDefault(uint256 poolId) external;

    /// @notice Gives the caller its share of a defaulted pool's collateral: each ERC-20 and
    /// ERC-1155 amount pro rata to commits (rounded down); the last lender to take its share also
    /// takes every ERC-721 and all rounding remainders.
    function claimDefaultCollateral(uint256 poolId) external;

    /* OWNER OR ADMIN */

    /// @notice Archives a pool: CLOSED for 60 days with all rewards (and default collateral) paid
    /// out, or CREATED 60 days past its deadline with nothing committed (collateral back to owner).
    function archivePool(uint256 poolId) external;

    /// @notice After the 60 days, pays each listed user what it is owed (rewards and, for a
    /// defaulted pool, collateral) to the users themselves; users owed nothing are skipped.
    function claimRewardsForUsers(uint256 poolId, address[] calldata users) external;

    /// @notice For a CREATED pool 60 days past its deadline, returns each listed user's commit to
    /// the user; users with nothing committed are skipped.
    function uncommitForUsers(uint256 poolId, address[] calldata users) external;

    /* ADMIN */

    /// @notice Sends all collected fees to the caller (the admin).
    function withdrawFeesCollected() external;

    /// @notice Emergency exit kept for parity with the published contract: while paused, sends the
    /// contract's whole USDC balance (users' commits and rewards included) to the admin. Full
    /// trust in the admin; see docs/counterparty-pools.md.
    function adminWithdrawAll() external;

    /// @notice Stops creating, committing, uncommitting, collecting, claiming and defaults.
    function pause() external;

    /// @notice Resumes.
    function unpause() external;

    /* VIEWS */

    /// @notice The lent token.
    function USDC() external view returns (address);

    /// @notice Number of pools ever created (the next pool id).
    function poolIndex() external view returns (uint256);

    /// @notice Fees collected and not yet withdrawn, USDC.
    function feesCollected() external view returns (uint256);

    /// @notice `user`'s commit to `poolId` and the rewards it has been paid.
    function poolCommits(address user, uint256 poolId) external view returns (uint256 amount, uint256 claimedAmount);

    /// @notice Σ commits of lenders paid in full (only once CLOSED).
    function paidInFullCommits(uint256 poolId) external view returns (uint256);

    /// @notice When the deal must be repaid, and whether the pool defaulted.
    function repaymentInfo(uint256 poolId) external view returns (uint48 repaymentDate, bool defaulted);

    /// @notice Rewards `user` can claim now.
    function claimableRewards(uint256 poolId, address user) external view returns (uint256);

    /// @notice Whether the owner can collect now, close now, and whether the pool can be archived now.
    function poolActions(uint256 poolId) external view returns (bool collectable, bool closable, bool archivable);
}

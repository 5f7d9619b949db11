// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IERC20CollateralPool
/// @notice Permissionless, over-collateralised USDC lending against ERC-20 collateral (SPEC §1).
/// One contract holds many isolated pools; each pool has one collateral token priced by a
/// Chainlink USD feed, a fixed yearly simple interest rate and an end time. Lenders supply USDC
/// and earn the interest borrowers pay, pro rata to their outstanding principal; borrowers lock
/// collateral worth more than they borrow; anyone may liquidate an unhealthy or overdue loan.
/// @dev ABI-compatible superset of the published v2 interface (test/fixtures/abi/): every
/// published function, event and error keeps its signature. Amounts are in token base units;
/// USDC has exactly 6 decimals; percentages are basis points out of 10_000.
interface IERC20CollateralPool {
    /* STRUCTS */

    /// @notice Parameters of a new pool (`addPool`).
    struct InitPool {
        address collateralToken;
        address collateralTokenPriceOracle;
        address collateralTokenSequencerOracle;
        uint256 maxPoolCapacity;
        uint256 minLended;
        uint256 minBorrow;
        uint48 endTime;
        uint24 collateralTokenFactor;
        uint24 collateralTokenLTVPercentage;
        uint24 interest;
    }

    /// @notice Parameters a time-locked edit may change (`announceEditPool`).
    struct EditPool {
        address collateralTokenPriceOracle;
        address collateralTokenSequencerOracle;
        uint256 maxPoolCapacity;
        uint256 minLended;
        uint256 minBorrow;
        uint48 endTime;
        uint24 collateralTokenFactor;
        uint24 collateralTokenLTVPercentage;
        uint24 interest;
    }

    /// @notice Running totals of a pool, all in USDC base units except `collateralTokenAmount`.
    struct PoolAmounts {
        uint256 lended;
        uint256 claimed;
        uint256 borrowed;
        uint256 repaid;
        uint256 rewards;
        uint256 claimedRewards;
        uint256 collateralTokenAmount;
    }

    /// @notice The collateral side of a pool.
    struct CollateralDetails {
        address collateralToken;
        address collateralTokenPriceOracle;
        address collateralTokenSequencerOracle;
        uint256 maxPoolCapacity;
        uint256 minLended;
        uint256 minBorrow;
        uint24 collateralTokenFactor;
        uint24 collateralTokenLTVPercentage;
    }

    /// @notice Part of a lend position to claim: `usdcAmount` of principal, with its rewards.
    struct Claim {
        uint256 lendId;
        uint256 usdcAmount;
    }

    /// @notice Part of a borrow position to liquidate: `usdcAmount` of `user`'s principal.
    struct Liquidation {
        uint256 borrowId;
        address user;
        uint256 usdcAmount;
    }

    /* EVENTS */

    /// @notice A pool was created by `user` (the admin).
    event PoolAdded(uint256 indexed poolId, address indexed user);
    /// @notice A pool edit was announced; it can be committed after its unlock time.
    event PoolEditAnnounced(uint256 indexed poolId);
    /// @notice An announced pool edit was withdrawn.
    event PoolEditCanceled(uint256 indexed poolId);
    /// @notice An announced pool edit took effect.
    event PoolEdited(uint256 indexed poolId);
    /// @notice `user` lent `amount`; the position starts at `rewardPerTokenIgnored`.
    event newLend(
        uint256 indexed poolId,
        uint256 indexed lendId,
        address indexed user,
        uint256 amount,
        uint256 rewardPerTokenIgnored
    );
    /// @notice `user` borrowed `amount` against `collateralTokenAmount`.
    event newBorrow(
        uint256 indexed poolId,
        uint256 indexed borrowId,
        address indexed user,
        uint256 amount,
        uint256 collateralTokenAmount
    );
    /// @notice `user` repaid `amount` of principal plus `interestAmount` and got `collateralTokenAmount` back.
    event Repaid(
        uint256 indexed poolId,
        address indexed user,
        uint256 borrowId,
        uint256 amount,
        uint256 interestAmount,
        uint256 collateralTokenAmount
    );
    /// @notice `user` claimed `amount` of principal and `interestAmount` of rewards from a lend position.
    event RewardsClaimed(
        uint256 indexed poolId, address indexed user, uint256 lendId, uint256 amount, uint256 interestAmount
    );
    /// @notice `user` added `amount` of collateral to a borrow position.
    event AddedCollateral(uint256 indexed poolId, uint256 indexed borrowId, address indexed user, uint256 amount);
    /// @notice `user` withdrew `amount` of collateral from a borrow position.
    event RemovedCollateral(uint256 indexed poolId, uint256 indexed borrowId, address indexed user, uint256 amount);
    /// @notice `liquidator` cleared `amount` of `user`'s principal and `interestAmount` of its interest.
    event UserPositionLiquidated(
        uint256 poolId, address user, uint256 borrowId, address liquidator, uint256 amount, uint256 interestAmount
    );
    /// @notice The admin withdrew `amount` of protocol fees in `token`.
    event AdminWithdrawProtocolRewards(address token, uint256 amount);
    /// @notice Liquidation collateral went to `liquidator`: `seized` tokens, of which none are fees,
    /// and `protocolFee` tokens to the protocol (non-zero only in `claimCollateral`).
    event LiquidationCollateralSeized(
        uint256 indexed poolId,
        address indexed user,
        uint256 indexed borrowId,
        address liquidator,
        uint256 seized,
        uint256 protocolFee
    );
    /// @notice The protocol earned `amount` of USDC fees from a liquidation.
    event UsdcFeesCollected(uint256 indexed poolId, uint256 amount);
    /// @notice The maximum accepted age of oracle answers changed.
    event OracleMaxDelaySet(uint256 maxDelay);

    /* ERRORS (published) */

    error AdminMustNotBeZeroAddress();
    error AmountCannotBeZero();
    error AmountTooBig();
    error AmountTooLow();
    error BorrowAlreadyLiquidated();
    error BorrowDoesNotExist();
    error CollateralAmountNotChanged();
    error CollateralAmountTooBig();
    error CollateralAmountTooLow();
    error CollateralTokenDoesNotExist();
    error CollateralTokenLTVPercentageTooHigh();
    error CollateralTokenPriceIsZero();
    error MaxPoolCapacityIsReached();
    error MinLendedGreaterThanMaxPoolCapacity();
    error NoClaimsProvided();
    error NoLiquidationsProvided();
    error NotEnoughUSDCClaimedToLiquidatePositions();
    error NotEnoughUSDCInPool();
    error OracleDataTooOld();
    error OracleSequencerDown();
    error PauseGracePeriodNotPassed();
    error PoolAnnouncementIsLocked();
    error PoolCollateralTokenCannotBeZeroAddress();
    error PoolDoesNotExist();
    error PoolEndsAtIsInThePast();
    error PoolIsClosed();
    error PositionNotLiquidatable();
    error ThereIsAlreadyActiveAnnouncementForThisPool();
    error TokenTransferAmountIncludedFees();
    error UsdcPriceIsZero();

    /* ERRORS (added) */

    /// @notice The USDC token must have exactly 6 decimals.
    error UsdcMustHaveSixDecimals();
    /// @notice A price feed address was zero.
    error PriceOracleCannotBeZeroAddress();
    /// @notice The collateral token cannot be the lent token.
    error CollateralTokenCannotBeUsdc();
    /// @notice A token or feed reports more than 18 decimals.
    error UnsupportedDecimals();
    /// @notice `collateralTokenFactor` must be at least 10_000 (100 %).
    error CollateralTokenFactorTooLow();
    /// @notice `collateralTokenLTVPercentage` must be above zero.
    error CollateralTokenLTVPercentageCannotBeZero();
    /// @notice The lend position does not exist.
    error LendingDoesNotExist();
    /// @notice A partial repay or liquidation would leave less than `minBorrow` outstanding.
    error RemainingBorrowTooLow();
    /// @notice The position's LTV after the change would exceed the caller's bound.
    error MaxLTVExceeded(uint256 resultingLtv, uint256 maxLtv);
    /// @notice There is no announced edit for this pool.
    error NoAnnouncementForThisPool();
    /// @notice A recipient address was zero.
    error RecipientCannotBeZeroAddress();
    /// @notice The oracle delay must be between 1 second and `MAX_ORACLE_DELAY`.
    error InvalidOracleMaxDelay();

    /* LENDING */

    /// @notice Lends `usdcAmount` to pool `poolId`, opening a new lend position of the caller.
    /// @dev Requires: not paused, pool open (`now < endTime`), `usdcAmount ≥ minLended`, and the
    /// pool's net liquidity plus `usdcAmount` within `maxPoolCapacity` (F4). Pulls USDC.
    function lend(uint256 poolId, uint256 usdcAmount) external;

    /// @notice Claims principal from the caller's lend positions, each with the rewards it earned
    /// (F3, rounded down). Repeatable and partial. Requires enough free USDC in the pool (F5).
    function claim(uint256 poolId, Claim[] calldata claims) external;

    /* BORROWING */

    /// @notice Borrows `usdcAmount` against `collateralTokenAmount`, which must be at least
    /// `calculateCollateralTokenAmount(poolId, usdcAmount)` (F6) and below 2^128 base units. The loan keeps the pool's
    /// current interest rate until repaid. Pulls the collateral, sends the USDC.
    function borrow(uint256 poolId, uint256 usdcAmount, uint256 collateralTokenAmount) external;

    /// @notice Repays `repayAmount` of principal of the caller's borrow `borrowId` with its
    /// interest (F1, rounded up) and returns the collateral pro rata (rounded down). Allowed
    /// while paused and after `endTime`; what remains must be 0 or at least `minBorrow`.
    function repay(uint256 poolId, uint256 borrowId, uint256 repayAmount) external;

    /// @notice Sets the collateral of the caller's borrow `borrowId` to `newCollateralTokenAmount`.
    /// Adding is always allowed (also while paused) and reads no oracle. Removing requires the
    /// position to keep the collateral F6 asks for its principal plus interest, and the resulting
    /// LTV (debt value / collateral value, bps) to be at most `maxCollateralTokenLTVPercentage`.
    function changeCollateralAmount(
        uint256 poolId,
        uint256 borrowId,
        uint256 newCollateralTokenAmount,
        uint256 maxCollateralTokenLTVPercentage
    ) external;

    /* LIQUIDATION */

    /// @notice Liquidates each listed (part of a) position, which must be liquidatable (F8) or
    /// overdue. For each, the caller pays principal + interest + 5 % protocol fee (F7) and
    /// receives collateral worth principal + interest + 10 %, capped at the liquidated share (F9).
    /// What remains must be 0 or at least `minBorrow`. Blocked while paused and for 1 day after.
    function liquidate(uint256 poolId, Liquidation[] calldata liquidations) external;

    /// @notice Lender exit when nobody liquidates: the caller's `claims` (principal + rewards)
    /// pay principal + interest of the listed liquidatable `liquidations`; the caller receives
    /// the collateral F9 gives a liquidator, the protocol's 5 % is taken in collateral, and any
    /// claim value left over is paid out in USDC. Reverts if the claims do not cover the cost.
    function claimCollateral(uint256 poolId, Claim[] calldata claims, Liquidation[] calldata liquidations) external;

    /* ADMIN */

    /// @notice Creates a pool. Only the admin.
    /// @dev Assumptions about the collateral token: a standard ERC-20 with 0–18 decimals, no fee
    /// on transfer (refused at transfer time), not rebasing, not USDC. About its feed: a Chainlink
    /// USD feed with ≤ 18 decimals, updated at least every `oracleMaxDelay()` seconds; on L2s a
    /// sequencer-uptime feed. Rejects zero addresses, an end time in the past, zero minimums,
    /// `minLended > maxPoolCapacity`, factor below 100 %, LTV of 0 or above `MAX_LTV_PERCENTAGE`.
    function addPool(InitPool calldata pool) external;

    /// @notice Announces an edit of pool `poolId`, committable after 3 days. Only the admin.
    /// @dev Validated as `addPool`. A new interest rate applies to new borrows only.
    function announceEditPool(uint256 poolId, EditPool calldata pool) external;

    /// @notice Applies the announced edit of `poolId` once unlocked. Only the admin.
    function commitEditPool(uint256 poolId) external;

    /// @notice Withdraws the announced edit of `poolId`. Only the admin.
    function cancelEditPool(uint256 poolId) external;

    /// @notice Stops lending, borrowing, claiming, collateral removal and liquidation. Only the admin.
    function pause() external;

    /// @notice Resumes; liquidations stay blocked for `PAUSE_GRACE_PERIOD` so borrowers can react.
    function unpause() external;

    /// @notice Sends the tracked protocol fees in `token` (USDC fees, or a collateral token's
    /// fees) to `recipient`. Never touches user funds. Only the admin.
    function withdrawProtocolRewards(address token, address recipient) external;

    /// @notice Sets the maximum accepted age of oracle answers, in seconds. Only the admin.
    function setOracleMaxDelay(uint256 maxDelay) external;

    /* VIEWS */

    /// @notice Interest (F1, rounded up) owed now on the outstanding principal of a borrow.
    function calculateRepayInterest(uint256 poolId, uint256 borrowId, address user) external view returns (uint256);

    /// @notice Rewards (F3, rounded down) a lend position's outstanding principal has earned so far.
    function calculateReward(uint256 poolId, uint256 lendId, address user) external view returns (uint256);

    /// @notice Collateral tokens required to borrow `usdcAmount` now (F6, rounded up).
    function calculateCollateralTokenAmount(uint256 poolId, uint256 usdcAmount) external view returns (uint256);

    /// @notice Whether the borrow can be liquidated now: unhealthy (F8) or overdue, with principal left.
    function isPositionLiquidatable(uint256 poolId, address user, uint256 borrowId) external view returns (bool);

    /// @notice USDC a liquidator pays now to clear the whole borrow (F7).
    function getLiquidatableAmountWithProtocolFee(uint256 poolId, address user, uint256 borrowId)
        external
        view
        returns (uint256);

    /// @notice Free USDC of the pool (F5) and the collateral it holds.
    function getAvailableAmountsInPool(uint256 poolId)
        external
        view
        returns (uint256 availableUSDC, uint256 availableCollateralTokens);

    /// @notice Protocol fees held in `collateralToken`, from `claimCollateral`.
    function getCollateralTokenProtocolFee(address collateralToken) external view returns (uint256);

    /// @notice Distinct collateral tokens of all pools.
    function getCollateralTokens() external view returns (address[] memory);

    /// @notice Pool `poolId` as published: totals, collateral details, reward accumulator, end and rate.
    function pools(uint256 poolId)
        external
        view
        returns (
            PoolAmounts memory amounts,
            CollateralDetails memory collateralDetails,
            uint256 rewardPerToken,
            uint256 rewardRate,
            uint48 lastUpdated,
            uint48 endTime,
            uint24 interest
        );

    /// @notice Lend position `lendId` of `user` in `poolId`.
    function lendings(uint256 poolId, address user, uint256 lendId)
        external
        view
        returns (uint256 startingUsdcAmount, uint256 usdcAmount, uint256 rewardPerTokenIgnored);

    /// @notice Borrow position `borrowId` of `user` in `poolId`.
    function borrows(uint256 poolId, address user, uint256 borrowId)
        external
        view
        returns (uint256 startingUsdcAmount, uint256 usdcAmount, uint256 collateralTokenAmount, uint48 borrowTime);

    /// @notice Interest rate (bps a year) a borrow keeps for its life (F2b).
    function borrowInterest(uint256 poolId, address user, uint256 borrowId) external view returns (uint24);

    /// @notice Number of lend positions of `user` in `poolId`.
    function lendingsLength(uint256 poolId, address user) external view returns (uint256);

    /// @notice Number of borrow positions of `user` in `poolId`.
    function borrowsLength(uint256 poolId, address user) external view returns (uint256);

    /// @notice Number of pools.
    function poolsLength() external view returns (uint256);

    /// @notice The announced edit of `poolId` and when it unlocks (0 when none).
    function announcedPoolEdit(uint256 poolId) external view returns (uint256 unlocksAt, EditPool memory pool);

    /// @notice Σ outstanding principal × its rate (bps) of `poolId`, the F2b weight of the reward rate.
    function weightedBorrowed(uint256 poolId) external view returns (uint256);

    /// @notice Tracked USDC protocol fees.
    function usdcFeesCollected() external view returns (uint256);

    /// @notice When the pool was last unpaused (liquidations wait a grace period after it).
    function unPausedTimestamp() external view returns (uint256);

    /// @notice Maximum accepted age of oracle answers, in seconds.
    function oracleMaxDelay() external view returns (uint256);

    /// @notice The lent token.
    function USDC() external view returns (address);

    /// @notice USDC/USD feed.
    function usdcPriceOracle() external view returns (address);

    /// @notice L2 sequencer-uptime feed checked with the USDC feed (zero on L1).
    function usdcSequencerOracle() external view returns (address);
}

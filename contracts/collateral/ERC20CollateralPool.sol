// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IERC20CollateralPool} from "../interfaces/IERC20CollateralPool.sol";
import {PoolMath} from "../libraries/PoolMath.sol";
import {MathLib} from "../libraries/MathLib.sol";
import {OracleLib} from "../libraries/OracleLib.sol";

/// @title ERC20CollateralPool
/// @notice See {IERC20CollateralPool}. Deployed behind a TransparentUpgradeableProxy; all state
/// lives in one ERC-7201 namespace so upgrades can append fields safely.
contract ERC20CollateralPool is
    IERC20CollateralPool,
    AccessControlUpgradeable,
    PausableUpgradeable,
    ReentrancyGuardTransient
{
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using MathLib for uint256;

    /* CONSTANTS */

    /// @notice Basis-point denominator.
    uint256 public constant BPS_DIVIDER = PoolMath.BPS;
    /// @notice Seconds in a year.
    uint256 public constant ONE_YEAR = PoolMath.ONE_YEAR;
    /// @notice Protocol fee on liquidations, bps of principal + interest.
    uint256 public constant LIQUIDATION_PROTOCOL_FEE = PoolMath.LIQUIDATION_PROTOCOL_FEE_BPS;
    /// @notice Liquidator incentive, bps of principal + interest, paid in collateral.
    uint256 public constant LIQUIDATION_FEE = PoolMath.LIQUIDATION_FEE_BPS;
    /// @notice Added to a pool's LTV to form its liquidation threshold, bps.
    uint256 public constant LIQUIDATION_MARGIN_FACTOR = PoolMath.LIQUIDATION_MARGIN_BPS;
    /// @notice Highest LTV a pool may have, bps.
    uint256 public constant MAX_LTV_PERCENTAGE = 6500;
    /// @notice Liquidations stay blocked this long after `unpause` (seconds).
    uint256 public constant PAUSE_GRACE_PERIOD = 86_400;
    /// @notice Delay between announcing and committing a pool edit (seconds).
    uint256 public constant POOL_EDIT_DELAY = 3 days;
    /// @notice Default maximum age of oracle answers (seconds): Chainlink heartbeats are at most 24 h.
    uint256 public constant DEFAULT_ORACLE_MAX_DELAY = 90_000;
    /// @notice Upper bound of the settable oracle delay (seconds).
    uint256 public constant MAX_ORACLE_DELAY = 7 days;
    /// @notice Largest pool capacity and single borrow, in USDC base units (positions use 64 bits).
    uint256 public constant MAX_POSITION_AMOUNT = type(uint64).max;

    /* STORAGE */

    /// @dev A pool in 10 slots: USDC totals in 128 bits, each parameter beside the fields read
    /// with it (the price feed with its decimals, the sequencer feed with `minBorrow`), and the
    /// whole reward accumulator in one slot.
    struct Pool {
        uint128 lended;
        uint128 claimed;
        uint128 borrowed;
        uint128 repaid;
        uint128 rewards;
        uint128 claimedRewards;
        uint256 collateralTokenAmount;
        address collateralToken;
        uint24 collateralTokenFactor;
        uint24 collateralTokenLTVPercentage;
        uint8 collateralDecimals;
        address collateralTokenPriceOracle;
        uint48 endTime;
        uint24 interest;
        uint8 priceFeedDecimals;
        address collateralTokenSequencerOracle;
        uint96 minBorrow;
        uint128 maxPoolCapacity;
        uint128 minLended;
        uint144 rewardPerToken;
        uint64 rewardRate;
        uint48 lastUpdated;
        uint256 weightedBorrowed;
    }

    /// @dev A lend position in one slot.
    struct Lending {
        uint64 startingUsdcAmount;
        uint64 usdcAmount;
        uint128 rewardPerTokenIgnored;
    }

    /// @dev A borrow position: everything repay and liquidation touch in the first slot, the
    /// starting amount (written once) in the second. `interest` is the yearly rate in bps the
    /// loan keeps for life (F2b).
    struct Borrow {
        uint64 usdcAmount;
        uint128 collateralTokenAmount;
        uint40 borrowTime;
        uint24 interest;
        uint64 startingUsdcAmount;
    }

    /// @dev USD per whole token, 18 decimals, read once per call.
    struct Prices {
        uint256 usdc;
        uint256 collateral;
    }

    /// @dev Sums over a batch of liquidations: principal + interest cleared, USDC the liquidator
    /// pays (F7, used by `liquidate`), collateral to the liquidator, collateral to the protocol.
    struct LiquidationTotals {
        uint256 cleared;
        uint256 payment;
        uint256 seized;
        uint256 protocolFee;
    }

    struct AnnouncedEdit {
        uint256 unlocksAt;
        EditPool pool;
    }

    /// @custom:storage-location erc7201:defactor.storage.ERC20CollateralPool
    struct PoolStorage {
        address usdc;
        uint8 usdcFeedDecimals;
        uint32 oracleMaxDelay;
        address usdcPriceOracle;
        uint48 unPausedTimestamp;
        address usdcSequencerOracle;
        uint256 usdcFeesCollected;
        Pool[] pools;
        mapping(uint256 poolId => mapping(address user => Lending[])) lendings;
        mapping(uint256 poolId => mapping(address user => Borrow[])) borrows;
        mapping(uint256 poolId => AnnouncedEdit) announcedPoolEdit;
        mapping(address token => uint256) collateralTokenProtocolFee;
        address[] collateralTokens;
        mapping(address token => bool) isCollateralToken;
    }

    // keccak256(abi.encode(uint256(keccak256("defactor.storage.ERC20CollateralPool")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xaf3372fd080d16979a6069642e54f2c6e268a960505fc9dcbf9932e223023e00;

    function _s() private pure returns (PoolStorage storage $) {
        assembly ("memory-safe") {
            $.slot := STORAGE_SLOT
        }
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /* INITIALISATION */

    /// @notice Initialises the proxy: admin, USDC (exactly 6 decimals), the USDC/USD feed and its
    /// optional L2 sequencer feed (zero on L1), and the first pools (validated as `addPool`).
    function __ERC20CollateralPool_init(
        address _admin,
        address _usdc,
        address _usdcPriceOracle,
        address _usdcSequencerOracle,
        InitPool[] calldata _pools
    ) external initializer {
        if (_admin == address(0)) revert AdminMustNotBeZeroAddress();
        (bool known, uint8 usdcDecimals) = _tryDecimals(_usdc);
        if (!known || usdcDecimals != 6) revert UsdcMustHaveSixDecimals();
        PoolStorage storage $ = _s();
        $.usdc = _usdc;
        $.usdcFeedDecimals = _feedDecimals(_usdcPriceOracle);
        $.usdcPriceOracle = _usdcPriceOracle;
        $.usdcSequencerOracle = _usdcSequencerOracle;
        $.oracleMaxDelay = uint32(DEFAULT_ORACLE_MAX_DELAY);
        emit OracleMaxDelaySet(DEFAULT_ORACLE_MAX_DELAY);
        __AccessControl_init();
        __Pausable_init();
        _grantRole(DEFAULT_ADMIN_ROLE, _admin);
        for (uint256 i; i < _pools.length; ++i) {
            _addPool(_pools[i]);
        }
    }

    /* LENDING */

    /// @inheritdoc IERC20CollateralPool
    function lend(uint256 poolId, uint256 usdcAmount) external whenNotPaused nonReentrant {
        Pool storage p = _openPool(poolId);
        if (usdcAmount < p.minLended) revert AmountTooLow();
        // F4, rearranged so that nothing underflows: (lended − claimed) + repaid − borrowed + amount ≤ capacity.
        if (uint256(p.lended) - p.claimed + p.repaid + usdcAmount > uint256(p.maxPoolCapacity) + p.borrowed) {
            revert MaxPoolCapacityIsReached();
        }
        _accrue(p);
        p.lended += uint128(usdcAmount); // < maxPoolCapacity ≤ 2^64: no truncation
        _updateRewardRate(p);

        uint256 rewardPerToken = p.rewardPerToken;
        Lending[] storage positions = _s().lendings[poolId][msg.sender];
        positions.push(
            Lending({
                startingUsdcAmount: uint64(usdcAmount),
                usdcAmount: uint64(usdcAmount),
                rewardPerTokenIgnored: rewardPerToken.toUint128() // < 2^128 for 2^64 s at the rate cap
            })
        );
        emit newLend(poolId, positions.length - 1, msg.sender, usdcAmount, rewardPerToken);
        _pull(IERC20(_s().usdc), usdcAmount);
    }

    /// @inheritdoc IERC20CollateralPool
    function claim(uint256 poolId, Claim[] calldata claims) external whenNotPaused nonReentrant {
        Pool storage p = _pool(poolId);
        uint256 available = _availableUsdc(p);
        _accrue(p);
        uint256 payout = _takeClaims(poolId, p, claims);
        if (payout > available) revert NotEnoughUSDCInPool();
        _updateRewardRate(p);
        IERC20(_s().usdc).safeTransfer(msg.sender, payout);
    }

    /* BORROWING */

    /// @inheritdoc IERC20CollateralPool
    function borrow(uint256 poolId, uint256 usdcAmount, uint256 collateralTokenAmount)
        external
        whenNotPaused
        nonReentrant
    {
        Pool storage p = _openPool(poolId);
        if (usdcAmount < p.minBorrow) revert AmountTooLow();
        if (usdcAmount > MAX_POSITION_AMOUNT) revert AmountTooBig();
        if (collateralTokenAmount > type(uint128).max) revert CollateralAmountTooBig();
        if (usdcAmount > _availableUsdc(p)) revert NotEnoughUSDCInPool();
        if (collateralTokenAmount < _requiredCollateral(p, usdcAmount, _prices(p))) {
            revert CollateralAmountTooLow();
        }

        _accrue(p);
        uint24 rate = p.interest;
        p.borrowed += uint128(usdcAmount);
        p.weightedBorrowed += usdcAmount * rate;
        p.collateralTokenAmount += collateralTokenAmount;
        _updateRewardRate(p);

        Borrow[] storage positions = _s().borrows[poolId][msg.sender];
        positions.push(
            Borrow({
                usdcAmount: uint64(usdcAmount),
                collateralTokenAmount: uint128(collateralTokenAmount),
                borrowTime: uint40(block.timestamp),
                interest: rate,
                startingUsdcAmount: uint64(usdcAmount)
            })
        );
        emit newBorrow(poolId, positions.length - 1, msg.sender, usdcAmount, collateralTokenAmount);
        _pull(IERC20(p.collateralToken), collateralTokenAmount);
        IERC20(_s().usdc).safeTransfer(msg.sender, usdcAmount);
    }

    /// @inheritdoc IERC20CollateralPool
    function repay(uint256 poolId, uint256 borrowId, uint256 repayAmount) external nonReentrant {
        Pool storage p = _pool(poolId);
        Borrow storage b = _borrow(poolId, msg.sender, borrowId);
        uint256 outstanding = b.usdcAmount;
        _checkPrincipalReduction(p, outstanding, repayAmount);

        uint256 interest = PoolMath.interest(repayAmount, b.interest, block.timestamp - b.borrowTime);
        // The borrower receives, so the pro-rata collateral rounds down (a full repay returns all).
        uint256 collateralBack = uint256(b.collateralTokenAmount).mulDivDown(repayAmount, outstanding);

        _accrue(p);
        _settlePrincipal(p, b, repayAmount, interest, collateralBack);
        _updateRewardRate(p);

        emit Repaid(poolId, msg.sender, borrowId, repayAmount, interest, collateralBack);
        _pull(IERC20(_s().usdc), repayAmount + interest);
        if (collateralBack != 0) IERC20(p.collateralToken).safeTransfer(msg.sender, collateralBack);
    }

    /// @inheritdoc IERC20CollateralPool
    function changeCollateralAmount(
        uint256 poolId,
        uint256 borrowId,
        uint256 newCollateralTokenAmount,
        uint256 maxCollateralTokenLTVPercentage
    ) external nonReentrant {
        Pool storage p = _pool(poolId);
        Borrow storage b = _borrow(poolId, msg.sender, borrowId);
        uint256 current = b.collateralTokenAmount;
        if (newCollateralTokenAmount == current) revert CollateralAmountNotChanged();

        if (newCollateralTokenAmount > current) {
            // Adding only makes the position safer: allowed while paused, and reads no oracle so
            // a stale feed cannot stop a borrower from protecting the loan.
            if (newCollateralTokenAmount > type(uint128).max) revert CollateralAmountTooBig();
            uint256 added = newCollateralTokenAmount - current;
            b.collateralTokenAmount = uint128(newCollateralTokenAmount);
            p.collateralTokenAmount += added;
            emit AddedCollateral(poolId, borrowId, msg.sender, added);
            _pull(IERC20(p.collateralToken), added);
            return;
        }

        _requireNotPaused();
        uint256 principal = b.usdcAmount;
        if (principal != 0) {
            uint256 debt = principal + PoolMath.interest(principal, b.interest, block.timestamp - b.borrowTime);
            Prices memory prices = _prices(p);
            if (newCollateralTokenAmount < _requiredCollateral(p, debt, prices)) revert CollateralAmountTooLow();
            uint256 resultingLtv = PoolMath.loanToValueBps(
                debt, newCollateralTokenAmount, prices.usdc, prices.collateral, p.collateralDecimals
            );
            if (resultingLtv > maxCollateralTokenLTVPercentage) {
                revert MaxLTVExceeded(resultingLtv, maxCollateralTokenLTVPercentage);
            }
        }
        uint256 removed = current - newCollateralTokenAmount;
        b.collateralTokenAmount = uint128(newCollateralTokenAmount); // < current
        p.collateralTokenAmount -= removed;
        emit RemovedCollateral(poolId, borrowId, msg.sender, removed);
        IERC20(p.collateralToken).safeTransfer(msg.sender, removed);
    }

    /* LIQUIDATION */

    /// @inheritdoc IERC20CollateralPool
    function liquidate(uint256 poolId, Liquidation[] calldata liquidations) external whenNotPaused nonReentrant {
        Pool storage p = _pool(poolId);
        _accrue(p);
        LiquidationTotals memory t = _liquidateBatch(poolId, p, liquidations, false);
        _updateRewardRate(p);
        uint256 fee = t.payment - t.cleared;
        _s().usdcFeesCollected += fee;
        emit UsdcFeesCollected(poolId, fee);
        _pull(IERC20(_s().usdc), t.payment);
        IERC20(p.collateralToken).safeTransfer(msg.sender, t.seized);
    }

    /// @inheritdoc IERC20CollateralPool
    function claimCollateral(uint256 poolId, Claim[] calldata claims, Liquidation[] calldata liquidations)
        external
        whenNotPaused
        nonReentrant
    {
        Pool storage p = _pool(poolId);
        uint256 available = _availableUsdc(p);
        _accrue(p);
        uint256 claimValue = _takeClaims(poolId, p, claims);
        LiquidationTotals memory t = _liquidateBatch(poolId, p, liquidations, true);
        if (t.cleared > claimValue) revert NotEnoughUSDCClaimedToLiquidatePositions();
        // The claims repay the liquidated loans inside the pool; what is left of them is paid in USDC.
        uint256 leftover = claimValue - t.cleared;
        if (leftover > available) revert NotEnoughUSDCInPool();
        _updateRewardRate(p);
        _s().collateralTokenProtocolFee[p.collateralToken] += t.protocolFee;
        IERC20(p.collateralToken).safeTransfer(msg.sender, t.seized);
        if (leftover != 0) IERC20(_s().usdc).safeTransfer(msg.sender, leftover);
    }

    /* ADMIN */

    /// @inheritdoc IERC20CollateralPool
    function addPool(InitPool calldata pool) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _addPool(pool);
    }

    /// @inheritdoc IERC20CollateralPool
    function announceEditPool(uint256 poolId, EditPool calldata pool) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pool(poolId);
        AnnouncedEdit storage announced = _s().announcedPoolEdit[poolId];
        if (announced.unlocksAt != 0) revert ThereIsAlreadyActiveAnnouncementForThisPool();
        _checkParams(
            pool.collateralTokenPriceOracle,
            pool.maxPoolCapacity,
            pool.minLended,
            pool.minBorrow,
            pool.endTime,
            pool.collateralTokenFactor,
            pool.collateralTokenLTVPercentage
        );
        // An edit may end the pool early, but never before borrowers could see it coming.
        if (pool.endTime <= block.timestamp + POOL_EDIT_DELAY) revert PoolEndsAtIsInThePast();
        announced.unlocksAt = block.timestamp + POOL_EDIT_DELAY;
        announced.pool = pool;
        emit PoolEditAnnounced(poolId);
    }

    /// @inheritdoc IERC20CollateralPool
    function commitEditPool(uint256 poolId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Pool storage p = _pool(poolId);
        AnnouncedEdit storage announced = _s().announcedPoolEdit[poolId];
        uint256 unlocksAt = announced.unlocksAt;
        if (unlocksAt == 0) revert NoAnnouncementForThisPool();
        if (block.timestamp < unlocksAt) revert PoolAnnouncementIsLocked();
        EditPool memory e = announced.pool;
        if (e.endTime <= block.timestamp) revert PoolEndsAtIsInThePast();
        delete _s().announcedPoolEdit[poolId];
        // Borrows keep the rate they were opened at (F2b): no accrual is needed for a rate change.
        p.priceFeedDecimals = _feedDecimals(e.collateralTokenPriceOracle);
        p.collateralTokenPriceOracle = e.collateralTokenPriceOracle;
        p.collateralTokenSequencerOracle = e.collateralTokenSequencerOracle;
        p.maxPoolCapacity = uint128(e.maxPoolCapacity);
        p.minLended = uint128(e.minLended);
        p.minBorrow = uint96(e.minBorrow); // ≤ MAX_POSITION_AMOUNT
        p.endTime = e.endTime;
        p.collateralTokenFactor = e.collateralTokenFactor;
        p.collateralTokenLTVPercentage = e.collateralTokenLTVPercentage;
        p.interest = e.interest;
        emit PoolEdited(poolId);
    }

    /// @inheritdoc IERC20CollateralPool
    function cancelEditPool(uint256 poolId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pool(poolId);
        if (_s().announcedPoolEdit[poolId].unlocksAt == 0) revert NoAnnouncementForThisPool();
        delete _s().announcedPoolEdit[poolId];
        emit PoolEditCanceled(poolId);
    }

    /// @inheritdoc IERC20CollateralPool
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IERC20CollateralPool
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _s().unPausedTimestamp = uint48(block.timestamp);
        _unpause();
    }

    /// @inheritdoc IERC20CollateralPool
    function withdrawProtocolRewards(address token, address recipient)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
        nonReentrant
    {
        if (recipient == address(0)) revert RecipientCannotBeZeroAddress();
        PoolStorage storage $ = _s();
        uint256 amount;
        if (token == $.usdc) {
            amount = $.usdcFeesCollected;
            $.usdcFeesCollected = 0;
        } else {
            amount = $.collateralTokenProtocolFee[token];
            $.collateralTokenProtocolFee[token] = 0;
        }
        if (amount == 0) revert AmountCannotBeZero();
        emit AdminWithdrawProtocolRewards(token, amount);
        IERC20(token).safeTransfer(recipient, amount);
    }

    /// @inheritdoc IERC20CollateralPool
    function setOracleMaxDelay(uint256 maxDelay) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (maxDelay == 0 || maxDelay > MAX_ORACLE_DELAY) revert InvalidOracleMaxDelay();
        _s().oracleMaxDelay = uint32(maxDelay); // ≤ MAX_ORACLE_DELAY
        emit OracleMaxDelaySet(maxDelay);
    }

    /* VIEWS */

    /// @inheritdoc IERC20CollateralPool
    function calculateRepayInterest(uint256 poolId, uint256 borrowId, address user) external view returns (uint256) {
        _pool(poolId);
        Borrow storage b = _borrow(poolId, user, borrowId);
        return PoolMath.interest(b.usdcAmount, b.interest, block.timestamp - b.borrowTime);
    }

    /// @inheritdoc IERC20CollateralPool
    function calculateReward(uint256 poolId, uint256 lendId, address user) external view returns (uint256) {
        Pool storage p = _pool(poolId);
        Lending storage l = _lending(poolId, user, lendId);
        uint256 rewardPerToken = p.rewardPerToken + (block.timestamp - p.lastUpdated) * p.rewardRate;
        return PoolMath.reward(l.usdcAmount, rewardPerToken - l.rewardPerTokenIgnored);
    }

    /// @inheritdoc IERC20CollateralPool
    function calculateCollateralTokenAmount(uint256 poolId, uint256 usdcAmount) external view returns (uint256) {
        Pool storage p = _pool(poolId);
        return _requiredCollateral(p, usdcAmount, _prices(p));
    }

    /// @inheritdoc IERC20CollateralPool
    function isPositionLiquidatable(uint256 poolId, address user, uint256 borrowId) external view returns (bool) {
        Pool storage p = _pool(poolId);
        Borrow storage b = _borrow(poolId, user, borrowId);
        uint256 principal = b.usdcAmount;
        if (principal == 0) return false;
        // Prices first, also for an overdue loan: `liquidate` needs them to pay the liquidator,
        // so the view answers "liquidatable" only when a liquidation could go through.
        Prices memory prices = _prices(p);
        if (block.timestamp >= p.endTime) return true;
        uint256 debt = principal + PoolMath.interest(principal, b.interest, block.timestamp - b.borrowTime);
        return _isLiquidatable(p, debt, b.collateralTokenAmount, prices);
    }

    /// @inheritdoc IERC20CollateralPool
    function getLiquidatableAmountWithProtocolFee(uint256 poolId, address user, uint256 borrowId)
        external
        view
        returns (uint256)
    {
        _pool(poolId);
        Borrow storage b = _borrow(poolId, user, borrowId);
        uint256 principal = b.usdcAmount;
        return PoolMath.liquidationPayment(
            principal, PoolMath.interest(principal, b.interest, block.timestamp - b.borrowTime)
        );
    }

    /// @inheritdoc IERC20CollateralPool
    function getAvailableAmountsInPool(uint256 poolId)
        external
        view
        returns (uint256 availableUSDC, uint256 availableCollateralTokens)
    {
        Pool storage p = _pool(poolId);
        return (_availableUsdc(p), p.collateralTokenAmount);
    }

    /// @inheritdoc IERC20CollateralPool
    function getCollateralTokenProtocolFee(address collateralToken) external view returns (uint256) {
        return _s().collateralTokenProtocolFee[collateralToken];
    }

    /// @inheritdoc IERC20CollateralPool
    function getCollateralTokens() external view returns (address[] memory) {
        return _s().collateralTokens;
    }

    /// @inheritdoc IERC20CollateralPool
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
        )
    {
        Pool storage p = _pool(poolId);
        amounts = PoolAmounts({
            lended: p.lended,
            claimed: p.claimed,
            borrowed: p.borrowed,
            repaid: p.repaid,
            rewards: p.rewards,
            claimedRewards: p.claimedRewards,
            collateralTokenAmount: p.collateralTokenAmount
        });
        collateralDetails = CollateralDetails({
            collateralToken: p.collateralToken,
            collateralTokenPriceOracle: p.collateralTokenPriceOracle,
            collateralTokenSequencerOracle: p.collateralTokenSequencerOracle,
            maxPoolCapacity: p.maxPoolCapacity,
            minLended: p.minLended,
            minBorrow: p.minBorrow,
            collateralTokenFactor: p.collateralTokenFactor,
            collateralTokenLTVPercentage: p.collateralTokenLTVPercentage
        });
        return (amounts, collateralDetails, p.rewardPerToken, p.rewardRate, p.lastUpdated, p.endTime, p.interest);
    }

    /// @inheritdoc IERC20CollateralPool
    function lendings(uint256 poolId, address user, uint256 lendId)
        external
        view
        returns (uint256 startingUsdcAmount, uint256 usdcAmount, uint256 rewardPerTokenIgnored)
    {
        Lending storage l = _lending(poolId, user, lendId);
        return (l.startingUsdcAmount, l.usdcAmount, l.rewardPerTokenIgnored);
    }

    /// @inheritdoc IERC20CollateralPool
    function borrows(uint256 poolId, address user, uint256 borrowId)
        external
        view
        returns (uint256 startingUsdcAmount, uint256 usdcAmount, uint256 collateralTokenAmount, uint48 borrowTime)
    {
        Borrow storage b = _borrow(poolId, user, borrowId);
        return (b.startingUsdcAmount, b.usdcAmount, b.collateralTokenAmount, b.borrowTime);
    }

    /// @inheritdoc IERC20CollateralPool
    function borrowInterest(uint256 poolId, address user, uint256 borrowId) external view returns (uint24) {
        return _borrow(poolId, user, borrowId).interest;
    }

    /// @inheritdoc IERC20CollateralPool
    function lendingsLength(uint256 poolId, address user) external view returns (uint256) {
        return _s().lendings[poolId][user].length;
    }

    /// @inheritdoc IERC20CollateralPool
    function borrowsLength(uint256 poolId, address user) external view returns (uint256) {
        return _s().borrows[poolId][user].length;
    }

    /// @inheritdoc IERC20CollateralPool
    function poolsLength() external view returns (uint256) {
        return _s().pools.length;
    }

    /// @inheritdoc IERC20CollateralPool
    function announcedPoolEdit(uint256 poolId) external view returns (uint256 unlocksAt, EditPool memory pool) {
        AnnouncedEdit storage announced = _s().announcedPoolEdit[poolId];
        return (announced.unlocksAt, announced.pool);
    }

    /// @inheritdoc IERC20CollateralPool
    function weightedBorrowed(uint256 poolId) external view returns (uint256) {
        return _pool(poolId).weightedBorrowed;
    }

    /// @inheritdoc IERC20CollateralPool
    function usdcFeesCollected() external view returns (uint256) {
        return _s().usdcFeesCollected;
    }

    /// @inheritdoc IERC20CollateralPool
    function unPausedTimestamp() external view returns (uint256) {
        return _s().unPausedTimestamp;
    }

    /// @inheritdoc IERC20CollateralPool
    function oracleMaxDelay() external view returns (uint256) {
        return _s().oracleMaxDelay;
    }

    /// @inheritdoc IERC20CollateralPool
    function USDC() external view returns (address) {
        return _s().usdc;
    }

    /// @inheritdoc IERC20CollateralPool
    function usdcPriceOracle() external view returns (address) {
        return _s().usdcPriceOracle;
    }

    /// @inheritdoc IERC20CollateralPool
    function usdcSequencerOracle() external view returns (address) {
        return _s().usdcSequencerOracle;
    }

    /* INTERNAL: POOLS AND POSITIONS */

    function _addPool(InitPool calldata pool) private {
        PoolStorage storage $ = _s();
        address token = pool.collateralToken;
        if (token == address(0)) revert PoolCollateralTokenCannotBeZeroAddress();
        if (token == $.usdc) revert CollateralTokenCannotBeUsdc();
        uint8 feedDecimals = _checkParams(
            pool.collateralTokenPriceOracle,
            pool.maxPoolCapacity,
            pool.minLended,
            pool.minBorrow,
            pool.endTime,
            pool.collateralTokenFactor,
            pool.collateralTokenLTVPercentage
        );
        (bool known, uint8 tokenDecimals) = _tryDecimals(token);
        if (!known || tokenDecimals > 18) revert UnsupportedDecimals();

        uint256 poolId = $.pools.length;
        Pool storage p = $.pools.push();
        p.collateralToken = token;
        p.collateralTokenFactor = pool.collateralTokenFactor;
        p.collateralTokenLTVPercentage = pool.collateralTokenLTVPercentage;
        p.collateralDecimals = tokenDecimals;
        p.priceFeedDecimals = feedDecimals;
        p.collateralTokenPriceOracle = pool.collateralTokenPriceOracle;
        p.endTime = pool.endTime;
        p.interest = pool.interest;
        p.collateralTokenSequencerOracle = pool.collateralTokenSequencerOracle;
        p.maxPoolCapacity = uint128(pool.maxPoolCapacity);
        p.minLended = uint128(pool.minLended);
        p.minBorrow = uint96(pool.minBorrow); // ≤ MAX_POSITION_AMOUNT
        p.lastUpdated = uint48(block.timestamp);
        if (!$.isCollateralToken[token]) {
            $.isCollateralToken[token] = true;
            $.collateralTokens.push(token);
        }
        emit PoolAdded(poolId, msg.sender);
    }

    /// @dev Validation shared by `addPool` and `announceEditPool`; returns the feed's decimals.
    function _checkParams(
        address priceOracle,
        uint256 maxPoolCapacity,
        uint256 minLended,
        uint256 minBorrow,
        uint48 endTime,
        uint24 factor,
        uint24 ltv
    ) private view returns (uint8) {
        if (endTime <= block.timestamp) revert PoolEndsAtIsInThePast();
        if (minLended == 0 || minBorrow == 0) revert AmountTooLow();
        if (maxPoolCapacity > MAX_POSITION_AMOUNT || minBorrow > MAX_POSITION_AMOUNT) revert AmountTooBig();
        if (minLended > maxPoolCapacity) revert MinLendedGreaterThanMaxPoolCapacity();
        if (factor < PoolMath.BPS) revert CollateralTokenFactorTooLow();
        if (ltv == 0) revert CollateralTokenLTVPercentageCannotBeZero();
        if (ltv > MAX_LTV_PERCENTAGE) revert CollateralTokenLTVPercentageTooHigh();
        return _feedDecimals(priceOracle);
    }

    function _feedDecimals(address feed) private view returns (uint8 decimals) {
        if (feed == address(0)) revert PriceOracleCannotBeZeroAddress();
        bool known;
        (known, decimals) = _tryDecimals(feed);
        if (!known || decimals > 18) revert UnsupportedDecimals();
    }

    /// @dev `decimals()` of a token or feed, or `known == false` when the address does not answer
    /// it (no code, a revert, a short or out-of-range answer): a clear error instead of a bare revert.
    function _tryDecimals(address target) private view returns (bool known, uint8 decimals) {
        (bool ok, bytes memory data) = target.staticcall(abi.encodeWithSelector(IERC20Metadata.decimals.selector));
        if (!ok || data.length < 32) return (false, 0);
        uint256 value = abi.decode(data, (uint256));
        if (value > type(uint8).max) return (false, 0);
        return (true, uint8(value));
    }

    function _pool(uint256 poolId) private view returns (Pool storage) {
        Pool[] storage all = _s().pools;
        if (poolId >= all.length) revert PoolDoesNotExist();
        return all[poolId];
    }

    function _openPool(uint256 poolId) private view returns (Pool storage p) {
        p = _pool(poolId);
        if (block.timestamp >= p.endTime) revert PoolIsClosed();
    }

    function _lending(uint256 poolId, address user, uint256 lendId) private view returns (Lending storage) {
        Lending[] storage positions = _s().lendings[poolId][user];
        if (lendId >= positions.length) revert LendingDoesNotExist();
        return positions[lendId];
    }

    function _borrow(uint256 poolId, address user, uint256 borrowId) private view returns (Borrow storage) {
        Borrow[] storage positions = _s().borrows[poolId][user];
        if (borrowId >= positions.length) revert BorrowDoesNotExist();
        return positions[borrowId];
    }

    /// @dev F5: USDC the pool holds for lenders and borrowers, ordered so that nothing underflows.
    function _availableUsdc(Pool storage p) private view returns (uint256) {
        return uint256(p.lended) + p.repaid + p.rewards - p.claimed - p.borrowed - p.claimedRewards;
    }

    /* INTERNAL: REWARDS */

    /// @dev Cap of the stored reward rate. Reached only when almost nothing is lent against large
    /// borrows; saturating there means lenders receive less, never that the pool reverts.
    uint256 private constant MAX_REWARD_RATE = type(uint64).max;

    /// @dev F2, first half: fold the time since the last update into `rewardPerToken`. With the
    /// rate capped at 2^64, the 144-bit accumulator cannot overflow in 2^80 seconds.
    function _accrue(Pool storage p) private {
        uint256 last = p.lastUpdated;
        if (last == block.timestamp) return;
        p.rewardPerToken += uint144((block.timestamp - last) * p.rewardRate);
        p.lastUpdated = uint48(block.timestamp);
    }

    /// @dev F2, second half: the rate for the new totals.
    function _updateRewardRate(Pool storage p) private {
        uint256 rate = PoolMath.rewardRate(p.weightedBorrowed, uint256(p.lended) - p.claimed);
        if (rate > MAX_REWARD_RATE) rate = MAX_REWARD_RATE;
        if (rate != p.rewardRate) p.rewardRate = uint64(rate);
    }

    /// @dev Pays out nothing: marks the caller's claims (F3) and returns principal + rewards due.
    function _takeClaims(uint256 poolId, Pool storage p, Claim[] calldata claims) private returns (uint256) {
        if (claims.length == 0) revert NoClaimsProvided();
        uint256 rewardPerToken = p.rewardPerToken;
        uint256 principalTotal;
        uint256 rewardTotal;
        for (uint256 i; i < claims.length; ++i) {
            Claim calldata c = claims[i];
            Lending storage l = _lending(poolId, msg.sender, c.lendId);
            uint256 amount = c.usdcAmount;
            if (amount == 0) revert AmountCannotBeZero();
            if (amount > l.usdcAmount) revert AmountTooBig();
            uint256 reward = PoolMath.reward(amount, rewardPerToken - l.rewardPerTokenIgnored);
            l.usdcAmount -= uint64(amount);
            principalTotal += amount;
            rewardTotal += reward;
            emit RewardsClaimed(poolId, msg.sender, c.lendId, amount, reward);
        }
        p.claimed += principalTotal.toUint128();
        p.claimedRewards += rewardTotal.toUint128();
        return principalTotal + rewardTotal;
    }

    /* INTERNAL: BORROWS AND LIQUIDATION */

    /// @dev Rules shared by repay and liquidation for clearing `amount` of `outstanding` principal.
    function _checkPrincipalReduction(Pool storage p, uint256 outstanding, uint256 amount) private view {
        if (outstanding == 0) revert BorrowAlreadyLiquidated();
        if (amount == 0) revert AmountCannotBeZero();
        if (amount > outstanding) revert AmountTooBig();
        uint256 remaining = outstanding - amount;
        if (remaining != 0 && remaining < p.minBorrow) revert RemainingBorrowTooLow();
    }

    /// @dev Books `principal` + `interest` as paid back and `collateralOut` as leaving the position.
    function _settlePrincipal(
        Pool storage p,
        Borrow storage b,
        uint256 principal,
        uint256 interest,
        uint256 collateralOut
    ) private {
        b.usdcAmount -= uint64(principal);
        b.collateralTokenAmount -= uint128(collateralOut); // ≤ the position's collateral
        p.repaid += uint128(principal);
        p.rewards += interest.toUint128();
        p.weightedBorrowed -= principal * b.interest;
        p.collateralTokenAmount -= collateralOut;
    }

    /// @dev Runs a batch of liquidations at one pair of prices, after the pause grace period.
    function _liquidateBatch(uint256 poolId, Pool storage p, Liquidation[] calldata liquidations, bool feeInCollateral)
        private
        returns (LiquidationTotals memory t)
    {
        if (liquidations.length == 0) revert NoLiquidationsProvided();
        if (block.timestamp < _s().unPausedTimestamp + PAUSE_GRACE_PERIOD) revert PauseGracePeriodNotPassed();
        Prices memory prices = _prices(p);
        for (uint256 i; i < liquidations.length; ++i) {
            (uint256 cleared, uint256 seized, uint256 fee) =
                _liquidateOne(poolId, p, liquidations[i], prices, feeInCollateral);
            t.cleared += cleared;
            // F7 rounds up per position: the liquidator pays principal + interest + 5 %, at least.
            t.payment += PoolMath.liquidationPayment(cleared, 0);
            t.seized += seized;
            t.protocolFee += fee;
        }
    }

    /// @dev One liquidation. Returns principal + interest cleared, collateral for the liquidator
    /// (F9) and, when `feeInCollateral`, the protocol's 5 % in collateral, capped so that both
    /// together never exceed the liquidated share; what is left of that share stays in the position.
    function _liquidateOne(
        uint256 poolId,
        Pool storage p,
        Liquidation calldata liq,
        Prices memory prices,
        bool feeInCollateral
    ) private returns (uint256 cleared, uint256 seized, uint256 protocolFee) {
        Borrow storage b = _borrow(poolId, liq.user, liq.borrowId);
        uint256 amount = liq.usdcAmount;
        uint256 interest = _checkLiquidation(p, b, amount, prices);
        (seized, protocolFee) = _liquidationCollateral(p, b, amount, interest, prices, feeInCollateral);
        _settlePrincipal(p, b, amount, interest, seized + protocolFee);
        emit UserPositionLiquidated(poolId, liq.user, liq.borrowId, msg.sender, amount, interest);
        emit LiquidationCollateralSeized(poolId, liq.user, liq.borrowId, msg.sender, seized, protocolFee);
        return (amount + interest, seized, protocolFee);
    }

    /// @dev Reverts unless `amount` of `b` may be liquidated now (unhealthy by F8, or overdue);
    /// returns the interest on `amount`.
    function _checkLiquidation(Pool storage p, Borrow storage b, uint256 amount, Prices memory prices)
        private
        view
        returns (uint256 interest)
    {
        uint256 outstanding = b.usdcAmount;
        _checkPrincipalReduction(p, outstanding, amount);
        uint256 elapsed = block.timestamp - b.borrowTime;
        if (block.timestamp < p.endTime) {
            uint256 debt = outstanding + PoolMath.interest(outstanding, b.interest, elapsed);
            if (!_isLiquidatable(p, debt, b.collateralTokenAmount, prices)) revert PositionNotLiquidatable();
        }
        return PoolMath.interest(amount, b.interest, elapsed);
    }

    /// @dev F9 for `amount` of `b`, plus the protocol's 5 % in collateral when `feeInCollateral`.
    function _liquidationCollateral(
        Pool storage p,
        Borrow storage b,
        uint256 amount,
        uint256 interest,
        Prices memory prices,
        bool feeInCollateral
    ) private view returns (uint256 seized, uint256 protocolFee) {
        uint8 decimals = p.collateralDecimals;
        uint256 proRata;
        (seized, proRata) = PoolMath.liquidationCollateral(
            amount, interest, b.collateralTokenAmount, b.usdcAmount, prices.usdc, prices.collateral, decimals
        );
        if (feeInCollateral) {
            uint256 feeUsdc = PoolMath.liquidationPayment(amount, interest) - amount - interest;
            protocolFee = PoolMath.usdcToCollateralDown(feeUsdc, prices.usdc, prices.collateral, decimals);
            if (protocolFee > proRata - seized) protocolFee = proRata - seized;
        }
    }

    function _isLiquidatable(Pool storage p, uint256 debt, uint256 collateral, Prices memory prices)
        private
        view
        returns (bool)
    {
        return PoolMath.isLiquidatable(
            debt, collateral, p.collateralTokenLTVPercentage, prices.usdc, prices.collateral, p.collateralDecimals
        );
    }

    function _requiredCollateral(Pool storage p, uint256 usdcAmount, Prices memory prices)
        private
        view
        returns (uint256)
    {
        return PoolMath.requiredCollateral(
            usdcAmount,
            p.collateralTokenLTVPercentage,
            p.collateralTokenFactor,
            prices.usdc,
            prices.collateral,
            p.collateralDecimals
        );
    }

    /* INTERNAL: ORACLES AND TOKENS */

    /// @dev USDC and collateral prices as USD per whole token, 18 decimals (reverts on bad data).
    function _prices(Pool storage p) private view returns (Prices memory prices) {
        PoolStorage storage $ = _s();
        uint256 maxDelay = $.oracleMaxDelay;
        prices.usdc = OracleLib.readPriceWad(
            $.usdcPriceOracle, $.usdcSequencerOracle, maxDelay, $.usdcFeedDecimals, UsdcPriceIsZero.selector
        );
        prices.collateral = OracleLib.readPriceWad(
            p.collateralTokenPriceOracle,
            p.collateralTokenSequencerOracle,
            maxDelay,
            p.priceFeedDecimals,
            CollateralTokenPriceIsZero.selector
        );
    }

    /// @dev Pulls exactly `amount` from the caller; a token that delivers less (fee on transfer) is refused.
    function _pull(IERC20 token, uint256 amount) private {
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        if (token.balanceOf(address(this)) != balanceBefore + amount) revert TokenTransferAmountIncludedFees();
    }
}

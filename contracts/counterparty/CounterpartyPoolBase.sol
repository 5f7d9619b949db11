// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ICounterpartyPool} from "../interfaces/ICounterpartyPool.sol";
import {CollateralTransfer} from "../libraries/CollateralTransfer.sol";

/// @title CounterpartyPoolBase
/// @notice Everything the two counterparty variants share (see {ICounterpartyPool}); a variant
/// decides who may borrow, the fees, when a pool is collectable, whether lenders may uncommit,
/// and its published getters. State lives in one ERC-7201 namespace.
abstract contract CounterpartyPoolBase is
    ICounterpartyPool,
    AccessControlUpgradeable,
    PausableUpgradeable,
    ReentrancyGuardTransient,
    IERC721Receiver,
    IERC1155Receiver
{
    using SafeERC20 for IERC20;
    using CollateralTransfer for CollateralTransfer.Kind;

    /* CONSTANTS */

    /// @notice Scale of `minimumAPR`: 1e8 = 100 %.
    uint256 public constant APR_SCALE = 1e8;
    /// @notice Basis-point denominator.
    uint256 public constant BPS = 10_000;
    /// @notice After the deadline, the owner may collect for this long (seconds).
    uint256 public constant COLLECT_WINDOW = 30 days;
    /// @notice Waiting time before archiving and before the owner or admin may act for users (seconds).
    uint256 public constant ARCHIVE_DELAY = 60 days;
    /// @notice Furthest deadline from creation (seconds).
    uint256 public constant MAX_DEADLINE = 365 days;
    /// @notice Repayment date of a new pool, counted from its deadline (seconds).
    uint256 public constant DEFAULT_REPAYMENT_TERM = 365 days;
    /// @notice Most collateral items per pool: every close walks them.
    uint256 public constant MAX_COLLATERAL_TOKENS = 10;

    /* STORAGE */

    /// @dev A collateral item as held: its kind, and how much of it a default has handed out.
    struct CollateralItem {
        address contractAddress;
        CollateralTransfer.Kind kind;
        uint256 amount;
        uint256 id;
        uint256 released;
    }

    /// @dev A pool. `paidInFullCommits` is the published admin variant's `partialClaimed`.
    struct PoolData {
        uint128 softCap;
        uint128 hardCap;
        uint128 totalCommitted;
        uint128 paidInFullCommits;
        uint128 totalRewards;
        uint128 rewardsPaidOut;
        uint48 createdAt;
        uint48 deadline;
        uint48 closedTime;
        uint48 minimumAPR;
        PoolStatus status;
        address poolOwner;
        uint48 repaymentDate;
        bool defaulted;
        uint128 collateralClaimedCommits;
        CollateralItem[] collateral;
    }

    /// @dev A lender's commit to one pool.
    struct Commit {
        uint128 amount;
        uint128 claimedAmount;
        bool paidInFull;
        bool collateralClaimed;
    }

    /// @custom:storage-location erc7201:defactor.storage.CounterpartyPool
    struct PoolsStorage {
        address usdc;
        uint256 feesCollected;
        PoolData[] pools;
        mapping(address user => mapping(uint256 poolId => Commit)) commits;
    }

    // keccak256(abi.encode(uint256(keccak256("defactor.storage.CounterpartyPool")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xd575725c6e4631891554b5f035fd5fb632e2390a4089680631bcc6d321571e00;

    function _s() internal pure returns (PoolsStorage storage $) {
        assembly ("memory-safe") {
            $.slot := STORAGE_SLOT
        }
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initialises the proxy with the USDC token; the caller becomes the admin.
    function __Pools_init(address _usdc) external initializer {
        if (_usdc == address(0)) revert CannotBeZeroAddress();
        __AccessControl_init();
        __Pausable_init();
        _s().usdc = _usdc;
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
    }

    /* VARIANT HOOKS */

    /// @dev Who may create a pool, and what it costs them.
    function _beforeCreate() internal virtual;

    /// @dev Reverts unless the caller acts as the borrower of `p`.
    function _checkBorrower(PoolData storage p) internal view virtual;

    /// @dev Collect fee in bps of the commits.
    function _collectFeeBps() internal pure virtual returns (uint256);

    /// @dev Whether `p` (CREATED) can be collected now; reverts with the reason when `revertIfNot`.
    function _collectable(PoolData storage p, bool revertIfNot) internal view virtual returns (bool);

    /// @dev Reverts unless a lender may withdraw its commit from `p` (CREATED) now.
    function _checkUncommit(PoolData storage p) internal view virtual;

    /// @dev Reverts unless `p` (CREATED) may be closed now.
    function _checkCloseFromCreated(PoolData storage p) internal view virtual;

    /// @dev Whether `p` (CREATED) may be closed now: the non-reverting twin of `_checkCloseFromCreated`.
    function _closableFromCreated(PoolData storage p) internal view virtual returns (bool);

    /// @dev Who receives what the borrower is owed from `p`: collected commits and returned collateral.
    function _payee(PoolData storage p) internal view virtual returns (address) {
        return p.poolOwner;
    }

    /// @dev Reverts unless the caller may archive `p` and act for its users.
    function _checkOwnerOrAdmin(PoolData storage p) internal view virtual {
        if (msg.sender != p.poolOwner && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) revert MustBePoolOwnerOrAdmin();
    }

    /* BORROWER */

    /// @inheritdoc ICounterpartyPool
    function createPool(
        uint256 softCap,
        uint256 hardCap,
        uint48 deadline,
        uint48 minimumAPR,
        CollateralToken[] calldata collateralTokens
    ) external whenNotPaused nonReentrant {
        if (softCap > hardCap) revert SoftCapMustBeLessThanHardCap();
        if (hardCap == 0) revert HardCapCannotBeZero();
        if (hardCap > type(uint128).max) revert AmountTooBig();
        if (deadline <= block.timestamp) revert DeadlineMustBeInFuture();
        if (deadline > block.timestamp + MAX_DEADLINE) revert DeadlineMustNotBeMoreThan1YearInTheFuture();
        if (collateralTokens.length > MAX_COLLATERAL_TOKENS) revert TooManyCollateralTokens();
        _beforeCreate();

        PoolsStorage storage $ = _s();
        uint256 poolId = $.pools.length;
        PoolData storage p = $.pools.push();
        p.softCap = uint128(softCap);
        p.hardCap = uint128(hardCap);
        p.createdAt = uint48(block.timestamp);
        p.deadline = deadline;
        p.minimumAPR = minimumAPR;
        p.poolOwner = msg.sender;
        p.repaymentDate = uint48(deadline + DEFAULT_REPAYMENT_TERM);
        emit PoolCreated(poolId, msg.sender);

        for (uint256 i; i < collateralTokens.length; ++i) {
            CollateralToken calldata c = collateralTokens[i];
            if (c.contractAddress == address(0) || c.amount == 0) revert InvalidCollateral(i);
            CollateralTransfer.Kind kind = CollateralTransfer.kindOf(c.contractAddress);
            if (kind == CollateralTransfer.Kind.ERC721 && c.amount != 1) revert InvalidCollateral(i);
            p.collateral
                .push(
                    CollateralItem({
                        contractAddress: c.contractAddress, kind: kind, amount: c.amount, id: c.id, released: 0
                    })
                );
            kind.pull(c.contractAddress, msg.sender, c.id, c.amount);
        }
    }

    /// @inheritdoc ICounterpartyPool
    function setRepaymentDate(uint256 poolId, uint48 repaymentDate) external {
        PoolData storage p = _pool(poolId);
        _checkBorrower(p);
        if (p.status != PoolStatus.CREATED) revert PoolStatusMustBeCreated();
        if (p.totalCommitted != 0 || repaymentDate <= p.deadline) revert InvalidRepaymentDate();
        p.repaymentDate = repaymentDate;
        emit RepaymentDateSet(poolId, repaymentDate);
    }

    /// @inheritdoc ICounterpartyPool
    function collectPool(uint256 poolId) external whenNotPaused nonReentrant {
        PoolData storage p = _pool(poolId);
        _checkBorrower(p);
        if (p.status != PoolStatus.CREATED) revert PoolStatusMustBeCreated();
        _collectable(p, true);
        uint256 committed = p.totalCommitted;
        // The protocol's fee rounds up; the owner receives the rest.
        uint256 fee = Math.mulDiv(committed, _collectFeeBps(), BPS, Math.Rounding.Ceil);
        p.status = PoolStatus.ACTIVE;
        _s().feesCollected += fee;
        address payee = _payee(p);
        emit PoolCollected(poolId, committed - fee, payee);
        IERC20(_s().usdc).safeTransfer(payee, committed - fee);
    }

    /// @inheritdoc ICounterpartyPool
    function depositRewards(uint256 poolId, uint256 amount) external nonReentrant {
        PoolData storage p = _pool(poolId);
        _checkBorrower(p);
        if (p.status != PoolStatus.ACTIVE) revert PoolStatusMustBeActive();
        if (amount == 0) revert AmountCannotBeZero();
        uint256 total = p.totalRewards + amount;
        if (total > type(uint128).max) revert AmountTooBig();
        p.totalRewards = uint128(total);
        emit RewardsDeposited(poolId, amount, msg.sender);
        _pullUsdc(amount);
    }

    /// @inheritdoc ICounterpartyPool
    function closePool(uint256 poolId) external nonReentrant {
        PoolData storage p = _pool(poolId);
        _checkBorrower(p);
        if (p.status == PoolStatus.ACTIVE) {
            if (p.totalRewards < requiredRewards(poolId)) revert MustDepositAtleastCommittedAmount();
        } else if (p.status == PoolStatus.CREATED) {
            _checkCloseFromCreated(p);
        } else {
            revert PoolStatusMustBeActive();
        }
        _close(poolId, p);
        _returnCollateral(p);
    }

    /* LENDERS */

    /// @inheritdoc ICounterpartyPool
    function commitToPool(uint256 poolId, uint256 amount) external whenNotPaused nonReentrant {
        PoolData storage p = _pool(poolId);
        if (p.status != PoolStatus.CREATED) revert PoolStatusMustBeCreated();
        if (msg.sender == p.poolOwner) revert PoolOwnerCannotCommitToHisOwnPool();
        if (block.timestamp > p.deadline) revert PoolDeadlineReached();
        if (amount == 0) revert AmountCannotBeZero();
        uint256 total = p.totalCommitted + amount;
        if (total > p.hardCap) revert PoolHardCapReached();
        p.totalCommitted = uint128(total);
        Commit storage c = _s().commits[msg.sender][poolId];
        c.amount += uint128(amount); // ≤ hardCap < 2^128
        emit CommittedToPool(poolId, amount, msg.sender);
        _pullUsdc(amount);
    }

    /// @inheritdoc ICounterpartyPool
    function uncommitFromPool(uint256 poolId) external whenNotPaused nonReentrant {
        PoolData storage p = _pool(poolId);
        if (p.status != PoolStatus.CREATED) revert PoolStatusMustBeCreated();
        _checkUncommit(p);
        if (!_refundCommit(poolId, p, msg.sender)) revert NotACommitter();
    }

    /// @inheritdoc ICounterpartyPool
    function claim(uint256 poolId) external whenNotPaused nonReentrant {
        PoolData storage p = _pool(poolId);
        if (p.status != PoolStatus.ACTIVE && p.status != PoolStatus.CLOSED) {
            revert PoolStatusMustBeEitherClosedOrActive();
        }
        Commit storage c = _s().commits[msg.sender][poolId];
        if (c.amount == 0) revert NotACommitter();
        if (!_payRewards(poolId, p, c, msg.sender)) revert NothingToClaim();
    }

    /// @inheritdoc ICounterpartyPool
    function declareDefault(uint256 poolId) external whenNotPaused nonReentrant {
        PoolData storage p = _pool(poolId);
        if (p.status != PoolStatus.ACTIVE) revert PoolStatusMustBeActive();
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            if (block.timestamp < p.repaymentDate || p.totalRewards >= requiredRewards(poolId)) {
                revert PoolCannotBeDefaulted();
            }
        }
        p.defaulted = true;
        emit PoolDefaulted(poolId, msg.sender);
        _close(poolId, p);
    }

    /// @inheritdoc ICounterpartyPool
    function claimDefaultCollateral(uint256 poolId) external whenNotPaused nonReentrant {
        PoolData storage p = _pool(poolId);
        if (!p.defaulted) revert PoolNotDefaulted();
        Commit storage c = _s().commits[msg.sender][poolId];
        if (c.amount == 0) revert NotACommitter();
        if (c.collateralClaimed) revert CollateralAlreadyClaimed();
        _giveDefaultCollateral(poolId, p, c, msg.sender);
    }

    /* OWNER OR ADMIN */

    /// @inheritdoc ICounterpartyPool
    function archivePool(uint256 poolId) external nonReentrant {
        PoolData storage p = _pool(poolId);
        _checkOwnerOrAdmin(p);
        if (p.status == PoolStatus.CLOSED) {
            if (block.timestamp < uint256(p.closedTime) + ARCHIVE_DELAY) {
                revert PoolStatusMustBeClosedForAtLeast60Days();
            }
            if (p.rewardsPaidOut < p.totalRewards) revert RewardsHaveNotYetBeenPaidOut();
            if (p.defaulted && p.collateralClaimedCommits < p.totalCommitted) revert CollateralNotYetDistributed();
            p.status = PoolStatus.ARCHIVED;
            emit PoolArchived(poolId, p.poolOwner);
        } else if (p.status == PoolStatus.CREATED) {
            if (block.timestamp < uint256(p.deadline) + ARCHIVE_DELAY) {
                revert PoolStatusMustBeAtLeast60DaysPastDeadline();
            }
            if (p.totalCommitted != 0) revert PoolIsNotEmpty();
            p.status = PoolStatus.ARCHIVED;
            emit PoolArchived(poolId, p.poolOwner);
            _returnCollateral(p); // never closed: the owner's collateral is still here
        } else {
            revert PoolStatusMustBeEitherClosedOrCreated();
        }
    }

    /// @inheritdoc ICounterpartyPool
    function claimRewardsForUsers(uint256 poolId, address[] calldata users) external whenNotPaused nonReentrant {
        PoolData storage p = _pool(poolId);
        _checkOwnerOrAdmin(p);
        if (p.status != PoolStatus.CLOSED) revert PoolStatusMustBeClosed();
        if (block.timestamp < uint256(p.closedTime) + ARCHIVE_DELAY) revert PoolStatusMustBeClosedForAtLeast60Days();
        for (uint256 i; i < users.length; ++i) {
            Commit storage c = _s().commits[users[i]][poolId];
            if (c.amount == 0) continue;
            _payRewards(poolId, p, c, users[i]);
            if (p.defaulted && !c.collateralClaimed) _giveDefaultCollateral(poolId, p, c, users[i]);
        }
    }

    /// @inheritdoc ICounterpartyPool
    function uncommitForUsers(uint256 poolId, address[] calldata users) external whenNotPaused nonReentrant {
        PoolData storage p = _pool(poolId);
        _checkOwnerOrAdmin(p);
        if (p.status != PoolStatus.CREATED) revert PoolStatusMustBeCreated();
        if (block.timestamp < uint256(p.deadline) + ARCHIVE_DELAY) revert PoolStatusMustBeAtLeast60DaysPastDeadline();
        for (uint256 i; i < users.length; ++i) {
            _refundCommit(poolId, p, users[i]);
        }
    }

    /* ADMIN */

    /// @inheritdoc ICounterpartyPool
    function withdrawFeesCollected() external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        uint256 amount = _s().feesCollected;
        if (amount == 0) revert AmountCannotBeZero();
        _s().feesCollected = 0;
        emit FeesWithdrawn(msg.sender, amount);
        IERC20(_s().usdc).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ICounterpartyPool
    function adminWithdrawAll() external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (!paused()) revert MustBePaused();
        IERC20 usdc = IERC20(_s().usdc);
        uint256 amount = usdc.balanceOf(address(this));
        if (amount == 0) revert AmountCannotBeZero();
        _s().feesCollected = 0;
        emit AdminWithdrewAll(msg.sender, amount);
        usdc.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ICounterpartyPool
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc ICounterpartyPool
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /* VIEWS */

    /// @inheritdoc ICounterpartyPool
    function USDC() external view returns (address) {
        return _s().usdc;
    }

    /// @inheritdoc ICounterpartyPool
    function poolIndex() external view returns (uint256) {
        return _s().pools.length;
    }

    /// @inheritdoc ICounterpartyPool
    function feesCollected() external view returns (uint256) {
        return _s().feesCollected;
    }

    /// @inheritdoc ICounterpartyPool
    function poolCommits(address user, uint256 poolId) external view returns (uint256 amount, uint256 claimedAmount) {
        Commit storage c = _s().commits[user][poolId];
        return (c.amount, c.claimedAmount);
    }

    /// @inheritdoc ICounterpartyPool
    function paidInFullCommits(uint256 poolId) external view returns (uint256) {
        return _pool(poolId).paidInFullCommits;
    }

    /// @inheritdoc ICounterpartyPool
    function repaymentInfo(uint256 poolId) external view returns (uint48 repaymentDate, bool defaulted) {
        PoolData storage p = _pool(poolId);
        return (p.repaymentDate, p.defaulted);
    }

    /// @inheritdoc ICounterpartyPool
    function claimableRewards(uint256 poolId, address user) external view returns (uint256) {
        PoolData storage p = _pool(poolId);
        if (p.status != PoolStatus.ACTIVE && p.status != PoolStatus.CLOSED) return 0;
        Commit storage c = _s().commits[user][poolId];
        if (c.amount == 0) return 0;
        if (p.status == PoolStatus.CLOSED && !c.paidInFull && p.paidInFullCommits + c.amount == p.totalCommitted) {
            return p.totalRewards - p.rewardsPaidOut;
        }
        return _unpaidShare(p, c);
    }

    /// @inheritdoc ICounterpartyPool
    function poolActions(uint256 poolId) external view returns (bool collectable, bool closable, bool archivable) {
        PoolData storage p = _pool(poolId);
        uint256 now_ = block.timestamp;
        if (p.status == PoolStatus.CREATED) {
            collectable = _collectable(p, false);
            closable = _closableFromCreated(p);
            archivable = now_ >= uint256(p.deadline) + ARCHIVE_DELAY && p.totalCommitted == 0;
        } else if (p.status == PoolStatus.ACTIVE) {
            closable = p.totalRewards >= requiredRewards(poolId);
        } else if (p.status == PoolStatus.CLOSED) {
            archivable = now_ >= uint256(p.closedTime) + ARCHIVE_DELAY && p.rewardsPaidOut == p.totalRewards
                && (!p.defaulted || p.collateralClaimedCommits == p.totalCommitted);
        }
    }

    /// @notice Rewards an ACTIVE pool needs before it can close: commits plus `minimumAPR` of them
    /// (rounded up, in the lenders' favour). Published example: 1,100 committed at 2 % → 1,122.
    function requiredRewards(uint256 poolId) public view returns (uint256) {
        PoolData storage p = _pool(poolId);
        uint256 committed = p.totalCommitted;
        return committed + Math.mulDiv(committed, p.minimumAPR, APR_SCALE, Math.Rounding.Ceil);
    }

    /// @notice The pool's collateral items as published.
    function _collateralTokens(PoolData storage p) internal view returns (CollateralToken[] memory tokens) {
        tokens = new CollateralToken[](p.collateral.length);
        for (uint256 i; i < tokens.length; ++i) {
            CollateralItem storage item = p.collateral[i];
            tokens[i] = CollateralToken({contractAddress: item.contractAddress, amount: item.amount, id: item.id});
        }
    }

    /* TOKEN RECEIVERS */

    /// @inheritdoc IERC721Receiver
    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return IERC721Receiver.onERC721Received.selector;
    }

    /// @inheritdoc IERC1155Receiver
    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external pure returns (bytes4) {
        return IERC1155Receiver.onERC1155Received.selector;
    }

    /// @inheritdoc IERC1155Receiver
    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        pure
        returns (bytes4)
    {
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    /// @inheritdoc AccessControlUpgradeable
    function supportsInterface(bytes4 interfaceId)
        public
        view
        virtual
        override(AccessControlUpgradeable, IERC165)
        returns (bool)
    {
        return interfaceId == type(IERC1155Receiver).interfaceId || super.supportsInterface(interfaceId);
    }

    /* INTERNAL */

    function _pool(uint256 poolId) internal view returns (PoolData storage) {
        PoolData[] storage all = _s().pools;
        if (poolId >= all.length) revert PoolDoesNotExists();
        return all[poolId];
    }

    function _close(uint256 poolId, PoolData storage p) private {
        p.status = PoolStatus.CLOSED;
        p.closedTime = uint48(block.timestamp);
        emit PoolClosed(poolId, p.poolOwner);
    }

    function _returnCollateral(PoolData storage p) private {
        address payee = _payee(p);
        uint256 n = p.collateral.length;
        for (uint256 i; i < n; ++i) {
            CollateralItem storage item = p.collateral[i];
            uint256 left = item.amount - item.released;
            item.released = item.amount;
            item.kind.push(item.contractAddress, payee, item.id, left);
        }
    }

    /// @dev Gives back `user`'s whole commit to a CREATED pool; false when there is none.
    function _refundCommit(uint256 poolId, PoolData storage p, address user) private returns (bool) {
        Commit storage c = _s().commits[user][poolId];
        uint256 amount = c.amount;
        if (amount == 0) return false;
        c.amount = 0;
        p.totalCommitted -= uint128(amount);
        emit UncommittedFromPool(poolId, amount, user);
        IERC20(_s().usdc).safeTransfer(user, amount);
        return true;
    }

    /// @dev What is left of a commit's pro-rata share of the rewards deposited so far (rounded
    /// down). Zero, not an underflow, for the lender who took the dust and so holds more.
    function _unpaidShare(PoolData storage p, Commit storage c) private view returns (uint256) {
        uint256 share = Math.mulDiv(p.totalRewards, c.amount, p.totalCommitted);
        return share > c.claimedAmount ? share - c.claimedAmount : 0;
    }

    /// @dev Pays `user` the rewards due now. Once the pool is CLOSED the rewards are final, so
    /// the user is marked paid in full, and the user completing that set takes the rounding dust.
    /// Returns whether anything changed.
    function _payRewards(uint256 poolId, PoolData storage p, Commit storage c, address user) private returns (bool) {
        uint256 due = _unpaidShare(p, c);
        bool marked;
        if (p.status == PoolStatus.CLOSED && !c.paidInFull) {
            c.paidInFull = true;
            marked = true;
            uint256 paidInFull = p.paidInFullCommits + c.amount;
            p.paidInFullCommits = uint128(paidInFull);
            if (paidInFull == p.totalCommitted) due = p.totalRewards - p.rewardsPaidOut;
        }
        if (due == 0) return marked;
        c.claimedAmount += uint128(due);
        p.rewardsPaidOut += uint128(due);
        emit RewardsClaimed(poolId, due, user);
        IERC20(_s().usdc).safeTransfer(user, due);
        return true;
    }

    /// @dev `user`'s share of a defaulted pool's collateral: ERC-20 and ERC-1155 amounts pro rata to
    /// commits, rounded down; the last lender also takes every ERC-721 and all remainders.
    function _giveDefaultCollateral(uint256 poolId, PoolData storage p, Commit storage c, address user) private {
        c.collateralClaimed = true;
        uint256 claimedCommits = p.collateralClaimedCommits + c.amount;
        p.collateralClaimedCommits = uint128(claimedCommits);
        bool last = claimedCommits == p.totalCommitted;
        uint256 n = p.collateral.length;
        for (uint256 i; i < n; ++i) {
            CollateralItem storage item = p.collateral[i];
            uint256 amount;
            if (last) {
                amount = item.amount - item.released;
            } else if (item.kind != CollateralTransfer.Kind.ERC721) {
                amount = Math.mulDiv(item.amount, c.amount, p.totalCommitted);
            }
            if (amount == 0) continue;
            item.released += amount;
            emit DefaultCollateralClaimed(poolId, user, item.contractAddress, item.id, amount);
            item.kind.push(item.contractAddress, user, item.id, amount);
        }
    }

    function _pullUsdc(uint256 amount) internal {
        CollateralTransfer.Kind.ERC20.pull(_s().usdc, msg.sender, 0, amount);
    }
}

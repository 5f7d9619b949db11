// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CounterpartyPoolBase} from "./CounterpartyPoolBase.sol";

/// @title AdminCounterpartyPool
/// @notice The admin-only counterparty variant: only the admin borrows. It creates pools (no
/// fee), collects any time while CREATED up to 30 days after the deadline (no fee), deposits,
/// closes (from ACTIVE only) and archives. Lenders cannot uncommit while the pool can still be
/// collected; once it never can, they take their commits back.
contract AdminCounterpartyPool is CounterpartyPoolBase {
    /// @notice A pool as published, with `partialClaimed`: Σ commits of lenders paid in full.
    struct Pool {
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
        CollateralToken[] collateralTokens;
    }

    /// @notice Pool `index` with its collateral.
    function getPool(uint256 index) external view returns (Pool memory pool) {
        PoolData storage p = _pool(index);
        pool = Pool({
            softCap: p.softCap,
            hardCap: p.hardCap,
            totalCommitted: p.totalCommitted,
            partialClaimed: p.paidInFullCommits,
            totalRewards: p.totalRewards,
            rewardsPaidOut: p.rewardsPaidOut,
            createdAt: p.createdAt,
            deadline: p.deadline,
            closedTime: p.closedTime,
            minimumAPR: p.minimumAPR,
            poolStatus: uint8(p.status),
            poolOwner: p.poolOwner,
            collateralTokens: _collateralTokens(p)
        });
    }

    /// @notice Pool `index` without its collateral (the published public getter's shape).
    function pools(uint256 index)
        external
        view
        returns (
            uint256 softCap,
            uint256 hardCap,
            uint256 totalCommitted,
            uint256 partialClaimed,
            uint256 totalRewards,
            uint256 rewardsPaidOut,
            uint48 createdAt,
            uint48 deadline,
            uint48 closedTime,
            uint48 minimumAPR,
            uint8 poolStatus,
            address poolOwner
        )
    {
        PoolData storage p = _pool(index);
        return (
            p.softCap,
            p.hardCap,
            p.totalCommitted,
            p.paidInFullCommits,
            p.totalRewards,
            p.rewardsPaidOut,
            p.createdAt,
            p.deadline,
            p.closedTime,
            p.minimumAPR,
            uint8(p.status),
            p.poolOwner
        );
    }

    function _beforeCreate() internal view override {
        _checkRole(DEFAULT_ADMIN_ROLE);
    }

    /// @dev The borrower is the admin, whoever holds the role now.
    function _checkBorrower(PoolData storage) internal view override {
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) revert MustBePoolOwner();
    }

    /// @dev Proceeds and collateral go to the admin acting now, not to a former holder of the role.
    function _payee(PoolData storage) internal view override returns (address) {
        return msg.sender;
    }

    function _checkOwnerOrAdmin(PoolData storage) internal view override {
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) revert MustBePoolOwnerOrAdmin();
    }

    function _collectFeeBps() internal pure override returns (uint256) {
        return 0;
    }

    /// @dev Something committed and `now ≤ deadline + 30 days`; the soft cap is the admin's call.
    function _collectable(PoolData storage p, bool revertIfNot) internal view override returns (bool) {
        bool inTime = block.timestamp <= uint256(p.deadline) + COLLECT_WINDOW;
        if (!revertIfNot) return inTime && p.totalCommitted != 0;
        if (p.totalCommitted == 0) revert PoolSoftCapNotReached();
        if (!inTime) revert CannotCollect30DaysAfterDeadline();
        return true;
    }

    /// @dev No uncommit while the admin may still collect; afterwards the deal is dead and lenders leave.
    function _checkUncommit(PoolData storage p) internal view override {
        if (block.timestamp <= uint256(p.deadline) + COLLECT_WINDOW) revert UncommitNotAllowed();
    }

    /// @dev Closing is for repaid deals only.
    function _checkCloseFromCreated(PoolData storage) internal pure override {
        revert PoolStatusMustBeActive();
    }

    function _closableFromCreated(PoolData storage) internal pure override returns (bool) {
        return false;
    }
}

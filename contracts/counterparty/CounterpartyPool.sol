// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {CounterpartyPoolBase} from "./CounterpartyPoolBase.sol";

/// @title CounterpartyPool
/// @notice The default counterparty variant: anyone creates a pool (paying `POOL_CREATION_FEE`),
/// collects it within 30 days after the deadline once the soft cap is met (paying
/// `COLLECT_FEE_BPS`), and lenders may uncommit except inside that collect window.
contract CounterpartyPool is CounterpartyPoolBase {
    /// @notice USDC charged for creating a pool (200 USDC).
    uint256 public constant POOL_CREATION_FEE = 200_000_000;
    /// @notice Fee on collected commits, bps (2 %).
    uint256 public constant COLLECT_FEE_BPS = 200;

    /// @notice A pool as published: amounts, times, status and owner (collateral via `getPool`).
    struct Pool {
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
        CollateralToken[] collateralTokens;
    }

    /// @notice Pool `index` with its collateral.
    function getPool(uint256 index) external view returns (Pool memory pool) {
        PoolData storage p = _pool(index);
        pool = Pool({
            softCap: p.softCap,
            hardCap: p.hardCap,
            totalCommitted: p.totalCommitted,
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

    function _beforeCreate() internal override {
        _s().feesCollected += POOL_CREATION_FEE;
        _pullUsdc(POOL_CREATION_FEE);
    }

    function _checkBorrower(PoolData storage p) internal view override {
        if (msg.sender != p.poolOwner) revert MustBePoolOwner();
    }

    function _collectFeeBps() internal pure override returns (uint256) {
        return COLLECT_FEE_BPS;
    }

    /// @dev Soft cap met (and something committed), `deadline ≤ now ≤ deadline + 30 days`.
    function _collectable(PoolData storage p, bool revertIfNot) internal view override returns (bool) {
        bool softCapMet = p.totalCommitted >= p.softCap && p.totalCommitted != 0;
        if (!revertIfNot) {
            return
                softCapMet && block.timestamp >= p.deadline && block.timestamp <= uint256(p.deadline) + COLLECT_WINDOW;
        }
        if (!softCapMet) revert PoolSoftCapNotReached();
        if (block.timestamp < p.deadline) revert PoolDeadlineNotReached();
        if (block.timestamp > uint256(p.deadline) + COLLECT_WINDOW) revert CannotCollect30DaysAfterDeadline();
        return true;
    }

    /// @dev Lenders may leave except while the owner can collect.
    function _checkUncommit(PoolData storage p) internal view override {
        if (_collectable(p, false)) revert PoolSoftCapReached();
    }

    /// @dev A dead pool closes once its lenders have their commits back (themselves, or through
    /// `uncommitForUsers` after 60 days): a CLOSED pool could no longer refund them.
    function _checkCloseFromCreated(PoolData storage p) internal view override {
        if (block.timestamp <= p.deadline) revert PoolDeadlineNotReached();
        if (_collectable(p, false)) revert PoolSoftCapReached();
        if (p.totalCommitted != 0) revert PoolIsNotEmpty();
    }

    function _closableFromCreated(PoolData storage p) internal view override returns (bool) {
        return block.timestamp > p.deadline && p.totalCommitted == 0;
    }
}

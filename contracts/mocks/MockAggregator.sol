// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title MockAggregator
/// @notice A Chainlink-style feed whose answer and timestamps anyone can set: prices for tests,
/// the revm harness and the local demo, and L2 sequencer-uptime feeds (answer 0 up, 1 down).
contract MockAggregator is AggregatorV3Interface {
    /// @notice Emitted on every change of the latest round.
    event RoundSet(uint80 indexed roundId, int256 answer, uint256 startedAt, uint256 updatedAt);

    /// @notice Only the latest round is kept.
    error RoundNotKept(uint80 roundId);

    uint8 public immutable override decimals;
    // Two slots, so a read costs what a lean production feed costs rather than four cold loads.
    uint80 private roundId;
    uint64 private startedAt;
    uint64 private updatedAt;
    int256 private answer;

    /// @param decimals_ Decimals of the answer. @param initialAnswer First answer, stamped now.
    constructor(uint8 decimals_, int256 initialAnswer) {
        decimals = decimals_;
        _setRound(initialAnswer, block.timestamp, block.timestamp);
    }

    /// @notice Publishes `newAnswer` as a new round stamped with the current block time.
    function setAnswer(int256 newAnswer) external {
        _setRound(newAnswer, block.timestamp, block.timestamp);
    }

    /// @notice Publishes a new round with explicit timestamps (stale data, sequencer restarts).
    function setRound(int256 newAnswer, uint256 newStartedAt, uint256 newUpdatedAt) external {
        _setRound(newAnswer, newStartedAt, newUpdatedAt);
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external pure returns (string memory) {
        return "mock / USD";
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 4;
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev Only the latest round is kept; older ids revert as a pruned Chainlink round would.
    function getRoundData(uint80 id) external view returns (uint80, int256, uint256, uint256, uint80) {
        if (id != roundId) revert RoundNotKept(id);
        return (roundId, answer, startedAt, updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (roundId, answer, startedAt, updatedAt, roundId);
    }

    function _setRound(int256 newAnswer, uint256 newStartedAt, uint256 newUpdatedAt) private {
        roundId++;
        answer = newAnswer;
        startedAt = SafeCast.toUint64(newStartedAt);
        updatedAt = SafeCast.toUint64(newUpdatedAt);
        emit RoundSet(roundId, newAnswer, newStartedAt, newUpdatedAt);
    }
}

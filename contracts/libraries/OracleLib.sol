// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title OracleLib
/// @notice Reads Chainlink USD feeds the one way the pools accept: positive answer, fresh within
/// a maximum delay, and, on L2s, a sequencer that has been up for at least an hour.
library OracleLib {
    /// @dev How long a restarted L2 sequencer must have been up before its prices are trusted (s).
    uint256 internal constant SEQUENCER_GRACE_PERIOD = 3600;

    /// @notice The feed's answer is older than the maximum delay, from the future, or never set.
    error OracleDataTooOld();
    /// @notice The L2 sequencer is down, or restarted less than `SEQUENCER_GRACE_PERIOD` ago.
    error OracleSequencerDown();

    /// @notice The price of `feed` as USD per whole token with 18 decimals.
    /// @param feedDecimals `feed.decimals()`, cached by the caller (≤ 18, checked when the feed is set).
    /// @param zeroPriceError Selector of the custom error for a non-positive answer (the pool
    /// reports the USDC and collateral feeds with different published errors).
    function readPriceWad(
        address feed,
        address sequencerFeed,
        uint256 maxDelay,
        uint8 feedDecimals,
        bytes4 zeroPriceError
    ) internal view returns (uint256) {
        if (sequencerFeed != address(0)) checkSequencerUp(sequencerFeed);
        (, int256 answer,, uint256 updatedAt,) = AggregatorV3Interface(feed).latestRoundData();
        if (answer <= 0) {
            assembly ("memory-safe") {
                mstore(0, zeroPriceError)
                revert(0, 4)
            }
        }
        if (updatedAt == 0 || updatedAt > block.timestamp || block.timestamp - updatedAt > maxDelay) {
            revert OracleDataTooOld();
        }
        return uint256(answer) * 10 ** (18 - feedDecimals);
    }

    /// @notice Reverts unless the sequencer-uptime feed reports "up" (answer 0) for at least the grace period.
    /// @dev `startedAt == 0` is an uninitialised round (seen on Arbitrum): treated as down.
    function checkSequencerUp(address sequencerFeed) internal view {
        (, int256 answer, uint256 startedAt,,) = AggregatorV3Interface(sequencerFeed).latestRoundData();
        if (answer != 0 || startedAt == 0 || startedAt > block.timestamp) revert OracleSequencerDown();
        if (block.timestamp - startedAt < SEQUENCER_GRACE_PERIOD) revert OracleSequencerDown();
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title AggregatorV3Interface
/// @notice The Chainlink price-feed interface (the five functions of Chainlink's
/// `AggregatorV3Interface`, same signatures). Written here because the npm package of Chainlink's
/// contracts depends on a GitHub URL these machines cannot reach (docs/decisions.md).
interface AggregatorV3Interface {
    /// @notice Number of decimals of `answer`.
    function decimals() external view returns (uint8);

    /// @notice Human-readable description of the feed, e.g. "ETH / USD".
    function description() external view returns (string memory);

    /// @notice Version of the aggregator implementation.
    function version() external view returns (uint256);

    /// @notice Data of round `roundId`.
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice Data of the latest round. For L2 sequencer-uptime feeds, `answer` 0 means up,
    /// 1 means down, and `startedAt` is when that status began.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}

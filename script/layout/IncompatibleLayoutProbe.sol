// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CounterpartyPoolBase} from "../../contracts/counterparty/CounterpartyPoolBase.sol";

/// @notice Test fixture of crates/storage-layout, never deployed (`forge inspect` lays out only
/// src and script sources, hence here): the counterparty namespace as a careless upgrade might
/// reorder it, `feesCollected` in front of `usdc`. The tests must refuse it.
contract IncompatibleCounterpartyLayout {
    struct PoolsStorage {
        uint256 feesCollected;
        address usdc;
        CounterpartyPoolBase.PoolData[] pools;
        mapping(address user => mapping(uint256 poolId => CounterpartyPoolBase.Commit)) commits;
    }

    PoolsStorage internal layout;
}

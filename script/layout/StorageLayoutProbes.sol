// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20CollateralPool} from "../../contracts/collateral/ERC20CollateralPool.sol";
import {CounterpartyPoolBase} from "../../contracts/counterparty/CounterpartyPoolBase.sol";

// The pools keep their state in ERC-7201 namespaced structs, which `forge inspect storageLayout`
// does not show. Each probe declares its contract's namespaced struct as an ordinary state
// variable, so the compiler lays the struct out (members, slots, offsets, types) for
// crates/storage-layout to compare across upgrades. Never deployed.

/// @notice Storage layout of `ERC20CollateralPool`'s namespace `defactor.storage.ERC20CollateralPool`.
contract ERC20CollateralPoolLayout {
    ERC20CollateralPool.PoolStorage internal layout;
}

/// @notice Storage layout of the counterparty namespace `defactor.storage.CounterpartyPool`
/// (both variants).
contract CounterpartyPoolLayout {
    CounterpartyPoolBase.PoolsStorage internal layout;
}

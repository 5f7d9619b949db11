// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CounterpartyBaseTest} from "../counterparty/CounterpartyBaseTest.sol";
import {ICounterpartyPool} from "../../contracts/interfaces/ICounterpartyPool.sol";

/// @notice Gas benchmark of the default counterparty variant: one contract per operation, all
/// preparation in `setUp` (its own transaction, so the measured call starts cold as on chain), one
/// measured call recorded into snapshots/CounterpartyPool.json. An earlier pool has already been
/// created, collected and repaid, so the fee counter and token balances are not fresh.
abstract contract CounterpartyGasBase is CounterpartyBaseTest {
    string internal constant GROUP = "CounterpartyPool";
    uint256 internal poolId;

    function setUp() public virtual override {
        super.setUp();
        uint256 earlier = _createPool(_noCollateral());
        _commit(pools, earlier, carol, SOFT_CAP);
        vm.warp(deadline);
        vm.prank(owner);
        pools.collectPool(earlier);
        deadline = uint48(block.timestamp + 30 days);
        _fund(owner, address(pools), 10_000e6);
        _fund(alice, address(pools), 10_000e6);
        _fund(bob, address(pools), 10_000e6);
    }

    /// @dev A pool with one ERC-20 collateral item, committed by alice and bob, collected.
    function _activePool() internal returns (uint256 id) {
        id = _createWithToken();
        vm.prank(alice);
        pools.commitToPool(id, 600e6);
        vm.prank(bob);
        pools.commitToPool(id, 500e6);
        vm.warp(deadline);
        vm.prank(owner);
        pools.collectPool(id);
    }

    function _createWithToken() internal returns (uint256 id) {
        ICounterpartyPool.CollateralToken[] memory c = _oneToken();
        id = pools.poolIndex();
        vm.prank(owner);
        pools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, c);
    }

    function _oneToken() internal returns (ICounterpartyPool.CollateralToken[] memory c) {
        token.mint(owner, 1000e18);
        vm.prank(owner);
        token.approve(address(pools), type(uint256).max);
        c = new ICounterpartyPool.CollateralToken[](1);
        c[0] = ICounterpartyPool.CollateralToken({contractAddress: address(token), amount: 1000e18, id: 0});
    }
}

contract CreateGas is CounterpartyGasBase {
    ICounterpartyPool.CollateralToken[] internal collateral;

    function setUp() public override {
        super.setUp();
        ICounterpartyPool.CollateralToken[] memory c = _oneToken();
        collateral.push(c[0]);
    }

    /// @dev Fee pulled, one ERC-20 collateral item detected through ERC-165 and pulled.
    function test_gas_create() public {
        vm.prank(owner);
        pools.createPool(SOFT_CAP, HARD_CAP, deadline, MIN_APR, collateral);
        vm.snapshotGasLastCall(GROUP, "create");
    }
}

contract CommitGas is CounterpartyGasBase {
    function setUp() public override {
        super.setUp();
        poolId = _createWithToken();
    }

    /// @dev A lender's first commit to the pool.
    function test_gas_commit() public {
        vm.prank(alice);
        pools.commitToPool(poolId, 600e6);
        vm.snapshotGasLastCall(GROUP, "commit");
    }
}

contract CollectGas is CounterpartyGasBase {
    function setUp() public override {
        super.setUp();
        poolId = _createWithToken();
        vm.prank(alice);
        pools.commitToPool(poolId, 1100e6);
        vm.warp(deadline);
    }

    function test_gas_collect() public {
        vm.prank(owner);
        pools.collectPool(poolId);
        vm.snapshotGasLastCall(GROUP, "collect");
    }
}

contract DepositGas is CounterpartyGasBase {
    function setUp() public override {
        super.setUp();
        poolId = _activePool();
    }

    function test_gas_deposit() public {
        vm.prank(owner);
        pools.depositRewards(poolId, 1122e6);
        vm.snapshotGasLastCall(GROUP, "deposit");
    }
}

contract CloseGas is CounterpartyGasBase {
    function setUp() public override {
        super.setUp();
        poolId = _activePool();
        vm.prank(owner);
        pools.depositRewards(poolId, 1122e6);
    }

    /// @dev Rewards checked, the collateral item returned to the owner.
    function test_gas_close() public {
        vm.prank(owner);
        pools.closePool(poolId);
        vm.snapshotGasLastCall(GROUP, "close");
    }
}

contract ClaimGas is CounterpartyGasBase {
    function setUp() public override {
        super.setUp();
        poolId = _activePool();
        vm.startPrank(owner);
        pools.depositRewards(poolId, 1122e6);
        pools.closePool(poolId);
        vm.stopPrank();
    }

    /// @dev A lender's claim after close: paid and marked paid in full.
    function test_gas_claim() public {
        vm.prank(alice);
        pools.claim(poolId);
        vm.snapshotGasLastCall(GROUP, "claim");
    }
}

contract ArchiveGas is CounterpartyGasBase {
    function setUp() public override {
        super.setUp();
        poolId = _activePool();
        vm.startPrank(owner);
        pools.depositRewards(poolId, 1122e6);
        pools.closePool(poolId);
        vm.stopPrank();
        vm.prank(alice);
        pools.claim(poolId);
        vm.prank(bob);
        pools.claim(poolId);
        vm.warp(block.timestamp + 60 days);
    }

    function test_gas_archive() public {
        vm.prank(owner);
        pools.archivePool(poolId);
        vm.snapshotGasLastCall(GROUP, "archive");
    }
}

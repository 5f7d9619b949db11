//! The worlds the state machines start from are deployed the way production deploys them, and
//! every `new()` is an independent copy.

use alloy_primitives::{Address, U256};
use bindings::{AdminCounterpartyPool, CounterpartyPool, ERC20CollateralPool, MockAggregator, MockERC20};
use invariant_harness::{
    evm::GENESIS_TIMESTAMP,
    world::{self, CollateralWorld, CounterpartyVariant, CounterpartyWorld, TokenKind},
};

/// ERC-1967 implementation slot: `keccak256("eip1967.proxy.implementation") - 1`.
fn implementation_of(evm: &mut invariant_harness::Evm, proxy: Address) -> eyre::Result<Address> {
    let slot =
        U256::from_be_bytes(alloy_primitives::hex!("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc"));
    Ok(Address::from_word(evm.storage(proxy, slot)?.into()))
}

#[test]
fn collateral_world_is_initialised_behind_a_proxy_and_funded() -> eyre::Result<()> {
    let mut w = CollateralWorld::new()?;
    assert_eq!(w.evm.timestamp(), GENESIS_TIMESTAMP);
    assert_eq!(w.evm.view(w.pool, &ERC20CollateralPool::USDCCall {})?, w.usdc);
    assert_eq!(w.evm.view(w.pool, &ERC20CollateralPool::usdcSequencerOracleCall {})?, w.usdc_sequencer);
    assert_eq!(w.evm.view(w.pool, &ERC20CollateralPool::poolsLengthCall {})?, U256::ZERO);
    assert_eq!(implementation_of(&mut w.evm, w.pool)?, w.implementation);
    let kinds: Vec<TokenKind> = w.collaterals.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [TokenKind::Plain, TokenKind::Plain, TokenKind::Blacklist, TokenKind::FeeOnTransfer]);
    for asset in &w.collaterals {
        let decimals = w.evm.view(asset.feed, &MockAggregator::decimalsCall {})?;
        assert_eq!(decimals, asset.feed_decimals);
        let allowance = w.evm.view(asset.token, &MockERC20::allowanceCall { owner: w.users[0], spender: w.pool })?;
        assert_eq!(allowance, U256::MAX);
    }
    let sequencer = w.evm.view(w.usdc_sequencer, &MockAggregator::latestRoundDataCall {})?;
    assert_eq!(sequencer._2, U256::from(world::collateral::SEQUENCER_UP_SINCE));
    Ok(())
}

#[test]
fn upgrades_keep_state_and_copies_are_independent() -> eyre::Result<()> {
    let mut w = CollateralWorld::new()?;
    let before = w.implementation;
    w.evm
        .call(w.admin, w.pool, &ERC20CollateralPool::setOracleMaxDelayCall { maxDelay: U256::from(3_600) })?
        .success()?;
    w.upgrade()?;
    assert_ne!(w.implementation, before);
    assert_eq!(implementation_of(&mut w.evm, w.pool)?, w.implementation);
    assert_eq!(w.evm.view(w.pool, &ERC20CollateralPool::oracleMaxDelayCall {})?, U256::from(3_600));

    let mut fresh = CollateralWorld::new()?;
    assert_eq!(fresh.implementation, before, "a new world starts from the cached deployment");
    assert_eq!(fresh.evm.view(fresh.pool, &ERC20CollateralPool::oracleMaxDelayCall {})?, U256::from(90_000));
    Ok(())
}

#[test]
fn counterparty_worlds_run_their_variant() -> eyre::Result<()> {
    for variant in [CounterpartyVariant::Default, CounterpartyVariant::Admin] {
        let mut w = CounterpartyWorld::new(variant)?;
        let role = w.evm.view(w.pool, &CounterpartyPool::DEFAULT_ADMIN_ROLECall {})?;
        assert!(w.evm.view(w.pool, &CounterpartyPool::hasRoleCall { role, account: w.admin })?);
        assert!(!w.evm.view(w.pool, &CounterpartyPool::hasRoleCall { role, account: w.users[0] })?);
        assert_eq!(implementation_of(&mut w.evm, w.pool)?, w.implementation);
        w.upgrade()?;
        assert_eq!(implementation_of(&mut w.evm, w.pool)?, w.implementation);
    }
    // Only the admin variant refuses a user's createPool.
    let mut admin = CounterpartyWorld::new(CounterpartyVariant::Admin)?;
    let call = AdminCounterpartyPool::createPoolCall {
        softCap: U256::from(1_000_000_000u64),
        hardCap: U256::from(2_000_000_000u64),
        deadline: alloy_primitives::aliases::U48::from(GENESIS_TIMESTAMP + 86_400),
        minimumAPR: alloy_primitives::aliases::U48::from(2_000_000u64),
        collateralTokens: vec![],
    };
    assert!(matches!(admin.evm.call(admin.users[0], admin.pool, &call)?, invariant_harness::CallOutcome::Revert(_)));
    Ok(())
}

#[test]
fn the_implementation_override_reaches_new_worlds_on_this_thread_only() -> eyre::Result<()> {
    // Any other contract's code stands in for a broken implementation: the proxy constructor's
    // initialiser call then fails, which proves the override was used.
    let outcome = world::with_implementation(bindings::MockERC721::BYTECODE.clone(), CollateralWorld::new);
    assert!(outcome.is_err(), "the override was ignored");
    assert!(CollateralWorld::new().is_ok(), "the override outlived with_implementation");
    Ok(())
}

//! End-to-end check of the artifact pipeline: forge's bytecode, loaded through the `sol!`
//! bindings, deployed and exercised in revm.

use alloy_primitives::{Address, U256, address};
use alloy_sol_types::{SolConstructor, SolError};
use bindings::{MockAggregator, MockERC20};
use invariant_harness::{CallOutcome, Evm};

const DEPLOYER: Address = address!("0x00000000000000000000000000000000000000d1");
const ALICE: Address = address!("0x00000000000000000000000000000000000000a1");
const BOB: Address = address!("0x00000000000000000000000000000000000000b0");

fn usdc(evm: &mut Evm) -> eyre::Result<Address> {
    let args = MockERC20::constructorCall { name_: "USD Coin".into(), symbol_: "USDC".into(), decimals_: 6 };
    evm.deploy(DEPLOYER, &MockERC20::BYTECODE, &args.abi_encode())
}

#[test]
fn erc20_mints_transfers_and_reverts_like_openzeppelin() -> eyre::Result<()> {
    let mut evm = Evm::new();
    let token = usdc(&mut evm)?;
    assert_eq!(evm.view(token, &MockERC20::decimalsCall {})?, 6);

    evm.call(ALICE, token, &MockERC20::mintCall { to: ALICE, amount: U256::from(1_000_000_000u64) })?.success()?;
    let sent = evm.call(ALICE, token, &MockERC20::transferCall { to: BOB, value: U256::from(250_000_000u64) })?;
    assert!(matches!(sent, CallOutcome::Success { value: true, gas } if gas > 21_000));
    assert_eq!(evm.view(token, &MockERC20::balanceOfCall { account: ALICE })?, U256::from(750_000_000u64));
    assert_eq!(evm.view(token, &MockERC20::balanceOfCall { account: BOB })?, U256::from(250_000_000u64));

    // Overdraft: OpenZeppelin's ERC20InsufficientBalance custom error, decoded from the revert data.
    let overdraft = evm.call(BOB, token, &MockERC20::transferCall { to: ALICE, value: U256::from(250_000_001u64) })?;
    let CallOutcome::Revert(data) = overdraft else { panic!("overdraft succeeded: {overdraft:?}") };
    let err = MockERC20::ERC20InsufficientBalance::abi_decode(&data)?;
    assert_eq!((err.sender, err.balance, err.needed), (BOB, U256::from(250_000_000u64), U256::from(250_000_001u64)));
    Ok(())
}

#[test]
fn aggregator_reports_prices_and_ages_with_the_clock() -> eyre::Result<()> {
    let mut evm = Evm::new();
    let args =
        MockAggregator::constructorCall { decimals_: 8, initialAnswer: alloy_primitives::I256::try_from(2_000_000)? };
    let feed = evm.deploy(DEPLOYER, &MockAggregator::BYTECODE, &args.abi_encode())?;
    let genesis = U256::from(evm.timestamp());

    let round = evm.view(feed, &MockAggregator::latestRoundDataCall {})?;
    assert_eq!((round._0.to::<u64>(), round._1.as_i64(), round._3), (1, 2_000_000, genesis));

    evm.warp(3_600);
    evm.call(ALICE, feed, &MockAggregator::setAnswerCall { newAnswer: alloy_primitives::I256::try_from(-1)? })?
        .success()?;
    let round = evm.view(feed, &MockAggregator::latestRoundDataCall {})?;
    assert_eq!((round._0.to::<u64>(), round._1.as_i64(), round._3), (2, -1, genesis + U256::from(3_600)));

    let pruned =
        evm.call(ALICE, feed, &MockAggregator::getRoundDataCall { id: alloy_primitives::aliases::U80::from(1) })?;
    let CallOutcome::Revert(data) = pruned else { panic!("old round served: {pruned:?}") };
    assert_eq!(MockAggregator::RoundNotKept::abi_decode(&data)?.roundId.to::<u64>(), 1);
    Ok(())
}

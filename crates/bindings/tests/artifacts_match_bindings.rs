//! The generated bindings must be the forge artifacts they claim to be: same creation bytecode,
//! and every selector forge computed is one the bindings encode.

use alloy_sol_types::SolCall;
use serde_json::Value;
use std::path::Path;

fn artifact(file: &str, name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../out").join(file).join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("forge artifacts are JSON")
}

fn hex_of(value: &Value) -> String {
    value["object"].as_str().expect("bytecode object").trim_start_matches("0x").to_owned()
}

#[test]
fn erc20_bytecode_and_selectors_match_the_forge_artifact() {
    let json = artifact("MockERC20.sol", "MockERC20");
    assert_eq!(hex_of(&json["bytecode"]), alloy_primitives::hex::encode(&bindings::MockERC20::BYTECODE));
    assert_eq!(
        hex_of(&json["deployedBytecode"]),
        alloy_primitives::hex::encode(&bindings::MockERC20::DEPLOYED_BYTECODE)
    );

    let ids = json["methodIdentifiers"].as_object().expect("methodIdentifiers");
    let expect = |signature: &str, selector: [u8; 4]| {
        assert_eq!(ids[signature].as_str(), Some(alloy_primitives::hex::encode(selector).as_str()), "{signature}")
    };
    expect("mint(address,uint256)", bindings::MockERC20::mintCall::SELECTOR);
    expect("transfer(address,uint256)", bindings::MockERC20::transferCall::SELECTOR);
    expect("balanceOf(address)", bindings::MockERC20::balanceOfCall::SELECTOR);
    assert!(ids.len() >= 10, "the artifact lists every ERC-20 function");
}

#[test]
fn aggregator_selectors_match_the_forge_artifact() {
    let json = artifact("MockAggregator.sol", "MockAggregator");
    let ids = json["methodIdentifiers"].as_object().expect("methodIdentifiers");
    assert_eq!(
        ids["latestRoundData()"].as_str(),
        Some(alloy_primitives::hex::encode(bindings::MockAggregator::latestRoundDataCall::SELECTOR).as_str())
    );
    // Chainlink's published selector for latestRoundData(): a feed that differs would not be read.
    assert_eq!(bindings::MockAggregator::latestRoundDataCall::SELECTOR, [0xfe, 0xaf, 0x96, 0x8c]);
}

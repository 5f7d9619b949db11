//! Our contracts must stay drop-in replacements for the published production interface
//! (`test/fixtures/abi/`, copied from the published ABIs): every published function, event and
//! custom error exists with the same selector or topic, the same return types and the same
//! indexed event parameters. Additions are allowed. The one tolerated difference is
//! OpenZeppelin 5's `Initialized(uint64)`, which replaced OpenZeppelin 4's `Initialized(uint8)`.

use alloy_json_abi::{Function, JsonAbi, StateMutability};
use std::{fs, path::Path};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn load_abi(relative: &str) -> JsonAbi {
    let path = root().join(relative);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make build`)", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    serde_json::from_value(json["abi"].clone()).unwrap_or_else(|e| panic!("{}: not an ABI: {e}", path.display()))
}

fn output_types(f: &Function) -> Vec<String> {
    f.outputs.iter().map(|p| p.selector_type().into_owned()).collect()
}

/// Mutability a caller of the published function still gets: a published `nonpayable` read
/// may become `view` (eth_call and transactions both still work), nothing else may change.
fn mutability_compatible(published: StateMutability, ours: StateMutability) -> bool {
    use StateMutability::*;
    published == ours || matches!((published, ours), (NonPayable, View) | (NonPayable, Pure) | (View, Pure))
}

/// Every difference between the published ABI and ours, in words.
fn incompatibilities(published: &JsonAbi, ours: &JsonAbi) -> Vec<String> {
    let mut problems = Vec::new();
    for f in published.functions() {
        match ours.functions().find(|o| o.selector() == f.selector()) {
            None => problems.push(format!("function {} is missing", f.signature())),
            Some(o) => {
                if output_types(o) != output_types(f) {
                    problems.push(format!(
                        "function {} returns {:?}, published {:?}",
                        f.signature(),
                        output_types(o),
                        output_types(f)
                    ));
                }
                if !mutability_compatible(f.state_mutability, o.state_mutability) {
                    problems.push(format!(
                        "function {} is {:?}, published {:?}",
                        f.signature(),
                        o.state_mutability,
                        f.state_mutability
                    ));
                }
            }
        }
    }
    for e in published.events() {
        let wanted = if e.name == "Initialized" && e.signature() == "Initialized(uint8)" {
            "Initialized(uint64)".to_owned()
        } else {
            e.signature()
        };
        match ours.events().find(|o| o.signature() == wanted) {
            None => problems.push(format!("event {wanted} is missing")),
            Some(o) => {
                let indexed = |ev: &alloy_json_abi::Event| ev.inputs.iter().map(|i| i.indexed).collect::<Vec<_>>();
                if indexed(o) != indexed(e) || o.anonymous != e.anonymous {
                    problems.push(format!("event {wanted} has different indexed parameters or anonymity"));
                }
            }
        }
    }
    for err in published.errors() {
        if !ours.errors().any(|o| o.selector() == err.selector()) {
            problems.push(format!("error {} is missing", err.signature()));
        }
    }
    problems
}

fn assert_compatible(fixture: &str, artifact: &str) {
    let published = load_abi(fixture);
    let ours = load_abi(artifact);
    let problems = incompatibilities(&published, &ours);
    assert!(problems.is_empty(), "{artifact} is not a superset of {fixture}:\n  {}", problems.join("\n  "));
}

#[test]
fn erc20_collateral_pool_is_a_superset_of_the_published_v2_abi() {
    assert_compatible(
        "test/fixtures/abi/ERC20CollateralPool.v2.abi.json",
        "out/ERC20CollateralPool.sol/ERC20CollateralPool.json",
    );
}

#[test]
fn counterparty_pool_is_a_superset_of_the_published_abi() {
    assert_compatible("test/fixtures/abi/CounterpartyPool.abi.json", "out/CounterpartyPool.sol/CounterpartyPool.json");
}

#[test]
fn admin_counterparty_pool_is_a_superset_of_the_published_abi() {
    assert_compatible(
        "test/fixtures/abi/AdminCounterpartyPool.abi.json",
        "out/AdminCounterpartyPool.sol/AdminCounterpartyPool.json",
    );
}

#[test]
fn the_check_notices_a_missing_function_a_changed_return_and_a_lost_index() {
    let published = load_abi("test/fixtures/abi/ERC20CollateralPool.v2.abi.json");
    let mut broken = load_abi("out/ERC20CollateralPool.sol/ERC20CollateralPool.json");
    broken.functions.remove("lend");
    let pools = broken.functions.get_mut("pools").expect("pools()");
    pools[0].outputs.pop();
    let added = broken.events.get_mut("PoolAdded").expect("PoolAdded");
    added[0].inputs[0].indexed = false;
    broken.errors.remove("OracleDataTooOld");

    let problems = incompatibilities(&published, &broken);
    assert!(problems.iter().any(|p| p == "function lend(uint256,uint256) is missing"), "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("function pools(uint256) returns")), "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("event PoolAdded(uint256,address) has different")), "{problems:?}");
    assert!(problems.iter().any(|p| p == "error OracleDataTooOld() is missing"), "{problems:?}");
    assert_eq!(problems.len(), 4, "{problems:?}");
}

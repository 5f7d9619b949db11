//! Generates the `sol!` bindings from forge's artifacts in `out/`, refusing to build against
//! missing or stale artifacts (a binding older than its Solidity source would encode calls the
//! deployed bytecode does not understand).

use std::{
    env, fs,
    path::{Path, PathBuf},
    time::SystemTime,
};

/// Every contract the project deploys, as (Solidity source, contract name).
const CONTRACTS: &[(&str, &str)] = &[
    ("contracts/collateral/ERC20CollateralPool.sol", "ERC20CollateralPool"),
    ("contracts/counterparty/CounterpartyPool.sol", "CounterpartyPool"),
    ("contracts/counterparty/AdminCounterpartyPool.sol", "AdminCounterpartyPool"),
    ("contracts/mocks/MockERC721.sol", "MockERC721"),
    ("contracts/mocks/MockERC1155.sol", "MockERC1155"),
    ("contracts/mocks/MockERC20.sol", "MockERC20"),
    ("contracts/mocks/MockAggregator.sol", "MockAggregator"),
    // Adversarial tokens of the revm harness.
    ("test/mocks/FeeOnTransferToken.sol", "FeeOnTransferToken"),
    ("test/mocks/BlacklistToken.sol", "BlacklistToken"),
    // The proxy production deploys behind, and the admin contract its constructor creates.
    (
        "lib/openzeppelin-contracts/contracts/proxy/transparent/TransparentUpgradeableProxy.sol",
        "TransparentUpgradeableProxy",
    ),
    ("lib/openzeppelin-contracts/contracts/proxy/transparent/ProxyAdmin.sol", "ProxyAdmin"),
];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let mut generated = String::new();
    let mut problems = Vec::new();
    // The `rpc` feature adds contract instances over an alloy provider to every module.
    // `abi` adds the JSON ABI (`<Contract>::abi::contract()`) the indexer decodes events with.
    let mut attributes = String::from("all_derives");
    for (feature, attribute) in [("CARGO_FEATURE_RPC", ", rpc"), ("CARGO_FEATURE_ABI", ", abi")] {
        if env::var_os(feature).is_some() {
            attributes.push_str(attribute);
        }
    }

    for (source, name) in CONTRACTS {
        let source_path = root.join(source);
        let file = Path::new(source).file_name().and_then(|f| f.to_str()).unwrap_or(source);
        let artifact = root.join("out").join(file).join(format!("{name}.json"));
        println!("cargo:rerun-if-changed={}", source_path.display());
        println!("cargo:rerun-if-changed={}", artifact.display());
        match (modified(&source_path), modified(&artifact)) {
            (_, None) => problems.push(format!("missing {}", artifact.display())),
            (Some(src), Some(art)) if src > art => {
                problems.push(format!("stale {} (older than {source})", artifact.display()))
            }
            _ => {}
        }
        // One module per contract: contracts sharing an interface would otherwise both define
        // its struct namespace (e.g. `ICounterpartyPool`) at the crate root.
        let module = snake_case(name);
        generated.push_str(&format!(
            "/// Bindings of `{name}` (from `{source}`).\npub mod {module} {{\n    alloy_sol_types::sol!(#[sol({attributes})] {name}, {:?});\n}}\npub use {module}::{name};\n",
            artifact.display().to_string()
        ));
    }

    if !problems.is_empty() {
        eprintln!("the bindings need fresh forge artifacts:");
        for p in &problems {
            eprintln!("  - {p}");
        }
        eprintln!("run `make build` (forge build) at the repository root, then build again");
        std::process::exit(1);
    }

    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("contracts.rs");
    fs::write(&out, generated).expect("write generated bindings");
}

/// `ERC20CollateralPool` → `erc20_collateral_pool`: a word starts at an upper-case letter that
/// follows a lower-case one or digit, or that begins a new word after an acronym.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if !prev.is_ascii_uppercase() || next_lower {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

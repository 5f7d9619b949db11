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
    ("contracts/mocks/MockERC20.sol", "MockERC20"),
    ("contracts/mocks/MockAggregator.sol", "MockAggregator"),
];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let mut generated = String::new();
    let mut problems = Vec::new();

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
        generated.push_str(&format!(
            "alloy_sol_types::sol!(#[sol(all_derives)] {name}, {:?});\n",
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

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

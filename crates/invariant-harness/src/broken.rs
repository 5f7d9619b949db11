//! The deliberately broken contract variants of `test/broken/variants.toml`: proof that the
//! machines can fail. `make build` generates and compiles them; this module reads the list and
//! the compiled creation code, which [`crate::world::with_implementation`] then deploys behind
//! the proxy in place of the real implementation.

use std::path::{Path, PathBuf};

use alloy_primitives::Bytes;
use eyre::WrapErr;
use serde::Deserialize;

/// One planted bug.
#[derive(Debug, Clone, Deserialize)]
pub struct BrokenVariant {
    /// Short name, e.g. `InterestRoundedDown`.
    pub name: String,
    /// The machine that must catch it: `collateral`, `counterparty` or `admin-counterparty`.
    pub machine: String,
    /// The deployable broken contract (the renamed pool implementation).
    pub contract: String,
    /// The bug, in words.
    pub bug: String,
}

#[derive(Deserialize)]
struct Spec {
    variant: Vec<BrokenVariant>,
}

/// The repository root (two levels above this crate).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every variant listed in `test/broken/variants.toml`.
pub fn variants() -> eyre::Result<Vec<BrokenVariant>> {
    let path = root().join("test/broken/variants.toml");
    let text = std::fs::read_to_string(&path).wrap_err_with(|| format!("reading {}", path.display()))?;
    let spec: Spec = toml::from_str(&text).wrap_err_with(|| format!("parsing {}", path.display()))?;
    Ok(spec.variant)
}

impl BrokenVariant {
    /// The variant's compiled creation code, from forge's artifact.
    pub fn creation_code(&self) -> eyre::Result<Bytes> {
        let path = root().join("out").join(format!("{}.sol", self.contract)).join(format!("{}.json", self.contract));
        crate::artifact::creation_code(&path, "run `make build`: it generates and compiles the broken variants")
    }
}

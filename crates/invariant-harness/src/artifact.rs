//! Creation code from forge's artifacts at run time, for contracts the bindings do not embed:
//! the broken variants of `make build` and the mutants of `make mutate`.

use std::path::Path;

use alloy_primitives::{Bytes, hex};
use eyre::{WrapErr, eyre};

/// The creation code (`bytecode.object`) of the forge artifact at `path`; `hint` says how to
/// produce a missing artifact.
pub fn creation_code(path: &Path, hint: &str) -> eyre::Result<Bytes> {
    let text = std::fs::read_to_string(path).wrap_err_with(|| format!("reading {} ({hint})", path.display()))?;
    let artifact: serde_json::Value =
        serde_json::from_str(&text).wrap_err_with(|| format!("parsing {}", path.display()))?;
    let object =
        artifact["bytecode"]["object"].as_str().ok_or_else(|| eyre!("{} has no bytecode.object", path.display()))?;
    let code = hex::decode(object).wrap_err_with(|| format!("decoding the bytecode of {}", path.display()))?;
    if code.is_empty() {
        return Err(eyre!("{} holds empty bytecode (an abstract contract or interface?)", path.display()));
    }
    Ok(code.into())
}

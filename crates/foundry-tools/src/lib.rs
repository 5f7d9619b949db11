//! The pinned Foundry binaries in `node_modules` (never the npm shims, which exit 0 when the tool
//! fails) and the environment forge needs on these machines: one place for the SDK, the
//! storage-layout checker and the harness benchmark.

use std::path::{Path, PathBuf};

use eyre::{Result, bail};

/// `<os>-<arch>` as the npm packages name it (`linux-amd64`, `darwin-arm64`).
pub fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    format!("{os}-{arch}")
}

/// `ROOT/node_modules/@foundry-rs/<tool>-<platform>/bin/<tool>`, checked to exist.
pub fn foundry_binary(root: &Path, tool: &str) -> Result<PathBuf> {
    let path = root.join("node_modules/@foundry-rs").join(format!("{tool}-{}", platform())).join("bin").join(tool);
    if !path.is_file() {
        bail!("{} not found: run `make bootstrap` at the repository root", path.display());
    }
    Ok(path)
}

/// The variables every forge run needs, as the Makefile exports them: the repository's solcjs
/// wrapper (no native solc can be downloaded here) and offline mode.
pub fn forge_env(root: &Path) -> [(&'static str, PathBuf); 2] {
    [("FOUNDRY_SOLC", root.join("tools/solc/solc")), ("FOUNDRY_OFFLINE", PathBuf::from("true"))]
}

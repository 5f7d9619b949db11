//! The repository root and the pinned Foundry binaries in node_modules (never the npm shims,
//! which exit 0 when the tool fails).

use std::path::{Path, PathBuf};

use eyre::{Result, bail};

/// The repository root: the nearest ancestor of the current directory with `foundry.toml`,
/// else the checkout this crate was built from.
pub fn repository_root() -> PathBuf {
    let found = std::env::current_dir()
        .ok()
        .and_then(|dir| dir.ancestors().find(|d| d.join("foundry.toml").is_file()).map(Path::to_path_buf));
    found.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_default())
}

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

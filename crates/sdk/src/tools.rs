//! The repository root and the pinned Foundry binaries in node_modules (never the npm shims,
//! which exit 0 when the tool fails).

use std::path::{Path, PathBuf};

/// The repository root: the nearest ancestor of the current directory with `foundry.toml`,
/// else the checkout this crate was built from.
pub fn repository_root() -> PathBuf {
    let found = std::env::current_dir()
        .ok()
        .and_then(|dir| dir.ancestors().find(|d| d.join("foundry.toml").is_file()).map(Path::to_path_buf));
    found.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_default())
}

pub use foundry_tools::{foundry_binary, platform};

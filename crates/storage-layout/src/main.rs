//! `storage-layout`: writes `storage-layouts/*.json` from the current sources (`--write`) or
//! checks that the committed files are current (default; what `make test` runs).

use std::path::Path;

use eyre::bail;
use storage_layout::{check_committed, write_committed};

fn main() -> eyre::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let write_mode = match std::env::args().nth(1).as_deref() {
        None | Some("--check") => false,
        Some("--write") => true,
        Some(other) => bail!("usage: storage-layout [--check|--write], got {other:?}"),
    };
    if write_mode {
        for file in write_committed(&root)? {
            println!("wrote {file}");
        }
        Ok(())
    } else {
        check_committed(&root)
    }
}

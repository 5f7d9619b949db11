//! Blocks as files in a directory.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use super::BlockStore;
use crate::Cid;
use crate::error::{Error, Result};

/// Blocks as files named by the hex of their digest, in 256 subdirectories named by its
/// first two hex digits, so no directory grows past what filesystems list quickly.
///
/// Each block is written to a temporary file in its subdirectory, flushed to disk, then
/// renamed over its name: readers see a whole block or none, and concurrent writers of one
/// block (identical bytes) each replace it whole. A crash can leave a temporary file behind
/// (`.tmp*`), never a partial block.
#[derive(Debug, Clone)]
pub struct FsBlockStore {
    dir: PathBuf,
}

impl FsBlockStore {
    /// The store in `dir`, created if missing.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|e| Error::io(format!("creating the block store {}", dir.display()), e))?;
        Ok(Self { dir })
    }

    /// The directory holding the blocks.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the block `cid` names is (or would be) stored.
    pub fn block_path(&self, cid: &Cid) -> PathBuf {
        let name: String = cid.digest().iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(&name[..2]).join(name)
    }

    fn write_atomically(&self, path: &Path, block: &[u8]) -> Result<()> {
        let context = |what: &str| format!("{what} {}", path.display());
        let shard = path.parent().unwrap_or(&self.dir);
        fs::create_dir_all(shard).map_err(|e| Error::io(context("creating the directory of"), e))?;
        let mut file =
            NamedTempFile::new_in(shard).map_err(|e| Error::io(context("creating a temporary file for"), e))?;
        file.write_all(block).and_then(|()| file.as_file().sync_all()).map_err(|e| Error::io(context("writing"), e))?;
        file.persist(path).map_err(|e| Error::io(context("renaming into place"), e.error))?;
        // The rename is durable only once the directory entry is on disk.
        fs::File::open(shard)
            .and_then(|dir| dir.sync_all())
            .map_err(|e| Error::io(context("syncing the directory of"), e))
    }
}

impl BlockStore for FsBlockStore {
    /// Keeps an existing copy only if it hashes right, so adding content again repairs a
    /// damaged block.
    fn put(&self, cid: &Cid, block: &[u8]) -> Result<()> {
        let path = self.block_path(cid);
        if let Some(existing) = self.get(cid)?
            && <[u8; 32]>::from(Sha256::digest(&existing)) == *cid.digest()
        {
            return Ok(());
        }
        self.write_atomically(&path, block)
    }

    fn get(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        let path = self.block_path(cid);
        match fs::read(&path) {
            Ok(block) => Ok(Some(block)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
        }
    }

    fn has(&self, cid: &Cid) -> Result<bool> {
        let path = self.block_path(cid);
        path.try_exists().map_err(|e| Error::io(format!("looking for {}", path.display()), e))
    }
}

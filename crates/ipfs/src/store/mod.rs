//! Where blocks live, and the content store that adds and reads files through them.

mod fs;
mod memory;

pub use fs::FsBlockStore;
pub use memory::MemoryBlockStore;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::importer::{DagParams, import};
use crate::{Cid, Version, reader};

/// A place for blocks, keyed by their sha2-256 digest as Kubo keys them by multihash, so the
/// CIDv0 and CIDv1 of a block (and a raw CIDv1 of the same bytes) find the same entry.
///
/// Stores do not hash: [`ContentStore`] computes every CID it puts and verifies every block
/// it gets, so a store returning wrong bytes is caught there, whatever the backend.
pub trait BlockStore: Send + Sync {
    /// Makes `block` retrievable under `cid`'s digest. Blocks are immutable: a store may keep
    /// an existing intact copy rather than write again. Concurrent puts of the same block
    /// must be safe.
    fn put(&self, cid: &Cid, block: &[u8]) -> Result<()>;

    /// The bytes stored under `cid`'s digest, unverified, or `None` when there are none.
    fn get(&self, cid: &Cid) -> Result<Option<Vec<u8>>>;

    /// Whether a block is stored under `cid`'s digest.
    fn has(&self, cid: &Cid) -> Result<bool>;
}

/// Files in and out of a [`BlockStore`], with the CIDs `ipfs add` gives them.
///
/// ```
/// use pools_ipfs::{ContentStore, MemoryBlockStore};
///
/// let store = ContentStore::new(MemoryBlockStore::new()).with_max_add_size(1 << 20);
/// let cid = store.add(b"hello\n")?;
/// assert_eq!(cid.to_string(), "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN");
/// assert_eq!(store.get(&cid.to_v1())?, b"hello\n");
/// # Ok::<(), pools_ipfs::Error>(())
/// ```
#[derive(Debug)]
pub struct ContentStore<B> {
    blocks: B,
    params: DagParams,
    max_add_size: u64,
    max_get_size: u64,
}

impl<B: BlockStore> ContentStore<B> {
    /// The default limit, in bytes, on what [`ContentStore::add`] accepts and
    /// [`ContentStore::get`] returns: 64 MiB, far above any pool's metadata, low enough that
    /// one request cannot fill the memory.
    pub const DEFAULT_MAX_SIZE: u64 = 64 << 20;

    /// A store over `blocks` with `ipfs add`'s DAG parameters and the default limits.
    pub fn new(blocks: B) -> Self {
        Self {
            blocks,
            params: DagParams::default(),
            max_add_size: Self::DEFAULT_MAX_SIZE,
            max_get_size: Self::DEFAULT_MAX_SIZE,
        }
    }

    /// Refuse to add content larger than `bytes`.
    pub fn with_max_add_size(mut self, bytes: u64) -> Self {
        self.max_add_size = bytes;
        self
    }

    /// Refuse to read content larger than `bytes`.
    pub fn with_max_get_size(mut self, bytes: u64) -> Self {
        self.max_get_size = bytes;
        self
    }

    /// Build DAGs with other parameters; CIDs then differ from `ipfs add`'s, so this is for
    /// tests that want deep trees from little data.
    pub fn with_dag_params(mut self, params: DagParams) -> Self {
        self.params = params;
        self
    }

    /// The block store underneath.
    pub fn blocks(&self) -> &B {
        &self.blocks
    }

    /// Stores `data` as `ipfs add` would and returns its CIDv0.
    pub fn add(&self, data: &[u8]) -> Result<Cid> {
        self.add_with_version(data, Version::V0)
    }

    /// Stores `data` as `ipfs add` would and returns its root's CID in `version`: the blocks
    /// are the same for both versions, so either CID reads the content back. Children are
    /// stored before their parents, so once the root is there ([`ContentStore::has`]) the
    /// whole DAG is.
    pub fn add_with_version(&self, data: &[u8], version: Version) -> Result<Cid> {
        let size = data.len() as u64;
        if size > self.max_add_size {
            return Err(Error::TooLarge { what: "the content to add".into(), limit: self.max_add_size, size });
        }
        let root = import(data, &self.params, |cid, block| self.blocks.put(cid, block))?;
        Ok(root.in_version(version))
    }

    /// The content `cid` names: a file's bytes for a dag-pb root (CIDv0 or CIDv1), the block
    /// itself for a raw CIDv1. Every block is verified against its CID on the way.
    pub fn get(&self, cid: &Cid) -> Result<Vec<u8>> {
        reader::read(cid, self.max_get_size, |cid| self.verified_block(cid))
    }

    /// Whether the block `cid` names is stored; for a root stored by
    /// [`ContentStore::add`] that means the whole content is.
    pub fn has(&self, cid: &Cid) -> Result<bool> {
        self.blocks.has(cid)
    }

    fn verified_block(&self, cid: &Cid) -> Result<Vec<u8>> {
        let block = self.blocks.get(cid)?.ok_or(Error::NotFound(*cid))?;
        let digest: [u8; 32] = Sha256::digest(&block).into();
        if &digest != cid.digest() {
            return Err(Error::corrupt(cid, "its bytes do not hash to the CID's digest"));
        }
        Ok(block)
    }
}

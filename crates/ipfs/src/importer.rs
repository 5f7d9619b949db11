//! The UnixFS importer: bytes to a DAG of blocks, exactly as `ipfs add` builds it by default.
//!
//! Defaults of go-ipfs/Kubo's `ipfs add`: fixed-size chunks of 262,144 bytes; each chunk a
//! dag-pb leaf carrying a UnixFS `File` node (not a raw leaf); the balanced layout with at
//! most 174 links per node; one chunk alone is the root; the empty file is one empty leaf.
//! Grouping the leaves 174 at a time, then those parents 174 at a time, and so on, yields the
//! same tree as go-unixfs's depth-first balanced builder: every subtree but the last of each
//! level is full, and a lone last child still gets its own parent.

use sha2::{Digest, Sha256};

use crate::dag_pb::{self, Link};
use std::convert::Infallible;

use crate::{Cid, Version, unixfs};

/// How content is cut into blocks and linked: chunk size and links per node.
///
/// [`DagParams::default`] is what `ipfs add` uses; anything else gives other CIDs for the
/// same bytes, so other values exist for tests that want deep trees from little data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DagParams {
    chunk_size: usize,
    max_links: usize,
}

/// Parameters no importer can build a DAG with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid DAG parameters: {0}")]
pub struct InvalidDagParams(String);

impl DagParams {
    /// `ipfs add`'s chunk size in bytes (`--chunker=size-262144`).
    pub const DEFAULT_CHUNK_SIZE: usize = 262_144;
    /// `ipfs add`'s maximum number of links per node of the balanced layout.
    pub const DEFAULT_MAX_LINKS: usize = 174;
    /// The largest chunk Kubo's chunker accepts: bigger blocks would not be exchanged by peers.
    pub const MAX_CHUNK_SIZE: usize = 1 << 20;

    /// Chunks of `chunk_size` bytes (1 to 1 MiB), nodes of at most `max_links` links (2 or
    /// more, or a tree could never narrow to one root).
    pub fn new(chunk_size: usize, max_links: usize) -> Result<Self, InvalidDagParams> {
        if !(1..=Self::MAX_CHUNK_SIZE).contains(&chunk_size) {
            return Err(InvalidDagParams(format!(
                "chunk size {chunk_size} is not between 1 and {} bytes",
                Self::MAX_CHUNK_SIZE
            )));
        }
        if max_links < 2 {
            return Err(InvalidDagParams(format!("{max_links} links per node; at least 2")));
        }
        Ok(Self { chunk_size, max_links })
    }

    /// Bytes per leaf.
    pub const fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// Links per inner node at most.
    pub const fn max_links(&self) -> usize {
        self.max_links
    }
}

impl Default for DagParams {
    fn default() -> Self {
        Self { chunk_size: Self::DEFAULT_CHUNK_SIZE, max_links: Self::DEFAULT_MAX_LINKS }
    }
}

/// The CID `ipfs add` gives `data`, without storing anything: the CIDv0 it prints, or the
/// CIDv1 of the same root block (`ipfs cid base32` of it).
///
/// ```
/// use pools_ipfs::{Version, compute_cid};
///
/// let cid = compute_cid(b"hello\n", Version::V0);
/// assert_eq!(cid.to_string(), "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN");
/// ```
pub fn compute_cid(data: &[u8], version: Version) -> Cid {
    compute_cid_with(data, version, &DagParams::default())
}

/// [`compute_cid`] with other chunking and layout parameters.
pub fn compute_cid_with(data: &[u8], version: Version, params: &DagParams) -> Cid {
    let Ok(root) = import::<Infallible>(data, params, |_, _| Ok(()));
    root.in_version(version)
}

/// A built sub-DAG: its root's link and the file bytes below it.
struct Built {
    link: Link,
    filesize: u64,
}

/// Builds the DAG of `data`, hands every block to `put`, children before their parents (so a
/// store that has a root also has everything below it), and returns the root's CIDv0.
///
/// Links are always CIDv0, as `ipfs add` writes them: a CIDv1 of the content names the same
/// root block, so both versions share one DAG (`ipfs add --cid-version=1` would build
/// another, with raw leaves and CIDv1 links).
pub(crate) fn import<E>(
    data: &[u8],
    params: &DagParams,
    mut put: impl FnMut(&Cid, &[u8]) -> Result<(), E>,
) -> Result<Cid, E> {
    let mut emit = |block: Vec<u8>, below: u64, filesize: u64| -> Result<Built, E> {
        let digest: [u8; 32] = Sha256::digest(&block).into();
        let cid = Cid::v0(digest);
        put(&cid, &block)?;
        Ok(Built { link: Link { cid, tsize: block.len() as u64 + below }, filesize })
    };

    let mut chunks: Vec<&[u8]> = data.chunks(params.chunk_size).collect();
    if chunks.is_empty() {
        // The empty file is one leaf without data.
        chunks.push(&[]);
    }
    let mut level = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        let block = dag_pb::encode(&[], &unixfs::encode_file(chunk, &[]));
        level.push(emit(block, 0, chunk.len() as u64)?);
    }
    while level.len() > 1 {
        let mut parents = Vec::with_capacity(level.len().div_ceil(params.max_links));
        for group in level.chunks(params.max_links) {
            let blocksizes: Vec<u64> = group.iter().map(|child| child.filesize).collect();
            let links: Vec<Link> = group.iter().map(|child| child.link.clone()).collect();
            let below = links.iter().map(|link| link.tsize).sum();
            let block = dag_pb::encode(&links, &unixfs::encode_file(b"", &blocksizes));
            parents.push(emit(block, below, blocksizes.iter().sum())?);
        }
        level = parents;
    }
    let Some(root) = level.pop() else {
        unreachable!("the leaves are at least one and grouping never empties a level")
    };
    Ok(root.link.cid)
}

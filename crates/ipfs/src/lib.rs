//! Content-addressed storage of pool metadata, naming content with the same CIDs as
//! `ipfs add`, so what the backend stores can be pinned on and fetched from IPFS unchanged.
//!
//! - [`Cid`]: CIDv0 (`Qm...`) and CIDv1 (`b...`, dag-pb or raw, sha2-256), parsed, printed
//!   and converted.
//! - [`compute_cid`]: the UnixFS importer with `ipfs add`'s defaults (262,144-byte chunks,
//!   dag-pb leaves, balanced DAG of at most 174 links per node).
//! - [`ContentStore`] over a [`BlockStore`] ([`FsBlockStore`], [`MemoryBlockStore`]): `add`,
//!   `get` (every block verified against its CID), `has`, with size limits.
//! - [`KuboClient`]: pins content on a Kubo node, checking the node computes our CID, and
//!   reads content the store lacks.
//!
//! ```
//! use pools_ipfs::{Cid, ContentStore, Error, FsBlockStore, Version};
//!
//! let dir = tempfile::tempdir()?;
//! let store = ContentStore::new(FsBlockStore::open(dir.path())?);
//! let metadata = br#"{"name":"USDC pool 1"}"#;
//!
//! let cid = store.add(metadata)?;
//! assert!(cid.to_string().starts_with("Qm"));
//! assert_eq!(store.get(&cid)?, metadata);
//!
//! // The CIDv1 of the same file (for a file of one chunk, the same block).
//! let v1 = store.add_with_version(metadata, Version::V1)?;
//! assert_eq!(v1, cid.to_v1());
//!
//! // "hello\n", never added here.
//! let absent: Cid = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN".parse()?;
//! assert!(matches!(store.get(&absent), Err(Error::NotFound(_))));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod content_id;
mod dag_pb;
mod error;
mod importer;
mod kubo;
mod protobuf;
mod reader;
mod store;
mod unixfs;

pub use content_id::{Cid, Codec, Version};
pub use error::{Error, Result, UpstreamError};
pub use importer::{DagParams, InvalidDagParams, compute_cid, compute_cid_with};
pub use kubo::KuboClient;
pub use store::{BlockStore, ContentStore, FsBlockStore, MemoryBlockStore};

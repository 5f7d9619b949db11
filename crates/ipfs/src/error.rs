//! The crate's one error type.
//!
//! The variants are the cases a caller handles differently (the API service maps `InvalidCid`
//! to `validation-failed`, `NotFound` to `not-found`, `Upstream` to `unexpected`), so the enum
//! is deliberately not `#[non_exhaustive]`: a new variant must break the caller's `match` and
//! get a mapping of its own rather than fall into a wildcard.

use crate::Cid;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong while naming, storing, reading or pinning content.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text or bytes are not a CID this crate supports (CIDv0, or CIDv1 in lowercase
    /// base32 with the dag-pb or raw codec, always over a sha2-256 multihash).
    #[error("invalid CID {input:?}: {reason}")]
    InvalidCid {
        /// The rejected input as given (bytes are shown in hex).
        input: String,
        /// Why it was rejected, in words.
        reason: String,
    },
    /// A block the content needs is not in the store.
    #[error("block {0} is not in the store")]
    NotFound(Cid),
    /// The content is larger than the limit the caller set.
    #[error("{what} is {size} bytes or more, over the limit of {limit} bytes")]
    TooLarge {
        /// What was too large: "the content to add", "the content of" a CID.
        what: String,
        /// The limit in bytes.
        limit: u64,
        /// The size in bytes: exact when known up front, else the size reached when reading
        /// stopped.
        size: u64,
    },
    /// A stored block does not hash to its CID, or does not decode as the DAG it belongs to.
    /// Corrupt data is never returned.
    #[error("block {cid} is corrupt: {reason}")]
    Corrupt {
        /// The block that failed verification or decoding.
        cid: Cid,
        /// What was wrong, in words.
        reason: String,
    },
    /// The Kubo node failed, could not be reached, or disagreed with our CID.
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    /// A filesystem operation of the block store failed.
    #[error("{context}: {source}")]
    Io {
        /// What the store was doing, with the path.
        context: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

/// Why a call to the Kubo node failed; all of these are [`Error::Upstream`].
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// The configured RPC address is not a usable http(s) URL.
    #[error("invalid Kubo RPC URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as configured.
        url: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The request could not be sent or its answer could not be read (refused connection,
    /// timeout, broken transfer).
    #[error("Kubo {operation} failed: {source}")]
    Transport {
        /// The RPC call (`add`, `cat`).
        operation: &'static str,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// Kubo answered with an error status.
    #[error("Kubo {operation} answered HTTP {status}: {body}")]
    Status {
        /// The RPC call (`add`, `cat`).
        operation: &'static str,
        /// The HTTP status code.
        status: u16,
        /// The start of the answer's body, where Kubo puts its error message.
        body: String,
    },
    /// Kubo's answer is not what its RPC documents.
    #[error("Kubo {operation} answered something unexpected: {reason}")]
    Malformed {
        /// The RPC call (`add`, `cat`).
        operation: &'static str,
        /// What was wrong with the answer.
        reason: String,
    },
    /// Kubo computed another CID than we did for the same bytes, or `cat` returned bytes that
    /// do not hash to the CID asked for.
    #[error("Kubo {operation}: expected {expected}, Kubo's content is {actual}")]
    Mismatch {
        /// The RPC call (`add`, `cat`).
        operation: &'static str,
        /// Our CID.
        expected: Cid,
        /// The CID of what Kubo had (its answer to `add`; for `cat`, what the bytes it sent
        /// hash to).
        actual: Cid,
    },
}

impl Error {
    /// An [`Error::Io`] with what the store was doing.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io { context: context.into(), source }
    }

    /// An [`Error::Corrupt`] for `cid`.
    pub(crate) fn corrupt(cid: &Cid, reason: impl Into<String>) -> Self {
        Self::Corrupt { cid: *cid, reason: reason.into() }
    }
}

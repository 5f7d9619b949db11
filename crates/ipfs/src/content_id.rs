//! CIDs: the names of blocks, as `ipfs add` prints them.
//!
//! Only what `ipfs add` produces with its defaults (and the raw-leaf blocks of newer
//! defaults) is accepted: a sha2-256 multihash, the dag-pb or raw codec, CIDv0 in base58btc
//! and CIDv1 in lowercase base32. The `cid` crate does the multibase and varint decoding;
//! printing is done here because every supported CID encodes to fixed bytes.

use std::fmt;
use std::str::FromStr;

use cid::multibase::Base;

use crate::error::{Error, Result};

/// Multihash code of sha2-256, the only hash `ipfs add` uses by default.
const SHA2_256: u64 = 0x12;
/// Length in bytes of a sha2-256 digest.
const DIGEST_LEN: usize = 32;

/// The CID version, which decides the text form and whether the codec is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// `Qm...`: base58btc, implicitly dag-pb and sha2-256; what `ipfs add` prints by default.
    V0,
    /// `b...`: lowercase base32 of version, codec and multihash.
    V1,
}

/// How a block is to be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Codec {
    /// A dag-pb node (protobuf `PBNode`), here always carrying UnixFS file data.
    DagPb,
    /// The block is the content itself, undecoded.
    Raw,
}

impl Codec {
    /// The multicodec code written in a CIDv1.
    pub const fn code(self) -> u64 {
        match self {
            Self::DagPb => 0x70,
            Self::Raw => 0x55,
        }
    }

    fn from_code(code: u64) -> Option<Self> {
        match code {
            0x70 => Some(Self::DagPb),
            0x55 => Some(Self::Raw),
            _ => None,
        }
    }
}

/// A content identifier: the sha2-256 digest of a block, with the version and codec that
/// say how to print and decode it.
///
/// Two CIDs are equal only if they print the same, so a CIDv0 and its CIDv1 differ; they
/// name the same block (stores key blocks by digest), which [`Cid::digest`] compares.
///
/// ```
/// use pools_ipfs::{Cid, Codec, Version};
///
/// let v0: Cid = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN".parse()?;
/// let v1 = v0.to_v1();
/// assert_eq!(v1.to_string(), "bafybeiffndsajwhk3lwjewwdxqntmjm4b5wxaaanokonsggenkbw6slwk4");
/// assert_eq!((v1.version(), v1.codec()), (Version::V1, Codec::DagPb));
/// assert_eq!(v1.to_v0()?, v0);
/// # Ok::<(), pools_ipfs::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cid {
    version: Version,
    codec: Codec,
    digest: [u8; DIGEST_LEN],
}

impl Cid {
    /// The CIDv0 (dag-pb) of a block with this sha2-256 digest.
    pub const fn v0(digest: [u8; 32]) -> Self {
        Self { version: Version::V0, codec: Codec::DagPb, digest }
    }

    /// The CIDv1 with `codec` of a block with this sha2-256 digest.
    pub const fn v1(codec: Codec, digest: [u8; 32]) -> Self {
        Self { version: Version::V1, codec, digest }
    }

    /// A CID of `version` and `codec`; CIDv0 exists for dag-pb only.
    pub fn new(version: Version, codec: Codec, digest: [u8; 32]) -> Result<Self> {
        match (version, codec) {
            (Version::V0, Codec::DagPb) => Ok(Self::v0(digest)),
            (Version::V0, Codec::Raw) => Err(Error::InvalidCid {
                input: Self::v1(codec, digest).to_string(),
                reason: "CIDv0 exists for dag-pb blocks only, not raw ones".into(),
            }),
            (Version::V1, codec) => Ok(Self::v1(codec, digest)),
        }
    }

    /// The CID version.
    pub const fn version(&self) -> Version {
        self.version
    }

    /// The codec of the block this names.
    pub const fn codec(&self) -> Codec {
        self.codec
    }

    /// The sha2-256 digest of the block this names: the key blocks are stored under.
    pub const fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The CIDv1 naming the same block.
    pub const fn to_v1(&self) -> Self {
        Self::v1(self.codec, self.digest)
    }

    /// This dag-pb CID in `version`'s spelling.
    pub(crate) const fn in_version(self, version: Version) -> Self {
        match version {
            Version::V0 => Self::v0(self.digest),
            Version::V1 => self.to_v1(),
        }
    }

    /// The CIDv0 naming the same block; fails for raw blocks, which have no CIDv0.
    pub fn to_v0(&self) -> Result<Self> {
        Self::new(Version::V0, self.codec, self.digest)
    }

    /// The binary form, as dag-pb links carry it: the bare multihash for CIDv0; version,
    /// codec and multihash for CIDv1.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(4 + DIGEST_LEN);
        if self.version == Version::V1 {
            // Version 1 and both codecs are below 0x80, so each varint is one byte.
            bytes.extend([1, self.codec.code() as u8]);
        }
        bytes.extend([SHA2_256 as u8, DIGEST_LEN as u8]);
        bytes.extend_from_slice(&self.digest);
        bytes
    }

    /// Parses the binary form of [`Cid::to_bytes`]; trailing bytes are refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidCid { input: hex(bytes), reason };
        let parsed = cid::Cid::try_from(bytes).map_err(|e| invalid(e.to_string()))?;
        let cid = Self::from_parsed(&parsed).map_err(invalid)?;
        if cid.to_bytes() != bytes {
            return Err(invalid("trailing bytes after the CID".into()));
        }
        Ok(cid)
    }

    /// Checks that the `cid` crate's CID is one this crate supports.
    fn from_parsed(parsed: &cid::Cid) -> std::result::Result<Self, String> {
        let codec = Codec::from_code(parsed.codec())
            .ok_or_else(|| format!("codec 0x{:x} is not supported (only dag-pb 0x70 and raw 0x55)", parsed.codec()))?;
        let hash = parsed.hash();
        if hash.code() != SHA2_256 {
            return Err(format!("multihash 0x{:x} is not supported (only sha2-256 0x12)", hash.code()));
        }
        let digest: [u8; DIGEST_LEN] =
            hash.digest().try_into().map_err(|_| format!("a sha2-256 digest has 32 bytes, not {}", hash.size()))?;
        Ok(match parsed.version() {
            cid::Version::V0 => Self::v0(digest),
            cid::Version::V1 => Self::v1(codec, digest),
        })
    }
}

impl FromStr for Cid {
    type Err = Error;

    /// Parses `Qm...` (CIDv0) or `b...` (CIDv1, lowercase base32). Other multibases are
    /// refused, so every CID has one spelling and texts can be compared as such.
    fn from_str(text: &str) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidCid { input: text.to_owned(), reason };
        let parsed = cid::Cid::try_from(text).map_err(|e| invalid(e.to_string()))?;
        let cid = Self::from_parsed(&parsed).map_err(invalid)?;
        if cid.to_string() != text {
            return Err(invalid(format!("not the canonical spelling {cid} (a CIDv1 is written in lowercase base32)")));
        }
        Ok(cid)
    }
}

impl fmt::Display for Cid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.version {
            Version::V0 => f.write_str(&Base::Base58Btc.encode(self.to_bytes())),
            Version::V1 => f.write_str(&cid::multibase::encode(Base::Base32Lower, self.to_bytes())),
        }
    }
}

impl fmt::Debug for Cid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cid({self})")
    }
}

impl serde::Serialize for Cid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Cid {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Lowercase hex, to show rejected binary input in an error.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

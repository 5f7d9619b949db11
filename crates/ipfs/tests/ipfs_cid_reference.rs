//! Our CIDs against Debian's `ipfs_cid`, an independent implementation of `ipfs add`'s
//! defaults, on files around every boundary of the chunker and the balanced layout.

mod common;

use std::io::Write;
use std::process::Command;

use common::pseudo_random;
use pools_ipfs::{ContentStore, MemoryBlockStore, Version, compute_cid};

/// Runs `ipfs_cid` on `data` in a temporary file and returns its CIDv0 and CIDv1.
fn reference_cids(data: &[u8]) -> (String, String) {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    file.write_all(data).expect("writing the temporary file");
    let output = match Command::new("ipfs_cid").arg(file.path()).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("ipfs_cid (Debian package ipfs-cid) is not installed; run tools/system-packages.sh")
        }
        Err(e) => panic!("running ipfs_cid: {e}"),
    };
    assert!(output.status.success(), "ipfs_cid failed: {}", String::from_utf8_lossy(&output.stderr));
    let cids: serde_json::Value = serde_json::from_slice(&output.stdout).expect("ipfs_cid prints JSON");
    let field = |name: &str| cids[name].as_str().expect("a CID string").to_owned();
    (field("CIDv0"), field("CIDv1"))
}

/// Our CIDv0 and CIDv1 (computed, and through a store) equal `ipfs_cid`'s.
fn assert_same_cids_as_ipfs_cid(data: &[u8]) {
    let (v0, v1) = reference_cids(data);
    assert_eq!(compute_cid(data, Version::V0).to_string(), v0, "CIDv0 of {} bytes", data.len());
    assert_eq!(compute_cid(data, Version::V1).to_string(), v1, "CIDv1 of {} bytes", data.len());
}

#[test]
fn empty_file() {
    assert_same_cids_as_ipfs_cid(b"");
    // `ipfs add` of an empty file, as every IPFS implementation names it.
    assert_eq!(compute_cid(b"", Version::V0).to_string(), "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
}

#[test]
fn one_byte() {
    assert_same_cids_as_ipfs_cid(b"x");
}

#[test]
fn hello_newline_has_the_known_cids() {
    assert_same_cids_as_ipfs_cid(b"hello\n");
    let store = ContentStore::new(MemoryBlockStore::new());
    let v0 = store.add(b"hello\n").expect("adding");
    assert_eq!(v0.to_string(), "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN");
    let v1 = store.add_with_version(b"hello\n", Version::V1).expect("adding");
    assert_eq!(v1.to_string(), "bafybeiffndsajwhk3lwjewwdxqntmjm4b5wxaaanokonsggenkbw6slwk4");
}

#[test]
fn one_byte_short_of_a_chunk() {
    assert_same_cids_as_ipfs_cid(&pseudo_random(262_143, 1));
}

#[test]
fn exactly_one_chunk() {
    assert_same_cids_as_ipfs_cid(&pseudo_random(262_144, 2));
}

#[test]
fn one_byte_over_a_chunk() {
    assert_same_cids_as_ipfs_cid(&pseudo_random(262_145, 3));
}

#[test]
fn one_mebibyte_and_seven() {
    assert_same_cids_as_ipfs_cid(&pseudo_random((1 << 20) + 7, 4));
}

#[test]
fn two_level_tree_past_174_chunks() {
    // 174 full chunks fill one node; the extra 100,000 bytes start a second subtree under a
    // new root.
    let data = pseudo_random(174 * 262_144 + 100_000, 5);
    assert_same_cids_as_ipfs_cid(&data);
    let store = ContentStore::new(MemoryBlockStore::new());
    let cid = store.add(&data).expect("adding");
    // 175 leaves, 2 inner nodes, the root.
    assert_eq!(store.blocks().len(), 178);
    assert!(store.get(&cid).expect("reading back") == data, "round trip of the two-level tree");
}

//! Adding and reading content on both block stores: round trips, limits, missing and corrupt
//! blocks, concurrent writers.

mod common;

use std::sync::Arc;

use common::pseudo_random;
use pools_ipfs::{
    BlockStore, Cid, Codec, ContentStore, DagParams, Error, FsBlockStore, MemoryBlockStore, Result, Version,
    compute_cid_with,
};
use proptest::prelude::*;

fn fs_store() -> (tempfile::TempDir, ContentStore<FsBlockStore>) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let blocks = FsBlockStore::open(dir.path().join("blocks")).expect("opening the store");
    (dir, ContentStore::new(blocks))
}

/// Sizes around the chunk boundary and a multi-chunk file.
const SIZES: [usize; 6] = [0, 1, 6, 262_144, 262_145, (1 << 20) + 7];

fn assert_round_trips<B: BlockStore>(store: &ContentStore<B>) {
    for (seed, size) in SIZES.into_iter().enumerate() {
        let data = pseudo_random(size, seed as u64);
        let v0 = store.add(&data).expect("adding");
        let v1 = store.add_with_version(&data, Version::V1).expect("adding as CIDv1");
        assert_eq!(v1, v0.to_v1(), "one DAG for both versions ({size} bytes)");
        assert!(store.has(&v0).expect("has") && store.has(&v1).expect("has"));
        assert!(store.get(&v0).expect("reading by CIDv0") == data, "{size} bytes by CIDv0");
        assert!(store.get(&v1).expect("reading by CIDv1") == data, "{size} bytes by CIDv1");
    }
}

#[test]
fn memory_store_round_trips() {
    let store = ContentStore::new(MemoryBlockStore::new());
    assert_round_trips(&store);
    // One block each for 0, 1, 6 and 262,144 bytes; 2 leaves and a root for 262,145;
    // 5 leaves and a root for 1 MiB + 7.
    assert_eq!(store.blocks().len(), 4 + 3 + 6);
}

#[test]
fn filesystem_store_round_trips_and_shards_blocks() {
    let (_dir, store) = fs_store();
    assert_round_trips(&store);
    let cid = store.add(b"hello\n").expect("adding");
    let path = store.blocks().block_path(&cid);
    assert!(path.is_file(), "{}", path.display());
    let shard = path.parent().expect("a shard directory");
    assert_eq!(shard.parent(), Some(store.blocks().dir()));
    assert_eq!(shard.file_name().and_then(|n| n.to_str()).map(str::len), Some(2));

    // A new store over the same directory sees the blocks: they are on disk, not cached.
    let reopened = ContentStore::new(FsBlockStore::open(store.blocks().dir()).expect("reopening"));
    assert_eq!(reopened.get(&cid).expect("reading"), b"hello\n");
}

#[test]
fn absent_content_is_not_found() {
    let store = ContentStore::new(MemoryBlockStore::new());
    let absent: Cid = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN".parse().expect("a CID");
    assert!(!store.has(&absent).expect("has"));
    assert!(matches!(store.get(&absent), Err(Error::NotFound(cid)) if cid == absent));
}

#[test]
fn a_missing_leaf_is_not_found() {
    let (_dir, store) = fs_store();
    let data = pseudo_random(262_145, 9);
    let root = store.add(&data).expect("adding");
    let second_leaf = compute_cid_with(&data[262_144..], Version::V0, &DagParams::default());
    std::fs::remove_file(store.blocks().block_path(&second_leaf)).expect("removing a leaf");
    assert!(matches!(store.get(&root), Err(Error::NotFound(cid)) if cid == second_leaf));
}

#[test]
fn raw_blocks_are_read_as_they_are() {
    let store = ContentStore::new(MemoryBlockStore::new());
    let raw = Cid::v1(Codec::Raw, sha256(b"raw bytes"));
    store.blocks().put(&raw, b"raw bytes").expect("putting");
    assert_eq!(store.get(&raw).expect("reading"), b"raw bytes");
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

#[test]
fn content_over_the_add_limit_is_refused_and_nothing_is_stored() {
    let store = ContentStore::new(MemoryBlockStore::new()).with_max_add_size(1000);
    store.add(&[7; 1000]).expect("exactly the limit is allowed");
    let blocks_before = store.blocks().len();
    match store.add(&[7; 1001]) {
        Err(Error::TooLarge { limit: 1000, size: 1001, .. }) => {}
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(store.blocks().len(), blocks_before);
}

#[test]
fn content_over_the_get_limit_is_refused() {
    let data = pseudo_random(262_145, 3);
    let store = ContentStore::new(MemoryBlockStore::new()).with_max_get_size(262_144);
    let cid = store.add(&data).expect("adding");
    match store.get(&cid) {
        Err(Error::TooLarge { limit: 262_144, size: 262_145, .. }) => {}
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let raw = Cid::v1(Codec::Raw, sha256(&data));
    store.blocks().put(&raw, &data).expect("putting");
    assert!(matches!(store.get(&raw), Err(Error::TooLarge { size: 262_145, .. })));
    let store = store.with_max_get_size(262_145);
    assert!(store.get(&cid).expect("exactly the limit is allowed") == data);
}

#[test]
fn a_corrupt_block_on_disk_is_an_error_and_adding_again_repairs_it() {
    let (_dir, store) = fs_store();
    let data = pseudo_random((1 << 20) + 7, 4);
    let root = store.add(&data).expect("adding");
    let leaf = compute_cid_with(&data[..262_144], Version::V0, &DagParams::default());
    let path = store.blocks().block_path(&leaf);
    let mut block = std::fs::read(&path).expect("reading the leaf");
    let middle = block.len() / 2;
    block[middle] ^= 1;
    std::fs::write(&path, &block).expect("corrupting the leaf");

    assert!(matches!(store.get(&root), Err(Error::Corrupt { cid, .. }) if cid == leaf));

    std::fs::write(&path, b"").expect("truncating the leaf");
    assert!(matches!(store.get(&root), Err(Error::Corrupt { cid, .. }) if cid == leaf));

    assert_eq!(store.add(&data).expect("adding again"), root);
    assert!(store.get(&root).expect("reading the repaired content") == data);
}

#[test]
fn a_corrupt_root_is_an_error() {
    let (_dir, store) = fs_store();
    let root = store.add(b"hello\n").expect("adding");
    std::fs::write(store.blocks().block_path(&root), b"hello\n").expect("replacing the root");
    assert!(matches!(store.get(&root), Err(Error::Corrupt { cid, .. }) if cid == root));
    assert!(matches!(store.get(&root.to_v1()), Err(Error::Corrupt { .. })));
}

/// A block store that returns one block altered, as a faulty disk or backend would.
struct Tampering {
    inner: MemoryBlockStore,
    victim: [u8; 32],
}

impl BlockStore for Tampering {
    fn put(&self, cid: &Cid, block: &[u8]) -> Result<()> {
        self.inner.put(cid, block)
    }

    fn get(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        let block = self.inner.get(cid)?;
        if *cid.digest() != self.victim {
            return Ok(block);
        }
        Ok(block.map(|mut block| {
            let last = block.len() - 1;
            block[last] ^= 0x80;
            block
        }))
    }

    fn has(&self, cid: &Cid) -> Result<bool> {
        self.inner.has(cid)
    }
}

#[test]
fn any_backend_returning_altered_bytes_is_caught() {
    let data = pseudo_random(3 * 262_144, 6);
    let params = DagParams::default();
    let root = compute_cid_with(&data, Version::V0, &params);
    let last_leaf = compute_cid_with(&data[2 * 262_144..], Version::V0, &params);
    for victim in [root, last_leaf] {
        let store = ContentStore::new(Tampering { inner: MemoryBlockStore::new(), victim: *victim.digest() });
        assert_eq!(store.add(&data).expect("adding"), root);
        assert!(matches!(store.get(&root), Err(Error::Corrupt { cid, .. }) if cid == victim));
    }
}

#[test]
fn concurrent_writers_of_the_same_content_all_succeed() {
    let (_dir, store) = fs_store();
    let store = Arc::new(store);
    let data = Arc::new(pseudo_random((1 << 20) + 7, 8));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (store, data) = (Arc::clone(&store), Arc::clone(&data));
            std::thread::spawn(move || store.add(&data))
        })
        .collect();
    let cids: Vec<Cid> = writers.into_iter().map(|writer| writer.join().expect("no panic").expect("adding")).collect();
    assert!(cids.windows(2).all(|pair| pair[0] == pair[1]));
    assert!(store.get(&cids[0]).expect("reading") == *data);
    // Every temporary file was renamed into place.
    for shard in std::fs::read_dir(store.blocks().dir()).expect("listing") {
        for entry in std::fs::read_dir(shard.expect("a shard").path()).expect("listing a shard") {
            let name = entry.expect("an entry").file_name();
            assert!(!name.to_string_lossy().starts_with(".tmp"), "left behind: {name:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Small chunks and few links per node make trees of several levels out of a few KB.
    #[test]
    fn any_content_round_trips_with_any_dag_shape(
        data in proptest::collection::vec(any::<u8>(), 0..4096),
        chunk_size in 1usize..300,
        max_links in 2usize..6,
        v1 in any::<bool>(),
    ) {
        let params = DagParams::new(chunk_size, max_links).expect("valid parameters");
        let store = ContentStore::new(MemoryBlockStore::new()).with_dag_params(params);
        let version = if v1 { Version::V1 } else { Version::V0 };
        let cid = store.add_with_version(&data, version).expect("adding");
        prop_assert_eq!(cid, compute_cid_with(&data, version, &params));
        prop_assert_eq!(cid.version(), version);
        prop_assert_eq!(store.get(&cid).expect("reading"), data);
    }
}

#[test]
fn unusable_dag_parameters_are_refused() {
    assert!(DagParams::new(0, 174).is_err());
    assert!(DagParams::new(DagParams::MAX_CHUNK_SIZE + 1, 174).is_err());
    assert!(DagParams::new(262_144, 1).is_err());
    assert_eq!(DagParams::new(262_144, 174).expect("ipfs add's parameters"), DagParams::default());
}

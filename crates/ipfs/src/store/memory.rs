//! Blocks in a map in memory.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use super::BlockStore;
use crate::Cid;
use crate::error::Result;

/// Blocks in memory, for tests and for callers that only need CIDs and short-lived content.
#[derive(Debug, Default)]
pub struct MemoryBlockStore {
    blocks: RwLock<HashMap<[u8; 32], Vec<u8>>>,
}

impl MemoryBlockStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of blocks stored.
    pub fn len(&self) -> usize {
        self.read_lock().len()
    }

    /// Whether no block is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    // A panic elsewhere while the lock was held cannot leave a half-inserted block (the map
    // is only touched by single insert and get calls), so a poisoned lock is still sound.
    fn read_lock(&self) -> std::sync::RwLockReadGuard<'_, HashMap<[u8; 32], Vec<u8>>> {
        self.blocks.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl BlockStore for MemoryBlockStore {
    fn put(&self, cid: &Cid, block: &[u8]) -> Result<()> {
        let mut blocks = self.blocks.write().unwrap_or_else(PoisonError::into_inner);
        blocks.insert(*cid.digest(), block.to_vec());
        Ok(())
    }

    fn get(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        Ok(self.read_lock().get(cid.digest()).cloned())
    }

    fn has(&self, cid: &Cid) -> Result<bool> {
        Ok(self.read_lock().contains_key(cid.digest()))
    }
}

//! Helpers shared by the integration tests.

/// Deterministic bytes with no repeating pattern (xorshift64*), different for every seed, so
/// no chunk boundary lines up with a pattern and files of different seeds share no block.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed << 1 | 1;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        bytes.extend_from_slice(&state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

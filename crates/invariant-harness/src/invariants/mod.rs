//! SPEC §4's invariants as named functions, one per property, in plain words, each naming the
//! forge invariant test that checks the same thing. The crate README lists them all.
//!
//! - [`collateral`]: ERC20CollateralPool, invariants 1–11.
//! - [`counterparty`]: both counterparty variants, invariants 12–16.

pub mod collateral;
pub mod counterparty;

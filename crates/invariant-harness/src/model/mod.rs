//! Reference models: the pools' rules in plain Rust, with no EVM, to the wei.
//!
//! - [`collateral`]: ERC20CollateralPool (SPEC §1), its maths in [`collateral::math`].
//! - [`counterparty`]: both counterparty variants (SPEC §2).

pub mod collateral;
pub mod counterparty;

//! SPEC §4's invariants as named functions, one per property, with the forge invariant test
//! that checks the same thing.
//!
//! - [`collateral`](self::collateral): ERC20CollateralPool, invariants 1–11.

pub mod collateral;

//! Reference models: the pools' rules in plain Rust, with no EVM, to the wei.
//!
//! - [`collateral`](self::collateral): ERC20CollateralPool (SPEC §1), its maths in [`collateral::math`](self::collateral::math).

pub mod collateral;

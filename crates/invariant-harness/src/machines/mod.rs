//! proptest state machines: real calls on the deployed contracts against the reference models.
//!
//! - [`collateral`](self::collateral): ERC20CollateralPool.

pub mod collateral;

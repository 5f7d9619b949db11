//! The revm property harness: deploys the forge-compiled contracts into an in-memory EVM and
//! drives them with random action sequences, checking SPEC §4's invariants and a Rust reference
//! model after every step.
//!
//! - [`evm`]: the in-memory chain (deploy, call, view, time travel).
//! - [`model`]: the reference models (pure Rust, to the wei).

pub mod evm;
pub mod model;

pub use evm::{CallOutcome, Evm};

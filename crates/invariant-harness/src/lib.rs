//! The revm property harness: deploys the forge-compiled contracts into an in-memory EVM and
//! drives them with random action sequences, checking SPEC §4's invariants and a Rust reference
//! model after every step.
//!
//! - [`artifact`]: creation code read from forge's artifacts at run time.
//! - [`broken`]: the deliberately broken contract variants the machines must catch.
//! - [`evm`]: the in-memory chain (deploy, call, view, time travel, snapshots).
//! - [`model`]: the reference models (pure Rust, to the wei).
//! - [`invariants`]: SPEC §4's properties, one named function each.
//! - [`machines`]: the proptest state machines driving the contracts against the models.
//! - [`run`]: drives a state machine for N actions: shrinking, regressions, progress, report.
//! - [`world`]: the deployed pools, tokens, feeds and funded users the machines start from.

pub mod artifact;
pub mod broken;
pub mod evm;
pub mod invariants;
pub mod machines;
pub mod model;
pub mod run;
pub mod world;

pub use evm::{CallOutcome, Evm};

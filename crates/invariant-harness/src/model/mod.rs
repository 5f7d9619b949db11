//! Reference models of the pools: pure Rust, no EVM.

pub mod counterparty;

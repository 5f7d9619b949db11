//! proptest state machines: the real calls, predicted by the reference models.

pub mod counterparty;

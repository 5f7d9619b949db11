//! SPEC §4's invariants, one named function each, in plain words.

pub mod counterparty;

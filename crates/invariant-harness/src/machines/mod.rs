//! proptest state machines: the real calls, predicted by the reference models.
//!
//! Each machine has a name (used in reports, regressions files and `test/broken/variants.toml`)
//! and a weight: its share of `HARNESS_ACTIONS` in the default run.

pub mod collateral;
pub mod counterparty;

use crate::run::{Report, RunConfig, Violation, run_machine};

/// Every machine, by name, with its share of the actions of a default run.
pub const MACHINES: &[(&str, f64)] = &[("collateral", 0.4), ("counterparty", 0.3), ("admin-counterparty", 0.3)];

/// The machines' names.
pub const NAMES: &[&str] = &["collateral", "counterparty", "admin-counterparty"];

/// The implementation contract each machine drives behind its proxy.
pub const IMPLEMENTATIONS: &[(&str, &str)] = &[
    ("collateral", "ERC20CollateralPool"),
    ("counterparty", "CounterpartyPool"),
    ("admin-counterparty", "AdminCounterpartyPool"),
];

/// The implementation contract the machine called `name` drives (`None` for an unknown name).
pub fn implementation(name: &str) -> Option<&'static str> {
    IMPLEMENTATIONS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// The share of `HARNESS_ACTIONS` that `name` runs by default (0 for an unknown name).
pub fn weight(name: &str) -> f64 {
    MACHINES.iter().find(|(n, _)| *n == name).map_or(0.0, |(_, w)| *w)
}

/// Runs the machine called `name`: `Err` for an unknown name, `Ok(Err(violation))` when the
/// contracts broke a rule.
pub fn run_named(name: &str, config: &RunConfig) -> eyre::Result<Result<Report, Violation>> {
    Ok(match name {
        "collateral" => run_machine::<collateral::CollateralTest>(name, config),
        "counterparty" => run_machine::<counterparty::DefaultCounterpartyTest>(name, config),
        "admin-counterparty" => run_machine::<counterparty::AdminCounterpartyTest>(name, config),
        other => eyre::bail!("unknown machine {other:?}; known: {NAMES:?}"),
    })
}

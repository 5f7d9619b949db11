//! The default-scale property run: every state machine against the real contracts, about
//! 1,000,000 actions in all (`HARNESS_ACTIONS` raises it for soak runs). Each machine prints a
//! closing line such as `collateral: 400000 actions, 2400000 invariant checks, 0 violations`;
//! a violation fails the test with the shrunk sequence of calls that reproduces it.

use invariant_harness::{machines, run::RunConfig};

/// Runs `machine` with `weight` of the total actions; its failing seeds persist under
/// `proptest-regressions/` (committed) and replay first in every later run.
fn run(machine: &str, weight: f64, regressions: &'static str) -> eyre::Result<()> {
    let config = RunConfig::from_env(weight, regressions)?;
    match machines::run_named(machine, &config)? {
        Ok(report) => {
            assert!(report.actions >= config.actions, "{report}");
            Ok(())
        }
        Err(violation) => panic!("{violation}"),
    }
}

#[test]
fn collateral_pool_matches_its_model_and_keeps_its_invariants() -> eyre::Result<()> {
    run("collateral", machines::weight("collateral"), "proptest-regressions/collateral.txt")
}

#[test]
fn counterparty_pool_matches_its_model_and_keeps_its_invariants() -> eyre::Result<()> {
    run("counterparty", machines::weight("counterparty"), "proptest-regressions/counterparty.txt")
}

#[test]
fn admin_counterparty_pool_matches_its_model_and_keeps_its_invariants() -> eyre::Result<()> {
    run("admin-counterparty", machines::weight("admin-counterparty"), "proptest-regressions/admin-counterparty.txt")
}

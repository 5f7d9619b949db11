//! Proof that the harness can fail: each deliberately broken contract of
//! `test/broken/variants.toml` runs behind the proxy in place of the real implementation, and
//! the machine named for it must report a violation, shrunk to a short sequence of calls.

use std::io::Write as _;

use invariant_harness::{broken, machines, run::RunConfig, world};

/// Plenty for a planted bug: the real contracts pass 10^6 actions, these must fail far sooner.
const ACTIONS_PER_VARIANT: u64 = 200_000;

#[test]
fn every_planted_bug_is_caught() -> eyre::Result<()> {
    let variants = broken::variants()?;
    for machine in machines::NAMES {
        assert!(variants.iter().any(|v| v.machine == *machine), "no broken variant exercises the {machine} machine");
    }
    let mut missed = Vec::new();
    for variant in &variants {
        let code = variant.creation_code()?;
        let config = RunConfig {
            actions: ACTIONS_PER_VARIANT,
            max_steps: 128,
            seed: invariant_harness::run::DEFAULT_SEED,
            progress_every: None,
            regressions: None,
            shrink: true,
        };
        let outcome = world::with_implementation(code, || machines::run_named(&variant.machine, &config))?;
        let mut err = std::io::stderr();
        match outcome {
            Err(violation) => {
                let _ = writeln!(
                    err,
                    "caught {} ({}) after {} actions:\n{violation}",
                    variant.name, variant.bug, violation.actions
                );
            }
            Ok(report) => {
                let _ = writeln!(err, "MISSED {} ({}): {report}", variant.name, variant.bug);
                missed.push(variant.name.clone());
            }
        }
    }
    assert!(missed.is_empty(), "planted bugs not caught: {missed:?}");
    Ok(())
}

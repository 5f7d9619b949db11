//! The first stage of `make mutate`'s test command: runs machines against implementations
//! freshly compiled from a mutated source and exits 1 as soon as one breaks a rule.
//!
//! ```text
//! harness-mutant --out <forge out dir> [--actions 20000] <machine>...
//! ```
//! Each machine deploys `<out>/<Contract>.sol/<Contract>.json` (its implementation, see
//! `machines::IMPLEMENTATIONS`) behind the proxy and runs `--actions` actions from the fixed
//! seed, without shrinking: a mutant only needs to be told apart from the real contract.
//! The implementations may be unoptimised (`make mutate` compiles them so, twice as fast), so
//! EIP-170's code size limit is lifted for this process.
//! Exit codes: 0 no violation (the mutant survived this stage), 1 violation, 2 usage or
//! setup error (a missing artifact, an unknown machine).

use std::{path::PathBuf, process::ExitCode};

use eyre::{WrapErr, bail, eyre};
use invariant_harness::{
    artifact, machines,
    run::{DEFAULT_SEED, RunConfig},
    world,
};

struct Args {
    out: PathBuf,
    actions: u64,
    machines: Vec<String>,
}

fn parse_args() -> eyre::Result<Args> {
    let mut out = None;
    let mut actions = 20_000;
    let mut names = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(it.next().ok_or_else(|| eyre!("--out needs a directory"))?)),
            "--actions" => {
                let v = it.next().ok_or_else(|| eyre!("--actions needs a number"))?;
                actions = v.replace('_', "").parse().wrap_err_with(|| format!("--actions {v:?}"))?;
            }
            "-h" | "--help" => {
                println!(
                    "harness-mutant --out <forge out dir> [--actions N] <machine>... (machines: {:?})",
                    machines::NAMES
                );
                std::process::exit(0);
            }
            flag if flag.starts_with('-') => bail!("unknown flag {flag:?}"),
            name => names.push(name.to_owned()),
        }
    }
    let out = out.ok_or_else(|| eyre!("--out <forge out dir> is required"))?;
    if names.is_empty() {
        bail!("name at least one machine: {:?}", machines::NAMES);
    }
    Ok(Args { out, actions, machines: names })
}

/// `Ok(true)` when every machine ran clean.
fn run(args: &Args) -> eyre::Result<bool> {
    invariant_harness::evm::allow_oversized_code();
    for name in &args.machines {
        let contract = machines::implementation(name)
            .ok_or_else(|| eyre!("unknown machine {name:?}; known: {:?}", machines::NAMES))?;
        let path = args.out.join(format!("{contract}.sol")).join(format!("{contract}.json"));
        let code = artifact::creation_code(&path, "compile the mutant first")?;
        let config = RunConfig {
            actions: args.actions,
            max_steps: 128,
            seed: DEFAULT_SEED,
            progress_every: None,
            regressions: None,
            shrink: false,
        };
        match world::with_implementation(code, || machines::run_named(name, &config))? {
            Ok(_report) => {} // run_machine printed its closing line
            Err(violation) => {
                eprintln!("{name}: violation after {} actions: {}", violation.actions, violation.reason);
                return Ok(false);
            }
        }
    }
    Ok(true)
}

fn main() -> ExitCode {
    let outcome = parse_args().and_then(|args| run(&args));
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("harness-mutant: {e:#}");
            ExitCode::from(2)
        }
    }
}

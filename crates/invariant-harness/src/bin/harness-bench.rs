//! Throughput of the revm harness next to forge's invariant fuzzer on the same pools and a
//! similar action mix, per core: the harness's EVM calls per second (every transaction: the
//! action and the views that check it) and actions per second (one user or admin call with all
//! its checks), each against forge's handler calls per second, as ratios.
//!
//! ```text
//! cargo run -p invariant-harness --bin harness-bench -- [--actions 50000] [--forge-runs 16] [--forge-depth 128]
//! ```
//! The harness runs one machine at a time on one thread. Forge runs its invariant suites, whose
//! handler calls are the same user and admin actions; its per-test durations are summed, so
//! both figures are per core. Forge checks one invariant per call, the harness every invariant
//! and the model, so the comparison favours forge.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

use eyre::{WrapErr, bail, eyre};
use invariant_harness::{evm::transactions_executed, machines, run::RunConfig};

struct Args {
    actions: u64,
    forge_runs: u32,
    forge_depth: u32,
}

fn parse_args() -> eyre::Result<Args> {
    let mut args = Args { actions: 50_000, forge_runs: 16, forge_depth: 128 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| eyre!("{name} needs a value"));
        match flag.as_str() {
            "--actions" => args.actions = value("--actions")?.parse().wrap_err("--actions")?,
            "--forge-runs" => args.forge_runs = value("--forge-runs")?.parse().wrap_err("--forge-runs")?,
            "--forge-depth" => args.forge_depth = value("--forge-depth")?.parse().wrap_err("--forge-depth")?,
            "-h" | "--help" => {
                println!("harness-bench [--actions N] [--forge-runs R] [--forge-depth D]");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    Ok(args)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Harness actions/s and EVM transactions/s of `machine` over `actions` actions.
fn harness(machine: &str, actions: u64) -> eyre::Result<(f64, f64)> {
    let config = RunConfig { actions, max_steps: 128, seed: 1, progress_every: None, regressions: None, shrink: true };
    let before = transactions_executed();
    let started = Instant::now();
    let report = machines::run_named(machine, &config)?.map_err(|v| eyre!("{v}"))?;
    let secs = started.elapsed().as_secs_f64();
    Ok((report.actions as f64 / secs, (transactions_executed() - before) as f64 / secs))
}

/// Forge's handler calls per second of test-duration over the invariant suite `path`.
fn forge(path: &str, runs: u32, depth: u32) -> eyre::Result<f64> {
    let root = root();
    let forge = foundry_tools::foundry_binary(&root, "forge")?;
    let output = Command::new(&forge)
        .current_dir(&root)
        .args(["test", "--match-path", path, "--json"])
        .envs(foundry_tools::forge_env(&root))
        .env("FOUNDRY_INVARIANT_RUNS", runs.to_string())
        .env("FOUNDRY_INVARIANT_DEPTH", depth.to_string())
        .output()
        .wrap_err("running forge")?;
    if !output.status.success() {
        bail!("forge test {path} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).wrap_err("parsing forge --json")?;
    let (mut calls, mut secs) = (0u64, 0f64);
    for suite in json.as_object().into_iter().flat_map(|o| o.values()) {
        for test in suite["test_results"].as_object().into_iter().flat_map(|o| o.values()) {
            let Some(n) = test["kind"]["Invariant"]["calls"].as_u64() else { continue };
            calls += n;
            secs += parse_duration(test["duration"].as_str().unwrap_or_default())?;
        }
    }
    if calls == 0 || secs == 0.0 {
        bail!("forge ran no invariant calls for {path}");
    }
    Ok(calls as f64 / secs)
}

/// Forge's durations read like `5s 110ms 463µs 279ns`.
fn parse_duration(text: &str) -> eyre::Result<f64> {
    let mut secs = 0.0;
    for part in text.split_whitespace() {
        let split = part.find(|c: char| !c.is_ascii_digit() && c != '.').ok_or_else(|| eyre!("duration {text:?}"))?;
        let (number, unit) = part.split_at(split);
        let number: f64 = number.parse().wrap_err_with(|| format!("duration {text:?}"))?;
        secs += number
            * match unit {
                "h" => 3_600.0,
                "m" => 60.0,
                "s" => 1.0,
                "ms" => 1e-3,
                "µs" | "us" => 1e-6,
                "ns" => 1e-9,
                _ => bail!("unknown unit {unit:?} in duration {text:?}"),
            };
    }
    Ok(secs)
}

fn main() -> eyre::Result<()> {
    let args = parse_args()?;
    let suites = [
        ("collateral", "test/invariant/CollateralPoolInvariants.t.sol"),
        ("counterparty", "test/invariant/CounterpartyPoolInvariants.t.sol"),
    ];
    println!(
        "{:<14} {:>16} {:>18} {:>14} {:>17} {:>15}",
        "machine", "harness EVM/s", "harness actions/s", "forge calls/s", "EVM calls ratio", "actions ratio"
    );
    for (machine, suite) in suites {
        let (actions_per_sec, tx_per_sec) = harness(machine, args.actions)?;
        let forge_per_sec = forge(suite, args.forge_runs, args.forge_depth)?;
        println!(
            "{machine:<14} {tx_per_sec:>16.0} {actions_per_sec:>18.0} {forge_per_sec:>14.0} {:>16.1}x {:>14.1}x",
            tx_per_sec / forge_per_sec,
            actions_per_sec / forge_per_sec
        );
    }
    println!(
        "harness EVM/s counts every transaction (the action and the views that check it); an action is one \
         user or admin call with all its checks, like one forge handler call"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn reads_forge_durations() -> eyre::Result<()> {
        assert!((parse_duration("5s 110ms 463µs 279ns")? - 5.110_463_279).abs() < 1e-12);
        assert!((parse_duration("1m 2s")? - 62.0).abs() < 1e-12);
        assert!(parse_duration("3 parsecs").is_err());
        Ok(())
    }
}

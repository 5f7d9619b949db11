//! The local demo of the pools: [`run_lifecycle`], the narrated story of both pool kinds that
//! `pools demo` prints and the end-to-end test asserts, on a [`LocalChain`] (anvil + the forge
//! deployment of `config/anvil.toml` + a client for anvil's accounts; from
//! [`pools_sdk::local`], re-exported here).
//!
//! ```no_run
//! # async fn example() -> eyre::Result<()> {
//! let report = pools_demo::run_demo(&pools_sdk::repository_root(), &mut std::io::stdout()).await?;
//! assert!(report.carol_interest_paid > alloy::primitives::U256::ZERO);
//! # Ok(()) }
//! ```

mod lifecycle;
mod service;

pub use lifecycle::{Actor, Cast, Narration, Report, run_lifecycle};
pub use pools_sdk::local::{ANVIL_CHAIN_ID, ANVIL_CONFIG, Anvil, LocalChain};

use std::{path::Path, time::Instant};

use eyre::{Result, eyre};

/// `pools demo`: starts anvil, deploys, runs the lifecycle and stops anvil, also on error and
/// on Ctrl-C (the interrupted demo is dropped, and with it anvil).
pub async fn run_demo(root: &Path, out: Narration<'_>) -> Result<Report> {
    let started = Instant::now();
    writeln!(out, "Starting anvil and deploying config/anvil.toml with the forge script…")?;
    let demo = async {
        let chain = LocalChain::start(root).await?;
        writeln!(
            out,
            "anvil (pid {}) at {}; deployed in {:.1} s",
            chain.anvil.pid(),
            chain.anvil.url(),
            started.elapsed().as_secs_f64()
        )?;
        let cast = Cast::from_keys(chain.anvil.keys())?;
        let report = run_lifecycle(&chain.client, &cast, out).await?;
        service::show_api(chain.anvil.url(), out).await?;
        Ok::<_, eyre::Report>(report)
    };
    let report = tokio::select! {
        result = demo => result?,
        _ = tokio::signal::ctrl_c() => return Err(eyre!("interrupted: anvil stopped, deployments/31337.json put back")),
    };
    writeln!(out, "\nDemo finished in {:.1} s; anvil stopped.", started.elapsed().as_secs_f64())?;
    Ok(report)
}

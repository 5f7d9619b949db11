//! Deployment and upgrades go through the forge scripts (`script/Deploy.s.sol`,
//! `script/Upgrade.s.sol`): one implementation of how the system is deployed. This module runs
//! them with the key in the child's environment only and turns their refusals into words.

use std::path::{Path, PathBuf};

use eyre::{Result, WrapErr, bail, eyre};
use tokio::process::Command;

use crate::{Deployment, tools::foundry_binary};

/// A deployment to run.
#[derive(Clone, Debug)]
pub struct DeployRequest {
    /// The repository root (where `script/` and `config/` are).
    pub root: PathBuf,
    /// The node.
    pub rpc_url: String,
    /// `config/<chain>.toml`.
    pub config: PathBuf,
    /// Replace an existing deployment of the chain.
    pub force: bool,
    /// The deployer's key, `0x…` (handed to forge in its environment only).
    pub private_key: String,
}

/// What a simulated deployment (`forge script` without `--broadcast`) would cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeploySimulation {
    /// Forge's estimate of the gas of every transaction of the deployment.
    pub estimated_gas: u64,
}

/// Simulates `Deploy.s.sol` against the node without broadcasting (and without writing a
/// deployment file): every refusal of a real run shows up, with forge's gas estimate.
pub async fn simulate_deploy(request: &DeployRequest) -> Result<DeploySimulation> {
    let (command, _) = deploy_script(request).await?;
    let text = run_script(command, "deployment").await?;
    let estimated_gas = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Estimated total gas used for script:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| eyre!("forge printed no gas estimate for the simulated deployment"))?;
    Ok(DeploySimulation { estimated_gas })
}

/// Runs `Deploy.s.sol` and returns the deployment it wrote.
pub async fn deploy(request: &DeployRequest) -> Result<(PathBuf, Deployment)> {
    let (mut command, config) = deploy_script(request).await?;
    command.args(["--broadcast", "--slow"]);
    run_script(command, "deployment").await?;
    let chain_id = chain_id_of_config(&request.root.join(&config))?;
    let path = Deployment::default_path(&request.root, chain_id);
    let deployment = Deployment::load(&path)?;
    Ok((path, deployment))
}

/// `Deploy.s.sol` set up for `request` (config, force, commit), without `--broadcast`; also
/// returns the config's path relative to the root.
async fn deploy_script(request: &DeployRequest) -> Result<(Command, PathBuf)> {
    let config = relative_to(&request.root, &request.config);
    if !request.root.join(&config).is_file() {
        bail!("no deployment config at {}", request.config.display());
    }
    let mut command =
        forge_script(&request.root, "script/Deploy.s.sol:Deploy", &request.rpc_url, &request.private_key)?;
    command
        .env("POOLS_CONFIG", &config)
        .env("POOLS_FORCE", if request.force { "true" } else { "false" })
        .env("POOLS_COMMIT", git_commit(&request.root).await);
    Ok((command, config))
}

/// Runs `Upgrade.s.sol` for `which` (`collateral`, `counterparty` or `admin-counterparty`).
/// The caller checks the storage layout first (`storage_layout::check_upgrade`).
pub async fn upgrade(root: &Path, rpc_url: &str, which: &str, private_key: &str) -> Result<()> {
    if !["collateral", "counterparty", "admin-counterparty"].contains(&which) {
        bail!("unknown contract `{which}`: use collateral, counterparty or admin-counterparty");
    }
    let mut command = forge_script(root, "script/Upgrade.s.sol:Upgrade", rpc_url, private_key)?;
    command.arg("--broadcast").env("POOLS_UPGRADE", which).env("POOLS_LAYOUT_CHECKED", "true");
    run_script(command, "upgrade").await.map(|_| ())
}

/// `forge script <target> --rpc-url <url>` (callers add `--broadcast` to send), from the root,
/// offline, with the project's solc and the key in the environment.
fn forge_script(root: &Path, target: &str, rpc_url: &str, private_key: &str) -> Result<Command> {
    let mut command = Command::new(foundry_binary(root, "forge")?);
    command
        .current_dir(root)
        .args(["script", target, "--rpc-url", rpc_url])
        .envs(foundry_tools::forge_env(root))
        .env("DEPLOYER_PRIVATE_KEY", private_key)
        .kill_on_drop(true);
    Ok(command)
}

/// Runs a forge script; returns its output, or its refusal in words.
async fn run_script(mut command: Command, what: &str) -> Result<String> {
    tracing::info!(?command, "running forge script");
    let output = command.output().await.wrap_err("cannot run forge")?;
    let text = format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    tracing::debug!(%text, "forge output");
    if output.status.success() {
        return Ok(text);
    }
    if let Some(reason) = script_refusal(&text) {
        bail!("{what} refused: {reason}");
    }
    let tail: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = tail[tail.len().saturating_sub(15)..].join("\n");
    Err(eyre!("{what} failed (forge script exited with {}):\n{tail}", output.status))
}

/// The scripts' refusals (`WrongChain`, `AlreadyDeployed`, `ConfigInvalid`) in words.
pub fn script_refusal(output: &str) -> Option<String> {
    let arguments = |name: &str| -> Option<String> {
        let start = output.find(&format!("{name}("))? + name.len() + 1;
        let end = output[start..].find(')')? + start;
        // forge annotates numbers (`31337 [3.133e4]`): keep the plain values.
        let args = output[start..end].split(',').map(|a| a.split(" [").next().unwrap_or(a).trim()).collect::<Vec<_>>();
        Some(args.join(", "))
    };
    if let Some(args) = arguments("WrongChain") {
        let mut parts = args.split(',').map(str::trim);
        let (expected, actual) = (parts.next().unwrap_or("?"), parts.next().unwrap_or("?"));
        return Some(format!("the config is for chain {expected} but the node is chain {actual} (WrongChain)"));
    }
    if let Some(args) = arguments("AlreadyDeployed") {
        let mut parts = args.splitn(2, ',').map(str::trim);
        let (chain, path) = (parts.next().unwrap_or("?"), parts.next().unwrap_or("?").trim_matches('"'));
        return Some(format!(
            "chain {chain} already has a deployment ({path}); pass --force to deploy again (AlreadyDeployed)"
        ));
    }
    if let Some(args) = arguments("ConfigInvalid") {
        return Some(format!("the config is invalid: {} (ConfigInvalid)", args.trim_matches('"')));
    }
    None
}

/// `chain_id` of a deployment config.
pub fn chain_id_of_config(config: &Path) -> Result<u64> {
    let text = std::fs::read_to_string(config).wrap_err_with(|| format!("reading {}", config.display()))?;
    let table: toml::Table = text.parse().wrap_err_with(|| format!("{} is not TOML", config.display()))?;
    let find = |t: &toml::Table| t.get("chain_id").and_then(toml::Value::as_integer);
    let id = find(&table)
        .or_else(|| table.values().filter_map(toml::Value::as_table).find_map(find))
        .ok_or_else(|| eyre!("{} has no chain_id", config.display()))?;
    u64::try_from(id).map_err(|_| eyre!("{}: chain_id {id} is negative", config.display()))
}

fn relative_to(root: &Path, path: &Path) -> PathBuf {
    let absolute =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let absolute = absolute.canonicalize().unwrap_or(absolute);
    absolute.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(absolute)
}

async fn git_commit(root: &Path) -> String {
    let output = Command::new("git").current_dir(root).args(["rev-parse", "HEAD"]).output().await;
    match output {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        _ => "unknown".into(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn refusals_in_words() {
        let text = "Error: script failed: AlreadyDeployed(31337 [3.133e4], \"deployments/31337.json\")";
        let words = script_refusal(text).unwrap_or_default();
        assert!(words.starts_with("chain 31337 already has a deployment (deployments/31337.json)"), "{words}");
        let words = script_refusal("revert: WrongChain(1, 31337)").unwrap_or_default();
        assert!(words.starts_with("the config is for chain 1 but the node is chain 31337"), "{words}");
        assert_eq!(script_refusal("Error: something else"), None);
    }
}

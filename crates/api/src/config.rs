//! `pools serve`'s configuration: a TOML file (`config/serve.toml` is the local one), every
//! field overridable on the command line, the JWT secret only from the environment so it never
//! sits in a file or a process listing.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use alloy::primitives::Address;
use eyre::{Result, WrapErr, bail};
use serde::Deserialize;

/// The environment variable holding the JWT secret (at least 32 bytes).
pub const JWT_SECRET_ENV: &str = "POOLS_JWT_SECRET";

/// One chain the service follows and serves.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChainEntry {
    /// Its node.
    pub rpc_url: String,
    /// Its deployment file (`deployments/<chainId>.json` when absent).
    pub deployment: Option<PathBuf>,
    /// Blocks behind the head the indexer leaves unread.
    #[serde(default)]
    pub confirmations: u64,
}

/// The service's settings.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Address to listen on.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// `sqlite://FILE` (default `sqlite://pools.db`) or `postgres://…`.
    #[serde(default = "default_database")]
    pub database: String,
    /// Directory of the embedded IPFS block store.
    #[serde(default = "default_ipfs_dir")]
    pub ipfs_dir: PathBuf,
    /// A Kubo node's RPC URL to pin uploads on (optional).
    #[serde(default)]
    pub kubo_url: Option<String>,
    /// The EIP-4361 domain sign-in messages must name (defaults to the listen address).
    #[serde(default)]
    pub domain: Option<String>,
    /// Addresses with the admin role, besides each deployment's admin.
    #[serde(default)]
    pub admins: Vec<Address>,
    /// Seconds a request may take.
    #[serde(default = "default_timeout")]
    pub request_timeout_secs: u64,
    /// Largest request body, bytes.
    #[serde(default = "default_body")]
    pub max_body_bytes: usize,
    /// Requests served at once; more wait.
    #[serde(default = "default_concurrency")]
    pub max_concurrent_requests: usize,
    /// Seconds between the indexer's polls of each chain.
    #[serde(default = "default_poll")]
    pub poll_secs: f64,
    /// The chains.
    #[serde(default)]
    pub chains: Vec<ChainEntry>,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}
fn default_database() -> String {
    pools_indexer::store::DEFAULT_SQLITE.into()
}
fn default_ipfs_dir() -> PathBuf {
    PathBuf::from("ipfs-blocks")
}
fn default_timeout() -> u64 {
    30
}
fn default_body() -> usize {
    // A 1.5 MB file in base64 and its JSON wrapper.
    2 * 1024 * 1024
}
fn default_concurrency() -> usize {
    256
}
fn default_poll() -> f64 {
    1.0
}

impl ServeConfig {
    /// Reads a TOML file.
    pub fn load(path: &std::path::Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).wrap_err_with(|| format!("reading {}", path.display()))?;
        let config: Self = toml::from_str(&text).wrap_err_with(|| format!("parsing {}", path.display()))?;
        config.check()?;
        Ok(config)
    }

    /// Refuses settings the service cannot run with.
    pub fn check(&self) -> Result<()> {
        if self.chains.is_empty() {
            bail!("no chain configured: add a [[chains]] entry with rpc_url (and deployment)");
        }
        if self.request_timeout_secs == 0 || self.max_body_bytes == 0 || self.max_concurrent_requests == 0 {
            bail!("request_timeout_secs, max_body_bytes and max_concurrent_requests must be positive");
        }
        if !(self.poll_secs > 0.0 && self.poll_secs.is_finite()) {
            bail!("poll_secs must be a positive number of seconds, not {}", self.poll_secs);
        }
        Ok(())
    }

    /// The request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// The sign-in domain.
    pub fn domain(&self) -> String {
        self.domain.clone().unwrap_or_else(|| self.listen.to_string())
    }
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            database: default_database(),
            ipfs_dir: default_ipfs_dir(),
            kubo_url: None,
            domain: None,
            admins: Vec::new(),
            request_timeout_secs: default_timeout(),
            max_body_bytes: default_body(),
            max_concurrent_requests: default_concurrency(),
            poll_secs: default_poll(),
            chains: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_file_and_refuses_typos() -> Result<()> {
        let config: ServeConfig = toml::from_str(
            r#"
            listen = "127.0.0.1:9000"
            database = "postgres://pools@db/pools"
            [[chains]]
            rpc_url = "http://127.0.0.1:8545"
            deployment = "deployments/31337.json"
            confirmations = 2
            "#,
        )?;
        config.check()?;
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.chains[0].confirmations, 2);
        assert_eq!(config.domain(), "127.0.0.1:9000");
        assert!(toml::from_str::<ServeConfig>("lisen = \"127.0.0.1:1\"").is_err());
        assert!(ServeConfig::default().check().is_err(), "no chain must be refused");
        Ok(())
    }

    #[test]
    fn the_committed_local_config_loads() -> Result<()> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/serve.toml");
        let config = ServeConfig::load(&path)?;
        assert_eq!(config.chains[0].rpc_url, "http://127.0.0.1:8545");
        assert_eq!(config.domain(), "localhost:8080");
        Ok(())
    }
}

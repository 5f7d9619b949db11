//! A local anvil that cannot outlive the demo: killed on drop (every return, error and Ctrl-C
//! path of the demo ends in a drop), and started under `setpriv --pdeathsig KILL` where that
//! exists, so the kernel kills it when the process that started it dies, even by SIGKILL.
//!
//! Choices (docs/decisions.md): PDEATHSIG through util-linux `setpriv` rather than `prctl` in
//! `pre_exec`, which would need `unsafe` (the workspace forbids it); anvil gets its own process
//! group so a terminal Ctrl-C reaches only the demo, which then stops anvil itself and says so.
//! The death signal follows the *thread* that spawned anvil: `Anvil::start` runs on the caller's
//! thread (the main thread for the CLI, the test's thread in tests), never on a blocking pool.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    os::unix::process::CommandExt,
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use crate::foundry_binary;
use alloy::signers::local::PrivateKeySigner;
use eyre::{Result, WrapErr, bail, eyre};

/// A running anvil, killed when dropped.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    url: String,
    keys: Vec<PrivateKeySigner>,
}

impl Anvil {
    /// Starts anvil from node_modules on a free local port and waits until it listens.
    pub fn start(root: &Path) -> Result<Self> {
        Self::start_with(root, &[])
    }

    /// [`Anvil::start`] with more command-line arguments (`["--hardfork", "berlin"]` for a
    /// chain without a base fee).
    pub fn start_with(root: &Path, extra_args: &[&str]) -> Result<Self> {
        let binary = foundry_binary(root, "anvil")?;
        let port = free_port()?;
        let mut command = if Path::new("/usr/bin/setpriv").is_file() {
            let mut c = Command::new("/usr/bin/setpriv");
            c.args(["--pdeathsig", "KILL", "--"]).arg(&binary);
            c
        } else {
            Command::new(&binary)
        };
        command
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--accounts", "10"])
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0);
        let mut child = command.spawn().wrap_err_with(|| format!("cannot start {}", binary.display()))?;
        let stdout = child.stdout.take().ok_or_else(|| eyre!("anvil has no stdout"))?;
        // Reads the printed keys until anvil says it listens, then keeps draining its log so a
        // full pipe never blocks it; the thread ends when anvil does.
        let (ready, startup) = mpsc::channel();
        std::thread::spawn(move || {
            let mut keys = Vec::new();
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(std::result::Result::ok) {
                if sent {
                    continue;
                }
                let line = line.trim();
                if let Some(key) = line.strip_prefix('(').and_then(|l| l.split_once(") 0x")).map(|(_, k)| k)
                    && key.len() == 64
                {
                    keys.push(key.to_owned());
                }
                if line.starts_with("Listening on") {
                    let _ = ready.send(std::mem::take(&mut keys));
                    sent = true;
                }
            }
        });
        let mut anvil = Self { child, url: format!("http://127.0.0.1:{port}"), keys: Vec::new() };
        let keys = match startup.recv_timeout(Duration::from_secs(20)) {
            Ok(keys) => keys,
            Err(_) => {
                let status = anvil.child.try_wait().ok().flatten();
                bail!("anvil did not start on port {port} within 20 s (exit status {status:?})");
            }
        };
        anvil.keys = keys.iter().filter_map(|k| k.parse().ok()).collect();
        if anvil.keys.len() < 8 {
            bail!("anvil printed {} private keys, expected 10", anvil.keys.len());
        }
        tracing::info!(url = %anvil.url, pid = anvil.child.id(), "anvil started");
        Ok(anvil)
    }

    /// Its RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its funded accounts' keys, account 0 first.
    pub fn keys(&self) -> &[PrivateKeySigner] {
        &self.keys
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        tracing::info!("anvil stopped");
    }
}

/// A port the OS says is free now (bound to port 0 and released).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").wrap_err("no free local port")?;
    Ok(listener.local_addr()?.port())
}

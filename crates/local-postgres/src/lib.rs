//! A throw-away PostgreSQL server: the backend's tests run every database test on SQLite and on
//! PostgreSQL, and nothing but Debian's `postgresql` package (installed by
//! `tools/system-packages.sh`) may be assumed. [`LocalPostgres::start`] runs `initdb` in a
//! temporary directory (trust authentication, no fsync: the data is thrown away) and starts the
//! server on a free loopback port; dropping it stops the server and removes the directory.
//!
//! Choices: a cluster per test rather than one per process, because a Rust test binary has no
//! hook at exit to stop a shared server, and `initdb` takes about 0.6 s; `setpriv --pdeathsig`
//! (as for anvil) so a test killed by a signal does not leave a server behind. PostgreSQL
//! refuses to run as root, so as root the cluster runs as the `postgres` system user the
//! package creates.
//!
//! ```no_run
//! # fn example() -> eyre::Result<()> {
//! let postgres = local_postgres::LocalPostgres::start()?;
//! println!("connect to {}", postgres.url());
//! # Ok(()) }
//! ```

use std::{
    fs,
    io::Read,
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use eyre::{Result, WrapErr, bail, eyre};

/// A running private PostgreSQL server, stopped (and its data removed) when dropped.
#[derive(Debug)]
pub struct LocalPostgres {
    child: Child,
    url: String,
    // Held for its Drop, which removes the cluster's files.
    _dir: tempfile::TempDir,
}

impl LocalPostgres {
    /// Creates a cluster in a temporary directory and starts it on a free loopback port.
    pub fn start() -> Result<Self> {
        let bin = binaries()?;
        let dir =
            tempfile::Builder::new().prefix("pools-postgres-").tempdir().wrap_err("creating a temporary directory")?;
        let as_user = run_as()?;
        if let Some((uid, gid)) = as_user.ids {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .wrap_err("handing the cluster directory to postgres")?;
        }
        let data = dir.path().join("data");
        let output = as_user
            .command(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-sync", "--no-instructions"])
            .output()
            .wrap_err("running initdb")?;
        if !output.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr).trim());
        }
        let port = free_port()?;
        let log = fs::File::create(dir.path().join("server.log")).wrap_err("creating the server log")?;
        let child = as_user
            .command(&bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir.path())
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=200"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .wrap_err("starting postgres")?;
        let mut server = Self { child, url: format!("postgres://postgres@127.0.0.1:{port}/postgres"), _dir: dir };
        server.wait_ready(port)?;
        tracing::info!(url = %server.url, "postgres started");
        Ok(server)
    }

    /// The connection URL of the `postgres` database as the `postgres` superuser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL of another database of this server (create it first).
    pub fn url_of(&self, database: &str) -> String {
        match self.url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{database}"),
            None => self.url.clone(),
        }
    }

    fn wait_ready(&mut self, port: u16) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        // Accepting TCP is not yet accepting sessions; the log line is the documented signal.
        let log = self._dir.path().join("server.log");
        loop {
            let ready = TcpStream::connect(("127.0.0.1", port)).is_ok()
                && fs::read_to_string(&log).is_ok_and(|l| l.contains("ready to accept connections"));
            if ready {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                let mut text = String::new();
                fs::File::open(&log).and_then(|mut f| f.read_to_string(&mut text)).ok();
                bail!("postgres exited ({status}) before accepting connections: {}", text.trim());
            }
            if Instant::now() > deadline {
                bail!("postgres did not accept connections on port {port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for LocalPostgres {
    fn drop(&mut self) {
        // SIGKILL of the postmaster makes its backends exit on their own (postmaster death).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The newest installed server's binaries.
fn binaries() -> Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| eyre!("PostgreSQL is not installed: run tools/system-packages.sh (Debian's postgresql)"))?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| eyre!("no PostgreSQL server under /usr/lib/postgresql: run tools/system-packages.sh"))
}

/// Who the server runs as: this user, or `postgres` when this is root.
struct RunAs {
    ids: Option<(u32, u32)>,
}

impl RunAs {
    fn command(&self, program: &Path) -> Command {
        let setpriv = Path::new("/usr/bin/setpriv");
        if !setpriv.is_file() {
            return Command::new(program);
        }
        let mut command = Command::new(setpriv);
        if let Some((uid, gid)) = self.ids {
            command.args([format!("--reuid={uid}"), format!("--regid={gid}"), "--init-groups".into()]);
        }
        command.args(["--pdeathsig", "KILL", "--"]).arg(program);
        command
    }
}

fn run_as() -> Result<RunAs> {
    let uid = Command::new("id").arg("-u").output().wrap_err("running id -u")?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Ok(RunAs { ids: None });
    }
    let id = |flag: &str| -> Result<u32> {
        let out = Command::new("id").args([flag, "postgres"]).output().wrap_err("running id postgres")?;
        if !out.status.success() {
            bail!(
                "running as root needs the `postgres` user of Debian's postgresql package: run tools/system-packages.sh"
            );
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().wrap_err("reading the postgres user's id")
    };
    Ok(RunAs { ids: Some((id("-u")?, id("-g")?)) })
}

/// A port the OS says is free now (bound to port 0 and released).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").wrap_err("no free local port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_accepts_and_stops() -> Result<()> {
        let server = LocalPostgres::start()?;
        let port: u16 = server
            .url()
            .rsplit(':')
            .next()
            .and_then(|p| p.split('/').next())
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| eyre!("no port in {}", server.url()))?;
        let dir = server._dir.path().to_owned();
        assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
        assert_eq!(server.url_of("pools"), format!("postgres://postgres@127.0.0.1:{port}/pools"));
        drop(server);
        assert!(!dir.exists(), "the cluster directory outlived the server");
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the server outlived its guard");
        Ok(())
    }
}

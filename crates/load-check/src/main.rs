//! `make load-check`: requests/s and latency percentiles of the main read routes, loopback only
//! and bounded in time, against a database holding the demo lifecycle 1,000 times.
//!
//! How the database is filled: the lifecycle runs once on anvil and is indexed; its rows (events,
//! pools, positions, commits, snapshots) are then copied 999 more times under fresh pool ids and
//! transaction hashes, as 1,000 lifecycles on one chain would leave them. Re-running the
//! lifecycle's transactions 1,000 times would take most of an hour on anvil and measure the
//! indexer, not the API.

use std::time::{Duration, Instant};

use clap::Parser;
use eyre::{Result, WrapErr, ensure};
use pools_api::{ServeConfig, Server, config::ChainEntry};
use pools_demo::{Cast, LocalChain, run_lifecycle};
use serde_json::{Value, json};

/// Load check of the API's main read routes.
#[derive(Debug, Parser)]
struct Args {
    /// Lifecycles the database holds.
    #[arg(long, default_value_t = 1_000)]
    lifecycles: u64,
    /// Seconds of load per route.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Database (default: a fresh SQLite file in a temporary directory).
    #[arg(long)]
    database: Option<String>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    ensure!(args.lifecycles >= 1 && args.seconds >= 1 && args.concurrency >= 1, "every bound must be at least 1");
    ensure!(
        args.seconds <= 60 && args.concurrency <= 256,
        "the load check is bounded: at most 60 s per route and 256 clients"
    );
    let root = pools_sdk::repository_root();
    let dir = tempfile::tempdir()?;
    let database =
        args.database.clone().unwrap_or_else(|| format!("sqlite://{}", dir.path().join("load.db").display()));

    println!("load-check: anvil, deployment and one demo lifecycle…");
    let chain = LocalChain::start(&root).await?;
    let cast = Cast::from_keys(chain.anvil.keys())?;
    run_lifecycle(&chain.client, &cast, &mut std::io::sink()).await?;
    let config = ServeConfig {
        listen: "127.0.0.1:0".parse()?,
        database: database.clone(),
        ipfs_dir: dir.path().join("ipfs"),
        poll_secs: 0.5,
        max_concurrent_requests: 1_024,
        chains: vec![ChainEntry { rpc_url: chain.anvil.url().to_owned(), deployment: None, confirmations: 0 }],
        ..Default::default()
    };
    let server = Server::start(config, &root, b"load-check secret, thirty-two bytes or more".to_vec()).await?;
    let http = reqwest::Client::new();
    let url = server.url();
    server.wait_indexed(Duration::from_secs(120)).await?;

    let started = Instant::now();
    let copies = replicate(server.state.store.pool(), args.lifecycles).await?;
    println!(
        "load-check: database {database}: {copies} lifecycles of rows ({:.1} s to copy)",
        started.elapsed().as_secs_f64()
    );
    let counts = counts(server.state.store.pool()).await?;
    println!("load-check: rows: {counts}");

    let alice = format!("{:#x}", cast.alice.address);
    let today = chrono_day(chain.client.now().await?);
    let year_ago = chrono_day(chain.client.now().await?.saturating_sub(365 * 86_400));
    let routes: Vec<(&str, Value)> = vec![
        ("/v2/get-pools", json!({ "page": { "offset": 500, "limit": 20 } })),
        ("/v2/get-total-collateral-locked", json!({})),
        (
            "/v2/get-historical-balance",
            json!({ "from": year_ago, "to": today, "page": { "offset": 265, "limit": 100 } }),
        ),
        ("/v2/get-positions", json!({ "user": alice, "page": { "limit": 20 } })),
        ("/v1/pools/get-pools", json!({ "page": { "offset": 500, "limit": 20 } })),
        ("/v1/pools/get-pool", json!({ "poolId": 0 })),
        ("/v1/pools/get-total-pools", json!({})),
        ("/v1/events", json!({ "page": { "limit": 20 } })),
    ];
    println!(
        "\nload-check: {} clients per route, {} s each, loopback {}\n{:<36} {:>9} {:>10} {:>9} {:>9} {:>9} {:>7}",
        args.concurrency, args.seconds, url, "route", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    for (route, body) in routes {
        let r =
            load(&http, &format!("{url}{route}"), &body, args.concurrency, Duration::from_secs(args.seconds)).await?;
        println!(
            "{route:<36} {:>9} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>7}",
            r.latencies.len(),
            r.latencies.len() as f64 / r.elapsed.as_secs_f64(),
            r.percentile(0.50),
            r.percentile(0.99),
            r.percentile(1.0),
            r.errors
        );
    }
    server.stop().await;
    Ok(())
}

/// `YYYY-MM-DD` of a unix time (UTC).
fn chrono_day(unix: u64) -> String {
    chrono::DateTime::from_timestamp(unix as i64, 0).map(|t| t.date_naive().to_string()).unwrap_or_default()
}

/// Copies the indexed lifecycle `lifecycles - 1` more times under pool ids shifted by the
/// lifecycle's pool count and transaction hashes suffixed with the copy number.
async fn replicate(pool: &sqlx::AnyPool, lifecycles: u64) -> Result<u64> {
    let span: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(m), 0) + 1 FROM (SELECT MAX(pool_id) AS m FROM collateral_pools UNION ALL SELECT MAX(pool_id) FROM counterparty_pools) t",
    )
    .fetch_one(pool)
    .await?;
    let statements = [
        "INSERT INTO events SELECT chain_id, tx_hash || '-' || $1, log_index, block_number, block_hash, block_timestamp, contract, kind,
         name, signature, pool_id + $2, account, topics, data, decoded FROM events WHERE tx_hash NOT LIKE '%-%'",
        "INSERT INTO collateral_pools SELECT chain_id, contract, pool_id + $1, collateral_token, price_feed, sequencer_feed, max_capacity,
         min_lended, min_borrow, collateral_factor, ltv_bps, interest_bps, end_time, lended, claimed, borrowed, repaid, rewards,
         claimed_rewards, collateral_amount, available_usdc, collateral_held, created_block, updated_block FROM collateral_pools WHERE pool_id < $2",
        "INSERT INTO lend_positions SELECT chain_id, contract, pool_id + $1, account, lend_id, starting_amount, amount,
         reward_per_token_ignored, updated_block FROM lend_positions WHERE pool_id < $2",
        "INSERT INTO borrow_positions SELECT chain_id, contract, pool_id + $1, account, borrow_id, starting_amount, amount,
         collateral_amount, borrow_time, interest_bps, updated_block FROM borrow_positions WHERE pool_id < $2",
        "INSERT INTO counterparty_pools SELECT chain_id, contract, kind, pool_id + $1, owner, soft_cap, hard_cap, committed, rewards,
         paid_out, created_at, deadline, closed_at, minimum_apr, status, repayment_date, defaulted, collectable, closable,
         archivable, actions_checked_at, updated_block FROM counterparty_pools WHERE pool_id < $2",
        "INSERT INTO commits SELECT chain_id, contract, pool_id + $1, account, amount, claimed, updated_block FROM commits WHERE pool_id < $2",
        "INSERT INTO daily_snapshots SELECT chain_id, contract, pool_id + $1, day, supplied, borrowed, available, block_number
         FROM daily_snapshots WHERE pool_id < $2",
    ];
    for copy in 1..lifecycles {
        let mut tx = pool.begin().await?;
        for (i, sql) in statements.into_iter().enumerate() {
            let shift = copy as i64 * span;
            // The events statement renames transactions ($1) and shifts pools ($2); the others
            // shift the base lifecycle's pools ($1 below $2).
            let query = if i == 0 {
                sqlx::query(sql).bind(copy.to_string()).bind(shift)
            } else {
                sqlx::query(sql).bind(shift).bind(span)
            };
            query.execute(&mut *tx).await.wrap_err_with(|| format!("copy {copy}"))?;
        }
        tx.commit().await?;
        if copy % 100 == 0 {
            println!("load-check: {copy} copies…");
        }
    }
    Ok(lifecycles)
}

async fn counts(pool: &sqlx::AnyPool) -> Result<String> {
    let mut parts = Vec::new();
    for table in [
        "events",
        "collateral_pools",
        "lend_positions",
        "borrow_positions",
        "counterparty_pools",
        "commits",
        "daily_snapshots",
    ] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(pool).await?;
        parts.push(format!("{table} {n}"));
    }
    Ok(parts.join(", "))
}

struct Measured {
    latencies: Vec<Duration>,
    errors: u64,
    elapsed: Duration,
}

impl Measured {
    /// Milliseconds at quantile `q` (nearest rank).
    fn percentile(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((q * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1].as_secs_f64() * 1_000.0
    }
}

/// `concurrency` clients posting `body` to `url` back to back for `duration`.
async fn load(
    http: &reqwest::Client,
    url: &str,
    body: &Value,
    concurrency: usize,
    duration: Duration,
) -> Result<Measured> {
    // A first request checks the route answers 200 before measuring it.
    let first = http.post(url).json(body).send().await?;
    ensure!(
        first.status().is_success(),
        "{url} answered {}: {}",
        first.status(),
        first.text().await.unwrap_or_default()
    );
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (http, url, body) = (http.clone(), url.to_owned(), body.clone());
        workers.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            while started.elapsed() < duration {
                let t = Instant::now();
                match http.post(&url).json(&body).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut measured = Measured { latencies: Vec::new(), errors: 0, elapsed: Duration::ZERO };
    for worker in workers {
        let (latencies, errors) = worker.await?;
        measured.latencies.extend(latencies);
        measured.errors += errors;
    }
    measured.elapsed = started.elapsed();
    measured.latencies.sort();
    Ok(measured)
}

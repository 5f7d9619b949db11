//! The demo's last act: `pools serve` beside anvil indexes the lifecycle, and a few answers of
//! its API are printed (pool statistics, a calculator, a counterparty pool's status).

use std::time::{Duration, Instant};

use eyre::{Result, WrapErr, eyre};
use pools_api::{ServeConfig, Server, config::ChainEntry};
use serde_json::{Value, json};

use crate::Narration;

/// Starts the service on the demo's chain (SQLite in a temporary directory), waits until it
/// indexed the lifecycle, prints a few answers and stops it.
pub async fn show_api(rpc_url: &str, out: Narration<'_>) -> Result<()> {
    let root = pools_sdk::repository_root();
    let dir = tempfile::tempdir()?;
    let config = ServeConfig {
        listen: "127.0.0.1:0".parse()?,
        database: format!("sqlite://{}", dir.path().join("demo.db").display()),
        ipfs_dir: dir.path().join("ipfs"),
        poll_secs: 0.2,
        chains: vec![ChainEntry { rpc_url: rpc_url.to_owned(), deployment: None, confirmations: 0 }],
        ..Default::default()
    };
    // A throw-away secret: the demo signs nobody in.
    let secret = alloy::primitives::keccak256(rpc_url.as_bytes()).to_vec();
    let server = Server::start(config, &root, secret).await?;
    let url = server.url();
    writeln!(out, "\n== The backend: pools serve at {url} (REST), {url}/graphql (GraphQL) ==")?;
    let started = Instant::now();
    let http = reqwest::Client::new();
    server.wait_indexed(Duration::from_secs(60)).await?;
    let config: Value = http.get(format!("{url}/get-config")).send().await?.json().await?;
    let events: Value = post(&http, &url, "/v1/events", json!({ "page": { "limit": 1 } })).await?;
    writeln!(
        out,
        "indexed blocks {}..={} in {:.1} s; latest event: {} in block {}",
        config["chains"][0]["deploymentBlock"],
        config["chains"][0]["indexedBlock"],
        started.elapsed().as_secs_f64(),
        events["data"][0]["name"].as_str().unwrap_or("-"),
        events["data"][0]["blockNumber"]
    )?;

    let pools = post(&http, &url, "/v2/get-pools", json!({})).await?;
    writeln!(out, "POST /v2/get-pools (pool statistics):")?;
    for p in pools["data"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "  pool {} ({}): supplied {} USDC, borrowed {} USDC, available {} USDC, collateral held {} {}",
            p["poolId"],
            p["collateral"]["symbol"].as_str().unwrap_or("?"),
            p["supplied"]["formatted"].as_str().unwrap_or("?"),
            p["borrowed"]["formatted"].as_str().unwrap_or("?"),
            p["available"]["formatted"].as_str().unwrap_or("?"),
            p["collateralHeld"]["formatted"].as_str().unwrap_or("?"),
            p["collateral"]["symbol"].as_str().unwrap_or("?"),
        )?;
    }
    let locked = post(&http, &url, "/v2/get-total-collateral-locked", json!({})).await?;
    writeln!(
        out,
        "POST /v2/get-total-collateral-locked: ${} across the pools",
        locked["usdValue"]["formatted"].as_str().unwrap_or("?")
    )?;
    let needed = post(
        &http,
        &url,
        "/v2/borrows/collateral-token-amount/calculate",
        json!({ "poolId": 0, "amount": "1000000000" }),
    )
    .await?;
    writeln!(
        out,
        "POST /v2/borrows/collateral-token-amount/calculate: borrowing 1,000 USDC from pool 0 needs {} WETH now",
        needed["collateral"]["formatted"].as_str().unwrap_or("?")
    )?;
    let pool = post(&http, &url, "/v1/pools/get-pool", json!({ "poolId": 0 })).await?;
    writeln!(
        out,
        "POST /v1/pools/get-pool: counterparty pool 0 is {} (committed {} USDC; collectable {}, closable {}, archivable {})",
        pool["status"].as_str().unwrap_or("?"),
        pool["committed"]["formatted"].as_str().unwrap_or("?"),
        pool["collectable"],
        pool["closable"],
        pool["archivable"]
    )?;
    server.stop().await;
    writeln!(out, "the service stopped.")?;
    Ok(())
}

async fn post(http: &reqwest::Client, url: &str, route: &str, body: Value) -> Result<Value> {
    let response =
        http.post(format!("{url}{route}")).json(&body).send().await.wrap_err_with(|| format!("POST {route}"))?;
    let status = response.status();
    let answer: Value = response.json().await?;
    if !status.is_success() {
        return Err(eyre!("POST {route}: {status} {answer}"));
    }
    Ok(answer)
}

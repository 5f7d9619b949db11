//! The indexer against the demo lifecycle on anvil, into SQLite and PostgreSQL side by side:
//! every log recorded once, the tables equal to what the contracts say, the two databases
//! identical, a restart resuming where it stopped, a full re-run changing nothing, and a reorg
//! (anvil snapshot/revert) undone and replaced.

use std::collections::BTreeMap;

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
    rpc::types::Filter,
};
use eyre::{Result, WrapErr, bail, ensure, eyre};
use local_postgres::LocalPostgres;
use pools_demo::{Cast, LocalChain, run_lifecycle};
use pools_indexer::{ChainConfig, Follower, Indexer, Kind, Step, Store};
use pools_sdk::{Client, Variant};
use sqlx::{Column, Row};

/// The tables the indexer writes, each ordered by its key.
const TABLES: [(&str, &str); 11] = [
    ("cursors", "chain_id, contract"),
    ("contracts", "chain_id, contract"),
    ("tokens", "chain_id, token"),
    ("events", "chain_id, block_number, log_index"),
    ("collateral_pools", "chain_id, contract, pool_id"),
    ("lend_positions", "chain_id, contract, pool_id, account, lend_id"),
    ("borrow_positions", "chain_id, contract, pool_id, account, borrow_id"),
    ("counterparty_pools", "chain_id, contract, pool_id"),
    ("commits", "chain_id, contract, pool_id, account"),
    ("daily_snapshots", "chain_id, contract, pool_id, day"),
    ("token_prices", "chain_id, token, block_number"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexes_the_lifecycle_on_sqlite_and_postgres_through_restart_and_reorg() -> Result<()> {
    let root = pools_sdk::repository_root();
    let chain = LocalChain::start(&root).await?;
    let cast = Cast::from_keys(chain.anvil.keys())?;
    run_lifecycle(&chain.client, &cast, &mut std::io::sink()).await?;
    let config =
        ChainConfig { batch_blocks: 7, ..ChainConfig::from_deployment(chain.anvil.url(), chain.client.deployment()) };

    let postgres = LocalPostgres::start()?;
    let dir = tempfile::tempdir()?;
    let urls = [format!("sqlite://{}", dir.path().join("pools.db").display()), postgres.url().to_owned()];

    // 1. The whole lifecycle, in small batches (7 blocks) so batching is exercised.
    for url in &urls {
        let followers = followers(url, &config).await?;
        for f in &followers {
            f.catch_up().await?;
            f.refresh_statuses().await?;
        }
        let store = Store::connect(url).await?;
        check_against_chain(&store, &chain.client, &cast, &config).await.wrap_err_with(|| format!("on {url}"))?;
    }
    let sqlite = Store::connect(&urls[0]).await?;
    let pg = Store::connect(&urls[1]).await?;
    let dump = dump(&sqlite).await?;
    ensure!(dump == self::dump(&pg).await?, "SQLite and PostgreSQL hold different rows");
    let names: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT name FROM events ORDER BY name").fetch_all(sqlite.pool()).await?;
    for expected in [
        "newLend",
        "newBorrow",
        "Repaid",
        "UserPositionLiquidated",
        "PoolCreated",
        "CommittedToPool",
        "PoolCollected",
        "RewardsDeposited",
        "RewardsClaimed",
        "Initialized",
        "RoleGranted",
    ] {
        ensure!(names.iter().any(|n| n == expected), "no {expected} event indexed (got {names:?})");
    }

    // 2. Restart: new connections resume at the cursor and find nothing to do.
    for url in &urls {
        for f in followers(url, &config).await? {
            ensure!(f.step().await? == Step::UpToDate, "a restarted follower re-read blocks");
        }
    }
    // 3. Idempotent: the whole range again from the start block changes nothing.
    for store in [&sqlite, &pg] {
        sqlx::query("UPDATE cursors SET next_block = $1").bind(config.start_block as i64).execute(store.pool()).await?;
    }
    for url in &urls {
        for f in followers(url, &config).await? {
            f.catch_up().await?;
            f.refresh_statuses().await?;
        }
    }
    let again = self::dump(&sqlite).await?;
    ensure!(without_volatile(&again) == without_volatile(&dump), "re-indexing the same blocks changed the tables");
    ensure!(again == self::dump(&pg).await?, "SQLite and PostgreSQL differ after re-indexing");

    // 4. A reorg: on a branch anvil then reverts, the admin adds a pool and alice lends in it;
    // on the new branch the same pool id gets another capacity and bob lends instead.
    let provider = chain.client.provider();
    let snapshot: U256 = provider.raw_request("evm_snapshot".into(), ()).await?;
    let pool = add_pool(&chain.client, 1_000_000).await?;
    let alice_lend = lend(&chain.client, pool, cast.alice.address, 123).await?;
    for url in &urls {
        for f in followers(url, &config).await? {
            f.catch_up().await?;
        }
    }
    ensure!(
        lend_rows(&sqlite, pool, cast.alice.address).await?.contains(&alice_lend),
        "alice's lend on the branch not indexed"
    );
    let reverted: bool = provider.raw_request("evm_revert".into(), (snapshot,)).await?;
    ensure!(reverted, "anvil did not revert");
    ensure!(add_pool(&chain.client, 2_000_000).await? == pool, "the new branch's pool got another id");
    let bob_lend = lend(&chain.client, pool, cast.bob.address, 77).await?;
    let _: String = provider.raw_request("evm_mine".into(), ()).await?;
    for url in &urls {
        let mut reorgs = 0;
        for f in followers(url, &config).await? {
            if matches!(f.step().await?, Step::Reorg { .. }) {
                reorgs += 1;
            }
            f.catch_up().await?;
        }
        ensure!(reorgs >= 1, "no follower noticed the reorg on {url}");
        let store = Store::connect(url).await?;
        ensure!(
            lend_rows(&store, pool, cast.alice.address).await?.is_empty(),
            "alice's reverted lend survived the reorg on {url}"
        );
        ensure!(
            lend_rows(&store, pool, cast.bob.address).await? == vec![bob_lend.clone()],
            "bob's lend missing on {url}"
        );
        let capacity: String = sqlx::query_scalar("SELECT max_capacity FROM collateral_pools WHERE pool_id = $1")
            .bind(pool as i64)
            .fetch_one(store.pool())
            .await?;
        ensure!(capacity == "2000000000000", "pool {pool} kept the reverted branch's capacity {capacity} on {url}");
        check_against_chain(&store, &chain.client, &cast, &config)
            .await
            .wrap_err_with(|| format!("after the reorg on {url}"))?;
    }
    ensure!(self::dump(&sqlite).await? == self::dump(&pg).await?, "SQLite and PostgreSQL differ after the reorg");
    Ok(())
}

async fn followers(url: &str, config: &ChainConfig) -> Result<Vec<Follower>> {
    Indexer::new(Store::connect(url).await?).followers(config).await
}

/// The admin adds a WETH pool of `capacity` whole USDC ending in 30 days; returns its id.
async fn add_pool(client: &Client, capacity: u64) -> Result<u64> {
    pools_sdk::local::add_collateral_pool(client, "WETH", capacity, 30).await
}

/// `user` lends `whole` USDC to collateral pool `pool` (minted first); returns (lend id, amount).
async fn lend(client: &Client, pool: u64, user: Address, whole: u64) -> Result<(i64, String)> {
    let usdc = client.deployment().usdc;
    let amount = U256::from(whole) * U256::from(1_000_000u64);
    let token = bindings::MockERC20::new(usdc, client.provider());
    let receipt = token.mint(user, amount).from(client.deployment().admin).send().await?.get_receipt().await?;
    ensure!(receipt.status(), "mint failed");
    let as_user = client.as_sender(user);
    as_user.send_all(&as_user.lend(pool, amount).await?).await?;
    let count = bindings::ERC20CollateralPool::new(client.deployment().collateral_pool.proxy, client.provider())
        .lendingsLength(U256::from(pool), user)
        .call()
        .await?;
    Ok((count.to::<i64>() - 1, amount.to_string()))
}

async fn lend_rows(store: &Store, pool: u64, user: Address) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT lend_id, amount FROM lend_positions WHERE account = $1 AND pool_id = $2 ORDER BY lend_id",
    )
    .bind(format!("{user:#x}"))
    .bind(pool as i64)
    .fetch_all(store.pool())
    .await?)
}

/// The database against the chain: every log of the three contracts recorded once, and every
/// pool, position and commit as the contracts' own views report them now.
async fn check_against_chain(store: &Store, client: &Client, cast: &Cast, config: &ChainConfig) -> Result<()> {
    let provider = client.provider();
    let addresses: Vec<Address> = config.contracts.iter().map(|(_, a)| *a).collect();
    let logs = provider.get_logs(&Filter::new().address(addresses).from_block(config.start_block)).await?;
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(store.pool()).await?;
    ensure!(events == logs.len() as i64, "{events} events recorded, the contracts emitted {} logs", logs.len());

    for pool in client.collateral_pools().await? {
        let row: (String, String, String, String, String, String) = sqlx::query_as(
            "SELECT lended, claimed, borrowed, repaid, available_usdc, collateral_held FROM collateral_pools WHERE pool_id = $1",
        )
        .bind(pool.id as i64)
        .fetch_one(store.pool())
        .await
        .wrap_err_with(|| format!("collateral pool {} not indexed", pool.id))?;
        let chain = (pool.lended, pool.claimed, pool.borrowed, pool.repaid, pool.available_usdc, pool.collateral_held);
        let chain = (
            chain.0.to_string(),
            chain.1.to_string(),
            chain.2.to_string(),
            chain.3.to_string(),
            chain.4.to_string(),
            chain.5.to_string(),
        );
        ensure!(row == chain, "collateral pool {}: indexed {row:?}, chain {chain:?}", pool.id);
    }
    for (variant, kind) in [(Variant::Default, Kind::Counterparty), (Variant::Admin, Kind::AdminCounterparty)] {
        for pool in client.counterparty_pools(variant).await? {
            let row: (String, String, i64, i64, i64, i64) = sqlx::query_as(
                "SELECT status, committed, defaulted, collectable, closable, archivable FROM counterparty_pools WHERE kind = $1 AND pool_id = $2",
            )
            .bind(kind.as_str())
            .bind(pool.id as i64)
            .fetch_one(store.pool())
            .await
            .wrap_err_with(|| format!("{kind} pool {} not indexed", pool.id))?;
            let chain = (
                pool.status.to_owned(),
                pool.committed.to_string(),
                i64::from(pool.defaulted),
                i64::from(pool.collectable),
                i64::from(pool.closable),
                i64::from(pool.archivable),
            );
            ensure!(row == chain, "{kind} pool {}: indexed {row:?}, chain {chain:?}", pool.id);
        }
    }
    let actors = [&cast.alice, &cast.bob, &cast.carol, &cast.dave, &cast.eve, &cast.frank];
    for actor in actors {
        let account = format!("{:#x}", actor.address);
        let lends: Vec<(i64, i64, String)> =
            sqlx::query_as("SELECT pool_id, lend_id, amount FROM lend_positions WHERE account = $1 AND amount <> '0' ORDER BY pool_id, lend_id")
                .bind(&account)
                .fetch_all(store.pool())
                .await?;
        let chain: Vec<(i64, i64, String)> = client
            .lend_positions(actor.address)
            .await?
            .into_iter()
            .map(|l| (l.pool_id as i64, l.lend_id as i64, l.principal.to_string()))
            .collect();
        ensure!(lends == chain, "{}'s lends: indexed {lends:?}, chain {chain:?}", actor.name);
        let borrows: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT pool_id, borrow_id, amount, collateral_amount FROM borrow_positions WHERE account = $1 AND amount <> '0' ORDER BY pool_id, borrow_id",
        )
        .bind(&account)
        .fetch_all(store.pool())
        .await?;
        let chain: Vec<(i64, i64, String, String)> = client
            .borrow_positions(actor.address)
            .await?
            .into_iter()
            .map(|b| (b.pool_id as i64, b.borrow_id as i64, b.principal.to_string(), b.collateral.to_string()))
            .collect();
        ensure!(borrows == chain, "{}'s borrows: indexed {borrows:?}, chain {chain:?}", actor.name);
        for (variant, kind) in [(Variant::Default, Kind::Counterparty), (Variant::Admin, Kind::AdminCounterparty)] {
            let contract = format!("{:#x}", client.counterparty_address(variant));
            let commits: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT pool_id, amount, claimed FROM commits WHERE contract = $1 AND account = $2 AND amount <> '0' ORDER BY pool_id",
            )
            .bind(&contract)
            .bind(&account)
            .fetch_all(store.pool())
            .await?;
            let chain: Vec<(i64, String, String)> = client
                .commits(variant, actor.address)
                .await?
                .into_iter()
                .map(|c| (c.pool_id as i64, c.amount.to_string(), c.claimed.to_string()))
                .collect();
            ensure!(commits == chain, "{}'s {kind} commits: indexed {commits:?}, chain {chain:?}", actor.name);
        }
    }
    // A snapshot per pool and a price per collateral token.
    let pools: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM collateral_pools").fetch_one(store.pool()).await?;
    let counterparty: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM counterparty_pools").fetch_one(store.pool()).await?;
    let snapshotted: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT DISTINCT contract, pool_id FROM daily_snapshots) s")
            .fetch_one(store.pool())
            .await?;
    ensure!(snapshotted == pools + counterparty, "{snapshotted} pools snapshotted of {}", pools + counterparty);
    let unpriced: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM collateral_pools p WHERE NOT EXISTS (SELECT 1 FROM token_prices t WHERE t.token = p.collateral_token)",
    )
    .fetch_one(store.pool())
    .await?;
    ensure!(unpriced == 0, "{unpriced} collateral tokens without a price");
    if pools == 0 || counterparty == 0 {
        bail!("the lifecycle should have left pools of both kinds ({pools} collateral, {counterparty} counterparty)");
    }
    Ok(())
}

type Dump = BTreeMap<&'static str, Vec<String>>;

/// Every indexed row of every table, as text, in key order.
async fn dump(store: &Store) -> Result<Dump> {
    let mut dump = Dump::new();
    for (table, key) in TABLES {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table} ORDER BY {key}")))
            .fetch_all(store.pool())
            .await?;
        let mut lines = Vec::with_capacity(rows.len());
        for row in rows {
            let mut cells = Vec::new();
            for column in row.columns() {
                let name = column.name();
                let cell = match row.try_get::<Option<i64>, _>(name) {
                    Ok(v) => format!("{v:?}"),
                    Err(_) => format!(
                        "{:?}",
                        row.try_get::<Option<String>, _>(name).map_err(|e| eyre!("{table}.{name}: {e}"))?
                    ),
                };
                cells.push(format!("{name}={cell}"));
            }
            lines.push(cells.join(" "));
        }
        dump.insert(table, lines);
    }
    Ok(dump)
}

/// The dump without what a re-read legitimately changes: when statuses were last checked.
fn without_volatile(dump: &Dump) -> Dump {
    dump.iter()
        .map(|(t, rows)| {
            let rows = rows
                .iter()
                .map(|r| r.split(' ').filter(|c| !c.starts_with("actions_checked_at=")).collect::<Vec<_>>().join(" "))
                .collect();
            (*t, rows)
        })
        .collect()
}

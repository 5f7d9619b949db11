//! What each subcommand does: connect, build the SDK calls, show them with their gas, confirm,
//! send (or dry-run), print the outcome.

use std::{
    io::{BufRead, Write},
    path::{Path, PathBuf},
};

use alloy::primitives::{Address, U256};
use eyre::{Result, WrapErr, bail, eyre};
use pools_sdk::{Call, Client, Table, TokenUnits, Variant, deploy, load_signer, repository_root};

use crate::{Cli, Command};

pub async fn run(cli: Cli) -> Result<()> {
    let root = repository_root();
    let write = !matches!(
        cli.command,
        Command::Demo
            | Command::Deploy { .. }
            | Command::Upgrade { .. }
            | Command::Status { .. }
            | Command::Serve { .. }
    );
    if cli.unsigned && !write {
        bail!("--unsigned applies to the write commands (lend, borrow, commit…), not to this one");
    }
    match &cli.command {
        Command::Demo => {
            let mut stdout = std::io::stdout();
            pools_demo::run_demo(&root, &mut stdout).await?;
            Ok(())
        }
        Command::Deploy { config, force } => deploy_command(&cli, &root, config, *force).await,
        Command::Upgrade { which } => upgrade_command(&cli, &root, which).await,
        Command::Status { users } => status_command(&cli, &root, users).await,
        Command::Serve { config, listen, database } => {
            serve_command(&cli, &root, config.as_deref(), *listen, database).await
        }
        _ => write_command(&cli, &root).await,
    }
}

fn rpc_url(cli: &Cli) -> Result<&str> {
    cli.rpc_url.as_deref().ok_or_else(|| {
        eyre!(
            "no node: pass --rpc-url or set POOLS_RPC_URL (a local node: `node_modules/@foundry-rs/anvil-{}/bin/anvil`, then `pools deploy --config config/anvil.toml`; or just `pools demo`)",
            pools_sdk::platform()
        )
    })
}

fn signer(cli: &Cli) -> Result<alloy::signers::local::PrivateKeySigner> {
    load_signer(cli.keystore.as_deref(), || {
        rpassword::prompt_password("keystore password: ").wrap_err("cannot read the keystore password")
    })
}

async fn connect(cli: &Cli, root: &Path, with_signer: bool) -> Result<Client> {
    let signers = if with_signer { vec![signer(cli)?] } else { Vec::new() };
    Client::connect(rpc_url(cli)?, root, cli.deployment.as_deref(), signers).await
}

async fn deploy_command(cli: &Cli, root: &Path, config: &Path, force: bool) -> Result<()> {
    let rpc_url = rpc_url(cli)?;
    let signer = signer(cli)?;
    let chain_id = deploy::chain_id_of_config(config)?;
    println!(
        "Deploying {} to {rpc_url} (chain {chain_id}) as {}{}",
        config.display(),
        signer.address(),
        if force { ", replacing any existing deployment" } else { "" }
    );
    let request = deploy::DeployRequest {
        root: root.to_path_buf(),
        rpc_url: rpc_url.to_owned(),
        config: config.to_path_buf(),
        force,
        private_key: pools_sdk::key_hex(&signer),
    };
    // Always simulate first: refusals and the gas bill show before anything is sent.
    let simulation = deploy::simulate_deploy(&request).await?;
    println!("Simulated against the node: about {} gas in all", simulation.estimated_gas);
    if cli.dry_run {
        println!("dry run: nothing deployed");
        return Ok(());
    }
    confirm(cli, "Deploy?")?;
    let (path, d) = deploy::deploy(&request).await?;
    let mut table = Table::new(["contract", "proxy", "implementation"]);
    for (name, p) in [
        ("collateral pool", &d.collateral_pool),
        ("counterparty pool", &d.counterparty_pool),
        ("admin counterparty pool", &d.admin_counterparty_pool),
    ] {
        table.row([name.to_owned(), p.proxy.to_string(), p.implementation.to_string()]);
    }
    println!("Deployed at block {} on chain {}; written to {}\n{table}", d.block, d.chain_id, path.display());
    Ok(())
}

async fn upgrade_command(cli: &Cli, root: &Path, which: &str) -> Result<()> {
    let client = connect(cli, root, false).await?;
    let chain_id = client.deployment().chain_id;
    let deployment: PathBuf =
        cli.deployment.clone().unwrap_or_else(|| pools_sdk::Deployment::default_path(root, chain_id));
    println!("Checking the storage layout of `{which}` against {}…", deployment.display());
    storage_layout::check_upgrade(root, &deployment, which).wrap_err("upgrade refused")?;
    println!("The new layout keeps every existing slot.");
    if cli.dry_run {
        println!("dry run: nothing upgraded");
        return Ok(());
    }
    confirm(cli, &format!("Upgrade `{which}` on chain {chain_id}?"))?;
    let signer = signer(cli)?;
    deploy::upgrade(root, rpc_url(cli)?, which, &pools_sdk::key_hex(&signer)).await?;
    println!("Upgraded `{which}`; {} records the new implementation.", deployment.display());
    Ok(())
}

async fn status_command(cli: &Cli, root: &Path, users: &[Address]) -> Result<()> {
    let with_signer = users.is_empty() && (cli.keystore.is_some() || std::env::var(pools_sdk::PRIVATE_KEY_ENV).is_ok());
    let client = connect(cli, root, with_signer).await?;
    let users: Vec<Address> = if users.is_empty() { client.sender().into_iter().collect() } else { users.to_vec() };
    let usdc = client.usdc_units().await?;
    let d = client.deployment();
    println!("Chain {}, deployed at block {} from commit {}", d.chain_id, d.block, d.commit);

    println!("\nCollateral pools ({})", d.collateral_pool.proxy);
    let now = client.now().await?;
    let mut table =
        Table::new(["pool", "collateral", "lent", "borrowed", "utilisation", "free USDC", "interest", "LTV", "ends"]);
    for p in client.collateral_pools().await? {
        table.row([
            p.id.to_string(),
            p.collateral.symbol.clone(),
            usdc.format_number(p.lended - p.claimed),
            usdc.format_number(p.borrowed - p.repaid),
            p.utilisation(),
            usdc.format_number(p.available_usdc),
            pools_sdk::format_bps(U256::from(p.interest_bps)),
            pools_sdk::format_bps(U256::from(p.ltv_bps)),
            relative_time(now, p.end_time),
        ]);
    }
    print!("{table}");

    for variant in [Variant::Default, Variant::Admin] {
        println!("\n{} pools ({})", capitalise(&variant.to_string()), client.counterparty_address(variant));
        let mut table = Table::new([
            "pool",
            "status",
            "owner",
            "soft cap",
            "hard cap",
            "committed",
            "rewards",
            "deadline",
            "can now",
        ]);
        for p in client.counterparty_pools(variant).await? {
            let can: Vec<&str> = [(p.collectable, "collect"), (p.closable, "close"), (p.archivable, "archive")]
                .into_iter()
                .filter_map(|(on, name)| on.then_some(name))
                .collect();
            table.row([
                p.id.to_string(),
                if p.defaulted { format!("{} (defaulted)", p.status) } else { p.status.to_owned() },
                client.name(p.owner),
                usdc.format_number(p.soft_cap),
                usdc.format_number(p.hard_cap),
                usdc.format_number(p.committed),
                usdc.format_number(p.rewards),
                relative_time(now, p.deadline),
                if can.is_empty() { "-".into() } else { can.join(", ") },
            ]);
        }
        if table.is_empty() { println!("  none") } else { print!("{table}") }
    }

    for user in &users {
        println!("\nPositions of {user}");
        let mut table = Table::new(["kind", "pool", "id", "principal", "interest / rewards", "collateral", "note"]);
        for l in client.lend_positions(*user).await? {
            table.row([
                "lend".into(),
                l.pool_id.to_string(),
                l.lend_id.to_string(),
                usdc.format_number(l.principal),
                usdc.format_number(l.rewards),
                "-".into(),
                String::new(),
            ]);
        }
        for b in client.borrow_positions(*user).await? {
            let units = client.collateral_pool_info(b.pool_id).await?.collateral;
            table.row([
                "borrow".into(),
                b.pool_id.to_string(),
                b.borrow_id.to_string(),
                usdc.format_number(b.principal),
                usdc.format_number(b.interest),
                units.format(b.collateral),
                if b.liquidatable { "LIQUIDATABLE".into() } else { String::new() },
            ]);
        }
        for variant in [Variant::Default, Variant::Admin] {
            for c in client.commits(variant, *user).await? {
                table.row([
                    format!("{variant} commit"),
                    c.pool_id.to_string(),
                    "-".into(),
                    usdc.format_number(c.amount),
                    format!("{} claimable", usdc.format_number(c.claimable)),
                    "-".into(),
                    format!("{} received", usdc.format_number(c.claimed)),
                ]);
            }
        }
        if table.is_empty() { println!("  none") } else { print!("{table}") }
    }
    if !users.is_empty() {
        let loans = client.liquidatable_loans(&users).await?;
        println!(
            "\nLiquidatable loans among these users: {}",
            if loans.is_empty() {
                "none".to_owned()
            } else {
                loans
                    .iter()
                    .map(|b| format!("pool {} borrow {} of {}", b.pool_id, b.borrow_id, b.user))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
    }
    Ok(())
}

/// Every user action: build the calls (after the SDK's precondition checks), then print them
/// unsigned, or show them with gas, confirm and send.
async fn write_command(cli: &Cli, root: &Path) -> Result<()> {
    let client = match cli.from {
        // Assisted mode for an address whose key is elsewhere (a wallet, a multisig).
        Some(from) => connect(cli, root, false).await?.as_sender(from),
        None => connect(cli, root, true).await?,
    };
    let usdc = client.usdc_units().await?;
    let optional = |amount: &Option<String>| amount.as_deref().map(|a| usdc.parse(a)).transpose();
    let calls = match &cli.command {
        Command::Lend { pool, amount } => client.lend(pool.pool, usdc.parse(amount)?).await?,
        Command::Borrow { pool, amount, collateral } => {
            let units = client.collateral_pool_info(pool.pool).await?.collateral;
            let collateral = collateral.as_deref().map(|c| units.parse(c)).transpose()?;
            client.borrow(pool.pool, usdc.parse(amount)?, collateral).await?
        }
        Command::Repay { pool, borrow, amount } => client.repay(pool.pool, *borrow, optional(amount)?).await?,
        Command::Claim { pool, lend, amount } => client.claim(pool.pool, *lend, optional(amount)?).await?,
        Command::Liquidate { pool, user, borrow, amount } => {
            client.liquidate(pool.pool, *user, *borrow, optional(amount)?).await?
        }
        Command::ClaimCollateral { pool, lend, user, borrow } => {
            client.claim_collateral(pool.pool, *lend, *user, *borrow).await?
        }
        Command::ChangeCollateral { pool, borrow, amount, max_ltv } => {
            let units = client.collateral_pool_info(pool.pool).await?.collateral;
            let bps = TokenUnits { symbol: "%".into(), decimals: 2 }.parse(max_ltv)?;
            client.change_collateral(pool.pool, *borrow, units.parse(amount)?, bps.try_into()?).await?
        }
        Command::CreatePool { variant, soft_cap, hard_cap, deadline_days, min_apr, collateral } => {
            let mut items = Vec::new();
            for spec in collateral {
                let (token, amount) =
                    spec.split_once(':').ok_or_else(|| eyre!("--collateral {spec}: write <token address>:<amount>"))?;
                let token: Address =
                    token.parse().map_err(|_| eyre!("--collateral {spec}: {token} is not an address"))?;
                items.push((token, client.token_units(token).await?.parse(amount)?));
            }
            // minimumAPR is on a 1e8 scale: 1 % = 1,000,000.
            let apr: u64 = TokenUnits { symbol: "%".into(), decimals: 6 }.parse(min_apr)?.try_into()?;
            let deadline = client.now().await? + deadline_days * 86_400;
            client.create_pool(*variant, usdc.parse(soft_cap)?, usdc.parse(hard_cap)?, deadline, apr, &items).await?
        }
        Command::Commit { pool, amount } => client.commit(pool.variant, pool.pool, usdc.parse(amount)?).await?,
        Command::Uncommit { pool } => client.uncommit(pool.variant, pool.pool).await?,
        Command::Collect { pool } => client.collect(pool.variant, pool.pool).await?,
        Command::DepositRewards { pool, amount } => {
            client.deposit_rewards(pool.variant, pool.pool, usdc.parse(amount)?).await?
        }
        Command::Close { pool } => client.close(pool.variant, pool.pool).await?,
        Command::Archive { pool } => client.archive(pool.variant, pool.pool).await?,
        Command::ClaimRewards { pool } => client.claim_rewards(pool.variant, pool.pool).await?,
        Command::DeclareDefault { pool } => client.declare_default(pool.variant, pool.pool).await?,
        Command::ClaimDefaultCollateral { pool } => client.claim_default_collateral(pool.variant, pool.pool).await?,
        Command::Demo
        | Command::Deploy { .. }
        | Command::Upgrade { .. }
        | Command::Status { .. }
        | Command::Serve { .. } => {
            unreachable!("handled in run")
        }
    };
    if cli.unsigned {
        let txs = client.prepare_all(&calls).await?;
        println!("{}", serde_json::to_string_pretty(&txs)?);
        return Ok(());
    }
    execute(cli, &client, &calls).await
}

/// Shows the calls with their gas, then dry-runs or (after confirmation) sends them in order.
async fn execute(cli: &Cli, client: &Client, calls: &[Call]) -> Result<()> {
    let sender = client.sender()?;
    println!("As {sender}, this will:");
    for (i, call) in calls.iter().enumerate() {
        println!("  {}. {}", i + 1, call.description);
        match client.estimate_gas(call).await {
            Ok(gas) => println!("     estimated gas: {gas}"),
            // Later steps usually need the approval before them to be mined first.
            Err(_) if i > 0 => println!("     estimated gas: known once step {i} is mined"),
            Err(e) => return Err(e),
        }
    }
    if cli.dry_run {
        if let Some(first) = calls.first() {
            client.dry_run(first).await?;
        }
        println!("dry run: step 1 simulates successfully; nothing was sent");
        return Ok(());
    }
    confirm(cli, &format!("Send {} transaction{}?", calls.len(), if calls.len() == 1 { "" } else { "s" }))?;
    for (i, call) in calls.iter().enumerate() {
        if i > 0 {
            // Re-estimating gives the revert reason in words before anything is spent.
            client.estimate_gas(call).await?;
        }
        let outcome = client.send(call).await?;
        println!("✓ {} — tx {} ({} gas)", call.description, outcome.tx_hash, outcome.gas_used);
        for effect in &outcome.effects {
            println!("    → {effect}");
        }
    }
    Ok(())
}

fn confirm(cli: &Cli, question: &str) -> Result<()> {
    if cli.yes {
        return Ok(());
    }
    print!("{question} [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if !matches!(answer.trim(), "y" | "Y" | "yes") {
        bail!("cancelled: nothing was sent (pass --yes to skip this question)");
    }
    Ok(())
}

fn relative_time(now: u64, at: u64) -> String {
    let days = |s: u64| s as f64 / 86_400.0;
    if at >= now { format!("in {:.1} d", days(at - now)) } else { format!("{:.1} d ago", days(now - at)) }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// `pools serve`: the file's settings, or one chain from --rpc-url/--deployment, with the
/// command line's overrides; the JWT secret only from the environment.
async fn serve_command(
    cli: &Cli,
    root: &std::path::Path,
    config: Option<&std::path::Path>,
    listen: Option<std::net::SocketAddr>,
    database: &Option<String>,
) -> Result<()> {
    let mut settings = match config {
        Some(path) => pools_api::ServeConfig::load(path)?,
        None => pools_api::ServeConfig {
            chains: vec![pools_api::config::ChainEntry {
                rpc_url: rpc_url(cli)?.to_owned(),
                deployment: cli.deployment.clone(),
                confirmations: 0,
            }],
            ..Default::default()
        },
    };
    if let Some(listen) = listen {
        settings.listen = listen;
    }
    if let Some(database) = database {
        settings.database = database.clone();
    }
    let secret = std::env::var(pools_api::config::JWT_SECRET_ENV).map_err(|_| {
        eyre!(
            "set {} to a secret of at least 32 bytes (e.g. `openssl rand -hex 32`)",
            pools_api::config::JWT_SECRET_ENV
        )
    })?;
    pools_api::serve(settings, root, secret.into_bytes()).await
}

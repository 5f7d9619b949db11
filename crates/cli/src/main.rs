//! `pools`: deploy, inspect and use the lending pools from the command line. Thin by design:
//! arguments, confirmation and formatting here; everything else in `pools-sdk` and
//! `pools-demo`. The signing key comes from `POOLS_PRIVATE_KEY` or `--keystore`, never from a
//! flag.

mod commands;

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};

/// Deploy, inspect and use the lending pools.
#[derive(Debug, Parser)]
#[command(name = "pools", version, about, long_about = None)]
pub struct Cli {
    /// The node's RPC URL.
    #[arg(long, env = "POOLS_RPC_URL", global = true)]
    rpc_url: Option<String>,
    /// Deployment file (default: deployments/<chainId>.json of the node's chain).
    #[arg(long, global = true)]
    deployment: Option<PathBuf>,
    /// Simulate writes (eth_call) and show their gas; send nothing.
    #[arg(long, global = true)]
    dry_run: bool,
    /// Print the write's transactions unsigned (JSON, for a wallet to sign) instead of sending them.
    #[arg(long, global = true)]
    unsigned: bool,
    /// With --unsigned: the sender, when no key is set (default: the signer's address).
    #[arg(long, global = true, requires = "unsigned")]
    from: Option<alloy::primitives::Address>,
    /// Send without asking for confirmation.
    #[arg(long, short = 'y', global = true)]
    yes: bool,
    /// Encrypted JSON keystore of the signer (password from POOLS_KEYSTORE_PASSWORD or a prompt).
    /// Without it the key comes from POOLS_PRIVATE_KEY.
    #[arg(long, global = true)]
    keystore: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// A collateral-pool id.
#[derive(Debug, Args)]
pub struct PoolArg {
    /// Collateral pool id (see `pools status`).
    #[arg(long)]
    pool: u64,
}

/// A counterparty pool: variant and id.
#[derive(Debug, Args)]
pub struct CounterpartyArg {
    /// Counterparty contract: `default` (anyone borrows) or `admin`.
    #[arg(long, default_value = "default")]
    variant: pools_sdk::Variant,
    /// Counterparty pool id (see `pools status`).
    #[arg(long)]
    pool: u64,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Deploy everything with a config through script/Deploy.s.sol (refused if the chain already has a deployment, unless --force).
    Deploy {
        /// `config/<chain>.toml`.
        #[arg(long)]
        config: PathBuf,
        /// Replace the chain's existing deployment.
        #[arg(long)]
        force: bool,
    },
    /// Upgrade one pool contract to the current source, after the storage-layout check.
    Upgrade {
        /// `collateral`, `counterparty` or `admin-counterparty`.
        which: String,
    },
    /// Pools, utilisation, counterparty statuses, and positions of the given users.
    Status {
        /// Addresses whose positions to show (default: the signer's, if one is set).
        #[arg(long = "user")]
        users: Vec<alloy::primitives::Address>,
    },
    /// Lend USDC to a collateral pool (`1000`, `1000 USDC`).
    Lend {
        #[command(flatten)]
        pool: PoolArg,
        /// USDC amount.
        amount: String,
    },
    /// Borrow USDC against collateral (default: the collateral required now).
    Borrow {
        #[command(flatten)]
        pool: PoolArg,
        /// USDC amount.
        amount: String,
        /// Collateral amount (`1.5 WETH`).
        #[arg(long)]
        collateral: Option<String>,
    },
    /// Repay a borrow with its interest (default: all of it).
    Repay {
        #[command(flatten)]
        pool: PoolArg,
        /// Borrow position id.
        #[arg(long)]
        borrow: u64,
        /// Principal to repay, USDC (default: all).
        amount: Option<String>,
    },
    /// Claim a lend position's principal with its rewards (default: all of it).
    Claim {
        #[command(flatten)]
        pool: PoolArg,
        /// Lend position id.
        #[arg(long)]
        lend: u64,
        /// Principal to claim, USDC (default: all).
        amount: Option<String>,
    },
    /// Liquidate an unhealthy or overdue borrow (default: all of it).
    Liquidate {
        #[command(flatten)]
        pool: PoolArg,
        /// The borrower.
        #[arg(long)]
        user: alloy::primitives::Address,
        /// Borrow position id.
        #[arg(long)]
        borrow: u64,
        /// Principal to liquidate, USDC (default: all).
        amount: Option<String>,
    },
    /// Lender exit: pay off a liquidatable borrow with a lend position and take its collateral.
    ClaimCollateral {
        #[command(flatten)]
        pool: PoolArg,
        /// Your lend position id.
        #[arg(long)]
        lend: u64,
        /// The borrower.
        #[arg(long)]
        user: alloy::primitives::Address,
        /// Borrow position id.
        #[arg(long)]
        borrow: u64,
    },
    /// Set a borrow's collateral to a new amount.
    ChangeCollateral {
        #[command(flatten)]
        pool: PoolArg,
        /// Borrow position id.
        #[arg(long)]
        borrow: u64,
        /// New collateral amount (`2 WETH`).
        amount: String,
        /// Refuse if the resulting loan-to-value exceeds this, in % (default: 65).
        #[arg(long, default_value = "65")]
        max_ltv: String,
    },
    /// Create a counterparty pool (ERC-20 collateral).
    CreatePool {
        /// Counterparty contract: `default` or `admin`.
        #[arg(long, default_value = "default")]
        variant: pools_sdk::Variant,
        /// Commits needed to collect, USDC.
        #[arg(long)]
        soft_cap: String,
        /// Commits allowed, USDC.
        #[arg(long)]
        hard_cap: String,
        /// Commit deadline, in days from now.
        #[arg(long)]
        deadline_days: u64,
        /// Minimum return over the deal, in % (flat, not yearly).
        #[arg(long)]
        min_apr: String,
        /// Collateral as `<token address>:<amount>` (repeatable), e.g. `0xabc…:1.5`.
        #[arg(long = "collateral")]
        collateral: Vec<String>,
    },
    /// Commit USDC to a counterparty pool.
    Commit {
        #[command(flatten)]
        pool: CounterpartyArg,
        /// USDC amount.
        amount: String,
    },
    /// Take back your commit from a counterparty pool.
    Uncommit {
        #[command(flatten)]
        pool: CounterpartyArg,
    },
    /// Collect a counterparty pool's commits (its owner).
    Collect {
        #[command(flatten)]
        pool: CounterpartyArg,
    },
    /// Deposit repayment (rewards) to a counterparty pool (its owner).
    DepositRewards {
        #[command(flatten)]
        pool: CounterpartyArg,
        /// USDC amount.
        amount: String,
    },
    /// Close a counterparty pool.
    Close {
        #[command(flatten)]
        pool: CounterpartyArg,
    },
    /// Archive a counterparty pool.
    Archive {
        #[command(flatten)]
        pool: CounterpartyArg,
    },
    /// Claim your rewards from a counterparty pool.
    ClaimRewards {
        #[command(flatten)]
        pool: CounterpartyArg,
    },
    /// Declare an ACTIVE counterparty pool in default (anyone after its repayment date while
    /// rewards fall short; the admin any time); its collateral then goes to the lenders.
    DeclareDefault {
        #[command(flatten)]
        pool: CounterpartyArg,
    },
    /// Take your pro-rata share of a defaulted counterparty pool's collateral.
    ClaimDefaultCollateral {
        #[command(flatten)]
        pool: CounterpartyArg,
    },
    /// Start a local anvil, deploy everything with mocks and narrate a full lifecycle.
    Demo,
    /// Run the backend: indexer, REST and GraphQL API, IPFS store (JWT secret from POOLS_JWT_SECRET).
    Serve {
        /// Settings file (see config/serve.toml); --rpc-url and --deployment make a one-chain config without it.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address to listen on (overrides the file).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Database: sqlite://FILE or postgres://USER@HOST/DB (overrides the file).
        #[arg(long, env = "POOLS_DATABASE_URL")]
        database: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

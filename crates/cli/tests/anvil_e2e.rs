//! End to end on a real node: anvil from node_modules, the forge deployment script, the SDK,
//! the demo's lifecycle (the same library function `pools demo` runs) and the `pools` binary.
//! Asserts the lifecycle's key figures and the deployment refusals of the issue: a second
//! deployment without --force, a config for another chain, a deployment file for another chain.

#![allow(clippy::unwrap_used)] // a failed step is the test failing

use std::{path::PathBuf, process::Command, time::Instant};

use alloy::primitives::{I256, U256};
use pools_demo::{ANVIL_CONFIG, Cast, LocalChain, run_lifecycle};
use pools_sdk::{Client, repository_root};

fn usdc(whole: u64) -> U256 {
    U256::from(whole) * U256::from(1_000_000u64)
}

#[tokio::test]
async fn lifecycle_and_deployment_refusals_on_anvil() {
    let started = Instant::now();
    let root = repository_root();
    let chain = LocalChain::start(&root).await.unwrap();
    let cast = Cast::from_keys(chain.anvil.keys()).unwrap();

    let mut narration = Vec::new();
    let report = run_lifecycle(&chain.client, &cast, &mut narration).await;
    let narration = String::from_utf8_lossy(&narration).into_owned();
    let report = report.unwrap_or_else(|e| panic!("lifecycle failed: {e:#}\n{narration}"));

    // Interest: 3,000 USDC at 10 % a year for 10 days ≈ 8.22 USDC.
    assert!(
        report.carol_interest_paid > U256::from(8_200_000u64) && report.carol_interest_paid < U256::from(8_300_000u64),
        "interest {}",
        report.carol_interest_paid
    );
    // Liquidations: the liquidator pays principal + interest + 5 % fee and gets collateral.
    assert!(report.eve_paid_for_price_liquidation > usdc(2_100), "{report:?}");
    assert!(report.eve_dftr_received > U256::ZERO, "{report:?}");
    assert!(report.eve_paid_for_overdue_liquidation > usdc(1_050), "{report:?}");
    assert!(report.eve_weth_received > U256::ZERO, "{report:?}");
    // Counterparty: 200 USDC creation fee + 2 % of 7,000 collected; rewards pro rata to commits.
    assert_eq!(report.counterparty_fees, usdc(340));
    assert_eq!(report.alice_counterparty_rewards, usdc(4_080));
    assert_eq!(report.bob_counterparty_rewards, usdc(3_060));
    assert_eq!(report.counterparty_final_status, "ARCHIVED");
    // Lenders end up with more than they started with: pool rewards + the 2 % counterparty return.
    assert!(report.alice_gain > I256::try_from(usdc(80)).unwrap(), "{report:?}");
    assert!(report.bob_gain > I256::try_from(usdc(60)).unwrap(), "{report:?}");
    for line in ["carol repaid 3,000 USDC", "eve liquidated", "LIQUIDATABLE", "pool 0 was archived"] {
        assert!(narration.contains(line), "narration lacks {line:?}:\n{narration}");
    }

    // Deploying twice to the same chain without --force is refused, in words.
    let error = chain.deploy_again(&root.join(ANVIL_CONFIG), false).await.unwrap_err().to_string();
    assert!(error.contains("already has a deployment") && error.contains("--force"), "{error}");

    // A config for another chain is refused before anything is sent.
    let wrong = TempFile(root.join(format!("config/e2e-wrong-chain-{}.toml", std::process::id())));
    let config = std::fs::read_to_string(root.join(ANVIL_CONFIG)).unwrap().replace("chain_id = 31337", "chain_id = 1");
    std::fs::write(&wrong.0, config).unwrap();
    let error = chain.deploy_again(&wrong.0, true).await.unwrap_err().to_string();
    assert!(error.contains("the config is for chain 1 but the node is chain 31337"), "{error}");

    // A deployment file for another chain is refused by the SDK.
    let file = TempFile(std::env::temp_dir().join(format!("pools-e2e-{}.json", std::process::id())));
    let mut deployment = chain.client.deployment().clone();
    deployment.chain_id = 1;
    std::fs::write(&file.0, serde_json::to_string(&deployment).unwrap()).unwrap();
    let error = Client::connect(chain.anvil.url(), &root, Some(&file.0), vec![]).await.unwrap_err().to_string();
    assert!(error.contains("is for chain 1 but the node is chain 31337"), "{error}");

    // The binary: status in human units, and a refused action explained in words.
    let pools = |args: &[&str], key: Option<String>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pools"));
        command.current_dir(&root).env("POOLS_RPC_URL", chain.anvil.url()).env_remove("POOLS_PRIVATE_KEY").args(args);
        if let Some(key) = key {
            command.env("POOLS_PRIVATE_KEY", key);
        }
        command.output().unwrap()
    };
    let carol = cast.carol.address.to_string();
    let status = pools(&["status", "--user", &carol], None);
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    assert!(stdout.contains("Collateral pools") && stdout.contains("WETH") && stdout.contains("ARCHIVED"), "{stdout}");
    let alice_key = pools_sdk::key_hex(&chain.anvil.keys()[1]);
    let refused = pools(&["--yes", "collect", "--pool", "0"], Some(alice_key.clone()));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && stderr.contains("cannot collect counterparty pool 0: only its owner 0x976E…0aa9 can do this"),
        "{stderr}"
    );
    // Declaring the archived pool in default is refused before anything is sent.
    let refused = pools(&["--yes", "declare-default", "--pool", "0"], Some(alice_key.clone()));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && stderr
                .contains("cannot declare counterparty pool 0 in default: it is ARCHIVED, and this needs it ACTIVE"),
        "{stderr}"
    );
    let alice_key_again = alice_key.clone();
    // (Both collateral pools have ended by now, so the dry run is of a new counterparty pool.)
    let dry = pools(
        &[
            "--dry-run",
            "create-pool",
            "--soft-cap",
            "100",
            "--hard-cap",
            "1000",
            "--deadline-days",
            "7",
            "--min-apr",
            "2",
        ],
        Some(alice_key),
    );
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success() && stdout.contains("estimated gas") && stdout.contains("nothing was sent"),
        "{stdout}"
    );

    // Unsigned: the same write printed as transactions for a wallet, for an address without a key.
    let alice = cast.alice.address.to_string();
    let unsigned = pools(
        &[
            "--unsigned",
            "--from",
            &alice,
            "create-pool",
            "--soft-cap",
            "100",
            "--hard-cap",
            "1000",
            "--deadline-days",
            "7",
            "--min-apr",
            "2",
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&unsigned.stdout);
    assert!(unsigned.status.success(), "{stdout}{}", String::from_utf8_lossy(&unsigned.stderr));
    let txs: Vec<pools_sdk::UnsignedTx> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(txs.len(), 2, "the fee approval and the pool: {stdout}");
    assert!(txs.iter().all(|tx| tx.from == cast.alice.address && tx.chain_id == 31_337), "{stdout}");
    assert_eq!(txs[1].nonce, txs[0].nonce + 1);
    assert!(txs[1].description.starts_with("create a counterparty pool raising 100 USDC to 1,000 USDC"), "{stdout}");

    // An upgrade that would move recorded state is refused before anything is sent: the
    // deployment file's recorded layout is altered as if the deployed code had another one.
    let tampered = TempFile(std::env::temp_dir().join(format!("pools-e2e-layout-{}.json", std::process::id())));
    let path = pools_sdk::Deployment::default_path(&root, pools_demo::ANVIL_CHAIN_ID);
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    json["collateralPool"]["storageLayout"]["root"]["members"][0]["slot"] = serde_json::json!(7);
    std::fs::write(&tampered.0, json.to_string()).unwrap();
    let deployment_flag = tampered.0.to_string_lossy().into_owned();
    let refused = pools(&["--yes", "--deployment", &deployment_flag, "upgrade", "collateral"], Some(alice_key_again));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && stderr.contains("refusing to upgrade collateral"), "{stderr}");

    // A dry-run deployment simulates against the node (gas estimate) and writes nothing.
    let admin_key = pools_sdk::key_hex(&chain.anvil.keys()[0]);
    let before = std::fs::read_to_string(&path).unwrap();
    let dry = pools(&["--dry-run", "deploy", "--config", ANVIL_CONFIG, "--force"], Some(admin_key.clone()));
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success() && stdout.contains("Simulated against the node") && stdout.contains("nothing deployed"),
        "{stdout}{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "a dry run left a deployment file behind");

    // A compatible upgrade goes through and is recorded.
    let old = json_implementation(&before);
    let upgraded = pools(&["--yes", "upgrade", "collateral"], Some(admin_key));
    assert!(upgraded.status.success(), "{}", String::from_utf8_lossy(&upgraded.stderr));
    let new = json_implementation(&std::fs::read_to_string(&path).unwrap());
    assert_ne!(old, new, "the deployment file records the new implementation");

    drop(chain);
    eprintln!("anvil end-to-end: {:.1} s", started.elapsed().as_secs_f64());
}

/// The collateral pool's implementation recorded in a deployment file.
fn json_implementation(text: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(text).unwrap();
    json["collateralPool"]["implementation"].as_str().unwrap().to_owned()
}

/// Removes a file when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

//! The assisted mode against anvil: writes of both pool kinds prepared as unsigned transactions
//! (JSON as a wallet receives it), signed here with anvil's keys as a wallet would, relayed with
//! `send_raw`, and their effects checked on chain; the revert of a prepared call and of a relayed
//! transaction decoded; the legacy fee on a chain without a base fee.

#![allow(clippy::unwrap_used)] // a failed step is the test failing

mod common;

use alloy::{
    eips::eip2718::Encodable2718,
    network::{EthereumWallet, NetworkTransactionBuilder},
    primitives::{Address, U256},
    signers::local::PrivateKeySigner,
};
use common::*;
use pools_sdk::{Call, Client, FeeSuggestion, Outcome, Reverted, UnsignedTx, Variant, gas_limit, local::Anvil};

/// Signs `tx` with `key` as a wallet would sign its JSON, and relays it.
async fn sign_and_relay(client: &Client, key: &PrivateKeySigner, tx: &UnsignedTx) -> eyre::Result<Outcome> {
    // Through JSON, as the API hands it out.
    let tx: UnsignedTx = serde_json::from_str(&serde_json::to_string(tx)?)?;
    let envelope = tx.request().build(&EthereumWallet::from(key.clone())).await?;
    client.send_raw(&envelope.encoded_2718()).await
}

#[tokio::test]
async fn prepared_writes_of_both_pool_kinds_land_through_send_raw() {
    let w = World::start().await;
    let client = &w.chain.client;
    let keys = w.chain.anvil.keys().to_vec();
    let alice = w.address(ALICE);

    // A lend: the USDC approval, then the lend, estimated as if the approval were mined.
    let calls = w.client(ALICE).lend(0, usdc(1_000)).await.unwrap();
    let txs = client.prepare_all(&calls).await.unwrap();
    assert_eq!(txs.len(), 2);
    let nonce = txs[0].nonce;
    for (i, tx) in txs.iter().enumerate() {
        assert_eq!((tx.from, tx.chain_id, tx.nonce, tx.value), (alice, 31_337, nonce + i as u64, U256::ZERO));
        assert_eq!(tx.gas, gas_limit(tx.estimated_gas));
        assert!(tx.estimated_gas > 21_000, "{tx:?}");
        let FeeSuggestion::Eip1559 { max_fee_per_gas, max_priority_fee_per_gas } = tx.fees else {
            panic!("anvil has a base fee: {tx:?}")
        };
        assert!(max_fee_per_gas >= max_priority_fee_per_gas && max_fee_per_gas > 0, "{tx:?}");
    }
    assert_eq!(txs[1].description, "lend 1,000 USDC to collateral pool 0");
    let json = serde_json::to_value(&txs[0]).unwrap();
    assert_eq!(json["type"], "0x2");
    assert_eq!(json["chainId"], "0x7a69");
    assert!(json["data"].as_str().unwrap().starts_with("0x095ea7b3"), "an approve: {json}");
    assert!(json["maxFeePerGas"].as_str().unwrap().starts_with("0x") && json.get("gasPrice").is_none(), "{json}");
    let before = w.balance(w.usdc, ALICE).await;
    for tx in &txs {
        sign_and_relay(client, &keys[ALICE], tx).await.unwrap();
    }
    assert_eq!(before - w.balance(w.usdc, ALICE).await, usdc(1_000));
    let lends = client.lend_positions(alice).await.unwrap();
    assert_eq!((lends.len(), lends[0].principal), (1, usdc(1_000)));

    // A counterparty pool with a fee and collateral: two approvals (USDC, WETH), then the pool.
    let deadline = w.now().await + 7 * 86_400;
    let calls = w
        .client(FRANK)
        .create_pool(Variant::Default, usdc(1_000), usdc(2_000), deadline, 2_000_000, &[(w.weth, tokens18(1))])
        .await
        .unwrap();
    let txs = client.prepare_all(&calls).await.unwrap();
    assert_eq!(txs.len(), 3);
    let mut effects = Vec::new();
    for tx in &txs {
        effects.extend(sign_and_relay(client, &keys[FRANK], tx).await.unwrap().effects);
    }
    assert!(effects.iter().any(|e| e == "frank created pool 0"), "{effects:?}");
    assert_eq!(w.balance(w.weth, FRANK).await, U256::ZERO);

    // The admin variant: the admin creates, bob commits; one prepared at a time.
    let calls = w.client(ADMIN).create_pool(Variant::Admin, usdc(100), usdc(1_000), deadline, 0, &[]).await.unwrap();
    assert_eq!(calls.len(), 1);
    let tx = client.prepare(&calls[0]).await.unwrap();
    sign_and_relay(client, &keys[ADMIN], &tx).await.unwrap();
    let calls = w.client(BOB).commit(Variant::Admin, 0, usdc(600)).await.unwrap();
    for tx in client.prepare_all(&calls).await.unwrap() {
        sign_and_relay(client, &keys[BOB], &tx).await.unwrap();
    }
    let commits = client.commits(Variant::Admin, w.address(BOB)).await.unwrap();
    assert_eq!((commits.len(), commits[0].amount), (1, usdc(600)));

    // A call the chain would refuse is not prepared: its custom error comes back in words.
    let pool = client.deployment().collateral_pool.proxy;
    let lend_one = bindings::ERC20CollateralPool::lendCall { poolId: U256::ZERO, usdcAmount: U256::from(1u64) };
    let error = client.prepare(&Call::new("lend 0.000001 USDC", alice, pool, &lend_one)).await.unwrap_err();
    assert_eq!(error.downcast_ref::<Reverted>().and_then(|r| r.error.as_deref()), Some("AmountTooLow"), "{error:#}");
    assert_eq!(error.to_string(), "lend 0.000001 USDC: AmountTooLow: the amount is below the pool's minimum");

    // A race: carol's commit is prepared while it fits; bob takes the room; carol's signed
    // transaction is mined, reverts, and the relay decodes why.
    w.mint(w.usdc, CAROL, usdc(1_000)).await;
    let carols =
        client.prepare_all(&w.client(CAROL).commit(Variant::Admin, 0, usdc(400)).await.unwrap()).await.unwrap();
    w.act(w.client(BOB).commit(Variant::Admin, 0, usdc(400)).await).await;
    sign_and_relay(client, &keys[CAROL], &carols[0]).await.unwrap();
    let error = sign_and_relay(client, &keys[CAROL], &carols[1]).await.unwrap_err();
    let reverted = error.downcast_ref::<Reverted>().unwrap_or_else(|| panic!("not decoded: {error:#}"));
    assert_eq!(reverted.error.as_deref(), Some("PoolHardCapReached"));
    assert!(reverted.reason.starts_with("reverted on chain in 0x"), "{reverted:?}");
    assert!(error.to_string().ends_with("PoolHardCapReached: this would take the pool over its hard cap"), "{error}");
}

#[tokio::test]
async fn legacy_fees_on_a_chain_without_a_base_fee() {
    let root = pools_sdk::repository_root();
    let anvil = Anvil::start_with(&root, &["--hardfork", "berlin"]).unwrap();
    // Preparing needs no pool: a deployment file that only names the chain will do.
    let file = std::env::temp_dir().join(format!("pools-sdk-legacy-{}.json", std::process::id()));
    let nowhere = Address::repeat_byte(0x11);
    let proxied = serde_json::json!({"proxy": nowhere, "implementation": nowhere, "proxyAdmin": nowhere});
    let deployment = serde_json::json!({
        "chainId": 31337, "commit": "test", "block": 0, "deployer": nowhere, "admin": nowhere, "usdc": nowhere,
        "usdcFeed": nowhere, "usdcSequencerFeed": Address::ZERO, "collateralPool": proxied,
        "counterpartyPool": proxied, "adminCounterpartyPool": proxied,
    });
    std::fs::write(&file, deployment.to_string()).unwrap();
    let client = Client::connect(anvil.url(), &root, Some(&file), vec![]).await;
    let _ = std::fs::remove_file(&file);
    let client = client.unwrap();
    let key = &anvil.keys()[0];
    let approve = bindings::MockERC20::approveCall { spender: nowhere, value: U256::from(1u64) };
    let tx = client.prepare(&Call::new("approve", key.address(), Address::repeat_byte(0x22), &approve)).await.unwrap();
    let FeeSuggestion::Legacy { gas_price } = tx.fees else { panic!("berlin has no base fee: {tx:?}") };
    assert!(gas_price > 0);
    let json = serde_json::to_value(&tx).unwrap();
    assert_eq!((json["type"].as_str(), json.get("maxFeePerGas")), (Some("0x0"), None), "{json}");
    let outcome = sign_and_relay(&client, key, &tx).await.unwrap();
    assert!(outcome.gas_used > 21_000 && outcome.gas_used <= tx.gas, "{outcome:?}");
}

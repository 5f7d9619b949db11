//! The client-side checks of every kind against anvil: each refusal comes with its exact words
//! and kind before anything is sent; and when the state moves between building and sending, the
//! chain's own custom error comes back decoded.

#![allow(clippy::unwrap_used)] // a failed step is the test failing

mod common;

use alloy::primitives::U256;
use common::*;
use pools_sdk::{Call, RefusalKind, Reverted, Variant, format_utc};

/// Asserts a refusal's kind and its words.
fn refused(result: eyre::Result<Vec<Call>>, kind: RefusalKind, words: &str) {
    let refusal = refusal(result);
    assert_eq!(refusal.to_string(), words);
    assert_eq!(refusal.kind, kind, "{words}");
}

async fn pause(w: &World, target: alloy::primitives::Address, pause: bool) {
    let admin = w.address(ADMIN);
    let call = if pause {
        Call::new("pause", admin, target, &bindings::ERC20CollateralPool::pauseCall {})
    } else {
        Call::new("unpause", admin, target, &bindings::ERC20CollateralPool::unpauseCall {})
    };
    w.chain.client.send(&call).await.unwrap();
}

#[tokio::test]
async fn collateral_pool_refusals_in_words() {
    let w = World::start().await;
    let (alice, carol, eve, pauper) = (w.client(ALICE), w.client(CAROL), w.client(EVE), w.client(PAUPER));
    let collateral_pool = w.chain.client.deployment().collateral_pool.proxy;

    // Ids that do not exist.
    refused(
        alice.lend(7, usdc(100)).await,
        RefusalKind::NotFound,
        "cannot lend 100 USDC to collateral pool 7: collateral pool 7 does not exist (there are 2: ids 0–1)",
    );
    refused(
        carol.repay(0, 3, None).await,
        RefusalKind::NotFound,
        "cannot repay borrow 3 in collateral pool 0: carol has no borrow 3 in collateral pool 0 (0 borrows: none)",
    );
    refused(
        alice.claim(0, 1, None).await,
        RefusalKind::NotFound,
        "cannot claim lend position 1 in collateral pool 0: alice has no lend position 1 in collateral pool 0 (0 positions: none)",
    );
    // Amounts: zero, under the minimum, over the capacity, over the free USDC, over what is owed.
    refused(
        alice.lend(0, U256::ZERO).await,
        RefusalKind::Amount,
        "cannot lend 0 USDC to collateral pool 0: the amount must be above zero",
    );
    refused(
        alice.lend(0, usdc(5)).await,
        RefusalKind::Amount,
        "cannot lend 5 USDC to collateral pool 0: the pool's minimum is 10 USDC",
    );
    w.mint(w.usdc, ALICE, usdc(600_000)).await;
    refused(
        alice.lend(1, usdc(500_001)).await,
        RefusalKind::Amount,
        "cannot lend 500,001 USDC to collateral pool 1: only 500,000 USDC more fits under the pool's capacity of 500,000 USDC",
    );
    refused(
        carol.borrow(0, usdc(100), None).await,
        RefusalKind::Amount,
        "cannot borrow 100 USDC from collateral pool 0: the pool has only 0 USDC free",
    );
    // The balance.
    refused(
        pauper.lend(0, usdc(100)).await,
        RefusalKind::Balance,
        "cannot lend 100 USDC to collateral pool 0: pauper has 0 USDC and this needs 100 USDC",
    );
    w.act(alice.lend(0, usdc(10_000)).await).await;
    refused(
        carol.borrow(0, usdc(3_000), Some(tokens18(2))).await,
        RefusalKind::Amount,
        "cannot borrow 3,000 USDC from collateral pool 0: 2 WETH of collateral is not enough: it needs at least 2.423076923076923077 WETH now",
    );
    w.act(carol.borrow(0, usdc(3_000), Some(tokens18(3))).await).await;
    refused(
        carol.repay(0, 0, Some(usdc(3_001))).await,
        RefusalKind::Amount,
        "cannot repay 3,001 USDC of borrow 0 in collateral pool 0: only 3,000 USDC is owed",
    );
    refused(
        carol.repay(0, 0, Some(usdc(2_995))).await,
        RefusalKind::Amount,
        "cannot repay 2,995 USDC of borrow 0 in collateral pool 0: it would leave 5 USDC, under the pool's minimum borrow of 10 USDC: clear all of it or leave at least that",
    );
    // Status: a healthy loan cannot be liquidated.
    let refusal = refusal(eve.liquidate(0, w.address(CAROL), 0, None).await);
    assert_eq!(refusal.kind, RefusalKind::Status);
    assert!(
        refusal.to_string().starts_with(
            "cannot liquidate 3,000 USDC of carol's borrow 0 in collateral pool 0: the loan is healthy (LTV 50%"
        ) && refusal.to_string().ends_with("under the 85% threshold) and not overdue"),
        "{refusal}"
    );
    refused(
        carol.change_collateral(0, 0, tokens18(3), 6_500).await,
        RefusalKind::Amount,
        "cannot change the collateral of borrow 0 in collateral pool 0 from 3 WETH to 3 WETH: that is the collateral it already has",
    );

    // Paused: lending stops, repaying does not; after the unpause liquidations wait a day.
    pause(&w, collateral_pool, true).await;
    refused(
        alice.lend(0, usdc(100)).await,
        RefusalKind::Paused,
        "cannot lend 100 USDC to collateral pool 0: the collateral pool is paused",
    );
    assert_eq!(carol.repay(0, 0, Some(usdc(1_000))).await.unwrap().len(), 2, "approval and repay while paused");
    pause(&w, collateral_pool, false).await;
    let resumes = w.now().await + 86_400;
    refused(
        eve.liquidate(0, w.address(CAROL), 0, None).await,
        RefusalKind::Timing,
        &format!(
            "cannot liquidate 3,000 USDC of carol's borrow 0 in collateral pool 0: liquidations resume on {} (a day after the pool was unpaused)",
            format_utc(resumes)
        ),
    );

    // Timing: the DFTR pool ends after 30 days.
    let end = w.chain.client.collateral_pool_info(1).await.unwrap().end_time;
    w.advance(end - w.now().await + 1).await;
    refused(
        alice.lend(1, usdc(100)).await,
        RefusalKind::Timing,
        &format!("cannot lend 100 USDC to collateral pool 1: the pool ended on {}", format_utc(end)),
    );
}

#[tokio::test]
async fn counterparty_refusals_in_words_and_a_race_decoded_from_the_chain() {
    let w = World::start().await;
    let (alice, bob, carol, frank) = (w.client(ALICE), w.client(BOB), w.client(CAROL), w.client(FRANK));
    let deadline = w.now().await + 7 * 86_400;

    // Role: only the admin creates admin pools.
    refused(
        alice.create_pool(Variant::Admin, usdc(100), usdc(1_000), deadline, 0, &[]).await,
        RefusalKind::Role,
        "cannot create an admin counterparty pool raising 100 USDC to 1,000 USDC: only the admin creates admin counterparty pools, and alice lacks the admin role",
    );
    // Input and timing of creation.
    let eleven = vec![(w.weth, tokens18(1) / U256::from(100u64)); 11];
    refused(
        frank.create_pool(Variant::Default, usdc(100), usdc(1_000), deadline, 0, &eleven).await,
        RefusalKind::Input,
        "cannot create a counterparty pool raising 100 USDC to 1,000 USDC: a pool takes at most 10 collateral items, not 11",
    );
    let too_far = w.now().await + 400 * 86_400;
    let refusal = refusal(frank.create_pool(Variant::Default, usdc(100), usdc(1_000), too_far, 0, &[]).await);
    assert_eq!(refusal.kind, RefusalKind::Timing);
    assert!(refusal.reason.starts_with(&format!("the deadline {} is more than a year ahead", format_utc(too_far))));
    refused(
        frank.create_pool(Variant::Default, usdc(2_000), usdc(1_000), deadline, 0, &[]).await,
        RefusalKind::Amount,
        "cannot create a counterparty pool raising 2,000 USDC to 1,000 USDC: the soft cap is above the hard cap",
    );
    w.act(
        frank
            .create_pool(Variant::Default, usdc(5_000), usdc(10_000), deadline, 2_000_000, &[(w.weth, tokens18(1))])
            .await,
    )
    .await;

    refused(
        alice.commit(Variant::Default, 9, usdc(100)).await,
        RefusalKind::NotFound,
        "cannot commit 100 USDC to counterparty pool 9: counterparty pool 9 does not exist (there are 1: id 0)",
    );
    refused(
        frank.commit(Variant::Default, 0, usdc(100)).await,
        RefusalKind::Role,
        "cannot commit 100 USDC to counterparty pool 0: its owner cannot commit to it",
    );
    refused(
        alice.collect(Variant::Default, 0).await,
        RefusalKind::Role,
        "cannot collect counterparty pool 0: only its owner frank can do this",
    );
    refused(
        frank.deposit_rewards(Variant::Default, 0, usdc(100)).await,
        RefusalKind::Status,
        "cannot deposit 100 USDC of rewards to counterparty pool 0: it is CREATED, and this needs it ACTIVE",
    );
    refused(
        carol.claim_rewards(Variant::Default, 0).await,
        RefusalKind::Status,
        "cannot claim rewards of counterparty pool 0: it is CREATED, and this needs it ACTIVE or CLOSED",
    );
    refused(
        carol.uncommit(Variant::Default, 0).await,
        RefusalKind::NotFound,
        "cannot take back the commit to counterparty pool 0: carol has no commit in it",
    );
    w.act(alice.commit(Variant::Default, 0, usdc(4_000)).await).await;
    refused(
        frank.collect(Variant::Default, 0).await,
        RefusalKind::Amount,
        "cannot collect counterparty pool 0: its commits (4,000 USDC) have not reached the soft cap of 5,000 USDC",
    );
    refused(
        bob.commit(Variant::Default, 0, usdc(6_001)).await,
        RefusalKind::Amount,
        "cannot commit 6,001 USDC to counterparty pool 0: only 6,000 USDC is left under its hard cap of 10,000 USDC",
    );
    refused(
        w.client(PAUPER).commit(Variant::Default, 0, usdc(10)).await,
        RefusalKind::Balance,
        "cannot commit 10 USDC to counterparty pool 0: pauper has 0 USDC and this needs 10 USDC",
    );

    // A race: bob's commit fits when built, alice takes the room before it is sent; the chain
    // refuses and its custom error comes back decoded.
    let bobs = bob.commit(Variant::Default, 0, usdc(3_000)).await.unwrap();
    w.act(alice.commit(Variant::Default, 0, usdc(6_000)).await).await;
    w.chain.client.send(&bobs[0]).await.unwrap(); // the approval still goes through
    let error = w.chain.client.send(&bobs[1]).await.unwrap_err();
    let reverted = error.downcast_ref::<Reverted>().unwrap_or_else(|| panic!("not decoded: {error:#}"));
    assert_eq!(reverted.error.as_deref(), Some("PoolHardCapReached"));
    assert_eq!(
        error.to_string(),
        "commit 3,000 USDC to counterparty pool 0: PoolHardCapReached: this would take the pool over its hard cap"
    );

    refused(
        frank.collect(Variant::Default, 0).await,
        RefusalKind::Timing,
        &format!("cannot collect counterparty pool 0: its deadline is {}: collecting opens then", format_utc(deadline)),
    );

    // Past the deadline: no more commits, and commits stay while the owner can collect.
    w.advance(7 * 86_400 + 60).await;
    refused(
        carol.commit(Variant::Default, 0, usdc(10)).await,
        RefusalKind::Timing,
        &format!("cannot commit 10 USDC to counterparty pool 0: its deadline passed on {}", format_utc(deadline)),
    );
    refused(
        alice.uncommit(Variant::Default, 0).await,
        RefusalKind::Timing,
        &format!(
            "cannot take back the commit to counterparty pool 0: its owner can collect it until {}: commits stay until then",
            format_utc(deadline + 30 * 86_400)
        ),
    );
    w.act(frank.collect(Variant::Default, 0).await).await;
    refused(
        frank.close(Variant::Default, 0).await,
        RefusalKind::Amount,
        "cannot close counterparty pool 0: it needs 10,200 USDC of rewards to close and has 0 USDC: deposit 10,200 USDC more first",
    );
    refused(
        alice.declare_default(Variant::Default, 0).await,
        RefusalKind::Timing,
        &format!(
            "cannot declare counterparty pool 0 in default: its repayment date is {}",
            format_utc(deadline + 365 * 86_400)
        ),
    );
    refused(
        alice.archive(Variant::Default, 0).await,
        RefusalKind::Role,
        "cannot archive counterparty pool 0: only its owner or the admin can archive it",
    );
    refused(
        alice.claim_rewards(Variant::Default, 0).await,
        RefusalKind::Amount,
        "cannot claim rewards of counterparty pool 0: nothing is claimable now",
    );
    // Paused: claims stop, deposits do not.
    pause(&w, w.chain.client.deployment().counterparty_pool.proxy, true).await;
    refused(
        alice.claim_rewards(Variant::Default, 0).await,
        RefusalKind::Paused,
        "cannot claim rewards of counterparty pool 0: the counterparty contract is paused",
    );
    assert_eq!(frank.deposit_rewards(Variant::Default, 0, usdc(100)).await.unwrap().len(), 2);
}

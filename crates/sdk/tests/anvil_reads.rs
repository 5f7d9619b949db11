//! Every read of the SDK against anvil with the real deployment: counts and pages (with their
//! edges), positions, and the calculators, each checked against what the chain then does when
//! the transaction is mined at the quoted time.

#![allow(clippy::unwrap_used)] // a failed step is the test failing

mod common;

use alloy::primitives::U256;
use common::*;
use pools_sdk::{MAX_PAGE_LIMIT, RefusalKind, Variant};

#[tokio::test]
async fn counts_and_pages_with_their_edges() {
    let w = World::start().await;
    let client = &w.chain.client;
    assert_eq!(client.collateral_pool_count().await.unwrap(), 2);
    assert_eq!(client.counterparty_pool_count(Variant::Default).await.unwrap(), 0);
    assert_eq!(client.counterparty_pool_count(Variant::Admin).await.unwrap(), 0);

    let first = client.collateral_pools_page(0, 1).await.unwrap();
    assert_eq!((first.data.len(), first.data[0].id, first.more), (1, 0, true));
    assert_eq!(first.data[0].collateral.symbol, "WETH");
    assert_eq!((first.data[0].ltv_bps, first.data[0].factor_bps, first.data[0].interest_bps), (6_500, 10_500, 1_000));
    assert_eq!(first.data[0].min_lended, usdc(10));
    let second = client.collateral_pools_page(1, 1).await.unwrap();
    assert_eq!((second.data.len(), second.data[0].id, second.more), (1, 1, false));
    assert_eq!(second.data[0].collateral.symbol, "DFTR");
    let all = client.collateral_pools_page(0, MAX_PAGE_LIMIT).await.unwrap();
    assert_eq!((all.data.len(), all.more), (2, false));
    let past_the_end = client.collateral_pools_page(5, 10).await.unwrap();
    assert!(past_the_end.data.is_empty() && !past_the_end.more);
    for bad in [0, MAX_PAGE_LIMIT + 1] {
        let refused = refusal(client.collateral_pools_page(0, bad).await);
        assert_eq!(refused.kind, RefusalKind::Input);
        assert_eq!(
            refused.to_string(),
            format!("cannot list collateral pools: the limit must be between 1 and 100, not {bad}")
        );
    }
    let refused = refusal(client.counterparty_pools_page(Variant::Admin, 0, 0).await);
    assert_eq!(refused.to_string(), "cannot list admin counterparty pools: the limit must be between 1 and 100, not 0");

    // Three default pools (frank's first is taken through to claimable rewards) and one admin pool.
    let frank = w.client(FRANK);
    let deadline = w.now().await + 7 * 86_400;
    for soft_cap in [5_000, 1_000, 2_000] {
        let collateral = if soft_cap == 5_000 { vec![(w.weth, tokens18(1))] } else { vec![] };
        w.act(
            frank.create_pool(Variant::Default, usdc(soft_cap), usdc(10_000), deadline, 2_000_000, &collateral).await,
        )
        .await;
    }
    w.act(w.client(ADMIN).create_pool(Variant::Admin, usdc(100), usdc(1_000), deadline, 0, &[]).await).await;
    assert_eq!(client.counterparty_pool_count(Variant::Default).await.unwrap(), 3);
    assert_eq!(client.counterparty_pool_count(Variant::Admin).await.unwrap(), 1);
    let page = client.counterparty_pools_page(Variant::Default, 0, 2).await.unwrap();
    let ids: Vec<u64> = page.data.iter().map(|p| p.id).collect();
    assert_eq!((ids, page.more), (vec![0, 1], true));
    assert_eq!((page.data[1].soft_cap, page.data[1].status), (usdc(1_000), "CREATED"));
    assert_eq!(page.data[0].required_rewards, U256::ZERO);
    assert_eq!(page.data[0].repayment_date, deadline + 365 * 86_400);
    let page = client.counterparty_pools_page(Variant::Default, 2, 2).await.unwrap();
    assert_eq!((page.data.len(), page.data[0].id, page.more), (1, 2, false));
    let page = client.counterparty_pools_page(Variant::Admin, 0, 100).await.unwrap();
    assert_eq!((page.data.len(), page.data[0].owner, page.more), (1, w.address(ADMIN), false));
    assert!(client.counterparty_pools_page(Variant::Admin, 1, 100).await.unwrap().data.is_empty());

    // Commits and claimable rewards: 7,140 USDC shared 4,000 : 3,000.
    w.act(w.client(ALICE).commit(Variant::Default, 0, usdc(4_000)).await).await;
    w.act(w.client(BOB).commit(Variant::Default, 0, usdc(3_000)).await).await;
    assert_eq!(client.claimable_rewards(Variant::Default, 0, w.address(ALICE)).await.unwrap(), U256::ZERO);
    w.advance(7 * 86_400 + 60).await;
    w.act(frank.collect(Variant::Default, 0).await).await;
    let info = client.counterparty_pool_info(Variant::Default, 0).await.unwrap();
    assert_eq!((info.status, info.required_rewards), ("ACTIVE", usdc(7_140)));
    w.act(frank.deposit_rewards(Variant::Default, 0, usdc(7_140)).await).await;
    assert_eq!(client.claimable_rewards(Variant::Default, 0, w.address(ALICE)).await.unwrap(), usdc(4_080));
    assert_eq!(client.claimable_rewards(Variant::Default, 0, w.address(BOB)).await.unwrap(), usdc(3_060));
    let commits = client.commits(Variant::Default, w.address(BOB)).await.unwrap();
    assert_eq!((commits.len(), commits[0].amount, commits[0].claimable), (1, usdc(3_000), usdc(3_060)));
}

#[tokio::test]
async fn collateral_calculators_match_what_the_chain_does() {
    let w = World::start().await;
    let client = &w.chain.client;
    let (alice, bob, carol) = (w.address(ALICE), w.address(BOB), w.address(CAROL));

    // F6 on the deployment's numbers: 3,000 USDC / 65 % × 105 % at $2,000 = 2.4230769… WETH, up.
    let required = client.required_collateral(0, usdc(3_000)).await.unwrap();
    assert_eq!(required, U256::from(2_423_076_923_076_923_077u64));

    w.act(w.client(ALICE).lend(0, usdc(10_000)).await).await;
    w.act(w.client(BOB).lend(0, usdc(10_000)).await).await;
    w.act(w.client(CAROL).borrow(0, usdc(3_000), Some(tokens18(3))).await).await;
    w.advance(10 * 86_400).await;

    let lends = client.lend_positions(alice).await.unwrap();
    assert_eq!((lends.len(), lends[0].pool_id, lends[0].principal), (1, 0, usdc(10_000)));
    let borrows = client.borrow_positions(carol).await.unwrap();
    assert_eq!((borrows.len(), borrows[0].principal, borrows[0].collateral), (1, usdc(3_000), tokens18(3)));
    assert!(!borrows[0].liquidatable);

    // Interest now is the contract's view; the same figure by F1 written out here.
    let now = client.repay_interest(0, carol, 0, None, None).await.unwrap();
    let elapsed = U256::from(now.at - now.borrowed_at);
    let f1 = (usdc(3_000) * U256::from(1_000u64) * elapsed).div_ceil(U256::from(31_536_000u64 * 10_000));
    assert_eq!((now.interest, now.total, now.rate_bps), (f1, usdc(3_000) + f1, 1_000));
    assert!(now.interest > usdc(8) && now.interest < usdc(9), "{now:?}");
    // Ten days on (no change in between), half the principal: exact by F1 as well.
    let later = client.repay_interest(0, carol, 0, Some(usdc(1_500)), Some(now.at + 86_400)).await.unwrap();
    let f1 = (usdc(1_500) * U256::from(1_000u64) * (elapsed + U256::from(86_400u64)))
        .div_ceil(U256::from(31_536_000u64 * 10_000));
    assert_eq!(later.interest, f1);
    let refused = refusal(client.repay_interest(0, carol, 0, None, Some(now.borrowed_at - 1)).await);
    assert_eq!(refused.kind, RefusalKind::Input);

    // A lender's reward quoted for a future time is what the claim mined at that time pays.
    let at = w.now().await + 3_600;
    let quote = client.lender_reward(0, alice, 0, Some(at)).await.unwrap();
    assert_eq!(quote.principal, usdc(10_000));
    assert!(quote.reward > U256::ZERO && quote.available_usdc == usdc(17_000), "{quote:?}");
    let before = w.balance(w.usdc, ALICE).await;
    let claim = w.client(ALICE).claim(0, 0, None).await.unwrap();
    w.next_block_at(at).await;
    w.act(Ok(claim)).await;
    assert_eq!(w.balance(w.usdc, ALICE).await - before, quote.claimable);
    // And quoted now, the contract's view.
    let now_quote = client.lender_reward(0, bob, 0, None).await.unwrap();
    let view = client.lend_positions(bob).await.unwrap()[0].rewards;
    assert_eq!(now_quote.reward, view);

    // The repay interest quoted for a time is what the repay mined then pulls.
    let at = w.now().await + 86_400;
    let quote = client.repay_interest(0, carol, 0, None, Some(at)).await.unwrap();
    let calls = w.client(CAROL).repay(0, 0, None).await.unwrap();
    assert_eq!(calls.len(), 2, "approval and repay");
    w.chain.client.send(&calls[0]).await.unwrap();
    let before = w.balance(w.usdc, CAROL).await;
    w.next_block_at(at).await;
    w.chain.client.send(&calls[1]).await.unwrap();
    assert_eq!(before - w.balance(w.usdc, CAROL).await, quote.total);
    assert_eq!(w.balance(w.weth, CAROL).await, tokens18(5));
}

#[tokio::test]
async fn liquidation_cost_and_health_match_the_liquidation() {
    let w = World::start().await;
    let client = &w.chain.client;
    let dave = w.address(DAVE);
    w.act(w.client(BOB).lend(1, usdc(5_000)).await).await;
    w.act(w.client(DAVE).borrow(1, usdc(2_000), Some(dftr(250_000))).await).await;
    w.advance(86_400).await;

    // $5,000 of DFTR against ~$2,000: LTV ~40 % under a 70 % threshold.
    let health = client.position_health(1, dave, 0).await.unwrap();
    assert_eq!((health.liquidation_threshold_bps, health.overdue, health.liquidatable), (7_000, false, false));
    assert_eq!(health.collateral_value_usd, U256::from(5_000u64) * U256::from(10u64).pow(U256::from(18u64)));
    assert!(health.ltv_bps > U256::from(4_000u64) && health.ltv_bps < U256::from(4_010u64), "{health:?}");

    // The price halves: $2,500 of collateral against ~$2,000.8 is past 70 %.
    w.set_price(w.dftr_feed, 1_000_000).await;
    let health = client.position_health(1, dave, 0).await.unwrap();
    assert!(health.liquidatable && health.ltv_bps > U256::from(8_000u64), "{health:?}");

    // Half the loan: the liquidator pays (1,000 + interest) × 1.05, rounded up, and receives
    // collateral worth (1,000 + interest) × 1.1 at $0.01, less than the half's 125,000 DFTR.
    let calls = w.client(EVE).liquidate(1, dave, 0, Some(usdc(1_000))).await.unwrap();
    w.chain.client.send(&calls[0]).await.unwrap(); // the approval
    let quote = client.liquidation_cost(1, dave, 0, Some(usdc(1_000))).await.unwrap();
    assert!(quote.liquidatable);
    let cleared = usdc(1_000) + quote.interest;
    assert_eq!(quote.payment, (cleared * U256::from(10_500u64)).div_ceil(U256::from(10_000u64)));
    assert_eq!(quote.protocol_fee, quote.payment - cleared);
    // value × 1.1 / $0.01 in 6-decimal DFTR: cleared (6 decimals) × 110.
    assert_eq!(quote.collateral_received, cleared * U256::from(110u64));
    assert_eq!(quote.collateral_left_to_borrower, dftr(125_000) - quote.collateral_received);
    let before = (w.balance(w.usdc, EVE).await, w.balance(w.dftr, EVE).await);
    w.next_block_at(quote.at).await;
    w.chain.client.send(&calls[1]).await.unwrap();
    assert_eq!(before.0 - w.balance(w.usdc, EVE).await, quote.payment);
    assert_eq!(w.balance(w.dftr, EVE).await - before.1, quote.collateral_received);

    // The rest of the loan, quoted whole: the payment is the contract's own view.
    let rest = client.liquidation_cost(1, dave, 0, None).await.unwrap();
    assert_eq!(rest.principal, usdc(1_000));
    let view = bindings::ERC20CollateralPool::new(client.deployment().collateral_pool.proxy, client.provider())
        .getLiquidatableAmountWithProtocolFee(U256::from(1u64), dave, U256::ZERO)
        .call()
        .await
        .unwrap();
    assert_eq!(rest.payment, view);
}

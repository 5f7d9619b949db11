//! The collateral pool's state machine: proptest draws sequences of real user and admin calls,
//! time warps, price moves, sequencer outages, blacklists, pause / unpause and upgrades; the
//! reference model predicts each call's outcome (effects or the exact revert) from its own
//! state, the EVM runs it as the real sender, and the machine compares: same outcome, same
//! error, then the touched pool, positions, fees and balances to the wei. Every
//! [`SWEEP_EVERY`] steps and at the end of each case it compares everything and checks every
//! invariant; each case closes by settling every loan and claiming every lend (invariant 11).
//!
//! ```no_run
//! use invariant_harness::{machines::collateral::CollateralTest, run};
//! let config = run::RunConfig::from_env(0.4, "proptest-regressions/collateral.txt").unwrap();
//! run::run_machine::<CollateralTest>("collateral", &config).unwrap();
//! ```

use std::{fmt, sync::Arc};

use alloy_primitives::{Address, Bytes, I256, U256, address, aliases::U48};
use alloy_sol_types::{SolCall, SolError, SolInterface};
use bindings::{
    BlacklistToken, ERC20CollateralPool as Pool, FeeOnTransferToken, MockAggregator, MockERC20,
    erc20_collateral_pool::IERC20CollateralPool as IPool,
};
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

use crate::{
    evm::{CallOutcome, GENESIS_TIMESTAMP},
    invariants::collateral as inv,
    model::collateral::{
        Action, Actor, AssetKind, AssetSetup, ClaimEntry, CollateralModel, Failure, FeedChoice, FeedId, Holder,
        LiquidationEntry, PoolError, PoolParams, RoundTime, SequencerState, Setup, Token, TokenChoice, math,
    },
    run,
    world::{
        CollateralWorld, TokenKind,
        collateral::{SEQUENCER_UP_SINCE, USER_COLLATERAL_WHOLE_TOKENS, USER_USDC},
    },
};

/// Full comparison and every state invariant once every this many steps.
pub const SWEEP_EVERY: u64 = 16;

/// The collateral world's assets as the model and the call printer name them: symbol,
/// decimals, feed decimals (checked against the deployed world when a case starts).
pub const ASSETS: [(&str, u8, u8); 4] = [("WETH", 18, 8), ("DFTR", 6, 18), ("BLK", 18, 8), ("FOT", 18, 8)];

/// `FeeOnTransferToken.FEE_SINK`.
const FEE_SINK: Address = address!("0000000000000000000000000000000000000FEE");

/// An address with no code, for parameters that must not be a token or feed.
const NOT_A_CONTRACT: Address = address!("00000000000000000000000000000000DeaDBeef");

/// The reference side: the model and what it predicted for the last transition.
pub struct CollateralMachine;

/// The reference state.
#[derive(Clone, Debug)]
pub struct CollateralState {
    /// The model after the last transition.
    pub model: CollateralModel,
    /// The outcome the model predicted for the last transition.
    pub last: Result<(), Failure>,
}

/// The system under test: the deployed world, with what the machine remembers between steps.
pub struct CollateralTest;

/// The deployed world and the machine's memory of it.
pub struct CollateralSut {
    world: CollateralWorld,
    steps: u64,
    previous: CollateralModel,
    /// `minBorrow` in force when each position's principal last changed: `[pool][user][borrow]`.
    floors: Vec<Vec<Vec<U256>>>,
}

/// The model's starting point, from the world's published layout (no EVM read).
pub fn setup() -> Setup {
    let whole = |decimals: u8| U256::from(USER_COLLATERAL_WHOLE_TOKENS) * math::pow10(decimals);
    let answers: [i128; 4] = [200_000_000_000, 20_000_000_000_000_000, 100_000_000, 1_000_000_000];
    let kinds = [AssetKind::Plain, AssetKind::Plain, AssetKind::Blacklist, AssetKind::FeeOnTransfer { fee_bps: 100 }];
    Setup {
        users: crate::world::USER_COUNT as u8,
        usdc_per_user: U256::from(USER_USDC),
        usdc_feed_decimals: 8,
        usdc_answer: crate::world::collateral::USDC_PRICE.into(),
        sequencers: 2,
        usdc_sequencer: Some(0),
        sequencer_started_at: SEQUENCER_UP_SINCE,
        assets: ASSETS
            .iter()
            .zip(answers)
            .zip(kinds)
            .map(|((&(_, decimals, feed_decimals), initial_answer), kind)| AssetSetup {
                decimals,
                kind,
                feed_decimals,
                initial_answer,
                user_balance: whole(decimals),
            })
            .collect(),
        start: GENESIS_TIMESTAMP,
    }
}

/* GENERATION */

const USDC: u64 = 1_000_000;
const DAY: u64 = 86_400;

fn usdc_between(lo: U256, hi: U256) -> BoxedStrategy<U256> {
    let (lo, hi) = (lo.saturating_to::<u128>(), hi.saturating_to::<u128>());
    if hi <= lo { Just(U256::from(lo)).boxed() } else { (lo..=hi).prop_map(U256::from).boxed() }
}

/// A fraction of `x` in per-mille (0..=1000), or more.
fn scaled(x: U256, per_mille: u64) -> U256 {
    x * U256::from(per_mille) / U256::from(1_000u64)
}

fn actor() -> impl Strategy<Value = Actor> {
    prop_oneof![9 => Just(Actor::Admin), 1 => (0u8..3).prop_map(Actor::User)]
}

fn pool_params() -> BoxedStrategy<PoolParams> {
    let valid = (0u8..4, 0u8..10, 1u64..10_000_000, 1u64..1_000, 1u64..1_000, 0u64..10, 0u32..5_000, 500u32..=6_500)
        .prop_map(move |(asset, feed_roll, cap, min_lend, min_borrow, ends_roll, factor_extra, ltv)| {
            let feed = match feed_roll {
                0 => FeedChoice::Feed(FeedId::Usdc),
                1 => FeedChoice::Feed(FeedId::Asset((asset + 1) % 4)),
                _ => FeedChoice::Feed(FeedId::Asset(asset)),
            };
            let sequencer = match (asset, feed_roll % 3) {
                (1, 0 | 1) => Some(1),
                (_, 0) if feed_roll > 6 => Some(0),
                _ => None,
            };
            let ends_in = match ends_roll {
                0 => 4 * DAY,
                1..=6 => 10 * DAY + ends_roll * 20 * DAY,
                _ => 365 * DAY,
            } as i64;
            PoolParams {
                token: TokenChoice::Asset(asset),
                feed,
                sequencer,
                max_pool_capacity: U256::from(cap * USDC),
                min_lended: U256::from(min_lend * USDC).min(U256::from(cap * USDC)),
                min_borrow: U256::from(min_borrow * USDC),
                ends_in,
                factor: 10_000 + factor_extra,
                ltv,
                interest: [0, 100, 500, 1_500, 5_000][(factor_extra % 5) as usize],
            }
        });
    let broken = (valid.clone(), 0u8..13).prop_map(|(mut p, flaw)| {
        match flaw {
            0 => p.token = TokenChoice::Zero,
            1 => p.token = TokenChoice::Usdc,
            2 => p.token = TokenChoice::NotAContract,
            3 => p.feed = FeedChoice::Zero,
            4 => p.feed = FeedChoice::NotAContract,
            5 => p.ends_in = -1,
            6 => p.ends_in = DAY as i64,
            7 => p.min_lended = U256::ZERO,
            8 => p.min_borrow = U256::ZERO,
            9 => p.max_pool_capacity = U256::from(u64::MAX) + U256::from(1u64),
            10 => p.min_lended = p.max_pool_capacity + U256::from(1u64),
            11 => p.factor = 9_999,
            _ => p.ltv = if p.ltv % 2 == 0 { 0 } else { 6_501 },
        }
        p
    });
    prop_oneof![10 => valid, 1 => broken].boxed()
}

/// Users and ids of open borrows of `pool` (principal left), and of any borrow.
fn borrows_of(model: &CollateralModel, pool: u32, open: bool) -> Vec<(u8, u32)> {
    let Ok(p) = model.pool(pool) else { return Vec::new() };
    let mut out = Vec::new();
    for (user, borrows) in p.borrows.iter().enumerate() {
        for (id, b) in borrows.iter().enumerate() {
            if !open || !b.amount.is_zero() {
                out.push((user as u8, id as u32));
            }
        }
    }
    out
}

fn lendings_of(model: &CollateralModel, pool: u32) -> Vec<(u8, u32, U256)> {
    let Ok(p) = model.pool(pool) else { return Vec::new() };
    let mut out = Vec::new();
    for (user, lendings) in p.lendings.iter().enumerate() {
        for (id, l) in lendings.iter().enumerate() {
            if !l.amount.is_zero() {
                out.push((user as u8, id as u32, l.amount));
            }
        }
    }
    out
}

/// An amount by which to reduce `principal`: all, a valid part, or (1 in 8) one that leaves dust.
fn reduction(principal: U256, min_borrow: U256) -> BoxedStrategy<U256> {
    let valid_part = principal.saturating_sub(min_borrow);
    prop_oneof![
        3 => Just(principal),
        4 => usdc_between(U256::from(1u64), valid_part.max(U256::from(1u64))),
        1 => usdc_between(valid_part + U256::from(1u64), principal),
        1 => Just(U256::ZERO),
        1 => Just(principal + U256::from(1u64)),
    ]
    .boxed()
}

fn pool_id(model: &CollateralModel) -> BoxedStrategy<u32> {
    let n = model.pools.len() as u32;
    let open: Vec<u32> = (0..n).filter(|&id| model.pools[id as usize].end_time > model.now).collect();
    if open.is_empty() {
        return prop_oneof![30 => 0..n.max(1), 1 => Just(n)].boxed();
    }
    prop_oneof![60 => prop::sample::select(open), 10 => 0..n.max(1), 1 => Just(n)].boxed()
}

/// Pools with open borrows, and those among them with a liquidatable borrow: computed once per
/// step for every generator.
#[derive(Clone, Default)]
struct Targets {
    with_borrows: Vec<u32>,
    liquidatable: Vec<u32>,
}

impl Targets {
    fn of(model: &CollateralModel) -> Self {
        let mut t = Targets::default();
        for id in 0..model.pools.len() as u32 {
            let open = borrows_of(model, id, true);
            if open.is_empty() {
                continue;
            }
            t.with_borrows.push(id);
            if open.iter().any(|&(u, b)| model.is_liquidatable(id, Actor::User(u), b).unwrap_or(false)) {
                t.liquidatable.push(id);
            }
        }
        t
    }

    /// A pool with open borrows, preferring one with a liquidatable borrow.
    fn pool(&self, pools: usize) -> BoxedStrategy<u32> {
        match (self.with_borrows.is_empty(), self.liquidatable.is_empty()) {
            (true, _) => (0..(pools as u32).max(1)).boxed(),
            (false, true) => prop::sample::select(self.with_borrows.clone()).boxed(),
            (false, false) => prop_oneof![
                3 => prop::sample::select(self.liquidatable.clone()),
                1 => prop::sample::select(self.with_borrows.clone()),
            ]
            .boxed(),
        }
    }
}

fn lend(model: &Arc<CollateralModel>, _: &Targets) -> BoxedStrategy<Action> {
    let m = Arc::clone(model);
    (pool_id(model), 0u8..6, 0u8..16, 1u64..=1000)
        .prop_map(move |(pool, user, mode, per_mille)| {
            let Ok(p) = m.pool(pool) else { return Action::Lend { pool, user, amount: U256::from(USDC) } };
            let room = (p.max_pool_capacity + p.borrowed).saturating_sub(p.lended - p.claimed + p.repaid);
            let amount = match mode {
                0 => p.min_lended - U256::from(1u64),
                1 => room + U256::from(1u64),
                2 => room,
                _ => p.min_lended.max(scaled(room, per_mille / 2 + 1)),
            };
            Action::Lend { pool, user, amount }
        })
        .boxed()
}

fn claim(model: &Arc<CollateralModel>, _: &Targets) -> BoxedStrategy<Action> {
    let m = Arc::clone(model);
    let pools = m.pools.len() as u32;
    (0..pools.max(1), any::<prop::sample::Index>(), 0u8..12, 1u64..=1000)
        .prop_map(move |(pool, pick, mode, per_mille)| {
            let lendings = lendings_of(&m, pool);
            if lendings.is_empty() {
                return Action::Claim {
                    pool,
                    user: 0,
                    claims: vec![ClaimEntry { lend_id: 0, amount: U256::from(1u64) }],
                };
            }
            let (user, lend_id, amount) = lendings[pick.index(lendings.len())];
            let claims = match mode {
                0 => Vec::new(),
                1 => vec![ClaimEntry { lend_id, amount: U256::ZERO }],
                2 => vec![ClaimEntry { lend_id, amount: amount + U256::from(1u64) }],
                3 => vec![ClaimEntry { lend_id: lend_id + 50, amount }],
                4..=7 => vec![ClaimEntry { lend_id, amount }],
                _ => vec![ClaimEntry { lend_id, amount: scaled(amount, per_mille).max(U256::from(1u64)) }],
            };
            Action::Claim { pool, user, claims }
        })
        .boxed()
}

fn borrow(model: &Arc<CollateralModel>, _: &Targets) -> BoxedStrategy<Action> {
    let m = Arc::clone(model);
    (pool_id(model), 0u8..6, 0u8..16, 1u64..=1000, 0u64..200)
        .prop_map(move |(pool, user, mode, per_mille, extra)| {
            let Ok(p) = m.pool(pool) else {
                return Action::Borrow { pool, user, usdc: U256::from(USDC), collateral: U256::from(1u64) };
            };
            let free = p.available_usdc();
            let usdc = match mode {
                0 => p.min_borrow - U256::from(1u64),
                1 => free + U256::from(1u64),
                _ => p.min_borrow.max(scaled(free, per_mille / 2 + 1)),
            };
            let required = m.required_collateral(pool, usdc).unwrap_or(U256::from(10u64).pow(U256::from(20u64)));
            let collateral = match mode {
                2 | 3 => required.saturating_sub(U256::from(1u64)),
                4..=7 => required,
                _ => required + scaled(required, extra * 5),
            };
            Action::Borrow { pool, user, usdc, collateral }
        })
        .boxed()
}

fn repay(model: &Arc<CollateralModel>, targets: &Targets) -> BoxedStrategy<Action> {
    let m = Arc::clone(model);
    (targets.pool(model.pools.len()), any::<prop::sample::Index>(), any::<u64>())
        .prop_flat_map(move |(pool, pick, seed)| {
            let open = borrows_of(&m, pool, seed % 8 != 0);
            let Some(&(user, borrow_id)) = (!open.is_empty()).then(|| &open[pick.index(open.len())]) else {
                return Just(Action::Repay { pool, user: 0, borrow_id: 0, amount: U256::from(USDC) }).boxed();
            };
            let p = &m.pools[pool as usize];
            let b = p.borrows[user as usize][borrow_id as usize];
            reduction(b.amount, p.min_borrow)
                .prop_map(move |amount| Action::Repay { pool, user, borrow_id, amount })
                .boxed()
        })
        .boxed()
}

fn change_collateral(model: &Arc<CollateralModel>, targets: &Targets) -> BoxedStrategy<Action> {
    let m = Arc::clone(model);
    (targets.pool(model.pools.len()), any::<prop::sample::Index>(), 0u8..12, 0u64..1_000, 0u8..4)
        .prop_map(move |(pool, pick, mode, per_mille, bound)| {
            let all = borrows_of(&m, pool, false);
            let Some(&(user, borrow_id)) = (!all.is_empty()).then(|| &all[pick.index(all.len())]) else {
                return Action::ChangeCollateral {
                    pool,
                    user: 0,
                    borrow_id: 0,
                    new_amount: U256::ZERO,
                    max_ltv: U256::MAX,
                };
            };
            let p = &m.pools[pool as usize];
            let b = p.borrows[user as usize][borrow_id as usize];
            let debt = b.amount + m.repay_interest(pool, Actor::User(user), borrow_id).unwrap_or_default();
            let required =
                if b.amount.is_zero() { U256::ZERO } else { m.required_collateral(pool, debt).unwrap_or(b.collateral) };
            let new_amount = match mode {
                0 => b.collateral,
                1..=3 => b.collateral + scaled(b.collateral, per_mille).max(U256::from(1u64)),
                4 => required.saturating_sub(U256::from(1u64)),
                5 => required,
                _ => required + scaled(b.collateral.saturating_sub(required), per_mille),
            };
            let max_ltv = match bound {
                0 => U256::from(6_500u64),
                1 => U256::from(per_mille * 5),
                2 => U256::from(10_000u64),
                _ => U256::MAX,
            };
            Action::ChangeCollateral { pool, user, borrow_id, new_amount, max_ltv }
        })
        .boxed()
}

/// Open borrows of `pool` the model says are liquidatable (or all open ones when none is).
fn liquidation_targets(model: &CollateralModel, pool: u32) -> Vec<(u8, u32)> {
    let open = borrows_of(model, pool, true);
    let liquidatable: Vec<_> = open
        .iter()
        .copied()
        .filter(|&(user, id)| model.is_liquidatable(pool, Actor::User(user), id).unwrap_or(false))
        .collect();
    if liquidatable.is_empty() { open } else { liquidatable }
}

fn liquidate(model: &Arc<CollateralModel>, targets: &Targets) -> BoxedStrategy<Action> {
    let m = Arc::clone(model);
    (targets.pool(model.pools.len()), any::<prop::sample::Index>(), 0u8..6, 0u8..10, 1u64..=1000)
        .prop_map(move |(pool, pick, caller, mode, per_mille)| {
            let targets = liquidation_targets(&m, pool);
            if targets.is_empty() || mode == 0 {
                return Action::Liquidate { pool, caller, liquidations: Vec::new() };
            }
            let (user, borrow_id) = targets[pick.index(targets.len())];
            let p = &m.pools[pool as usize];
            let principal = p.borrows[user as usize][borrow_id as usize].amount;
            let amount = match mode {
                1..=5 => principal,
                6 => principal - U256::from(1u64),
                _ => scaled(principal.saturating_sub(p.min_borrow), per_mille).max(U256::from(1u64)),
            };
            let user = Actor::User(user);
            Action::Liquidate { pool, caller, liquidations: vec![LiquidationEntry { user, borrow_id, amount }] }
        })
        .boxed()
}

fn claim_collateral(model: &Arc<CollateralModel>, targets: &Targets) -> BoxedStrategy<Action> {
    let m = Arc::clone(model);
    (targets.pool(model.pools.len()), any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0u8..10)
        .prop_map(move |(pool, pick_target, pick_lender, mode)| {
            let targets = liquidation_targets(&m, pool);
            let lendings = lendings_of(&m, pool);
            if targets.is_empty() || lendings.is_empty() {
                return Action::ClaimCollateral { pool, user: 0, claims: Vec::new(), liquidations: Vec::new() };
            }
            let (user, borrow_id) = targets[pick_target.index(targets.len())];
            let principal = m.pools[pool as usize].borrows[user as usize][borrow_id as usize].amount;
            let owed = principal + m.repay_interest(pool, Actor::User(user), borrow_id).unwrap_or_default();
            let (lender, _, _) = lendings[pick_lender.index(lendings.len())];
            // The lender's positions, in order, until they cover the debt (all of them when mode 0).
            let mut claims = Vec::new();
            let mut covered = U256::ZERO;
            for &(u, lend_id, amount) in lendings.iter().filter(|l| l.0 == lender) {
                let _ = u;
                let take = if mode == 0 { amount } else { amount.min(owed + U256::from(1u64) - covered.min(owed)) };
                claims.push(ClaimEntry { lend_id, amount: take });
                covered += take;
                if mode != 0 && covered > owed {
                    break;
                }
            }
            if mode == 1 && !claims.is_empty() {
                claims[0].amount = U256::from(1u64);
            }
            let liquidations = vec![LiquidationEntry { user: Actor::User(user), borrow_id, amount: principal }];
            Action::ClaimCollateral { pool, user: lender, claims, liquidations }
        })
        .boxed()
}

fn warp() -> BoxedStrategy<Action> {
    let seconds = prop_oneof![
        4 => 1u64..3_600,
        6 => 3_600u64..3 * DAY,
        3 => 3 * DAY..30 * DAY,
        1 => 30 * DAY..400 * DAY,
    ];
    (seconds, 0u8..10).prop_map(|(seconds, r)| Action::Warp { seconds, refresh: r != 0 }).boxed()
}

fn price_move(model: &CollateralModel, targets: &Targets) -> BoxedStrategy<Action> {
    let assets: Vec<i128> = model.asset_feeds.iter().map(|f| f.answer).collect();
    let mut borrowed: Vec<u8> = targets.with_borrows.iter().map(|&id| model.pools[id as usize].asset).collect();
    if borrowed.is_empty() {
        borrowed = vec![0, 1, 2, 3];
    }
    let asset = prop_oneof![3 => prop::sample::select(borrowed), 1 => 0u8..4];
    let initial = setup().assets.iter().map(|a| a.initial_answer).collect::<Vec<_>>();
    let usdc = model.usdc_feed.answer;
    (asset, 0u8..20, 300i128..1_700, 0u64..3)
        .prop_map(move |(asset, mode, per_mille, ago)| {
            let current = if assets[asset as usize] > 0 { assets[asset as usize] } else { initial[asset as usize] };
            let feed = FeedId::Asset(asset);
            match mode {
                0 => Action::SetPrice { feed: FeedId::Usdc, answer: 100_000_000 + per_mille * 2_000 - 2_000_000 },
                1 => Action::SetPrice { feed, answer: 0 },
                2 => Action::SetPrice { feed, answer: -1 },
                3 => Action::SetPrice { feed: FeedId::Usdc, answer: if usdc > 0 { 0 } else { 100_000_000 } },
                4 => Action::SetRound {
                    feed,
                    answer: current,
                    time: [RoundTime::Ago(100_000 + ago), RoundTime::Ahead(ago + 1), RoundTime::Never]
                        [ago as usize % 3],
                },
                5 => Action::SetPrice { feed, answer: initial[asset as usize] },
                6..=8 => Action::SetPrice { feed, answer: (current * per_mille / 3_000).max(1) },
                _ => Action::SetPrice { feed, answer: (current * (per_mille + 1_000) / 2_000).max(1) },
            }
        })
        .boxed()
}

fn admin_action(model: &CollateralModel) -> BoxedStrategy<Action> {
    let paused = model.paused;
    prop_oneof![
        3 => (actor(), pool_params()).prop_map(|(caller, params)| Action::AddPool { caller, params }),
        2 => (actor(), pool_id(model), pool_params())
            .prop_map(|(caller, pool, params)| Action::AnnounceEdit { caller, pool, params }),
        2 => (actor(), pool_id(model)).prop_map(|(caller, pool)| Action::CommitEdit { caller, pool }),
        1 => (actor(), pool_id(model)).prop_map(|(caller, pool)| Action::CancelEdit { caller, pool }),
        1 => actor().prop_map(move |caller| if paused { Action::Unpause { caller } } else { Action::Pause { caller } }),
        1 => actor().prop_map(move |caller| if paused { Action::Pause { caller } } else { Action::Unpause { caller } }),
        2 => (actor(), 0u8..6, 0u8..8).prop_map(|(caller, token, recipient)| Action::WithdrawFees {
            caller,
            token: if token >= 4 { Token::Usdc } else { Token::Asset(token) },
            recipient: match recipient {
                0 => None,
                1 => Some(Actor::User(recipient % 6)),
                _ => Some(Actor::Admin),
            },
        }),
        1 => (actor(), prop_oneof![Just(0u64), 1u64..=7 * DAY, Just(7 * DAY + 1), Just(90_000u64)])
            .prop_map(|(caller, seconds)| Action::SetOracleMaxDelay { caller, seconds }),
    ]
    .boxed()
}

fn environment_action() -> BoxedStrategy<Action> {
    prop_oneof![
        4 => (0u8..2, 0u8..8, 0u64..7_200).prop_map(|(sequencer, roll, since)| Action::Sequencer {
            sequencer,
            state: match roll {
                0 | 1 => SequencerState::Down,
                2 => SequencerState::Uninitialised,
                3 | 4 => SequencerState::UpSince(since),
                _ => SequencerState::UpSince(7 * DAY),
            },
        }),
        3 => (0u8..9, any::<bool>()).prop_map(|(holder, on)| Action::SetBlacklisted {
            asset: 2,
            holder: match holder {
                0 => Holder::Pool,
                h => Holder::Actor(Actor::User(h % 6)),
            },
            on: on && holder != 0,
        }),
        1 => Just(Action::SetBlacklisted { asset: 2, holder: Holder::Pool, on: true }),
        2 => Just(Action::SetBlacklisted { asset: 2, holder: Holder::Pool, on: false }),
        2 => prop_oneof![Just(0u64), Just(100u64)].prop_map(|fee_bps| Action::SetTransferFee { asset: 3, fee_bps }),
        1 => Just(Action::Upgrade),
    ]
    .boxed()
}

impl ReferenceStateMachine for CollateralMachine {
    type State = CollateralState;
    type Transition = Action;

    fn init_state() -> BoxedStrategy<Self::State> {
        Just(CollateralState { model: CollateralModel::new(&setup()), last: Ok(()) }).boxed()
    }

    fn transitions(state: &Self::State) -> BoxedStrategy<Self::Transition> {
        let m = &state.model;
        if m.pools.is_empty() {
            return pool_params()
                .prop_map(|mut params| {
                    if let TokenChoice::Asset(a) = params.token {
                        params.token = TokenChoice::Asset(a % 3);
                    }
                    Action::AddPool { caller: Actor::Admin, params }
                })
                .boxed();
        }
        let targets = Targets::of(m);
        let arc = Arc::new(m.clone());
        let unpause = if m.paused { 6 } else { 1 };
        let all_closed = m.pools.iter().all(|p| p.end_time <= m.now);
        let new_pools = if all_closed { 10 } else { 1 };
        let (liquidations, repays) = match (targets.with_borrows.is_empty(), targets.liquidatable.is_empty()) {
            (true, _) => (1, 1),
            (false, true) => (3, 8),
            (false, false) => (12, 8),
        };
        prop_oneof![
            12 => lend(&arc, &targets),
            6 => claim(&arc, &targets),
            14 => borrow(&arc, &targets),
            repays => repay(&arc, &targets),
            repays => change_collateral(&arc, &targets),
            liquidations => liquidate(&arc, &targets),
            liquidations.div_ceil(2) => claim_collateral(&arc, &targets),
            12 => warp(),
            8 => price_move(m, &targets),
            5 => admin_action(m),
            new_pools => pool_params().prop_map(|params| Action::AddPool { caller: Actor::Admin, params }),
            3 => environment_action(),
            unpause => Just(if m.paused {
                Action::Unpause { caller: Actor::Admin }
            } else {
                Action::Warp { seconds: 60, refresh: true }
            }),
        ]
        .boxed()
    }

    fn apply(mut state: Self::State, transition: &Self::Transition) -> Self::State {
        state.last = state.model.apply(transition);
        state
    }
}

/* EXECUTION */

impl CollateralSut {
    fn address(&self, actor: Actor) -> Address {
        match actor {
            Actor::Admin => self.world.admin,
            Actor::User(i) => self.world.users[i as usize],
        }
    }

    fn holder_address(&self, holder: Holder) -> Address {
        match holder {
            Holder::Pool => self.world.pool,
            Holder::FeeSink => FEE_SINK,
            Holder::Actor(actor) => self.address(actor),
        }
    }

    fn holder_of(&self, address: Address) -> Option<Holder> {
        if address == self.world.pool {
            return Some(Holder::Pool);
        }
        if address == FEE_SINK {
            return Some(Holder::FeeSink);
        }
        if address == self.world.admin {
            return Some(Holder::Actor(Actor::Admin));
        }
        self.world.users.iter().position(|u| *u == address).map(|i| Holder::Actor(Actor::User(i as u8)))
    }

    fn token_address(&self, token: Token) -> Address {
        match token {
            Token::Usdc => self.world.usdc,
            Token::Asset(a) => self.world.collaterals[a as usize].token,
        }
    }

    fn feed_address(&self, feed: FeedId) -> Address {
        match feed {
            FeedId::Usdc => self.world.usdc_feed,
            FeedId::Asset(a) => self.world.collaterals[a as usize].feed,
            FeedId::Sequencer(0) => self.world.usdc_sequencer,
            FeedId::Sequencer(_) => self.world.collaterals[1].sequencer.unwrap_or(NOT_A_CONTRACT),
        }
    }

    fn init_pool(&self, params: &PoolParams) -> (IPool::EditPool, Address) {
        let token = match params.token {
            TokenChoice::Asset(a) => self.token_address(Token::Asset(a)),
            TokenChoice::Zero => Address::ZERO,
            TokenChoice::Usdc => self.world.usdc,
            TokenChoice::NotAContract => NOT_A_CONTRACT,
        };
        let feed = match params.feed {
            FeedChoice::Feed(id) => self.feed_address(id),
            FeedChoice::Zero => Address::ZERO,
            FeedChoice::NotAContract => NOT_A_CONTRACT,
        };
        let now = self.world.evm.timestamp();
        let end = now.saturating_add_signed(params.ends_in);
        let edit = IPool::EditPool {
            collateralTokenPriceOracle: feed,
            collateralTokenSequencerOracle: params
                .sequencer
                .map_or(Address::ZERO, |s| self.feed_address(FeedId::Sequencer(s))),
            maxPoolCapacity: params.max_pool_capacity,
            minLended: params.min_lended,
            minBorrow: params.min_borrow,
            endTime: U48::from(end),
            collateralTokenFactor: params.factor.try_into().unwrap_or_default(),
            collateralTokenLTVPercentage: params.ltv.try_into().unwrap_or_default(),
            interest: params.interest.try_into().unwrap_or_default(),
        };
        (edit, token)
    }

    fn send<C: SolCall>(&mut self, from: Address, to: Address, call: &C) -> Result<(), Bytes> {
        match self.world.evm.call(from, to, call) {
            Ok(CallOutcome::Success { .. }) => Ok(()),
            Ok(CallOutcome::Revert(data)) => Err(data),
            Err(e) => panic!("EVM error on {}: {e:?}", C::SIGNATURE),
        }
    }

    fn view<C: SolCall>(&mut self, to: Address, call: &C) -> C::Return {
        match self.world.evm.view(to, call) {
            Ok(value) => value,
            Err(e) => panic!("view {} failed: {e:?}", C::SIGNATURE),
        }
    }

    /// Runs `action` on the chain as its real sender; `Err` carries the revert data.
    fn execute(&mut self, action: &Action, model: &CollateralModel) -> Result<(), Bytes> {
        let pool = self.world.pool;
        let admin = self.world.admin;
        let user = |sut: &Self, i: u8| sut.address(Actor::User(i));
        let id = |x: u32| U256::from(x);
        let claims = |c: &[ClaimEntry]| -> Vec<IPool::Claim> {
            c.iter().map(|c| IPool::Claim { lendId: U256::from(c.lend_id), usdcAmount: c.amount }).collect()
        };
        let liquidations = |sut: &Self, l: &[LiquidationEntry]| -> Vec<IPool::Liquidation> {
            l.iter()
                .map(|l| IPool::Liquidation {
                    borrowId: U256::from(l.borrow_id),
                    user: sut.address(l.user),
                    usdcAmount: l.amount,
                })
                .collect()
        };
        match action {
            Action::AddPool { caller, params } => {
                let (e, token) = self.init_pool(params);
                let pool_struct = IPool::InitPool {
                    collateralToken: token,
                    collateralTokenPriceOracle: e.collateralTokenPriceOracle,
                    collateralTokenSequencerOracle: e.collateralTokenSequencerOracle,
                    maxPoolCapacity: e.maxPoolCapacity,
                    minLended: e.minLended,
                    minBorrow: e.minBorrow,
                    endTime: e.endTime,
                    collateralTokenFactor: e.collateralTokenFactor,
                    collateralTokenLTVPercentage: e.collateralTokenLTVPercentage,
                    interest: e.interest,
                };
                let from = self.address(*caller);
                self.send(from, pool, &Pool::addPoolCall { pool: pool_struct })
            }
            Action::AnnounceEdit { caller, pool: p, params } => {
                let (e, _) = self.init_pool(params);
                let from = self.address(*caller);
                self.send(from, pool, &Pool::announceEditPoolCall { poolId: id(*p), pool: e })
            }
            Action::CommitEdit { caller, pool: p } => {
                let from = self.address(*caller);
                self.send(from, pool, &Pool::commitEditPoolCall { poolId: id(*p) })
            }
            Action::CancelEdit { caller, pool: p } => {
                let from = self.address(*caller);
                self.send(from, pool, &Pool::cancelEditPoolCall { poolId: id(*p) })
            }
            Action::Pause { caller } => {
                let from = self.address(*caller);
                self.send(from, pool, &Pool::pauseCall {})
            }
            Action::Unpause { caller } => {
                let from = self.address(*caller);
                self.send(from, pool, &Pool::unpauseCall {})
            }
            Action::WithdrawFees { caller, token, recipient } => {
                let from = self.address(*caller);
                let call = Pool::withdrawProtocolRewardsCall {
                    token: self.token_address(*token),
                    recipient: recipient.map_or(Address::ZERO, |r| self.address(r)),
                };
                self.send(from, pool, &call)
            }
            Action::SetOracleMaxDelay { caller, seconds } => {
                let from = self.address(*caller);
                self.send(from, pool, &Pool::setOracleMaxDelayCall { maxDelay: U256::from(*seconds) })
            }
            Action::Lend { pool: p, user: u, amount } => {
                let from = user(self, *u);
                self.send(from, pool, &Pool::lendCall { poolId: id(*p), usdcAmount: *amount })
            }
            Action::Claim { pool: p, user: u, claims: c } => {
                let from = user(self, *u);
                self.send(from, pool, &Pool::claimCall { poolId: id(*p), claims: claims(c) })
            }
            Action::Borrow { pool: p, user: u, usdc, collateral } => {
                let from = user(self, *u);
                let call = Pool::borrowCall { poolId: id(*p), usdcAmount: *usdc, collateralTokenAmount: *collateral };
                self.send(from, pool, &call)
            }
            Action::Repay { pool: p, user: u, borrow_id, amount } => {
                let from = user(self, *u);
                let call = Pool::repayCall { poolId: id(*p), borrowId: id(*borrow_id), repayAmount: *amount };
                self.send(from, pool, &call)
            }
            Action::ChangeCollateral { pool: p, user: u, borrow_id, new_amount, max_ltv } => {
                let from = user(self, *u);
                let call = Pool::changeCollateralAmountCall {
                    poolId: id(*p),
                    borrowId: id(*borrow_id),
                    newCollateralTokenAmount: *new_amount,
                    maxCollateralTokenLTVPercentage: *max_ltv,
                };
                self.send(from, pool, &call)
            }
            Action::Liquidate { pool: p, caller, liquidations: l } => {
                let from = user(self, *caller);
                let call = Pool::liquidateCall { poolId: id(*p), liquidations: liquidations(self, l) };
                self.send(from, pool, &call)
            }
            Action::ClaimCollateral { pool: p, user: u, claims: c, liquidations: l } => {
                let from = user(self, *u);
                let call = Pool::claimCollateralCall {
                    poolId: id(*p),
                    claims: claims(c),
                    liquidations: liquidations(self, l),
                };
                self.send(from, pool, &call)
            }
            Action::Warp { seconds, refresh } => {
                self.world.evm.warp(*seconds);
                if *refresh {
                    let feeds: Vec<FeedId> = std::iter::once(FeedId::Usdc)
                        .chain((0..model.asset_feeds.len() as u8).map(FeedId::Asset))
                        .collect();
                    for feed in feeds {
                        self.set_round(feed, model)?;
                    }
                }
                Ok(())
            }
            Action::SetPrice { feed, .. } | Action::SetRound { feed, .. } => self.set_round(*feed, model),
            Action::Sequencer { sequencer, .. } => self.set_round(FeedId::Sequencer(*sequencer), model),
            Action::SetBlacklisted { asset, holder, on } => {
                let token = self.token_address(Token::Asset(*asset));
                let account = self.holder_address(*holder);
                self.send(admin, token, &BlacklistToken::setBlacklistedCall { account, blacklisted: *on })
            }
            Action::SetTransferFee { asset, fee_bps } => {
                let token = self.token_address(Token::Asset(*asset));
                self.send(admin, token, &FeeOnTransferToken::setFeeBpsCall { newFeeBps: U256::from(*fee_bps) })
            }
            Action::Upgrade => {
                if let Err(e) = self.world.upgrade() {
                    panic!("upgrade failed: {e:?}");
                }
                Ok(())
            }
        }
    }

    /// Publishes the model's round of `feed` (the environment, not the system under test).
    fn set_round(&mut self, feed: FeedId, model: &CollateralModel) -> Result<(), Bytes> {
        let f = *model.feed(feed);
        let call = MockAggregator::setRoundCall {
            newAnswer: I256::try_from(f.answer).unwrap_or_default(),
            newStartedAt: U256::from(f.started_at),
            newUpdatedAt: U256::from(f.updated_at),
        };
        let (admin, address) = (self.world.admin, self.feed_address(feed));
        self.send(admin, address, &call)
    }

    /// Turns revert data into the model's vocabulary.
    fn decode(&self, data: &Bytes) -> Result<Failure, String> {
        use Pool::ERC20CollateralPoolErrors as E;
        if let Ok(error) = E::abi_decode(data) {
            macro_rules! unit {
                ($($name:ident),* $(,)?) => {
                    match error {
                        $(E::$name(_) => return Ok(Failure::Pool(PoolError::$name)),)*
                        E::MaxLTVExceeded(e) => return Ok(Failure::MaxLtvExceeded { resulting: e.resultingLtv, max: e.maxLtv }),
                        E::AccessControlUnauthorizedAccount(e) => {
                            return match self.holder_of(e.account) {
                                Some(Holder::Actor(actor)) if e.neededRole.is_zero() => Ok(Failure::Unauthorized(actor)),
                                _ => Err(format!("unauthorized {} for role {}", e.account, e.neededRole)),
                            };
                        }
                        E::SafeCastOverflowedUintDowncast(e) => return Ok(Failure::SafeCast { bits: e.bits, value: e.value }),
                        other => return Err(format!("unexpected pool error {other:?}")),
                    }
                };
            }
            unit!(
                AmountCannotBeZero,
                AmountTooBig,
                AmountTooLow,
                BorrowAlreadyLiquidated,
                BorrowDoesNotExist,
                CollateralAmountNotChanged,
                CollateralAmountTooBig,
                CollateralAmountTooLow,
                CollateralTokenCannotBeUsdc,
                CollateralTokenFactorTooLow,
                CollateralTokenLTVPercentageCannotBeZero,
                CollateralTokenLTVPercentageTooHigh,
                CollateralTokenPriceIsZero,
                EnforcedPause,
                ExpectedPause,
                InvalidOracleMaxDelay,
                LendingDoesNotExist,
                MaxPoolCapacityIsReached,
                MinLendedGreaterThanMaxPoolCapacity,
                NoAnnouncementForThisPool,
                NoClaimsProvided,
                NoLiquidationsProvided,
                NotEnoughUSDCClaimedToLiquidatePositions,
                NotEnoughUSDCInPool,
                OracleDataTooOld,
                OracleSequencerDown,
                PauseGracePeriodNotPassed,
                PoolAnnouncementIsLocked,
                PoolCollateralTokenCannotBeZeroAddress,
                PoolDoesNotExist,
                PoolEndsAtIsInThePast,
                PoolIsClosed,
                PositionNotLiquidatable,
                PriceOracleCannotBeZeroAddress,
                RecipientCannotBeZeroAddress,
                RemainingBorrowTooLow,
                ThereIsAlreadyActiveAnnouncementForThisPool,
                TokenTransferAmountIncludedFees,
                UnsupportedDecimals,
                UsdcPriceIsZero,
            );
        }
        if let Ok(BlacklistToken::BlacklistTokenErrors::Blacklisted(e)) =
            BlacklistToken::BlacklistTokenErrors::abi_decode(data)
        {
            return self.holder_of(e.account).map(Failure::Blacklisted).ok_or(format!("blacklisted {}", e.account));
        }
        if let Ok(MockERC20::MockERC20Errors::ERC20InsufficientBalance(e)) =
            MockERC20::MockERC20Errors::abi_decode(data)
        {
            let holder = self.holder_of(e.sender).ok_or(format!("insufficient balance of {}", e.sender))?;
            return Ok(Failure::InsufficientBalance { holder, balance: e.balance, needed: e.needed });
        }
        if data.len() == 36 && data[..4] == alloy_sol_types::Panic::SELECTOR {
            return Ok(Failure::Panic(data[35]));
        }
        Err(format!("undecodable revert data {data}"))
    }
}

/* OUTCOME TALLY */

thread_local! {
    static TALLY: std::cell::RefCell<std::collections::BTreeMap<(String, String), u64>> =
        const { std::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

fn tally(action: &Action, outcome: &Result<(), Failure>) {
    let name = format!("{action:?}");
    let name = name.split('(').next().unwrap_or_default().to_string();
    let outcome = match outcome {
        Ok(()) => "ok".to_string(),
        Err(Failure::Pool(e)) => format!("{e:?}"),
        Err(Failure::MaxLtvExceeded { .. }) => "MaxLTVExceeded".into(),
        Err(Failure::Unauthorized(_)) => "AccessControlUnauthorizedAccount".into(),
        Err(Failure::SafeCast { .. }) => "SafeCastOverflowedUintDowncast".into(),
        Err(Failure::Blacklisted(_)) => "Blacklisted".into(),
        Err(Failure::InsufficientBalance { .. }) => "ERC20InsufficientBalance".into(),
        Err(Failure::Panic(code)) => format!("Panic({code:#x})"),
    };
    TALLY.with(|t| *t.borrow_mut().entry((name, outcome)).or_default() += 1);
}

/// How often each call went through or reverted with each error on this thread since the last
/// call, as `(call, outcome, count)`; resets the tally.
pub fn take_outcome_tally() -> Vec<(String, String, u64)> {
    TALLY.with(|t| std::mem::take(&mut *t.borrow_mut()).into_iter().map(|((a, o), n)| (a, o, n)).collect())
}

/* COMPARISON */

/// Panics with `what: expected … (model), actual … (contract)` unless they are equal.
fn same<T: PartialEq + fmt::Debug>(what: impl FnOnce() -> String, expected: T, actual: T) {
    if expected != actual {
        panic!("{} differs: model {expected:?}, contract {actual:?}", what());
    }
}

impl CollateralSut {
    /// The pool's struct from `pools(id)` against the model; returns the number of fields compared.
    fn compare_pool(&mut self, model: &CollateralModel, id: u32) -> u64 {
        let Some(p) = model.pools.get(id as usize) else { return 0 };
        let r = self.view(self.world.pool, &Pool::poolsCall { poolId: U256::from(id) });
        let (a, d) = (&r.amounts, &r.collateralDetails);
        let what = |field: &'static str| move || format!("pool {id} {field}");
        same(what("lended"), p.lended, U256::from(a.lended));
        same(what("claimed"), p.claimed, U256::from(a.claimed));
        same(what("borrowed"), p.borrowed, U256::from(a.borrowed));
        same(what("repaid"), p.repaid, U256::from(a.repaid));
        same(what("rewards"), p.rewards, U256::from(a.rewards));
        same(what("claimedRewards"), p.claimed_rewards, U256::from(a.claimedRewards));
        same(what("collateralTokenAmount"), p.collateral, a.collateralTokenAmount);
        same(what("collateralToken"), self.token_address(Token::Asset(p.asset)), d.collateralToken);
        same(what("price oracle"), self.feed_address(p.feed), d.collateralTokenPriceOracle);
        let sequencer = p.sequencer.map_or(Address::ZERO, |s| self.feed_address(FeedId::Sequencer(s)));
        same(what("sequencer oracle"), sequencer, d.collateralTokenSequencerOracle);
        same(what("maxPoolCapacity"), p.max_pool_capacity, U256::from(d.maxPoolCapacity));
        same(what("minLended"), p.min_lended, U256::from(d.minLended));
        same(what("minBorrow"), p.min_borrow, U256::from(d.minBorrow));
        same(what("factor"), p.factor, d.collateralTokenFactor.to::<u32>());
        same(what("ltv"), p.ltv, d.collateralTokenLTVPercentage.to::<u32>());
        same(what("rewardPerToken"), p.reward_per_token, r.rewardPerToken);
        same(what("rewardRate"), p.reward_rate, r.rewardRate);
        same(what("lastUpdated"), p.last_updated, r.lastUpdated.to::<u64>());
        same(what("endTime"), p.end_time, r.endTime.to::<u64>());
        same(what("interest"), p.interest, r.interest.to::<u32>());
        21
    }

    fn compare_lending(&mut self, model: &CollateralModel, pool: u32, user: u8, lend_id: u32) -> u64 {
        let Some(l) = model.pools.get(pool as usize).and_then(|p| p.lendings[user as usize].get(lend_id as usize))
        else {
            return 0;
        };
        let call = Pool::lendingsCall {
            poolId: U256::from(pool),
            user: self.address(Actor::User(user)),
            lendId: U256::from(lend_id),
        };
        let r = self.view(self.world.pool, &call);
        let what = || format!("lending (pool {pool}, user {user}, id {lend_id})");
        same(
            what,
            (l.starting, l.amount, l.reward_per_token_ignored),
            (r.startingUsdcAmount, r.usdcAmount, r.rewardPerTokenIgnored),
        );
        1
    }

    fn compare_borrow(&mut self, model: &CollateralModel, pool: u32, user: u8, borrow_id: u32) -> u64 {
        let Some(b) = model.pools.get(pool as usize).and_then(|p| p.borrows[user as usize].get(borrow_id as usize))
        else {
            return 0;
        };
        let call = Pool::borrowsCall {
            poolId: U256::from(pool),
            user: self.address(Actor::User(user)),
            borrowId: U256::from(borrow_id),
        };
        let r = self.view(self.world.pool, &call);
        let what = || format!("borrow (pool {pool}, user {user}, id {borrow_id})");
        same(
            what,
            (b.starting, b.amount, b.collateral, b.borrow_time),
            (r.startingUsdcAmount, r.usdcAmount, r.collateralTokenAmount, r.borrowTime.to::<u64>()),
        );
        1
    }

    fn compare_balance(&mut self, model: &CollateralModel, token: Token, holder: Holder) -> u64 {
        let account = self.holder_address(holder);
        let actual = self.view(self.token_address(token), &MockERC20::balanceOfCall { account });
        same(|| format!("{token:?} balance of {holder:?}"), model.balance(token, holder), actual);
        1
    }

    fn compare_fees(&mut self, model: &CollateralModel, asset: Option<u8>) -> u64 {
        let pool = self.world.pool;
        let usdc = self.view(pool, &Pool::usdcFeesCollectedCall {});
        same(|| "usdcFeesCollected".into(), model.usdc_fees, usdc);
        if let Some(a) = asset {
            let token = self.token_address(Token::Asset(a));
            let fee = self.view(pool, &Pool::getCollateralTokenProtocolFeeCall { collateralToken: token });
            same(|| format!("collateral fee of asset {a}"), model.collateral_fees[a as usize], fee);
            return 2;
        }
        1
    }

    /// What `action` touched, compared with the model after it.
    fn compare_touched(&mut self, action: &Action, model: &CollateralModel) -> u64 {
        let mut checks = 0;
        let pool_asset = |pool: u32| model.pools.get(pool as usize).map(|p| p.asset);
        let pool_and_actor = |sut: &mut Self, pool: u32, actor: Holder, checks: &mut u64| {
            *checks += sut.compare_pool(model, pool);
            *checks += sut.compare_balance(model, Token::Usdc, Holder::Pool);
            *checks += sut.compare_balance(model, Token::Usdc, actor);
            if let Some(asset) = pool_asset(pool) {
                *checks += sut.compare_balance(model, Token::Asset(asset), Holder::Pool);
                *checks += sut.compare_balance(model, Token::Asset(asset), actor);
            }
        };
        let user = |u: u8| Holder::Actor(Actor::User(u));
        match action {
            Action::Lend { pool, user: u, .. } => {
                pool_and_actor(self, *pool, user(*u), &mut checks);
                let last = model.pools.get(*pool as usize).map_or(0, |p| p.lendings[*u as usize].len());
                checks += self.compare_lending(model, *pool, *u, last.saturating_sub(1) as u32);
            }
            Action::Claim { pool, user: u, claims } => {
                pool_and_actor(self, *pool, user(*u), &mut checks);
                for c in claims.iter().take(2) {
                    checks += self.compare_lending(model, *pool, *u, c.lend_id);
                }
            }
            Action::Borrow { pool, user: u, .. } => {
                pool_and_actor(self, *pool, user(*u), &mut checks);
                let last = model.pools.get(*pool as usize).map_or(0, |p| p.borrows[*u as usize].len());
                checks += self.compare_borrow(model, *pool, *u, last.saturating_sub(1) as u32);
            }
            Action::Repay { pool, user: u, borrow_id, .. }
            | Action::ChangeCollateral { pool, user: u, borrow_id, .. } => {
                pool_and_actor(self, *pool, user(*u), &mut checks);
                checks += self.compare_borrow(model, *pool, *u, *borrow_id);
            }
            Action::Liquidate { pool, caller, liquidations } => {
                pool_and_actor(self, *pool, user(*caller), &mut checks);
                for l in liquidations {
                    if let Actor::User(u) = l.user {
                        checks += self.compare_borrow(model, *pool, u, l.borrow_id);
                    }
                }
                checks += self.compare_fees(model, None);
            }
            Action::ClaimCollateral { pool, user: u, claims, liquidations } => {
                pool_and_actor(self, *pool, user(*u), &mut checks);
                for c in claims.iter().take(2) {
                    checks += self.compare_lending(model, *pool, *u, c.lend_id);
                }
                for l in liquidations {
                    if let Actor::User(b) = l.user {
                        checks += self.compare_borrow(model, *pool, b, l.borrow_id);
                    }
                }
                checks += self.compare_fees(model, pool_asset(*pool));
            }
            Action::AddPool { .. } => {
                let n = self.view(self.world.pool, &Pool::poolsLengthCall {});
                same(|| "poolsLength".into(), U256::from(model.pools.len()), n);
                checks += 1 + self.compare_pool(model, model.pools.len().saturating_sub(1) as u32);
            }
            Action::AnnounceEdit { pool, .. } | Action::CommitEdit { pool, .. } | Action::CancelEdit { pool, .. } => {
                checks += self.compare_pool(model, *pool) + self.compare_announcement(model, *pool);
            }
            Action::Pause { .. } | Action::Unpause { .. } => {
                let pool = self.world.pool;
                same(|| "paused".into(), model.paused, self.view(pool, &Pool::pausedCall {}));
                let at = self.view(pool, &Pool::unPausedTimestampCall {});
                same(|| "unPausedTimestamp".into(), U256::from(model.unpaused_at), at);
                checks += 2;
            }
            Action::WithdrawFees { token, recipient, .. } => {
                let asset = match token {
                    Token::Asset(a) => Some(*a),
                    Token::Usdc => None,
                };
                checks += self.compare_fees(model, asset);
                checks += self.compare_balance(model, *token, Holder::Pool);
                if let Some(r) = recipient {
                    checks += self.compare_balance(model, *token, Holder::Actor(*r));
                }
            }
            Action::SetOracleMaxDelay { .. } => {
                let delay = self.view(self.world.pool, &Pool::oracleMaxDelayCall {});
                same(|| "oracleMaxDelay".into(), U256::from(model.oracle_max_delay), delay);
                checks += 1;
            }
            Action::Upgrade => checks += self.sweep(model),
            Action::Warp { .. }
            | Action::SetPrice { .. }
            | Action::SetRound { .. }
            | Action::Sequencer { .. }
            | Action::SetBlacklisted { .. }
            | Action::SetTransferFee { .. } => {}
        }
        checks
    }

    fn compare_announcement(&mut self, model: &CollateralModel, pool: u32) -> u64 {
        let Some(p) = model.pools.get(pool as usize) else { return 0 };
        let r = self.view(self.world.pool, &Pool::announcedPoolEditCall { poolId: U256::from(pool) });
        let unlocks_at = p.announced.as_ref().map_or(0, |(at, _)| *at);
        same(|| format!("announcement of pool {pool}: unlocksAt"), U256::from(unlocks_at), r.unlocksAt);
        if let Some((_, e)) = &p.announced {
            let what = || format!("announcement of pool {pool}");
            same(
                what,
                (e.max_pool_capacity, e.min_lended, e.min_borrow, e.end_time),
                (r.pool.maxPoolCapacity, r.pool.minLended, r.pool.minBorrow, r.pool.endTime.to::<u64>()),
            );
            same(
                what,
                (e.factor, e.ltv, e.interest),
                (
                    r.pool.collateralTokenFactor.to::<u32>(),
                    r.pool.collateralTokenLTVPercentage.to::<u32>(),
                    r.pool.interest.to::<u32>(),
                ),
            );
            same(what, self.feed_address(e.feed), r.pool.collateralTokenPriceOracle);
        }
        1
    }

    /// Everything: every pool, position, rate, view, fee and balance, against the model.
    fn sweep(&mut self, model: &CollateralModel) -> u64 {
        let pool = self.world.pool;
        let mut checks = 0;
        same(|| "poolsLength".into(), U256::from(model.pools.len()), self.view(pool, &Pool::poolsLengthCall {}));
        same(|| "paused".into(), model.paused, self.view(pool, &Pool::pausedCall {}));
        let delay = self.view(pool, &Pool::oracleMaxDelayCall {});
        same(|| "oracleMaxDelay".into(), U256::from(model.oracle_max_delay), delay);
        let tokens: Vec<Address> =
            model.collateral_tokens.iter().map(|a| self.token_address(Token::Asset(*a))).collect();
        same(|| "getCollateralTokens".into(), tokens, self.view(pool, &Pool::getCollateralTokensCall {}));
        checks += 4;
        for id in 0..model.pools.len() as u32 {
            checks += self.compare_pool(model, id) + self.compare_announcement(model, id);
            let p = &model.pools[id as usize];
            let weighted = self.view(pool, &Pool::weightedBorrowedCall { poolId: U256::from(id) });
            same(|| format!("weightedBorrowed of pool {id}"), p.weighted_borrowed, weighted);
            let available = self.view(pool, &Pool::getAvailableAmountsInPoolCall { poolId: U256::from(id) });
            same(
                || format!("available of pool {id}"),
                (p.available_usdc(), p.collateral),
                (available.availableUSDC, available.availableCollateralTokens),
            );
            checks += 2;
            let required = model.required_collateral(id, U256::from(1_000 * USDC));
            let actual = self.view_outcome(&Pool::calculateCollateralTokenAmountCall {
                poolId: U256::from(id),
                usdcAmount: U256::from(1_000 * USDC),
            });
            same(|| format!("calculateCollateralTokenAmount(pool {id}, 1000 USDC)"), required, actual);
            for user in 0..model.users {
                let address = self.address(Actor::User(user));
                let lengths = (
                    self.view(pool, &Pool::lendingsLengthCall { poolId: U256::from(id), user: address }),
                    self.view(pool, &Pool::borrowsLengthCall { poolId: U256::from(id), user: address }),
                );
                let (lendings, borrows) = (p.lendings[user as usize].len(), p.borrows[user as usize].len());
                same(
                    || format!("position counts of user {user} in pool {id}"),
                    (U256::from(lendings), U256::from(borrows)),
                    lengths,
                );
                for lend_id in 0..lendings as u32 {
                    checks += self.compare_lending(model, id, user, lend_id);
                    let expected = model.reward_of(id, Actor::User(user), lend_id);
                    let actual = self.view_outcome(&Pool::calculateRewardCall {
                        poolId: U256::from(id),
                        lendId: U256::from(lend_id),
                        user: address,
                    });
                    same(|| format!("calculateReward(pool {id}, lend {lend_id}, user {user})"), expected, actual);
                }
                for borrow_id in 0..borrows as u32 {
                    checks += self.compare_borrow(model, id, user, borrow_id);
                    let b = p.borrows[user as usize][borrow_id as usize];
                    let args = (U256::from(id), address, U256::from(borrow_id));
                    let rate =
                        self.view(pool, &Pool::borrowInterestCall { poolId: args.0, user: args.1, borrowId: args.2 });
                    same(
                        || format!("borrowInterest(pool {id}, user {user}, borrow {borrow_id})"),
                        b.interest,
                        rate.to::<u32>(),
                    );
                    let expected = model.repay_interest(id, Actor::User(user), borrow_id);
                    let actual = self.view_outcome(&Pool::calculateRepayInterestCall {
                        poolId: args.0,
                        borrowId: args.2,
                        user: args.1,
                    });
                    same(
                        || format!("calculateRepayInterest(pool {id}, user {user}, borrow {borrow_id})"),
                        expected,
                        actual,
                    );
                    let expected = model.liquidation_price(id, Actor::User(user), borrow_id);
                    let actual = self.view_outcome(&Pool::getLiquidatableAmountWithProtocolFeeCall {
                        poolId: args.0,
                        user: args.1,
                        borrowId: args.2,
                    });
                    same(
                        || format!("getLiquidatableAmountWithProtocolFee(pool {id}, user {user}, borrow {borrow_id})"),
                        expected,
                        actual,
                    );
                    let expected = model.is_liquidatable(id, Actor::User(user), borrow_id);
                    let actual = self.view_outcome(&Pool::isPositionLiquidatableCall {
                        poolId: args.0,
                        user: args.1,
                        borrowId: args.2,
                    });
                    same(
                        || format!("isPositionLiquidatable(pool {id}, user {user}, borrow {borrow_id})"),
                        expected,
                        actual,
                    );
                    checks += 4;
                }
            }
        }
        checks += self.compare_fees(model, None);
        for asset in 0..model.asset_feeds.len() as u8 {
            checks += self.compare_fees(model, Some(asset));
        }
        let holders: Vec<Holder> = model.holders().collect();
        for token in std::iter::once(Token::Usdc).chain((0..model.asset_feeds.len() as u8).map(Token::Asset)) {
            for &holder in &holders {
                checks += self.compare_balance(model, token, holder);
            }
        }
        checks
    }

    /// A view's value, or the model's reading of its revert.
    fn view_outcome<C: SolCall>(&mut self, call: &C) -> Result<C::Return, Failure>
    where
        C::Return: Clone,
    {
        let pool = self.world.pool;
        match self.world.evm.call(Address::ZERO, pool, call) {
            Ok(CallOutcome::Success { value, .. }) => Ok(value),
            Ok(CallOutcome::Revert(data)) => {
                Err(self.decode(&data).unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE)))
            }
            Err(e) => panic!("view {} failed: {e:?}", C::SIGNATURE),
        }
    }

    /// One transition on the chain, checked against the model's prediction.
    fn step(&mut self, action: &Action, model: &CollateralModel, expected: &Result<(), Failure>) {
        run::count_action();
        tally(action, expected);
        let actual = self.execute(action, model).map_err(|data| {
            self.decode(&data).unwrap_or_else(|e| panic!("{action:?}: {e} (model expected {expected:?})"))
        });
        if &actual != expected {
            panic!("{action:?}: model expected {expected:?}, contract gave {actual:?}");
        }
        let mut checks = 1 + self.compare_touched(action, model);
        checks += inv::check_step(&self.previous, action, expected, model).unwrap_or_else(|e| panic!("{e}"));
        self.track_floors(action, model, expected);
        self.steps += 1;
        if self.steps.is_multiple_of(SWEEP_EVERY) {
            checks += self.sweep(model) + self.check_state(model);
        }
        run::count_checks(checks);
        self.previous.clone_from(model);
    }

    fn check_state(&self, model: &CollateralModel) -> u64 {
        let n = inv::check_state(model).unwrap_or_else(|e| panic!("{e}"));
        inv::open_borrows_respect_their_minimum(model, &self.floors).unwrap_or_else(|e| panic!("{e}"));
        n + 1
    }

    /// Keeps `floors`: a position's `minBorrow` is the one in force when its principal changed.
    fn track_floors(&mut self, action: &Action, model: &CollateralModel, outcome: &Result<(), Failure>) {
        while self.floors.len() < model.pools.len() {
            self.floors.push(vec![Vec::new(); model.users as usize]);
        }
        if outcome.is_err() {
            return;
        }
        let mut touch = |pool: u32, user: u8, borrow_id: u32| {
            let floor = self.previous.pools.get(pool as usize).map_or(U256::ZERO, |p| p.min_borrow);
            let list = &mut self.floors[pool as usize][user as usize];
            if list.len() <= borrow_id as usize {
                list.resize(borrow_id as usize + 1, U256::ZERO);
            }
            list[borrow_id as usize] = floor;
        };
        match action {
            Action::Borrow { pool, user, .. } => {
                let n = model.pools[*pool as usize].borrows[*user as usize].len() as u32;
                touch(*pool, *user, n - 1);
            }
            Action::Repay { pool, user, borrow_id, .. } => touch(*pool, *user, *borrow_id),
            Action::Liquidate { pool, liquidations, .. } | Action::ClaimCollateral { pool, liquidations, .. } => {
                for l in liquidations {
                    if let Actor::User(u) = l.user {
                        touch(*pool, u, l.borrow_id);
                    }
                }
            }
            _ => {}
        }
    }

    /// Invariant 11: unpause, lift blacklists, settle every loan, then every lender claims all.
    fn settle_everything(&mut self, mut model: CollateralModel) {
        let mut actions = Vec::new();
        if model.paused {
            actions.push(Action::Unpause { caller: Actor::Admin });
        }
        for holder in model.holders() {
            if model.blacklisted[2][CollateralModel::holder_index(holder)] {
                actions.push(Action::SetBlacklisted { asset: 2, holder, on: false });
            }
        }
        for action in actions {
            let outcome = model.apply(&action);
            self.step(&action, &model, &outcome);
        }
        for id in 0..model.pools.len() as u32 {
            for (user, borrow_id) in borrows_of(&model, id, true) {
                let amount = model.pools[id as usize].borrows[user as usize][borrow_id as usize].amount;
                let action = Action::Repay { pool: id, user, borrow_id, amount };
                let outcome = model.apply(&action);
                self.step(&action, &model, &outcome);
                if let Err(e) = outcome {
                    panic!("(11) settling: {action:?} refused with {e:?}");
                }
            }
        }
        let mut refused = Vec::new();
        for id in 0..model.pools.len() as u32 {
            for (user, lend_id, amount) in lendings_of(&model, id) {
                let action = Action::Claim { pool: id, user, claims: vec![ClaimEntry { lend_id, amount }] };
                let outcome = model.apply(&action);
                self.step(&action, &model, &outcome);
                if let Err(e) = outcome {
                    refused.push((action, e));
                }
            }
        }
        run::count_checks(self.sweep(&model) + self.check_state(&model));
        inv::settled_pool_paid_every_lender(&model, &refused).unwrap_or_else(|e| panic!("{e}"));
        run::count_checks(1);
    }
}

impl StateMachineTest for CollateralTest {
    type SystemUnderTest = CollateralSut;
    type Reference = CollateralMachine;

    fn init_test(ref_state: &CollateralState) -> CollateralSut {
        let world = CollateralWorld::new().unwrap_or_else(|e| panic!("deploying the collateral world: {e:?}"));
        assert_eq!(world.evm.timestamp(), GENESIS_TIMESTAMP, "the world starts at genesis");
        for (asset, (symbol, decimals, feed_decimals)) in world.collaterals.iter().zip(ASSETS) {
            assert_eq!((asset.decimals, asset.feed_decimals), (decimals, feed_decimals), "layout of {symbol}");
        }
        let kinds: Vec<TokenKind> = world.collaterals.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [TokenKind::Plain, TokenKind::Plain, TokenKind::Blacklist, TokenKind::FeeOnTransfer]);
        CollateralSut { world, steps: 0, previous: ref_state.model.clone(), floors: Vec::new() }
    }

    fn apply(mut sut: CollateralSut, ref_state: &CollateralState, transition: Action) -> CollateralSut {
        sut.step(&transition, &ref_state.model, &ref_state.last);
        sut
    }

    fn teardown(mut sut: CollateralSut, ref_state: CollateralState) {
        run::count_checks(sut.sweep(&ref_state.model) + sut.check_state(&ref_state.model));
        sut.settle_everything(ref_state.model);
    }
}

/* READABLE CALLS */

fn fmt_usdc(x: &U256) -> String {
    if *x > U256::from(u128::MAX) {
        return format!("{x} units");
    }
    let v = x.to::<u128>();
    format!("{}.{:06} USDC", v / 1_000_000, v % 1_000_000)
}

fn fmt_units(x: &U256) -> String {
    format!("{x} collateral units")
}

fn fmt_duration(seconds: u64) -> String {
    let (d, h, m, s) = (seconds / DAY, seconds % DAY / 3_600, seconds % 3_600 / 60, seconds % 60);
    let mut out = String::new();
    for (v, unit) in [(d, "d"), (h, "h"), (m, "m"), (s, "s")] {
        if v != 0 {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&format!("{v}{unit}"));
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

fn fmt_actor(a: &Actor) -> String {
    match a {
        Actor::Admin => "admin".into(),
        Actor::User(i) => format!("user {i}"),
    }
}

fn fmt_feed(f: &FeedId) -> String {
    match f {
        FeedId::Usdc => "USDC feed".into(),
        FeedId::Asset(a) => format!("{} feed", ASSETS.get(*a as usize).map_or("?", |x| x.0)),
        FeedId::Sequencer(s) => format!("sequencer {s}"),
    }
}

fn fmt_answer(feed: &FeedId, answer: i128) -> String {
    let decimals = match feed {
        FeedId::Asset(a) => ASSETS.get(*a as usize).map_or(8, |x| x.2),
        _ => 8,
    } as u32;
    let scale = 10i128.pow(decimals);
    let sign = if answer < 0 { "-" } else { "" };
    let v = answer.unsigned_abs();
    let frac = format!("{:0width$}", v % scale.unsigned_abs(), width = decimals as usize);
    let frac = frac.trim_end_matches('0');
    let frac = if frac.is_empty() { "00" } else { frac };
    format!("{sign}${}.{frac}", v / scale.unsigned_abs())
}

impl fmt::Debug for ClaimEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lend {}: {}", self.lend_id, fmt_usdc(&self.amount))
    }
}

impl fmt::Debug for LiquidationEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} borrow {}: {}", fmt_actor(&self.user), self.borrow_id, fmt_usdc(&self.amount))
    }
}

impl fmt::Debug for PoolParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = match self.token {
            TokenChoice::Asset(a) => ASSETS.get(a as usize).map_or("?", |x| x.0).to_string(),
            other => format!("{other:?}"),
        };
        let feed = match self.feed {
            FeedChoice::Feed(id) => fmt_feed(&id),
            other => format!("{other:?} feed"),
        };
        let sequencer = self.sequencer.map_or(String::new(), |s| format!(", sequencer {s}"));
        let ends = if self.ends_in < 0 {
            format!("-{}", fmt_duration(self.ends_in.unsigned_abs()))
        } else {
            format!("+{}", fmt_duration(self.ends_in as u64))
        };
        write!(
            f,
            "{token}, {feed}{sequencer}, cap {}, min lend {}, min borrow {}, ends {ends}, factor {}, ltv {}, rate {} bps",
            fmt_usdc(&self.max_pool_capacity),
            fmt_usdc(&self.min_lended),
            fmt_usdc(&self.min_borrow),
            self.factor,
            self.ltv,
            self.interest
        )
    }
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::AddPool { caller, params } => write!(f, "add_pool(by {}, {params:?})", fmt_actor(caller)),
            Action::AnnounceEdit { caller, pool, params } => {
                write!(f, "announce_edit(by {}, pool {pool}, {params:?})", fmt_actor(caller))
            }
            Action::CommitEdit { caller, pool } => write!(f, "commit_edit(by {}, pool {pool})", fmt_actor(caller)),
            Action::CancelEdit { caller, pool } => write!(f, "cancel_edit(by {}, pool {pool})", fmt_actor(caller)),
            Action::Pause { caller } => write!(f, "pause(by {})", fmt_actor(caller)),
            Action::Unpause { caller } => write!(f, "unpause(by {})", fmt_actor(caller)),
            Action::WithdrawFees { caller, token, recipient } => write!(
                f,
                "withdraw_protocol_rewards(by {}, {}, to {})",
                fmt_actor(caller),
                match token {
                    Token::Usdc => "USDC",
                    Token::Asset(a) => ASSETS.get(*a as usize).map_or("?", |x| x.0),
                },
                recipient.as_ref().map_or("address(0)".into(), fmt_actor)
            ),
            Action::SetOracleMaxDelay { caller, seconds } => {
                write!(f, "set_oracle_max_delay(by {}, {})", fmt_actor(caller), fmt_duration(*seconds))
            }
            Action::Lend { pool, user, amount } => write!(f, "lend(pool {pool}, user {user}, {})", fmt_usdc(amount)),
            Action::Claim { pool, user, claims } => write!(f, "claim(pool {pool}, user {user}, {claims:?})"),
            Action::Borrow { pool, user, usdc, collateral } => {
                write!(f, "borrow(pool {pool}, user {user}, {}, {})", fmt_usdc(usdc), fmt_units(collateral))
            }
            Action::Repay { pool, user, borrow_id, amount } => {
                write!(f, "repay(pool {pool}, user {user}, borrow {borrow_id}, {})", fmt_usdc(amount))
            }
            Action::ChangeCollateral { pool, user, borrow_id, new_amount, max_ltv } => write!(
                f,
                "change_collateral(pool {pool}, user {user}, borrow {borrow_id}, to {}, max ltv {})",
                fmt_units(new_amount),
                if *max_ltv == U256::MAX { "any".to_string() } else { format!("{max_ltv} bps") }
            ),
            Action::Liquidate { pool, caller, liquidations } => {
                write!(f, "liquidate(pool {pool}, by user {caller}, {liquidations:?})")
            }
            Action::ClaimCollateral { pool, user, claims, liquidations } => {
                write!(
                    f,
                    "claim_collateral(pool {pool}, user {user}, claims {claims:?}, liquidations {liquidations:?})"
                )
            }
            Action::Warp { seconds, refresh } => {
                write!(f, "warp(+{}{})", fmt_duration(*seconds), if *refresh { "" } else { ", feeds not refreshed" })
            }
            Action::SetPrice { feed, answer } => {
                write!(f, "set_price({}, {})", fmt_feed(feed), fmt_answer(feed, *answer))
            }
            Action::SetRound { feed, answer, time } => {
                write!(f, "set_round({}, {}, updated {time:?})", fmt_feed(feed), fmt_answer(feed, *answer))
            }
            Action::Sequencer { sequencer, state } => write!(f, "sequencer({sequencer}, {state:?})"),
            Action::SetBlacklisted { asset, holder, on } => write!(
                f,
                "{}blacklist({}, {holder:?})",
                if *on { "" } else { "un" },
                ASSETS.get(*asset as usize).map_or("?", |x| x.0)
            ),
            Action::SetTransferFee { asset, fee_bps } => {
                write!(f, "set_transfer_fee({}, {fee_bps} bps)", ASSETS.get(*asset as usize).map_or("?", |x| x.0))
            }
            Action::Upgrade => write!(f, "upgrade()"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_cases_run_clean() {
        let actions = std::env::var("COLLATERAL_SMOKE_ACTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000);
        let config =
            run::RunConfig { actions, max_steps: 128, seed: 11, progress_every: None, regressions: None, shrink: true };
        if let Err(violation) = run::run_machine::<CollateralTest>("collateral-smoke", &config) {
            panic!("{violation}");
        }
        if std::env::var_os("COLLATERAL_TALLY").is_some() {
            for (call, outcome, n) in take_outcome_tally() {
                eprintln!("{call:>28} {outcome:<45} {n}");
            }
        }
    }
}

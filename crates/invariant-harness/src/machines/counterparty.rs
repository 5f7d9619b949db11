//! The counterparty state machine, one type for both variants: `counterparty`
//! ([`CounterpartyMachine<DefaultPool>`]) and `admin-counterparty`
//! ([`CounterpartyMachine<AdminPool>`]).
//!
//! Actions are the real calls (create with ERC-20/721/1155 collateral, commit, uncommit, collect,
//! deposit, close, claim, defaults, archive, the for-users calls, fees, pause, `adminWithdrawAll`),
//! time warps aimed at the pools' milestones, and proxy upgrades. The model
//! ([`crate::model::counterparty`]) predicts each outcome from its own state; the EVM then runs
//! the call as its real sender and the two must agree: same success or same custom error, and on
//! success the same pool, touched commits, balances and fees. Every 16 steps and at the end of a
//! case the whole contract is compared with the model and every invariant of
//! [`crate::invariants::counterparty`] is checked.

use std::{
    cell::RefCell,
    collections::{BTreeMap, HashSet},
    fmt,
    marker::PhantomData,
    sync::Arc,
};

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolError, SolInterface};
use bindings::{
    AdminCounterpartyPool, CounterpartyPool, CounterpartyPool::CounterpartyPoolErrors as PoolErr, MockERC20,
    MockERC721, MockERC1155, counterparty_pool::ICounterpartyPool::CollateralToken,
};
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

use crate::{
    evm::{CallOutcome, Evm, GENESIS_TIMESTAMP},
    invariants::counterparty::{self as inv, ChainView, PoolView},
    model::counterparty::{
        ARCHIVE_DELAY, COLLECT_WINDOW, Call, CollateralSpec, CounterpartyModel, CpError, DAY, Effects, Holder, Kind,
        Status, Token, Variant,
    },
    run,
    world::{
        CounterpartyVariant, CounterpartyWorld, USER_COUNT, counterparty::USER_ERC20_WHOLE_TOKENS,
        counterparty::USER_USDC,
    },
};

/// Full comparison and invariant sweep every this many steps (and at the end of each case).
const SWEEP_EVERY: u64 = 16;
/// ERC-1155 ids the machine mints (shared between pools).
const MULTI_IDS: u64 = 3;
/// Fee of the world's fee-on-transfer token, bps.
const FEE_ON_TRANSFER_BPS: u64 = 100;
/// Where the fee-on-transfer token sends its fees (`FeeOnTransferToken.FEE_SINK`).
const FEE_SINK: Address = Address::new([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0f, 0xee]);

thread_local! {
    static OUTCOMES: RefCell<BTreeMap<String, u64>> = const { RefCell::new(BTreeMap::new()) };
}

/// How often each call ended each way on this thread since the last call (`"commit: ok"`,
/// `"commit: PoolHardCapReached"`, ...): which paths and errors the runs exercised.
pub fn take_outcome_counts() -> BTreeMap<String, u64> {
    OUTCOMES.with(|o| std::mem::take(&mut *o.borrow_mut()))
}

fn record_outcome(call: &Call, outcome: &Result<Effects, CpError>) {
    let name = format!("{call:?}");
    let name = name.split('(').next().unwrap_or_default();
    let result = match outcome {
        Ok(_) => "ok".to_owned(),
        Err(e) => {
            let e = format!("{e:?}");
            e.split([' ', '(']).next().unwrap_or_default().to_owned()
        }
    };
    OUTCOMES.with(|o| *o.borrow_mut().entry(format!("{name}: {result}")).or_default() += 1);
}

/// Which contract a machine runs.
pub trait PoolVariant: 'static {
    /// The model's variant.
    const VARIANT: Variant;
    /// The machine's name in reports.
    const NAME: &'static str;
}

/// `CounterpartyPool`.
pub struct DefaultPool;
/// `AdminCounterpartyPool`.
pub struct AdminPool;

impl PoolVariant for DefaultPool {
    const VARIANT: Variant = Variant::Default;
    const NAME: &'static str = "counterparty";
}

impl PoolVariant for AdminPool {
    const VARIANT: Variant = Variant::Admin;
    const NAME: &'static str = "admin-counterparty";
}

/// The reference state machine of variant `V`.
pub struct CounterpartyMachine<V>(PhantomData<V>);
/// The test binding [`CounterpartyMachine`] to the deployed contract.
pub struct CounterpartyTest<V>(PhantomData<V>);

/// The `counterparty` reference machine.
pub type DefaultCounterpartyMachine = CounterpartyMachine<DefaultPool>;
/// The `admin-counterparty` reference machine.
pub type AdminCounterpartyMachine = CounterpartyMachine<AdminPool>;
/// The `counterparty` machine.
pub type DefaultCounterpartyTest = CounterpartyTest<DefaultPool>;
/// The `admin-counterparty` machine.
pub type AdminCounterpartyTest = CounterpartyTest<AdminPool>;

/// Model state plus what the last transition should have done.
#[derive(Clone)]
pub struct State {
    /// The contract and token balances.
    pub model: CounterpartyModel,
    /// Outcome of the last call, `None` after a warp or upgrade.
    pub last: Option<Result<Effects, CpError>>,
    /// Next fresh ERC-721 id.
    next_nft: u64,
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} pools at {}, {} pools{}",
            self.model.variant,
            when(self.model.now),
            self.model.pools.len(),
            if self.model.paused { ", paused" } else { "" }
        )
    }
}

/// A mint on a mock collection before a `createPool` (the collateral the creator locks).
#[derive(Clone, PartialEq, Eq)]
pub struct Mint {
    /// `Token::Nft` or `Token::Multi`.
    pub token: Token,
    /// Token id.
    pub id: U256,
    /// Recipient.
    pub to: Holder,
    /// Amount (ERC-1155).
    pub amount: U256,
}

/// One step of a sequence.
#[derive(Clone, PartialEq, Eq)]
pub enum Transition {
    /// A call to the pool.
    Call(Call),
    /// Mints, then `createPool`.
    Create {
        /// Mints first.
        mints: Vec<Mint>,
        /// The `createPool` call.
        call: Call,
    },
    /// Time passes.
    Warp(u64),
    /// The proxy is upgraded to a fresh copy of the implementation.
    Upgrade,
}

// ---------------------------------------------------------------------------------------------
// Readable calls

fn who(h: Holder) -> String {
    match h {
        Holder::Admin => "admin".into(),
        Holder::User(i) => format!("user {i}"),
        Holder::Pool => "pool".into(),
        Holder::FeeSink => "fee sink".into(),
    }
}

fn usdc(x: U256) -> String {
    let unit = U256::from(1_000_000u64);
    format!("{}.{:06} USDC", x / unit, (x % unit).to::<u64>())
}

fn duration(s: u64) -> String {
    let (d, h, m, sec) = (s / DAY, s % DAY / 3_600, s % 3_600 / 60, s % 60);
    let mut out = String::new();
    for (v, u) in [(d, "d"), (h, "h"), (m, "m"), (sec, "s")] {
        if v != 0 {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&format!("{v}{u}"));
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

fn when(t: u64) -> String {
    match t.checked_sub(GENESIS_TIMESTAMP) {
        Some(d) => format!("T0+{}", duration(d)),
        None => format!("T0-{}", duration(GENESIS_TIMESTAMP - t)),
    }
}

fn token_name(t: Option<Token>) -> String {
    match t {
        None => "address(0)".into(),
        Some(Token::Usdc) => "usdc".into(),
        Some(Token::Erc20(i)) => format!("erc20#{i}"),
        Some(Token::FeeOnTransfer) => "fee-on-transfer".into(),
        Some(Token::Nft) => "nft".into(),
        Some(Token::Multi) => "erc1155".into(),
    }
}

fn users(list: &[Holder]) -> String {
    list.iter().map(|h| who(*h)).collect::<Vec<_>>().join(", ")
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Call::CreatePool { caller, soft_cap, hard_cap, deadline, minimum_apr, collateral } => {
                let items: Vec<String> =
                    collateral.iter().map(|c| format!("{} id {} x{}", token_name(c.token), c.id, c.amount)).collect();
                write!(
                    f,
                    "create_pool({}, soft {}, hard {}, deadline {}, apr {}.{:06} %, [{}])",
                    who(*caller),
                    usdc(*soft_cap),
                    usdc(*hard_cap),
                    when(*deadline),
                    minimum_apr / 1_000_000,
                    minimum_apr % 1_000_000,
                    items.join(", ")
                )
            }
            Call::SetRepaymentDate { caller, pool, date } => {
                write!(f, "set_repayment_date(pool {pool}, {}, {})", who(*caller), when(*date))
            }
            Call::Collect { caller, pool } => write!(f, "collect(pool {pool}, {})", who(*caller)),
            Call::DepositRewards { caller, pool, amount } => {
                write!(f, "deposit_rewards(pool {pool}, {}, {})", who(*caller), usdc(*amount))
            }
            Call::Close { caller, pool } => write!(f, "close(pool {pool}, {})", who(*caller)),
            Call::Commit { caller, pool, amount } => {
                write!(f, "commit(pool {pool}, {}, {})", who(*caller), usdc(*amount))
            }
            Call::Uncommit { caller, pool } => write!(f, "uncommit(pool {pool}, {})", who(*caller)),
            Call::Claim { caller, pool } => write!(f, "claim(pool {pool}, {})", who(*caller)),
            Call::DeclareDefault { caller, pool } => write!(f, "declare_default(pool {pool}, {})", who(*caller)),
            Call::ClaimDefaultCollateral { caller, pool } => {
                write!(f, "claim_default_collateral(pool {pool}, {})", who(*caller))
            }
            Call::Archive { caller, pool } => write!(f, "archive(pool {pool}, {})", who(*caller)),
            Call::ClaimRewardsForUsers { caller, pool, users: list } => {
                write!(f, "claim_rewards_for_users(pool {pool}, {}, [{}])", who(*caller), users(list))
            }
            Call::UncommitForUsers { caller, pool, users: list } => {
                write!(f, "uncommit_for_users(pool {pool}, {}, [{}])", who(*caller), users(list))
            }
            Call::WithdrawFees { caller } => write!(f, "withdraw_fees({})", who(*caller)),
            Call::AdminWithdrawAll { caller } => write!(f, "admin_withdraw_all({})", who(*caller)),
            Call::Pause { caller } => write!(f, "pause({})", who(*caller)),
            Call::Unpause { caller } => write!(f, "unpause({})", who(*caller)),
        }
    }
}

impl fmt::Debug for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transition::Call(c) => write!(f, "{c:?}"),
            Transition::Create { mints, call } => {
                for m in mints {
                    write!(f, "mint({} id {} x{} to {}); ", token_name(Some(m.token)), m.id, m.amount, who(m.to))?;
                }
                write!(f, "{call:?}")
            }
            Transition::Warp(s) => write!(f, "warp(+{})", duration(*s)),
            Transition::Upgrade => write!(f, "upgrade()"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generation

/// A tiny deterministic stream from the case's seeds: shrinking the seeds to 0 gives the
/// simplest choices (first pool, first user, smallest amounts).
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// An amount up to `max` with every magnitude equally likely.
    fn amount(&mut self, max: U256) -> U256 {
        if max.is_zero() {
            return U256::ZERO;
        }
        let bits = 256 - max.leading_zeros() as u64;
        let b = self.range(1, bits);
        let mask = if b >= 256 { U256::MAX } else { (U256::from(1u8) << b as usize) - U256::from(1u8) };
        let v = U256::from_limbs([self.next(), self.next(), self.next(), self.next()]) & mask;
        (v % max) + U256::from(1u8)
    }
    fn user(&mut self) -> Holder {
        Holder::User(self.below(USER_COUNT as u64) as u8)
    }
}

const ONE_USDC: u64 = 1_000_000;

fn usdc_units(x: u64) -> U256 {
    U256::from(x) * U256::from(ONE_USDC)
}

/// A pool whose model matches `want`; else an existing pool; 1 time in 16 any id, unknown included.
fn pick_pool(m: &CounterpartyModel, d: &mut Draw, want: impl Fn(&CounterpartyModel, &model_pool::P) -> bool) -> u64 {
    let n = m.pools.len() as u64;
    if n == 0 || d.one_in(16) {
        return d.below(n + 2);
    }
    let fits: Vec<u64> = (0..n).filter(|&i| want(m, &m.pools[i as usize])).collect();
    if fits.is_empty() { d.below(n) } else { fits[d.below(fits.len() as u64) as usize] }
}

mod model_pool {
    pub type P = crate::model::counterparty::Pool;
}

fn open(m: &CounterpartyModel, p: &model_pool::P) -> bool {
    p.status == Status::Created && m.now <= p.deadline && p.total_committed < p.hard_cap
}

/// The borrower of pool `pool` (owner, or admin), or 1 time in 16 a random user.
fn borrower(m: &CounterpartyModel, d: &mut Draw, pool: u64) -> Holder {
    if d.one_in(16) {
        return d.user();
    }
    match m.variant {
        Variant::Admin => Holder::Admin,
        Variant::Default => m.pools.get(pool as usize).map_or_else(|| d.user(), |p| p.owner),
    }
}

/// The pool's owner or the admin, or 1 time in 16 a random user.
fn owner_or_admin(m: &CounterpartyModel, d: &mut Draw, pool: u64) -> Holder {
    if d.one_in(16) {
        return d.user();
    }
    if m.variant == Variant::Admin || d.one_in(3) {
        return Holder::Admin;
    }
    m.pools.get(pool as usize).map_or(Holder::Admin, |p| p.owner)
}

/// A lender of `pool` matching `want`, else (or 1 time in 8) any user.
fn lender(
    m: &CounterpartyModel,
    d: &mut Draw,
    pool: u64,
    want: impl Fn(&crate::model::counterparty::Commit) -> bool,
) -> Holder {
    let fits: Vec<Holder> = (0..USER_COUNT as u8)
        .map(Holder::User)
        .chain([Holder::Admin])
        .filter(|h| {
            let c = m.commit_of(pool as usize, *h);
            !c.amount.is_zero() && want(&c)
        })
        .collect();
    if fits.is_empty() || d.one_in(8) { d.user() } else { fits[d.below(fits.len() as u64) as usize] }
}

fn user_list(d: &mut Draw) -> Vec<Holder> {
    let n = d.range(1, 5);
    (0..n).map(|_| if d.one_in(8) { Holder::Admin } else { d.user() }).collect()
}

fn create(m: &CounterpartyModel, d: &mut Draw, next_nft: u64) -> Transition {
    let caller = match m.variant {
        Variant::Admin => {
            if d.one_in(16) {
                d.user()
            } else {
                Holder::Admin
            }
        }
        Variant::Default => {
            if d.one_in(32) {
                Holder::Admin
            } else {
                d.user()
            }
        }
    };
    let hard_cap = if d.one_in(64) {
        if d.one_in(2) { U256::ZERO } else { U256::from(u128::MAX) + U256::from(d.range(1, 5)) }
    } else {
        d.amount(usdc_units(100_000))
    };
    let soft_cap =
        if d.one_in(32) { hard_cap + U256::from(1u8) } else { d.amount(hard_cap + U256::from(1u8)) - U256::from(1u8) };
    let deadline = match d.below(32) {
        0 => m.now.saturating_sub(d.below(DAY)),
        1 => m.now + 365 * DAY + d.range(0, 2),
        2 | 3 => m.now + d.range(1, 365 * DAY),
        _ => m.now + d.range(3_600, 30 * DAY),
    };
    let minimum_apr = d.below(20_000_001);
    let mut mints = Vec::new();
    let mut collateral = Vec::new();
    let mut next = next_nft;
    let kinds = if d.one_in(4) { 7 } else { d.below(8) };
    if kinds & 1 != 0 {
        let i = d.below(2) as u8;
        let decimals = if i == 0 { 6 } else { 18 };
        let max = U256::from(1_000_000u64) * U256::from(10u8).pow(U256::from(decimals));
        collateral.push(CollateralSpec { token: Some(Token::Erc20(i)), amount: d.amount(max), id: U256::ZERO });
    }
    if kinds & 2 != 0 {
        let id = U256::from(next);
        next += 1;
        mints.push(Mint { token: Token::Nft, id, to: caller, amount: U256::from(1u8) });
        collateral.push(CollateralSpec { token: Some(Token::Nft), amount: U256::from(1u8), id });
    }
    if kinds & 4 != 0 {
        let id = U256::from(d.range(1, MULTI_IDS));
        let amount = U256::from(d.range(1, 1_000));
        mints.push(Mint { token: Token::Multi, id, to: caller, amount });
        collateral.push(CollateralSpec { token: Some(Token::Multi), amount, id });
    }
    // Deliberately invalid items now and then.
    match d.below(48) {
        0 => collateral.push(CollateralSpec { token: None, amount: U256::from(1u8), id: U256::ZERO }),
        1 => collateral.push(CollateralSpec { token: Some(Token::Erc20(0)), amount: U256::ZERO, id: U256::ZERO }),
        2 => collateral.push(CollateralSpec { token: Some(Token::Nft), amount: U256::from(2u8), id: U256::from(next) }),
        3 => collateral.push(CollateralSpec {
            token: Some(Token::FeeOnTransfer),
            amount: d.amount(U256::from(10u64).pow(U256::from(20u8))),
            id: U256::ZERO,
        }),
        4 => {
            // Someone else's (or a locked) NFT, or one never minted.
            let id = U256::from(d.range(1, next));
            collateral.push(CollateralSpec { token: Some(Token::Nft), amount: U256::from(1u8), id });
        }
        5 => {
            let item = CollateralSpec { token: Some(Token::Erc20(0)), amount: U256::from(1u8), id: U256::ZERO };
            collateral = vec![item; 11];
        }
        6 => {
            // More ERC-1155 than the creator holds (nothing minted for it).
            let id = U256::from(d.range(1, MULTI_IDS));
            collateral.push(CollateralSpec { token: Some(Token::Multi), amount: U256::from(1_000_000u64), id });
        }
        7 => {
            // More of an ERC-20 than the creator holds.
            let amount = U256::from(USER_ERC20_WHOLE_TOKENS) * U256::from(10u64).pow(U256::from(6u8)) + U256::from(1u8);
            collateral.push(CollateralSpec { token: Some(Token::Erc20(0)), amount, id: U256::ZERO });
        }
        _ => {}
    }
    let call = Call::CreatePool { caller, soft_cap, hard_cap, deadline, minimum_apr, collateral };
    Transition::Create { mints, call }
}

fn warp(m: &CounterpartyModel, d: &mut Draw) -> Transition {
    let live: Vec<&model_pool::P> = m.pools.iter().filter(|p| p.status != Status::Archived).collect();
    if !live.is_empty() && !d.one_in(3) {
        let p = live[d.below(live.len() as u64) as usize];
        let target = match d.below(6) {
            0 => p.deadline,
            1 => p.deadline + 1,
            2 => p.deadline + COLLECT_WINDOW + d.below(2),
            3 => p.deadline + ARCHIVE_DELAY,
            4 => p.repayment_date,
            _ => p.closed_time + ARCHIVE_DELAY,
        };
        if target > m.now && target - m.now <= 400 * DAY {
            return Transition::Warp(target - m.now);
        }
    }
    Transition::Warp(match d.below(64) {
        0..=39 => d.range(1, 12 * 3_600),
        40..=61 => d.range(DAY, 20 * DAY),
        _ => d.range(30 * DAY, 400 * DAY),
    })
}

/// Action kinds and their weights.
const ACTIONS: &[(u8, u32)] = &[
    (0, 10), // warp
    (1, 6),  // create
    (2, 1),  // set repayment date
    (3, 16), // commit
    (4, 3),  // uncommit
    (5, 5),  // collect
    (6, 7),  // deposit
    (7, 4),  // close
    (8, 9),  // claim
    (9, 3),  // declare default
    (10, 3), // claim default collateral
    (11, 3), // archive
    (12, 2), // claim rewards for users
    (13, 2), // uncommit for users
    (14, 1), // withdraw fees / admin withdraw all
    (15, 2), // pause / unpause
    (16, 1), // upgrade
];

fn build(m: &CounterpartyModel, next_nft: u64, pick: u32, seed: u64) -> Transition {
    let total: u32 = ACTIONS.iter().map(|(_, w)| w).sum();
    let mut p = pick % total;
    let mut kind = 0;
    for (k, w) in ACTIONS {
        if p < *w {
            kind = *k;
            break;
        }
        p -= w;
    }
    let d = &mut Draw(seed);
    let open_pools = m.pools.iter().filter(|p| open(m, p)).count();
    if m.pools.is_empty() && !m.paused && !d.one_in(8) {
        return create(m, d, next_nft);
    }
    if m.paused && d.one_in(4) {
        // Pauses stay short, so that most of a sequence can act.
        return Transition::Call(Call::Unpause { caller: Holder::Admin });
    }
    let call = match kind {
        0 => return warp(m, d),
        1 if open_pools < 3 || d.one_in(6) => return create(m, d, next_nft),
        1 => return warp(m, d),
        2 => {
            let pool = pick_pool(m, d, |_, p| p.status == Status::Created && p.total_committed.is_zero());
            let deadline = m.pools.get(pool as usize).map_or(m.now, |p| p.deadline);
            let date =
                if d.one_in(8) { deadline.saturating_sub(d.below(3_600)) } else { deadline + d.range(1, 730 * DAY) };
            Call::SetRepaymentDate { caller: borrower(m, d, pool), pool, date }
        }
        3 => {
            let pool = pick_pool(m, d, open);
            let (room, to_soft) = m.pools.get(pool as usize).map_or((U256::ZERO, U256::ZERO), |p| {
                (p.hard_cap.saturating_sub(p.total_committed), p.soft_cap.saturating_sub(p.total_committed))
            });
            let amount = match d.below(16) {
                0..=2 => room,
                3..=5 if !to_soft.is_zero() => to_soft,
                6 => room + d.amount(usdc_units(1_000)),
                7 if d.one_in(4) => U256::ZERO,
                _ => d.amount(room.max(U256::from(1u8))),
            };
            let owner = m.pools.get(pool as usize).map(|p| p.owner);
            let amount = if d.one_in(128) { U256::MAX } else { amount };
            let mut caller = if d.one_in(32) { Holder::Admin } else { d.user() };
            if Some(caller) == owner && !d.one_in(8) {
                caller = Holder::User(
                    ((match caller {
                        Holder::User(i) => i,
                        _ => 0,
                    }) + 1)
                        % USER_COUNT as u8,
                );
            }
            Call::Commit { caller, pool, amount }
        }
        4 => {
            let pool = pick_pool(m, d, |_, p| p.status == Status::Created && !p.total_committed.is_zero());
            Call::Uncommit { caller: lender(m, d, pool, |_| true), pool }
        }
        5 => {
            let pool = pick_pool(m, d, |m, p| p.status == Status::Created && m.collectable(p));
            Call::Collect { caller: borrower(m, d, pool), pool }
        }
        6 => {
            let pool = pick_pool(m, d, |_, p| p.status == Status::Active);
            let missing = m.pools.get(pool as usize).map_or(U256::ZERO, |p| {
                crate::model::counterparty::required_rewards(p.total_committed, p.minimum_apr)
                    .saturating_sub(p.total_rewards)
            });
            let amount = match d.below(16) {
                0..=4 if !missing.is_zero() => missing,
                5 if missing > U256::from(1u8) => missing - U256::from(1u8),
                6 if d.one_in(4) => U256::ZERO,
                7 if d.one_in(8) => U256::MAX - U256::from(d.below(3)),
                8 if d.one_in(8) => U256::from(USER_USDC) * U256::from(d.range(2, 1_000)),
                _ => d.amount(missing.max(usdc_units(10))),
            };
            Call::DepositRewards { caller: borrower(m, d, pool), pool, amount }
        }
        7 => {
            let pool = pick_pool(m, d, |m, p| {
                p.status == Status::Active || (p.status == Status::Created && m.now > p.deadline)
            });
            Call::Close { caller: borrower(m, d, pool), pool }
        }
        8 => {
            let pool = pick_pool(m, d, |_, p| {
                (p.status == Status::Active && p.total_rewards > p.rewards_paid_out)
                    || (p.status == Status::Closed && p.paid_in_full_commits < p.total_committed)
            });
            let closed = m.pools.get(pool as usize).is_some_and(|p| p.status == Status::Closed);
            Call::Claim { caller: lender(m, d, pool, |c| !closed || !c.paid_in_full), pool }
        }
        9 => {
            let by_admin = d.one_in(3);
            let pool = pick_pool(m, d, |m, p| p.status == Status::Active && (by_admin || m.now >= p.repayment_date));
            let caller = if by_admin { Holder::Admin } else { d.user() };
            Call::DeclareDefault { caller, pool }
        }
        10 => {
            let pool = pick_pool(m, d, |_, p| p.defaulted && p.collateral_claimed_commits < p.total_committed);
            Call::ClaimDefaultCollateral { caller: lender(m, d, pool, |c| !c.collateral_claimed), pool }
        }
        11 => {
            let pool = pick_pool(m, d, |m, p| {
                (p.status == Status::Closed && m.now >= p.closed_time + ARCHIVE_DELAY)
                    || (p.status == Status::Created && m.now >= p.deadline + ARCHIVE_DELAY)
            });
            Call::Archive { caller: owner_or_admin(m, d, pool), pool }
        }
        12 => {
            let pool = pick_pool(m, d, |m, p| p.status == Status::Closed && m.now >= p.closed_time + ARCHIVE_DELAY);
            Call::ClaimRewardsForUsers { caller: owner_or_admin(m, d, pool), pool, users: user_list(d) }
        }
        13 => {
            let pool = pick_pool(m, d, |m, p| p.status == Status::Created && m.now >= p.deadline + ARCHIVE_DELAY);
            Call::UncommitForUsers { caller: owner_or_admin(m, d, pool), pool, users: user_list(d) }
        }
        14 => {
            let caller = if d.one_in(16) { d.user() } else { Holder::Admin };
            if d.one_in(24) { Call::AdminWithdrawAll { caller } } else { Call::WithdrawFees { caller } }
        }
        15 => {
            let caller = if d.one_in(16) { d.user() } else { Holder::Admin };
            if m.paused != d.one_in(8) { Call::Unpause { caller } } else { Call::Pause { caller } }
        }
        _ => return Transition::Upgrade,
    };
    Transition::Call(call)
}

impl<V: PoolVariant> ReferenceStateMachine for CounterpartyMachine<V> {
    type State = State;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<State> {
        let mut model = CounterpartyModel::new(V::VARIANT, GENESIS_TIMESTAMP);
        model.fee_on_transfer_bps = FEE_ON_TRANSFER_BPS;
        let erc20 = |decimals: u8| U256::from(USER_ERC20_WHOLE_TOKENS) * U256::from(10u8).pow(U256::from(decimals));
        for h in (0..USER_COUNT as u8).map(Holder::User).chain([Holder::Admin]) {
            model.mint(Token::Usdc, U256::ZERO, h, U256::from(USER_USDC));
            model.mint(Token::Erc20(0), U256::ZERO, h, erc20(6));
            model.mint(Token::Erc20(1), U256::ZERO, h, erc20(18));
            model.mint(Token::FeeOnTransfer, U256::ZERO, h, erc20(18));
        }
        Just(State { model, last: None, next_nft: 1 }).boxed()
    }

    fn transitions(state: &State) -> BoxedStrategy<Transition> {
        let model = Arc::new(state.model.clone());
        let next_nft = state.next_nft;
        (any::<u32>(), any::<u64>()).prop_map(move |(pick, seed)| build(&model, next_nft, pick, seed)).boxed()
    }

    fn preconditions(state: &State, transition: &Transition) -> bool {
        // ERC-721 ids are minted once: a shrunk sequence must not mint one twice.
        match transition {
            Transition::Create { mints, .. } => {
                mints.iter().all(|m| m.token != Token::Nft || !state.model.nft_owner.contains_key(&m.id))
            }
            _ => true,
        }
    }

    fn apply(mut state: State, transition: &Transition) -> State {
        match transition {
            Transition::Warp(s) => {
                state.model.warp(*s);
                state.last = None;
            }
            Transition::Upgrade => state.last = None,
            Transition::Call(call) => state.last = Some(state.model.call(call)),
            Transition::Create { mints, call } => {
                for m in mints {
                    state.model.mint(m.token, m.id, m.to, m.amount);
                    if m.token == Token::Nft {
                        state.next_nft = state.next_nft.max(m.id.to::<u64>() + 1);
                    }
                }
                state.last = Some(state.model.call(call));
            }
        }
        state
    }
}

// ---------------------------------------------------------------------------------------------
// Execution against the contract

/// The deployed world and what the machine remembers between steps.
pub struct Sut {
    world: CounterpartyWorld,
    steps: u64,
    /// Each pool's status at the last sweep (invariant 13).
    statuses: Vec<u8>,
}

impl Sut {
    fn address(&self, h: Holder) -> Address {
        match h {
            Holder::Admin => self.world.admin,
            Holder::User(i) => self.world.users[i as usize],
            Holder::Pool => self.world.pool,
            Holder::FeeSink => FEE_SINK,
        }
    }

    fn holder(&self, a: Address) -> Option<Holder> {
        if a == self.world.admin {
            return Some(Holder::Admin);
        }
        if a == self.world.pool {
            return Some(Holder::Pool);
        }
        if a == FEE_SINK {
            return Some(Holder::FeeSink);
        }
        self.world.users.iter().position(|u| *u == a).map(|i| Holder::User(i as u8))
    }

    fn token(&self, t: Token) -> Address {
        match t {
            Token::Usdc => self.world.usdc,
            Token::Erc20(i) => self.world.erc20s[i as usize].0,
            Token::FeeOnTransfer => self.world.fee_on_transfer,
            Token::Nft => self.world.erc721,
            Token::Multi => self.world.erc1155,
        }
    }

    fn evm(&mut self) -> &mut Evm {
        &mut self.world.evm
    }

    fn view<C: SolCall>(&mut self, call: &C) -> C::Return {
        let pool = self.world.pool;
        match self.world.evm.view(pool, call) {
            Ok(v) => v,
            Err(e) => panic!("view {} failed: {e:#}", C::SIGNATURE),
        }
    }

    fn send<C: SolCall>(&mut self, from: Holder, call: &C) -> Result<(), Bytes> {
        let (from, pool) = (self.address(from), self.world.pool);
        match self.world.evm.call(from, pool, call) {
            Ok(CallOutcome::Success { .. }) => Ok(()),
            Ok(CallOutcome::Revert(data)) => Err(data),
            Err(e) => panic!("{} could not execute: {e:#}", C::SIGNATURE),
        }
    }

    fn balance(&mut self, token: Token, id: U256, h: Holder) -> U256 {
        let (t, a) = (self.token(token), self.address(h));
        let r = match token.kind() {
            Kind::Erc20 => self.evm().view(t, &MockERC20::balanceOfCall { account: a }),
            Kind::Erc1155 => self.evm().view(t, &MockERC1155::balanceOfCall { account: a, id }),
            Kind::Erc721 => self
                .evm()
                .view(t, &MockERC721::ownerOfCall { tokenId: id })
                .map(|owner| U256::from(u8::from(owner == a))),
        };
        match r {
            Ok(v) => v,
            Err(e) => panic!("balance of {token:?} id {id} for {h:?}: {e:#}"),
        }
    }

    fn execute(&mut self, call: &Call) -> Result<(), Bytes> {
        use CounterpartyPool as P;
        let pid = |p: &u64| U256::from(*p);
        match call {
            Call::CreatePool { caller, soft_cap, hard_cap, deadline, minimum_apr, collateral } => {
                let tokens = collateral
                    .iter()
                    .map(|c| CollateralToken {
                        contractAddress: c.token.map_or(Address::ZERO, |t| self.token(t)),
                        amount: c.amount,
                        id: c.id,
                    })
                    .collect();
                let c = P::createPoolCall {
                    softCap: *soft_cap,
                    hardCap: *hard_cap,
                    deadline: alloy_primitives::aliases::U48::from(*deadline),
                    minimumAPR: alloy_primitives::aliases::U48::from(*minimum_apr),
                    collateralTokens: tokens,
                };
                self.send(*caller, &c)
            }
            Call::SetRepaymentDate { caller, pool, date } => self.send(
                *caller,
                &P::setRepaymentDateCall {
                    poolId: pid(pool),
                    repaymentDate: alloy_primitives::aliases::U48::from(*date),
                },
            ),
            Call::Collect { caller, pool } => self.send(*caller, &P::collectPoolCall { poolId: pid(pool) }),
            Call::DepositRewards { caller, pool, amount } => {
                self.send(*caller, &P::depositRewardsCall { poolId: pid(pool), amount: *amount })
            }
            Call::Close { caller, pool } => self.send(*caller, &P::closePoolCall { poolId: pid(pool) }),
            Call::Commit { caller, pool, amount } => {
                self.send(*caller, &P::commitToPoolCall { poolId: pid(pool), amount: *amount })
            }
            Call::Uncommit { caller, pool } => self.send(*caller, &P::uncommitFromPoolCall { poolId: pid(pool) }),
            Call::Claim { caller, pool } => self.send(*caller, &P::claimCall { poolId: pid(pool) }),
            Call::DeclareDefault { caller, pool } => self.send(*caller, &P::declareDefaultCall { poolId: pid(pool) }),
            Call::ClaimDefaultCollateral { caller, pool } => {
                self.send(*caller, &P::claimDefaultCollateralCall { poolId: pid(pool) })
            }
            Call::Archive { caller, pool } => self.send(*caller, &P::archivePoolCall { poolId: pid(pool) }),
            Call::ClaimRewardsForUsers { caller, pool, users } => {
                let users = users.iter().map(|h| self.address(*h)).collect();
                self.send(*caller, &P::claimRewardsForUsersCall { poolId: pid(pool), users })
            }
            Call::UncommitForUsers { caller, pool, users } => {
                let users = users.iter().map(|h| self.address(*h)).collect();
                self.send(*caller, &P::uncommitForUsersCall { poolId: pid(pool), users })
            }
            Call::WithdrawFees { caller } => self.send(*caller, &P::withdrawFeesCollectedCall {}),
            Call::AdminWithdrawAll { caller } => self.send(*caller, &P::adminWithdrawAllCall {}),
            Call::Pause { caller } => self.send(*caller, &P::pauseCall {}),
            Call::Unpause { caller } => self.send(*caller, &P::unpauseCall {}),
        }
    }

    /// The model's name for a revert, or the raw data when nothing known matches.
    fn decode_revert(&self, data: &[u8]) -> Result<CpError, String> {
        let h = |a: Address| self.holder(a).ok_or_else(|| format!("unknown address {a}"));
        if let Ok(e) = PoolErr::abi_decode(data) {
            return Ok(match e {
                PoolErr::AmountCannotBeZero(_) => CpError::AmountCannotBeZero,
                PoolErr::AmountTooBig(_) => CpError::AmountTooBig,
                PoolErr::CannotCollect30DaysAfterDeadline(_) => CpError::CannotCollect30DaysAfterDeadline,
                PoolErr::CollateralAlreadyClaimed(_) => CpError::CollateralAlreadyClaimed,
                PoolErr::CollateralNotYetDistributed(_) => CpError::CollateralNotYetDistributed,
                PoolErr::DeadlineMustBeInFuture(_) => CpError::DeadlineMustBeInFuture,
                PoolErr::DeadlineMustNotBeMoreThan1YearInTheFuture(_) => {
                    CpError::DeadlineMustNotBeMoreThan1YearInTheFuture
                }
                PoolErr::HardCapCannotBeZero(_) => CpError::HardCapCannotBeZero,
                PoolErr::InvalidCollateral(e) => CpError::InvalidCollateral(e.index.to::<u64>()),
                PoolErr::InvalidRepaymentDate(_) => CpError::InvalidRepaymentDate,
                PoolErr::MustBePaused(_) => CpError::MustBePaused,
                PoolErr::MustBePoolOwner(_) => CpError::MustBePoolOwner,
                PoolErr::MustBePoolOwnerOrAdmin(_) => CpError::MustBePoolOwnerOrAdmin,
                PoolErr::MustDepositAtleastCommittedAmount(_) => CpError::MustDepositAtleastCommittedAmount,
                PoolErr::NotACommitter(_) => CpError::NotACommitter,
                PoolErr::NothingToClaim(_) => CpError::NothingToClaim,
                PoolErr::PoolCannotBeDefaulted(_) => CpError::PoolCannotBeDefaulted,
                PoolErr::PoolDeadlineNotReached(_) => CpError::PoolDeadlineNotReached,
                PoolErr::PoolDeadlineReached(_) => CpError::PoolDeadlineReached,
                PoolErr::PoolDoesNotExists(_) => CpError::PoolDoesNotExists,
                PoolErr::PoolHardCapReached(_) => CpError::PoolHardCapReached,
                PoolErr::PoolIsNotEmpty(_) => CpError::PoolIsNotEmpty,
                PoolErr::PoolNotDefaulted(_) => CpError::PoolNotDefaulted,
                PoolErr::PoolOwnerCannotCommitToHisOwnPool(_) => CpError::PoolOwnerCannotCommitToHisOwnPool,
                PoolErr::PoolSoftCapNotReached(_) => CpError::PoolSoftCapNotReached,
                PoolErr::PoolSoftCapReached(_) => CpError::PoolSoftCapReached,
                PoolErr::PoolStatusMustBeActive(_) => CpError::PoolStatusMustBeActive,
                PoolErr::PoolStatusMustBeAtLeast60DaysPastDeadline(_) => {
                    CpError::PoolStatusMustBeAtLeast60DaysPastDeadline
                }
                PoolErr::PoolStatusMustBeClosed(_) => CpError::PoolStatusMustBeClosed,
                PoolErr::PoolStatusMustBeClosedForAtLeast60Days(_) => CpError::PoolStatusMustBeClosedForAtLeast60Days,
                PoolErr::PoolStatusMustBeCreated(_) => CpError::PoolStatusMustBeCreated,
                PoolErr::PoolStatusMustBeEitherClosedOrActive(_) => CpError::PoolStatusMustBeEitherClosedOrActive,
                PoolErr::PoolStatusMustBeEitherClosedOrCreated(_) => CpError::PoolStatusMustBeEitherClosedOrCreated,
                PoolErr::RewardsHaveNotYetBeenPaidOut(_) => CpError::RewardsHaveNotYetBeenPaidOut,
                PoolErr::SoftCapMustBeLessThanHardCap(_) => CpError::SoftCapMustBeLessThanHardCap,
                PoolErr::TokenTransferAmountIncludedFees(_) => CpError::TokenTransferAmountIncludedFees,
                PoolErr::TooManyCollateralTokens(_) => CpError::TooManyCollateralTokens,
                PoolErr::UncommitNotAllowed(_) => CpError::UncommitNotAllowed,
                PoolErr::EnforcedPause(_) => CpError::EnforcedPause,
                PoolErr::ExpectedPause(_) => CpError::ExpectedPause,
                PoolErr::AccessControlUnauthorizedAccount(e) => {
                    if !e.neededRole.is_zero() {
                        return Err(format!("AccessControlUnauthorizedAccount for role {}", e.neededRole));
                    }
                    CpError::AccessControlUnauthorizedAccount { account: h(e.account)? }
                }
                other => return Err(format!("{other:?}")),
            });
        }
        if let Ok(e) = MockERC20::ERC20InsufficientBalance::abi_decode(data) {
            return Ok(CpError::Erc20InsufficientBalance {
                sender: h(e.sender)?,
                balance: e.balance,
                needed: e.needed,
            });
        }
        if let Ok(e) = MockERC721::ERC721NonexistentToken::abi_decode(data) {
            return Ok(CpError::Erc721NonexistentToken { id: e.tokenId });
        }
        if let Ok(e) = MockERC721::ERC721IncorrectOwner::abi_decode(data) {
            return Ok(CpError::Erc721IncorrectOwner { sender: h(e.sender)?, id: e.tokenId, owner: h(e.owner)? });
        }
        if let Ok(e) = MockERC1155::ERC1155InsufficientBalance::abi_decode(data) {
            return Ok(CpError::Erc1155InsufficientBalance {
                sender: h(e.sender)?,
                balance: e.balance,
                needed: e.needed,
                id: e.tokenId,
            });
        }
        if data.len() == 36 && data[..4] == [0x4e, 0x48, 0x7b, 0x71] {
            return Ok(CpError::Panic(data[35]));
        }
        Err(format!("unknown revert data 0x{}", alloy_primitives::hex::encode(data)))
    }

    /// The getters beyond the published row: (repayment date, defaulted, paid-in-full commits).
    fn pool_extras(&mut self, id: usize) -> (u64, bool, U256) {
        let i = U256::from(id);
        let r = self.view(&CounterpartyPool::repaymentInfoCall { poolId: i });
        let paid_in_full_commits = self.view(&CounterpartyPool::paidInFullCommitsCall { poolId: i });
        (r.repaymentDate.to::<u64>(), r.defaulted, paid_in_full_commits)
    }

    /// The published `pools(i)` row (repayment info and paid-in-full filled only by the admin getter).
    fn pool_row(&mut self, id: usize) -> (PoolView, Address) {
        let i = U256::from(id);
        match self.world.variant {
            CounterpartyVariant::Default => {
                let r = self.view(&CounterpartyPool::poolsCall { index: i });
                (
                    PoolView {
                        soft_cap: r.softCap,
                        hard_cap: r.hardCap,
                        total_committed: r.totalCommitted,
                        total_rewards: r.totalRewards,
                        rewards_paid_out: r.rewardsPaidOut,
                        paid_in_full_commits: U256::ZERO,
                        created_at: r.createdAt.to::<u64>(),
                        deadline: r.deadline.to::<u64>(),
                        closed_time: r.closedTime.to::<u64>(),
                        minimum_apr: r.minimumAPR.to::<u64>(),
                        status: r.poolStatus,
                        repayment_date: 0,
                        defaulted: false,
                    },
                    r.poolOwner,
                )
            }
            CounterpartyVariant::Admin => {
                let r = self.view(&AdminCounterpartyPool::poolsCall { index: i });
                (
                    PoolView {
                        soft_cap: r.softCap,
                        hard_cap: r.hardCap,
                        total_committed: r.totalCommitted,
                        total_rewards: r.totalRewards,
                        rewards_paid_out: r.rewardsPaidOut,
                        paid_in_full_commits: r.partialClaimed,
                        created_at: r.createdAt.to::<u64>(),
                        deadline: r.deadline.to::<u64>(),
                        closed_time: r.closedTime.to::<u64>(),
                        minimum_apr: r.minimumAPR.to::<u64>(),
                        status: r.poolStatus,
                        repayment_date: 0,
                        defaulted: false,
                    },
                    r.poolOwner,
                )
            }
        }
    }

    /// Compares pool `id` with the model: the published row always, the extra getters when `full`.
    fn compare_pool(&mut self, m: &CounterpartyModel, id: usize, full: bool, ctx: &str) -> PoolView {
        let p = &m.pools[id];
        let (mut v, owner) = self.pool_row(id);
        if full {
            (v.repayment_date, v.defaulted, v.paid_in_full_commits) = self.pool_extras(id);
        }
        assert_eq!(self.holder(owner), Some(p.owner), "{ctx}: owner of pool {id} (chain {owner} vs model)");
        let expected = PoolView {
            soft_cap: p.soft_cap,
            hard_cap: p.hard_cap,
            total_committed: p.total_committed,
            total_rewards: p.total_rewards,
            rewards_paid_out: p.rewards_paid_out,
            paid_in_full_commits: if full || m.variant == Variant::Admin { p.paid_in_full_commits } else { U256::ZERO },
            created_at: p.created_at,
            deadline: p.deadline,
            closed_time: p.closed_time,
            minimum_apr: p.minimum_apr,
            status: p.status as u8,
            repayment_date: if full { p.repayment_date } else { 0 },
            defaulted: full && p.defaulted,
        };
        assert_eq!(v, expected, "{ctx}: pool {id} differs from the model (left: chain, right: model)");
        v
    }
}

impl<V: PoolVariant> CounterpartyTest<V> {
    /// Compares what the call touched with the model.
    fn compare_touched(sut: &mut Sut, m: &CounterpartyModel, fx: &Effects, call: &Call) -> u64 {
        let ctx = format!("after {call:?}");
        let mut checks = 0;
        if let Some(id) = fx.pool.filter(|id| *id < m.pools.len()) {
            sut.compare_pool(m, id, false, &ctx);
            checks += 1;
            let mut seen = HashSet::new();
            for l in &fx.lenders {
                if !seen.insert(*l) {
                    continue;
                }
                let a = sut.address(*l);
                let r = sut.view(&CounterpartyPool::poolCommitsCall { user: a, poolId: U256::from(id) });
                let c = m.commit_of(id, *l);
                assert_eq!(
                    (r.amount, r.claimedAmount),
                    (c.amount, c.claimed_amount),
                    "{ctx}: commit of {} in pool {id} (chain vs model)",
                    who(*l)
                );
                checks += 1;
            }
        }
        let mut seen = HashSet::new();
        for t in &fx.transfers {
            for h in [t.from, t.to] {
                let id = if t.token.kind() == Kind::Erc20 { U256::ZERO } else { t.id };
                if !seen.insert((t.token, id, h)) {
                    continue;
                }
                let actual = sut.balance(t.token, id, h);
                let expected = m.balance(t.token, id, h);
                assert_eq!(actual, expected, "{ctx}: {:?} id {id} balance of {} (chain vs model)", t.token, who(h));
                checks += 1;
            }
        }
        if matches!(
            call,
            Call::CreatePool { .. } | Call::Collect { .. } | Call::WithdrawFees { .. } | Call::AdminWithdrawAll { .. }
        ) {
            let fees = sut.view(&CounterpartyPool::feesCollectedCall {});
            assert_eq!(fees, m.fees_collected, "{ctx}: feesCollected (chain vs model)");
            checks += 1;
        }
        if matches!(call, Call::Pause { .. } | Call::Unpause { .. }) {
            let paused = sut.view(&CounterpartyPool::pausedCall {});
            assert_eq!(paused, m.paused, "{ctx}: paused (chain vs model)");
            checks += 1;
        }
        checks
    }

    /// Everything: every pool and commit, every balance, the views, and every invariant.
    fn sweep(sut: &mut Sut, m: &CounterpartyModel, ctx: &str) -> u64 {
        let mut checks = 0;
        let n = sut.view(&CounterpartyPool::poolIndexCall {});
        assert_eq!(n, U256::from(m.pools.len()), "{ctx}: poolIndex (chain vs model)");
        let fees = sut.view(&CounterpartyPool::feesCollectedCall {});
        assert_eq!(fees, m.fees_collected, "{ctx}: feesCollected (chain vs model)");
        let paused = sut.view(&CounterpartyPool::pausedCall {});
        assert_eq!(paused, m.paused, "{ctx}: paused (chain vs model)");
        checks += 3;
        let lenders: Vec<Holder> = (0..USER_COUNT as u8).map(Holder::User).chain([Holder::Admin]).collect();
        let mut chain = ChainView { fees_collected: fees, ..ChainView::default() };
        for id in 0..m.pools.len() {
            chain.pools.push(sut.compare_pool(m, id, true, ctx));
            checks += 1;
            let i = U256::from(id);
            let actions = sut.view(&CounterpartyPool::poolActionsCall { poolId: i });
            assert_eq!(
                (actions.collectable, actions.closable, actions.archivable),
                m.pool_actions(id),
                "{ctx}: poolActions({id}) (chain vs model)"
            );
            let required = sut.view(&CounterpartyPool::requiredRewardsCall { poolId: i });
            assert_eq!(required, m.required_rewards(id), "{ctx}: requiredRewards({id}) (chain vs model)");
            checks += 2;
            for &l in &lenders {
                let a = sut.address(l);
                let r = sut.view(&CounterpartyPool::poolCommitsCall { user: a, poolId: i });
                let c = m.commit_of(id, l);
                assert_eq!(
                    (r.amount, r.claimedAmount),
                    (c.amount, c.claimed_amount),
                    "{ctx}: commit of {} in pool {id} (chain vs model)",
                    who(l)
                );
                if !c.amount.is_zero() {
                    let claimable = sut.view(&CounterpartyPool::claimableRewardsCall { poolId: i, user: a });
                    assert_eq!(
                        claimable,
                        m.claimable_rewards(id, l),
                        "{ctx}: claimableRewards({id}, {}) (chain vs model)",
                        who(l)
                    );
                    checks += 1;
                }
                chain.commits.insert((id, l), (r.amount, r.claimedAmount));
                checks += 1;
            }
        }
        let holders: Vec<Holder> = lenders.iter().copied().chain([Holder::Pool, Holder::FeeSink]).collect();
        let mut keys: Vec<(Token, U256)> = vec![
            (Token::Usdc, U256::ZERO),
            (Token::Erc20(0), U256::ZERO),
            (Token::Erc20(1), U256::ZERO),
            (Token::FeeOnTransfer, U256::ZERO),
        ];
        keys.extend((1..=MULTI_IDS).map(|id| (Token::Multi, U256::from(id))));
        for (token, id) in keys {
            for &h in &holders {
                let actual = sut.balance(token, id, h);
                assert_eq!(
                    actual,
                    m.balance(token, id, h),
                    "{ctx}: {token:?} id {id} balance of {} (chain vs model)",
                    who(h)
                );
                chain.balances.insert((token, id, h), actual);
                checks += 1;
            }
        }
        let mut nfts: Vec<(&U256, &Holder)> = m.nft_owner.iter().collect();
        nfts.sort();
        for (id, owner) in nfts {
            let t = sut.world.erc721;
            let actual = match sut.evm().view(t, &MockERC721::ownerOfCall { tokenId: *id }) {
                Ok(a) => a,
                Err(e) => panic!("{ctx}: ownerOf({id}): {e:#}"),
            };
            assert_eq!(sut.holder(actual), Some(*owner), "{ctx}: owner of NFT {id} (chain {actual} vs model)");
            chain.balances.insert((Token::Nft, *id, *owner), U256::from(1u8));
            checks += 1;
        }
        match inv::check_all(&sut.statuses, &chain, m) {
            Ok(n) => checks += n,
            Err(e) => panic!("{ctx}: invariant violated: {e}"),
        }
        sut.statuses = chain.pools.iter().map(|p| p.status).collect();
        checks
    }
}

impl<V: PoolVariant> StateMachineTest for CounterpartyTest<V> {
    type SystemUnderTest = Sut;
    type Reference = CounterpartyMachine<V>;

    fn init_test(_: &State) -> Sut {
        let variant = match V::VARIANT {
            Variant::Default => CounterpartyVariant::Default,
            Variant::Admin => CounterpartyVariant::Admin,
        };
        match CounterpartyWorld::new(variant) {
            Ok(world) => Sut { world, steps: 0, statuses: Vec::new() },
            Err(e) => panic!("deploying the {} world: {e:#}", V::NAME),
        }
    }

    fn apply(mut sut: Sut, state: &State, transition: Transition) -> Sut {
        run::count_action();
        sut.steps += 1;
        let m = &state.model;
        let mut checks = 0;
        match &transition {
            Transition::Warp(s) => sut.world.evm.warp(*s),
            Transition::Upgrade => {
                if let Err(e) = sut.world.upgrade() {
                    panic!("upgrade failed: {e:#}");
                }
                checks += Self::sweep(&mut sut, m, "after upgrade()");
            }
            Transition::Call(call) | Transition::Create { call, .. } => {
                if let Transition::Create { mints, .. } = &transition {
                    for mint in mints {
                        let to = sut.address(mint.to);
                        let t = sut.token(mint.token);
                        let r = match mint.token {
                            Token::Nft => sut
                                .evm()
                                .call(to, t, &MockERC721::mintCall { to, id: mint.id })
                                .and_then(CallOutcome::success)
                                .map(drop),
                            _ => sut
                                .evm()
                                .call(to, t, &MockERC1155::mintCall { to, id: mint.id, amount: mint.amount })
                                .and_then(CallOutcome::success)
                                .map(drop),
                        };
                        if let Err(e) = r {
                            panic!("minting collateral for {transition:?}: {e:#}");
                        }
                    }
                }
                let outcome = sut.execute(call);
                let expected = state.last.as_ref();
                if let Some(e) = expected {
                    record_outcome(call, e);
                }
                match (expected, outcome) {
                    (Some(Ok(fx)), Ok(())) => checks += Self::compare_touched(&mut sut, m, fx, call),
                    (Some(Err(e)), Err(data)) => {
                        let actual = sut.decode_revert(&data);
                        assert_eq!(actual.as_ref(), Ok(e), "{call:?}: reverted with another error (left: chain)");
                        checks += 1;
                    }
                    (Some(Ok(_)), Err(data)) => {
                        panic!("{call:?}: model says success, contract reverted with {:?}", sut.decode_revert(&data))
                    }
                    (Some(Err(e)), Ok(())) => panic!("{call:?}: model says revert {e:?}, contract succeeded"),
                    (None, _) => panic!("{call:?}: the model recorded no outcome"),
                }
            }
        }
        if sut.steps.is_multiple_of(SWEEP_EVERY) {
            let ctx = format!("sweep at step {}", sut.steps);
            checks += Self::sweep(&mut sut, m, &ctx);
        }
        run::count_checks(checks);
        sut
    }

    fn teardown(mut sut: Sut, state: State) {
        let checks = Self::sweep(&mut sut, &state.model, "end of case");
        run::count_checks(checks);
    }
}

#[cfg(test)]
mod tests {
    use proptest_state_machine::prop_state_machine;

    use super::*;

    prop_state_machine! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 8,
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })]
        #[test]
        fn default_variant_small_run(sequential 1..96 => DefaultCounterpartyTest);
        #[test]
        fn admin_variant_small_run(sequential 1..96 => AdminCounterpartyTest);
    }
}

#[cfg(test)]
mod runs {
    use super::*;
    use crate::run::{RunConfig, run_machine};

    fn config(actions: u64) -> RunConfig {
        RunConfig { actions, max_steps: 128, seed: 1, progress_every: None, regressions: None, shrink: true }
    }

    /// Every error the model knows, by name: each must be met in a short run of both variants.
    const ERRORS: &[&str] = &[
        "AmountCannotBeZero",
        "AmountTooBig",
        "CannotCollect30DaysAfterDeadline",
        "CollateralAlreadyClaimed",
        "CollateralNotYetDistributed",
        "DeadlineMustBeInFuture",
        "DeadlineMustNotBeMoreThan1YearInTheFuture",
        "HardCapCannotBeZero",
        "InvalidCollateral",
        "InvalidRepaymentDate",
        "MustBePaused",
        "MustBePoolOwner",
        "MustBePoolOwnerOrAdmin",
        "MustDepositAtleastCommittedAmount",
        "NotACommitter",
        "NothingToClaim",
        "PoolCannotBeDefaulted",
        "PoolDeadlineNotReached",
        "PoolDeadlineReached",
        "PoolDoesNotExists",
        "PoolHardCapReached",
        "PoolIsNotEmpty",
        "PoolNotDefaulted",
        "PoolOwnerCannotCommitToHisOwnPool",
        "PoolSoftCapNotReached",
        "PoolSoftCapReached",
        "PoolStatusMustBeActive",
        "PoolStatusMustBeAtLeast60DaysPastDeadline",
        "PoolStatusMustBeClosed",
        "PoolStatusMustBeClosedForAtLeast60Days",
        "PoolStatusMustBeCreated",
        "PoolStatusMustBeEitherClosedOrActive",
        "PoolStatusMustBeEitherClosedOrCreated",
        "RewardsHaveNotYetBeenPaidOut",
        "SoftCapMustBeLessThanHardCap",
        "TokenTransferAmountIncludedFees",
        "TooManyCollateralTokens",
        "UncommitNotAllowed",
        "EnforcedPause",
        "ExpectedPause",
        "AccessControlUnauthorizedAccount",
        "Erc20InsufficientBalance",
        "Erc721NonexistentToken",
        "Erc721IncorrectOwner",
        "Erc1155InsufficientBalance",
        "Panic",
    ];

    #[test]
    fn both_variants_run_clean_and_meet_every_error() {
        take_outcome_counts();
        for r in [
            run_machine::<DefaultCounterpartyTest>(DefaultPool::NAME, &config(20_000)),
            run_machine::<AdminCounterpartyTest>(AdminPool::NAME, &config(20_000)),
        ] {
            if let Err(v) = r {
                panic!("{v}");
            }
        }
        let seen = take_outcome_counts();
        let missing: Vec<&str> =
            ERRORS.iter().copied().filter(|e| !seen.keys().any(|k| k.ends_with(&format!(": {e}")))).collect();
        assert!(missing.is_empty(), "errors never met: {missing:?}; outcomes: {seen:#?}");
    }
}

//! Reference model of `ERC20CollateralPool` (SPEC §1, docs/decisions.md, docs/collateral-pool.md):
//! every pool, position, fee accumulator, oracle answer and token balance the contract's calls
//! touch, in U256 to the wei, and every call as a function from the current state to either its
//! effects or the exact revert it must produce.
//!
//! Actors, tokens and feeds are indices, not addresses: the model knows nothing of the EVM, and
//! the state machine maps indices to the deployed addresses.
//!
//! ```
//! use alloy_primitives::U256;
//! use invariant_harness::model::collateral::*;
//! let mut model = CollateralModel::new(&Setup::example());
//! let params = PoolParams::example(Some(0));
//! model.apply(&Action::AddPool { caller: Actor::Admin, params }).unwrap();
//! let lend = Action::Lend { pool: 0, user: 0, amount: U256::from(1_000_000_000u64) };
//! model.apply(&lend).unwrap();
//! assert_eq!(model.pools[0].lended, U256::from(1_000_000_000u64));
//! assert_eq!(model.apply(&Action::Lend { pool: 7, user: 0, amount: U256::from(1u64) }),
//!     Err(Failure::Pool(PoolError::PoolDoesNotExist)));
//! ```

/// The formulas F1–F9, shared with the SDK's calculators (crate `pool-math`).
pub use pool_math as math;

use alloy_primitives::U256;
use math::{Panic, Prices, mul, u};

/// Liquidations stay blocked this long after `unpause` (seconds).
pub const PAUSE_GRACE_PERIOD: u64 = 86_400;
/// Delay between announcing and committing a pool edit (seconds).
pub const POOL_EDIT_DELAY: u64 = 3 * 86_400;
/// Initial maximum age of oracle answers (seconds).
pub const DEFAULT_ORACLE_MAX_DELAY: u64 = 90_000;
/// Upper bound of the settable oracle delay (seconds).
pub const MAX_ORACLE_DELAY: u64 = 7 * 86_400;
/// How long a restarted sequencer must have been up (seconds).
pub const SEQUENCER_GRACE_PERIOD: u64 = 3_600;
/// Highest LTV a pool may have (bps).
pub const MAX_LTV_PERCENTAGE: u32 = 6_500;
/// Largest pool capacity, `minBorrow` and single borrow (positions use 64 bits).
pub const MAX_POSITION_AMOUNT: u64 = u64::MAX;
/// The stored reward rate saturates here.
pub const MAX_REWARD_RATE: u64 = u64::MAX;

/// Who sends a call or receives tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Actor {
    /// The pool's `DEFAULT_ADMIN_ROLE` holder (also the blacklist token's owner).
    Admin,
    /// One of the funded users, by index.
    User(u8),
}

/// An address that can hold tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Holder {
    /// The pool proxy.
    Pool,
    /// An actor.
    Actor(Actor),
    /// `FeeOnTransferToken.FEE_SINK` (0xFEE), which receives the transfer fees.
    FeeSink,
}

impl From<Actor> for Holder {
    fn from(actor: Actor) -> Self {
        Holder::Actor(actor)
    }
}

/// A token the pool may move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Token {
    /// The 6-decimal USDC.
    Usdc,
    /// Collateral asset by index.
    Asset(u8),
}

/// How a collateral token behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssetKind {
    /// A standard ERC-20.
    Plain,
    /// Takes `fee_bps` of each transfer (rounded down) to the fee sink.
    FeeOnTransfer {
        /// Fee at deployment, bps.
        fee_bps: u64,
    },
    /// Refuses transfers from or to blacklisted addresses with `Blacklisted(address)`.
    Blacklist,
}

/// One collateral asset of the deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetSetup {
    /// Token decimals.
    pub decimals: u8,
    /// Token behaviour.
    pub kind: AssetKind,
    /// Its USD feed's decimals.
    pub feed_decimals: u8,
    /// Its USD feed's first answer (feed units).
    pub initial_answer: i128,
    /// What each user holds at the start.
    pub user_balance: U256,
}

/// The deployment the model starts from: the same facts the world deploys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// Number of funded users.
    pub users: u8,
    /// USDC each user holds at the start.
    pub usdc_per_user: U256,
    /// USDC/USD feed decimals.
    pub usdc_feed_decimals: u8,
    /// USDC/USD first answer.
    pub usdc_answer: i128,
    /// Sequencer-uptime feeds deployed (answer 0, up since `sequencer_started_at`).
    pub sequencers: u8,
    /// Which of them the pool was initialised with as its USDC sequencer oracle.
    pub usdc_sequencer: Option<u8>,
    /// `startedAt` of every sequencer feed's round (they report up).
    pub sequencer_started_at: u64,
    /// Collateral assets.
    pub assets: Vec<AssetSetup>,
    /// Block timestamp when the world is handed over (feeds were last updated then).
    pub start: u64,
}

impl Setup {
    /// A small deployment for examples and unit tests: 4 users, one 18-decimal asset at $0.02
    /// and one 6-decimal asset at $2,000, 8-decimal feeds, no sequencer.
    pub fn example() -> Self {
        let tokens = |n: u64, decimals: u8| U256::from(n) * math::pow10(decimals);
        Self {
            users: 4,
            usdc_per_user: tokens(10_000_000, 6),
            usdc_feed_decimals: 8,
            usdc_answer: 100_000_000,
            sequencers: 1,
            usdc_sequencer: None,
            sequencer_started_at: 1,
            assets: vec![
                AssetSetup {
                    decimals: 18,
                    kind: AssetKind::Plain,
                    feed_decimals: 8,
                    initial_answer: 2_000_000,
                    user_balance: tokens(1_000_000_000, 18),
                },
                AssetSetup {
                    decimals: 6,
                    kind: AssetKind::Plain,
                    feed_decimals: 8,
                    initial_answer: 200_000_000_000,
                    user_balance: tokens(10_000, 6),
                },
            ],
            start: 1_767_225_600,
        }
    }
}

/* ERRORS */

/// Custom errors of the pool (and of OpenZeppelin's Pausable) the model can expect.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolError {
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
}

/// Why a call must revert: the exact revert data, with actors in place of addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// An argument-less custom error of the pool.
    Pool(PoolError),
    /// `MaxLTVExceeded(resultingLtv, maxLtv)`.
    MaxLtvExceeded {
        /// LTV the removal would leave, bps.
        resulting: U256,
        /// The caller's bound.
        max: U256,
    },
    /// `AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE)`.
    Unauthorized(Actor),
    /// `SafeCastOverflowedUintDowncast(bits, value)`.
    SafeCast {
        /// Target width.
        bits: u8,
        /// Value that did not fit.
        value: U256,
    },
    /// `BlacklistToken.Blacklisted(account)`.
    Blacklisted(Holder),
    /// `ERC20InsufficientBalance(sender, balance, needed)`.
    InsufficientBalance {
        /// The payer.
        holder: Holder,
        /// Its balance at that point.
        balance: U256,
        /// What the transfer needed.
        needed: U256,
    },
    /// A Solidity `Panic(code)`.
    Panic(u8),
}

impl From<PoolError> for Failure {
    fn from(error: PoolError) -> Self {
        Failure::Pool(error)
    }
}

impl From<Panic> for Failure {
    fn from(panic: Panic) -> Self {
        Failure::Panic(panic.0)
    }
}

/// Outcome of a call in the model.
pub type Outcome<T = ()> = Result<T, Failure>;

fn fail<T>(error: PoolError) -> Outcome<T> {
    Err(Failure::Pool(error))
}

/// `a += b` on a `uint128` field: checked like Solidity.
fn add128(a: U256, b: U256) -> Outcome<U256> {
    let sum = math::add(a, b)?;
    if sum > U256::from(u128::MAX) { Err(math::OVERFLOW.into()) } else { Ok(sum) }
}

/// `SafeCast.toUint128`.
fn to_u128(value: U256) -> Outcome<U256> {
    if value > U256::from(u128::MAX) { Err(Failure::SafeCast { bits: 128, value }) } else { Ok(value) }
}

/* STATE */

/// A Chainlink-style feed as `MockAggregator` keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Feed {
    /// `decimals()`.
    pub decimals: u8,
    /// Latest answer.
    pub answer: i128,
    /// Latest round's `startedAt`.
    pub started_at: u64,
    /// Latest round's `updatedAt`.
    pub updated_at: u64,
}

/// A price feed the model knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FeedId {
    /// The USDC/USD feed.
    Usdc,
    /// An asset's USD feed.
    Asset(u8),
    /// An L2 sequencer-uptime feed by index (answer 0 = up).
    Sequencer(u8),
}

/// What `addPool` is given as collateral token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenChoice {
    /// A deployed collateral asset.
    Asset(u8),
    /// `address(0)`.
    Zero,
    /// The USDC token itself.
    Usdc,
    /// An address without code.
    NotAContract,
}

/// What a pool is given as price feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedChoice {
    /// A deployed feed.
    Feed(FeedId),
    /// `address(0)`.
    Zero,
    /// An address without code.
    NotAContract,
}

/// Parameters of `addPool` / `announceEditPool` (`InitPool` / `EditPool`), with the end time
/// relative to the block time of the call.
#[derive(Clone, PartialEq, Eq)]
pub struct PoolParams {
    /// Collateral token (ignored by edits).
    pub token: TokenChoice,
    /// Collateral price feed.
    pub feed: FeedChoice,
    /// The pool's sequencer-uptime feed, if any.
    pub sequencer: Option<u8>,
    /// `maxPoolCapacity` (USDC base units).
    pub max_pool_capacity: U256,
    /// `minLended`.
    pub min_lended: U256,
    /// `minBorrow`.
    pub min_borrow: U256,
    /// `endTime` − now at the call, seconds (negative: in the past).
    pub ends_in: i64,
    /// `collateralTokenFactor`, bps (uint24).
    pub factor: u32,
    /// `collateralTokenLTVPercentage`, bps (uint24).
    pub ltv: u32,
    /// Yearly interest, bps (uint24).
    pub interest: u32,
}

impl PoolParams {
    /// A valid pool on `asset` (its own feed), 1M USDC capacity, 65 % LTV, 5 %, 30 days.
    pub fn example(asset: Option<u8>) -> Self {
        let asset = asset.unwrap_or(0);
        Self {
            token: TokenChoice::Asset(asset),
            feed: FeedChoice::Feed(FeedId::Asset(asset)),
            sequencer: None,
            max_pool_capacity: U256::from(1_000_000_000_000u64),
            min_lended: U256::from(1_000_000u64),
            min_borrow: U256::from(1_000_000u64),
            ends_in: 30 * 86_400,
            factor: 10_000,
            ltv: 6_500,
            interest: 500,
        }
    }
}

/// Pool parameters an edit sets, as stored by `announceEditPool` (`EditPool`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Price feed (a valid one: announcing checks it).
    pub feed: FeedId,
    /// Sequencer-uptime feed, if any.
    pub sequencer: Option<u8>,
    /// `maxPoolCapacity`.
    pub max_pool_capacity: U256,
    /// `minLended`.
    pub min_lended: U256,
    /// `minBorrow`.
    pub min_borrow: U256,
    /// Absolute `endTime`.
    pub end_time: u64,
    /// `collateralTokenFactor`.
    pub factor: u32,
    /// `collateralTokenLTVPercentage`.
    pub ltv: u32,
    /// `interest`.
    pub interest: u32,
}

/// A lend position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lending {
    /// Amount first lent.
    pub starting: U256,
    /// Principal not yet claimed.
    pub amount: U256,
    /// `rewardPerToken` when lent.
    pub reward_per_token_ignored: U256,
}

/// A borrow position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Borrow {
    /// Amount first borrowed.
    pub starting: U256,
    /// Outstanding principal.
    pub amount: U256,
    /// Collateral in the position (liquidation remainders included).
    pub collateral: U256,
    /// Block time of the borrow.
    pub borrow_time: u64,
    /// The yearly rate it keeps for life, bps (F2b).
    pub interest: u32,
}

/// One pool: parameters, running totals, accumulator and positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    /// Collateral asset.
    pub asset: u8,
    /// Its decimals, cached at creation.
    pub decimals: u8,
    /// Collateral price feed.
    pub feed: FeedId,
    /// Its decimals, cached when set.
    pub feed_decimals: u8,
    /// The sequencer feed guarding the collateral price, if any.
    pub sequencer: Option<u8>,
    /// `maxPoolCapacity`.
    pub max_pool_capacity: U256,
    /// `minLended`.
    pub min_lended: U256,
    /// `minBorrow`.
    pub min_borrow: U256,
    /// `endTime`.
    pub end_time: u64,
    /// `collateralTokenFactor`.
    pub factor: u32,
    /// `collateralTokenLTVPercentage`.
    pub ltv: u32,
    /// Rate for new borrows.
    pub interest: u32,
    /// Σ lent.
    pub lended: U256,
    /// Σ lent principal claimed back.
    pub claimed: U256,
    /// Σ borrowed.
    pub borrowed: U256,
    /// Σ principal repaid or liquidated.
    pub repaid: U256,
    /// Σ interest paid.
    pub rewards: U256,
    /// Σ rewards claimed.
    pub claimed_rewards: U256,
    /// Σ collateral in positions.
    pub collateral: U256,
    /// F2 accumulator.
    pub reward_per_token: U256,
    /// F2 rate (capped).
    pub reward_rate: U256,
    /// Block time of the last accrual.
    pub last_updated: u64,
    /// Σ outstanding principal × its rate (F2b).
    pub weighted_borrowed: U256,
    /// Lend positions per user.
    pub lendings: Vec<Vec<Lending>>,
    /// Borrow positions per user.
    pub borrows: Vec<Vec<Borrow>>,
    /// Pending edit: `(unlocksAt, edit)`.
    pub announced: Option<(u64, Edit)>,
}

impl Pool {
    /// F5: USDC free for borrows and claims (`getAvailableAmountsInPool`).
    pub fn available_usdc(&self) -> U256 {
        self.lended + self.repaid + self.rewards - self.claimed - self.borrowed - self.claimed_rewards
    }

    /// The accumulator as the views see it at `now` (no truncation).
    pub fn reward_per_token_at(&self, now: u64) -> U256 {
        self.reward_per_token + U256::from(now - self.last_updated) * self.reward_rate
    }

    /// F2, first half: fold the time since the last update into the accumulator.
    fn accrue(&mut self, now: u64) -> Outcome {
        if self.last_updated == now {
            return Ok(());
        }
        let modulus = U256::from(1u64) << 144;
        let delta = (U256::from(now - self.last_updated) * self.reward_rate) % modulus;
        let sum = self.reward_per_token + delta;
        if sum >= modulus {
            return Err(math::OVERFLOW.into());
        }
        self.reward_per_token = sum;
        self.last_updated = now;
        Ok(())
    }

    /// F2, second half: the rate for the new totals, saturating at 2^64 − 1.
    fn update_reward_rate(&mut self) -> Outcome {
        let rate = math::reward_rate(self.weighted_borrowed, self.lended - self.claimed)?;
        self.reward_rate = rate.min(U256::from(MAX_REWARD_RATE));
        Ok(())
    }

    fn lending_mut(&mut self, user: Actor, lend_id: u32) -> Outcome<&mut Lending> {
        let Actor::User(user) = user else { return fail(PoolError::LendingDoesNotExist) };
        self.lendings
            .get_mut(user as usize)
            .and_then(|positions| positions.get_mut(lend_id as usize))
            .ok_or(Failure::Pool(PoolError::LendingDoesNotExist))
    }

    /// The borrow position, if it exists.
    pub fn borrow(&self, user: Actor, borrow_id: u32) -> Option<&Borrow> {
        let Actor::User(user) = user else { return None };
        self.borrows.get(user as usize).and_then(|positions| positions.get(borrow_id as usize))
    }

    fn borrow_mut(&mut self, user: Actor, borrow_id: u32) -> Outcome<&mut Borrow> {
        let Actor::User(user) = user else { return fail(PoolError::BorrowDoesNotExist) };
        self.borrows
            .get_mut(user as usize)
            .and_then(|positions| positions.get_mut(borrow_id as usize))
            .ok_or(Failure::Pool(PoolError::BorrowDoesNotExist))
    }

    /// Rules shared by repay and liquidation for clearing `amount` of `outstanding`.
    fn check_principal_reduction(&self, outstanding: U256, amount: U256) -> Outcome {
        if outstanding.is_zero() {
            return fail(PoolError::BorrowAlreadyLiquidated);
        }
        if amount.is_zero() {
            return fail(PoolError::AmountCannotBeZero);
        }
        if amount > outstanding {
            return fail(PoolError::AmountTooBig);
        }
        let remaining = outstanding - amount;
        if !remaining.is_zero() && remaining < self.min_borrow {
            return fail(PoolError::RemainingBorrowTooLow);
        }
        Ok(())
    }

    /// Books `principal` + `interest` of `(user, borrow_id)` as paid and `collateral_out` as leaving.
    fn settle(&mut self, user: Actor, borrow_id: u32, principal: U256, interest: U256, out: U256) -> Outcome {
        let b = self.borrow_mut(user, borrow_id)?;
        b.amount -= principal;
        b.collateral = math::sub(b.collateral, out)?;
        let rate = U256::from(b.interest);
        self.repaid = add128(self.repaid, principal)?;
        self.rewards = add128(self.rewards, to_u128(interest)?)?;
        self.weighted_borrowed = math::sub(self.weighted_borrowed, principal * rate)?;
        self.collateral = math::sub(self.collateral, out)?;
        Ok(())
    }

    /// Marks the caller's claims (F3) and returns principal + rewards due (`_takeClaims`).
    fn take_claims(&mut self, user: Actor, claims: &[ClaimEntry]) -> Outcome<U256> {
        if claims.is_empty() {
            return fail(PoolError::NoClaimsProvided);
        }
        let reward_per_token = self.reward_per_token;
        let (mut principal_total, mut reward_total) = (U256::ZERO, U256::ZERO);
        for claim in claims {
            let l = self.lending_mut(user, claim.lend_id)?;
            if claim.amount.is_zero() {
                return fail(PoolError::AmountCannotBeZero);
            }
            if claim.amount > l.amount {
                return fail(PoolError::AmountTooBig);
            }
            let reward = math::reward(claim.amount, reward_per_token - l.reward_per_token_ignored)?;
            l.amount -= claim.amount;
            principal_total += claim.amount;
            reward_total = math::add(reward_total, reward)?;
        }
        self.claimed = add128(self.claimed, to_u128(principal_total)?)?;
        self.claimed_rewards = add128(self.claimed_rewards, to_u128(reward_total)?)?;
        Ok(math::add(principal_total, reward_total)?)
    }
}

/// A claim entry (`Claim`): `amount` of lend position `lend_id`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ClaimEntry {
    /// Lend position of the caller.
    pub lend_id: u32,
    /// Principal to claim (USDC base units).
    pub amount: U256,
}

/// A liquidation entry (`Liquidation`): `amount` of `user`'s borrow `borrow_id`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LiquidationEntry {
    /// Borrower.
    pub user: Actor,
    /// Their borrow position.
    pub borrow_id: u32,
    /// Principal to clear.
    pub amount: U256,
}

/// When a feed round was last updated, relative to the block time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundTime {
    /// `updatedAt = now − seconds` (stale once beyond the maximum delay).
    Ago(u64),
    /// `updatedAt = now + seconds` (refused: from the future).
    Ahead(u64),
    /// `updatedAt = 0` (never set).
    Never,
}

/// States of the sequencer-uptime feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequencerState {
    /// Answer 1, started now.
    Down,
    /// Answer 0, started `seconds` ago (< 3,600 s: still in its grace period).
    UpSince(u64),
    /// Answer 0 with `startedAt = 0`: an uninitialised round (treated as down).
    Uninitialised,
}

/// Every call the state machine can make, as the model sees it.
#[derive(Clone, PartialEq, Eq)]
pub enum Action {
    /* admin */
    /// `addPool(params)` from `caller`.
    AddPool {
        /// Sender.
        caller: Actor,
        /// Pool parameters.
        params: PoolParams,
    },
    /// `announceEditPool(pool, params)`.
    AnnounceEdit {
        /// Sender.
        caller: Actor,
        /// Pool id.
        pool: u32,
        /// New parameters (`token` ignored).
        params: PoolParams,
    },
    /// `commitEditPool(pool)`.
    CommitEdit {
        /// Sender.
        caller: Actor,
        /// Pool id.
        pool: u32,
    },
    /// `cancelEditPool(pool)`.
    CancelEdit {
        /// Sender.
        caller: Actor,
        /// Pool id.
        pool: u32,
    },
    /// `pause()`.
    Pause {
        /// Sender.
        caller: Actor,
    },
    /// `unpause()`.
    Unpause {
        /// Sender.
        caller: Actor,
    },
    /// `withdrawProtocolRewards(token, recipient)`.
    WithdrawFees {
        /// Sender.
        caller: Actor,
        /// Which fee balance.
        token: Token,
        /// Recipient (`None`: the zero address).
        recipient: Option<Actor>,
    },
    /// `setOracleMaxDelay(seconds)`.
    SetOracleMaxDelay {
        /// Sender.
        caller: Actor,
        /// New delay.
        seconds: u64,
    },
    /* users */
    /// `lend(pool, amount)` from `user`.
    Lend {
        /// Pool id.
        pool: u32,
        /// Lender (user index).
        user: u8,
        /// USDC base units.
        amount: U256,
    },
    /// `claim(pool, claims)`.
    Claim {
        /// Pool id.
        pool: u32,
        /// Lender.
        user: u8,
        /// Entries.
        claims: Vec<ClaimEntry>,
    },
    /// `borrow(pool, usdc, collateral)`.
    Borrow {
        /// Pool id.
        pool: u32,
        /// Borrower.
        user: u8,
        /// USDC base units.
        usdc: U256,
        /// Collateral base units.
        collateral: U256,
    },
    /// `repay(pool, borrow_id, amount)`.
    Repay {
        /// Pool id.
        pool: u32,
        /// Borrower.
        user: u8,
        /// Borrow position.
        borrow_id: u32,
        /// Principal to repay.
        amount: U256,
    },
    /// `changeCollateralAmount(pool, borrow_id, new_amount, max_ltv)`.
    ChangeCollateral {
        /// Pool id.
        pool: u32,
        /// Borrower.
        user: u8,
        /// Borrow position.
        borrow_id: u32,
        /// New collateral amount.
        new_amount: U256,
        /// Slippage bound on the resulting LTV, bps.
        max_ltv: U256,
    },
    /// `liquidate(pool, liquidations)` from `caller`.
    Liquidate {
        /// Pool id.
        pool: u32,
        /// Liquidator.
        caller: u8,
        /// Entries.
        liquidations: Vec<LiquidationEntry>,
    },
    /// `claimCollateral(pool, claims, liquidations)` from lender `user`.
    ClaimCollateral {
        /// Pool id.
        pool: u32,
        /// Lender.
        user: u8,
        /// Claims paying for the liquidations.
        claims: Vec<ClaimEntry>,
        /// Liquidations.
        liquidations: Vec<LiquidationEntry>,
    },
    /* world */
    /// Moves the clock; with `refresh`, every price feed republishes its answer at the new time.
    Warp {
        /// Seconds forward.
        seconds: u64,
        /// Republish the price feeds.
        refresh: bool,
    },
    /// `setAnswer(answer)` on a price feed (fresh round).
    SetPrice {
        /// Feed.
        feed: FeedId,
        /// New answer in feed units.
        answer: i128,
    },
    /// `setRound(answer, t, t)` on a price feed: stale, future or never-set rounds.
    SetRound {
        /// Feed.
        feed: FeedId,
        /// Answer.
        answer: i128,
        /// Its `startedAt` and `updatedAt`.
        time: RoundTime,
    },
    /// Moves a sequencer-uptime feed.
    Sequencer {
        /// Which one.
        sequencer: u8,
        /// New state.
        state: SequencerState,
    },
    /// `setBlacklisted(holder, on)` on a blacklist token, by its owner (the admin).
    SetBlacklisted {
        /// Asset (must be a blacklist token).
        asset: u8,
        /// Account.
        holder: Holder,
        /// Blacklisted or not.
        on: bool,
    },
    /// `setFeeBps(fee)` on a fee-on-transfer token.
    SetTransferFee {
        /// Asset (must be a fee-on-transfer token).
        asset: u8,
        /// New fee, bps.
        fee_bps: u64,
    },
    /// Replaces the implementation behind the proxy (state must be untouched).
    Upgrade,
}

/// The whole modelled system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollateralModel {
    /// Block time.
    pub now: u64,
    /// `paused()`.
    pub paused: bool,
    /// `unPausedTimestamp()`.
    pub unpaused_at: u64,
    /// `oracleMaxDelay()`.
    pub oracle_max_delay: u64,
    /// `usdcFeesCollected()`.
    pub usdc_fees: U256,
    /// `getCollateralTokenProtocolFee(asset)`.
    pub collateral_fees: Vec<U256>,
    /// `getCollateralTokens()`, as asset indices.
    pub collateral_tokens: Vec<u8>,
    /// Pools by id.
    pub pools: Vec<Pool>,
    /// The USDC/USD feed.
    pub usdc_feed: Feed,
    /// Asset feeds.
    pub asset_feeds: Vec<Feed>,
    /// The sequencer-uptime feeds.
    pub sequencers: Vec<Feed>,
    /// The one guarding the USDC price, if any.
    pub usdc_sequencer: Option<u8>,
    /// Asset token behaviour (fee-on-transfer fee as set now).
    pub asset_kinds: Vec<AssetKind>,
    /// Asset decimals.
    pub asset_decimals: Vec<u8>,
    /// Balances: `[token][holder]`, token 0 = USDC then assets; holder see [`Self::holder_index`].
    pub balances: Vec<Vec<U256>>,
    /// Σ of each token over the holders at the start (conservation).
    pub supplies: Vec<U256>,
    /// Blacklists: `[asset][holder]`.
    pub blacklisted: Vec<Vec<bool>>,
    /// Number of users.
    pub users: u8,
}

/// A token movement checked and ready to book.
struct Move {
    token: Token,
    from: Holder,
    to: Holder,
    amount: U256,
    fee: U256,
}

impl CollateralModel {
    /// The system as the world hands it over: no pools, feeds fresh at `setup.start`.
    pub fn new(setup: &Setup) -> Self {
        let holders = 3 + setup.users as usize;
        let fresh = |decimals, answer| Feed { decimals, answer, started_at: setup.start, updated_at: setup.start };
        let mut balances = vec![vec![U256::ZERO; holders]; 1 + setup.assets.len()];
        for user in 0..setup.users as usize {
            balances[0][3 + user] = setup.usdc_per_user;
            for (a, asset) in setup.assets.iter().enumerate() {
                balances[1 + a][3 + user] = asset.user_balance;
            }
        }
        let supplies = balances.iter().map(|row| row.iter().copied().sum()).collect();
        Self {
            now: setup.start,
            paused: false,
            unpaused_at: 0,
            oracle_max_delay: DEFAULT_ORACLE_MAX_DELAY,
            usdc_fees: U256::ZERO,
            collateral_fees: vec![U256::ZERO; setup.assets.len()],
            collateral_tokens: Vec::new(),
            pools: Vec::new(),
            usdc_feed: fresh(setup.usdc_feed_decimals, setup.usdc_answer),
            asset_feeds: setup.assets.iter().map(|a| fresh(a.feed_decimals, a.initial_answer)).collect(),
            sequencers: vec![
                Feed {
                    decimals: 0,
                    answer: 0,
                    started_at: setup.sequencer_started_at,
                    updated_at: setup.sequencer_started_at,
                };
                setup.sequencers as usize
            ],
            usdc_sequencer: setup.usdc_sequencer,
            asset_kinds: setup.assets.iter().map(|a| a.kind).collect(),
            asset_decimals: setup.assets.iter().map(|a| a.decimals).collect(),
            balances,
            supplies,
            blacklisted: vec![vec![false; holders]; setup.assets.len()],
            users: setup.users,
        }
    }

    /// Column of `holder` in [`Self::balances`]: pool 0, admin 1, fee sink 2, user `i` 3 + i.
    pub fn holder_index(holder: Holder) -> usize {
        match holder {
            Holder::Pool => 0,
            Holder::Actor(Actor::Admin) => 1,
            Holder::FeeSink => 2,
            Holder::Actor(Actor::User(i)) => 3 + i as usize,
        }
    }

    /// Every holder the model tracks.
    pub fn holders(&self) -> impl Iterator<Item = Holder> + use<> {
        let users = (0..self.users).map(|i| Holder::Actor(Actor::User(i)));
        [Holder::Pool, Holder::Actor(Actor::Admin), Holder::FeeSink].into_iter().chain(users)
    }

    /// Row of `token` in [`Self::balances`].
    pub fn token_index(token: Token) -> usize {
        match token {
            Token::Usdc => 0,
            Token::Asset(a) => 1 + a as usize,
        }
    }

    /// `token.balanceOf(holder)`.
    pub fn balance(&self, token: Token, holder: Holder) -> U256 {
        self.balances[Self::token_index(token)][Self::holder_index(holder)]
    }

    /// A feed by id.
    pub fn feed(&self, id: FeedId) -> &Feed {
        match id {
            FeedId::Usdc => &self.usdc_feed,
            FeedId::Asset(a) => &self.asset_feeds[a as usize],
            FeedId::Sequencer(s) => &self.sequencers[s as usize],
        }
    }

    fn feed_mut(&mut self, id: FeedId) -> &mut Feed {
        match id {
            FeedId::Usdc => &mut self.usdc_feed,
            FeedId::Asset(a) => &mut self.asset_feeds[a as usize],
            FeedId::Sequencer(s) => &mut self.sequencers[s as usize],
        }
    }

    /// A pool by id, or `PoolDoesNotExist`.
    pub fn pool(&self, pool: u32) -> Outcome<&Pool> {
        self.pools.get(pool as usize).ok_or(Failure::Pool(PoolError::PoolDoesNotExist))
    }

    /* ORACLES */

    fn check_sequencer_up(&self, sequencer: u8) -> Outcome {
        let s = &self.sequencers[sequencer as usize];
        let down = s.answer != 0
            || s.started_at == 0
            || s.started_at > self.now
            || self.now - s.started_at < SEQUENCER_GRACE_PERIOD;
        if down { fail(PoolError::OracleSequencerDown) } else { Ok(()) }
    }

    fn read_price(&self, feed: FeedId, decimals: u8, sequencer: Option<u8>, zero: PoolError) -> Outcome<U256> {
        if let Some(sequencer) = sequencer {
            self.check_sequencer_up(sequencer)?;
        }
        let f = self.feed(feed);
        if f.answer <= 0 {
            return fail(zero);
        }
        if f.updated_at == 0 || f.updated_at > self.now || self.now - f.updated_at > self.oracle_max_delay {
            return fail(PoolError::OracleDataTooOld);
        }
        Ok(math::price_wad(U256::from(f.answer), decimals)?)
    }

    /// Both prices of `pool` as the pool reads them (`_prices`), or the oracle error.
    pub fn prices(&self, pool: &Pool) -> Outcome<Prices> {
        let usdc =
            self.read_price(FeedId::Usdc, self.usdc_feed.decimals, self.usdc_sequencer, PoolError::UsdcPriceIsZero)?;
        let collateral =
            self.read_price(pool.feed, pool.feed_decimals, pool.sequencer, PoolError::CollateralTokenPriceIsZero)?;
        Ok(Prices { usdc, collateral })
    }

    /* TOKENS */

    fn check_move(&self, token: Token, from: Holder, to: Holder, amount: U256, into_pool: bool) -> Outcome<Move> {
        let mut fee = U256::ZERO;
        if let Token::Asset(a) = token {
            match self.asset_kinds[a as usize] {
                AssetKind::Blacklist => {
                    let list = &self.blacklisted[a as usize];
                    if list[Self::holder_index(from)] {
                        return Err(Failure::Blacklisted(from));
                    }
                    if list[Self::holder_index(to)] {
                        return Err(Failure::Blacklisted(to));
                    }
                }
                AssetKind::FeeOnTransfer { fee_bps } => fee = mul(amount, u(fee_bps))? / u(10_000),
                AssetKind::Plain => {}
            }
        }
        let balance = self.balance(token, from);
        if fee.is_zero() {
            if balance < amount {
                return Err(Failure::InsufficientBalance { holder: from, balance, needed: amount });
            }
        } else {
            if balance < fee {
                return Err(Failure::InsufficientBalance { holder: from, balance, needed: fee });
            }
            if balance - fee < amount - fee {
                return Err(Failure::InsufficientBalance {
                    holder: from,
                    balance: balance - fee,
                    needed: amount - fee,
                });
            }
            if into_pool {
                return fail(PoolError::TokenTransferAmountIncludedFees);
            }
        }
        Ok(Move { token, from, to, amount, fee })
    }

    fn book(&mut self, m: Move) {
        let row = &mut self.balances[Self::token_index(m.token)];
        row[Self::holder_index(m.from)] -= m.amount;
        row[Self::holder_index(m.to)] += m.amount - m.fee;
        row[Self::holder_index(Holder::FeeSink)] += m.fee;
    }

    /* CALLS */

    /// Applies `action`: on success the state moves on, on failure it is left untouched and the
    /// exact revert is returned.
    pub fn apply(&mut self, action: &Action) -> Outcome {
        match action {
            Action::AddPool { caller, params } => self.add_pool(*caller, params),
            Action::AnnounceEdit { caller, pool, params } => self.announce_edit(*caller, *pool, params),
            Action::CommitEdit { caller, pool } => self.commit_edit(*caller, *pool),
            Action::CancelEdit { caller, pool } => {
                self.only_admin(*caller)?;
                let p = self.pools.get_mut(*pool as usize).ok_or(Failure::Pool(PoolError::PoolDoesNotExist))?;
                p.announced.take().map(|_| ()).ok_or(Failure::Pool(PoolError::NoAnnouncementForThisPool))
            }
            Action::Pause { caller } => {
                self.only_admin(*caller)?;
                self.when_not_paused()?;
                self.paused = true;
                Ok(())
            }
            Action::Unpause { caller } => {
                self.only_admin(*caller)?;
                if !self.paused {
                    return fail(PoolError::ExpectedPause);
                }
                self.paused = false;
                self.unpaused_at = self.now;
                Ok(())
            }
            Action::WithdrawFees { caller, token, recipient } => self.withdraw_fees(*caller, *token, *recipient),
            Action::SetOracleMaxDelay { caller, seconds } => {
                self.only_admin(*caller)?;
                if *seconds == 0 || *seconds > MAX_ORACLE_DELAY {
                    return fail(PoolError::InvalidOracleMaxDelay);
                }
                self.oracle_max_delay = *seconds;
                Ok(())
            }
            Action::Lend { pool, user, amount } => self.lend(*pool, *user, *amount),
            Action::Claim { pool, user, claims } => self.claim(*pool, *user, claims),
            Action::Borrow { pool, user, usdc, collateral } => self.borrow(*pool, *user, *usdc, *collateral),
            Action::Repay { pool, user, borrow_id, amount } => self.repay(*pool, *user, *borrow_id, *amount),
            Action::ChangeCollateral { pool, user, borrow_id, new_amount, max_ltv } => {
                self.change_collateral(*pool, *user, *borrow_id, *new_amount, *max_ltv)
            }
            Action::Liquidate { pool, caller, liquidations } => self.liquidate(*pool, *caller, liquidations),
            Action::ClaimCollateral { pool, user, claims, liquidations } => {
                self.claim_collateral(*pool, *user, claims, liquidations)
            }
            Action::Warp { seconds, refresh } => {
                self.now += seconds;
                if *refresh {
                    let now = self.now;
                    for feed in std::iter::once(&mut self.usdc_feed).chain(self.asset_feeds.iter_mut()) {
                        feed.started_at = now;
                        feed.updated_at = now;
                    }
                }
                Ok(())
            }
            Action::SetPrice { feed, answer } => {
                let now = self.now;
                let f = self.feed_mut(*feed);
                (f.answer, f.started_at, f.updated_at) = (*answer, now, now);
                Ok(())
            }
            Action::SetRound { feed, answer, time } => {
                let at = match time {
                    RoundTime::Ago(s) => self.now.saturating_sub(*s),
                    RoundTime::Ahead(s) => self.now + s,
                    RoundTime::Never => 0,
                };
                let f = self.feed_mut(*feed);
                (f.answer, f.started_at, f.updated_at) = (*answer, at, at);
                Ok(())
            }
            Action::Sequencer { sequencer, state } => {
                let now = self.now;
                let (answer, started_at) = match state {
                    SequencerState::Down => (1, now),
                    SequencerState::UpSince(s) => (0, now.saturating_sub(*s)),
                    SequencerState::Uninitialised => (0, 0),
                };
                let f = &mut self.sequencers[*sequencer as usize];
                (f.answer, f.started_at, f.updated_at) = (answer, started_at, now);
                Ok(())
            }
            Action::SetBlacklisted { asset, holder, on } => {
                self.blacklisted[*asset as usize][Self::holder_index(*holder)] = *on;
                Ok(())
            }
            Action::SetTransferFee { asset, fee_bps } => {
                self.asset_kinds[*asset as usize] = AssetKind::FeeOnTransfer { fee_bps: *fee_bps };
                Ok(())
            }
            Action::Upgrade => Ok(()),
        }
    }

    fn only_admin(&self, caller: Actor) -> Outcome {
        if caller == Actor::Admin { Ok(()) } else { Err(Failure::Unauthorized(caller)) }
    }

    fn when_not_paused(&self) -> Outcome {
        if self.paused { fail(PoolError::EnforcedPause) } else { Ok(()) }
    }

    fn end_time(&self, ends_in: i64) -> u64 {
        // uint48 in the ABI; the generator keeps offsets far inside it.
        self.now.saturating_add_signed(ends_in)
    }

    fn feed_decimals(&self, feed: FeedChoice) -> Outcome<(FeedId, u8)> {
        match feed {
            FeedChoice::Zero => fail(PoolError::PriceOracleCannotBeZeroAddress),
            FeedChoice::NotAContract => fail(PoolError::UnsupportedDecimals),
            FeedChoice::Feed(id) => {
                let decimals = self.feed(id).decimals;
                if decimals > 18 { fail(PoolError::UnsupportedDecimals) } else { Ok((id, decimals)) }
            }
        }
    }

    /// `_checkParams`: shared by `addPool` and `announceEditPool`.
    fn check_params(&self, params: &PoolParams) -> Outcome<(FeedId, u8)> {
        if self.end_time(params.ends_in) <= self.now {
            return fail(PoolError::PoolEndsAtIsInThePast);
        }
        if params.min_lended.is_zero() || params.min_borrow.is_zero() {
            return fail(PoolError::AmountTooLow);
        }
        let max = U256::from(MAX_POSITION_AMOUNT);
        if params.max_pool_capacity > max || params.min_borrow > max {
            return fail(PoolError::AmountTooBig);
        }
        if params.min_lended > params.max_pool_capacity {
            return fail(PoolError::MinLendedGreaterThanMaxPoolCapacity);
        }
        if params.factor < math::BPS as u32 {
            return fail(PoolError::CollateralTokenFactorTooLow);
        }
        if params.ltv == 0 {
            return fail(PoolError::CollateralTokenLTVPercentageCannotBeZero);
        }
        if params.ltv > MAX_LTV_PERCENTAGE {
            return fail(PoolError::CollateralTokenLTVPercentageTooHigh);
        }
        self.feed_decimals(params.feed)
    }

    fn add_pool(&mut self, caller: Actor, params: &PoolParams) -> Outcome {
        self.only_admin(caller)?;
        let asset = match params.token {
            TokenChoice::Zero => return fail(PoolError::PoolCollateralTokenCannotBeZeroAddress),
            TokenChoice::Usdc => return fail(PoolError::CollateralTokenCannotBeUsdc),
            TokenChoice::NotAContract | TokenChoice::Asset(_) => {
                let (feed, feed_decimals) = self.check_params(params)?;
                let TokenChoice::Asset(asset) = params.token else { return fail(PoolError::UnsupportedDecimals) };
                (asset, feed, feed_decimals)
            }
        };
        let (asset, feed, feed_decimals) = asset;
        let decimals = self.asset_decimals[asset as usize];
        if decimals > 18 {
            return fail(PoolError::UnsupportedDecimals);
        }
        let users = self.users as usize;
        self.pools.push(Pool {
            asset,
            decimals,
            feed,
            feed_decimals,
            sequencer: params.sequencer,
            max_pool_capacity: params.max_pool_capacity,
            min_lended: params.min_lended,
            min_borrow: params.min_borrow,
            end_time: self.end_time(params.ends_in),
            factor: params.factor,
            ltv: params.ltv,
            interest: params.interest,
            lended: U256::ZERO,
            claimed: U256::ZERO,
            borrowed: U256::ZERO,
            repaid: U256::ZERO,
            rewards: U256::ZERO,
            claimed_rewards: U256::ZERO,
            collateral: U256::ZERO,
            reward_per_token: U256::ZERO,
            reward_rate: U256::ZERO,
            last_updated: self.now,
            weighted_borrowed: U256::ZERO,
            lendings: vec![Vec::new(); users],
            borrows: vec![Vec::new(); users],
            announced: None,
        });
        if !self.collateral_tokens.contains(&asset) {
            self.collateral_tokens.push(asset);
        }
        Ok(())
    }

    fn announce_edit(&mut self, caller: Actor, pool: u32, params: &PoolParams) -> Outcome {
        self.only_admin(caller)?;
        if self.pool(pool)?.announced.is_some() {
            return fail(PoolError::ThereIsAlreadyActiveAnnouncementForThisPool);
        }
        let (feed, _) = self.check_params(params)?;
        let end_time = self.end_time(params.ends_in);
        if end_time <= self.now + POOL_EDIT_DELAY {
            return fail(PoolError::PoolEndsAtIsInThePast);
        }
        let edit = Edit {
            feed,
            sequencer: params.sequencer,
            max_pool_capacity: params.max_pool_capacity,
            min_lended: params.min_lended,
            min_borrow: params.min_borrow,
            end_time,
            factor: params.factor,
            ltv: params.ltv,
            interest: params.interest,
        };
        let unlocks_at = self.now + POOL_EDIT_DELAY;
        self.pools[pool as usize].announced = Some((unlocks_at, edit));
        Ok(())
    }

    fn commit_edit(&mut self, caller: Actor, pool: u32) -> Outcome {
        self.only_admin(caller)?;
        let Some((unlocks_at, edit)) = self.pool(pool)?.announced.clone() else {
            return fail(PoolError::NoAnnouncementForThisPool);
        };
        if self.now < unlocks_at {
            return fail(PoolError::PoolAnnouncementIsLocked);
        }
        if edit.end_time <= self.now {
            return fail(PoolError::PoolEndsAtIsInThePast);
        }
        let (feed, feed_decimals) = self.feed_decimals(FeedChoice::Feed(edit.feed))?;
        let p = &mut self.pools[pool as usize];
        p.announced = None;
        (p.feed, p.feed_decimals, p.sequencer) = (feed, feed_decimals, edit.sequencer);
        (p.max_pool_capacity, p.min_lended, p.min_borrow) = (edit.max_pool_capacity, edit.min_lended, edit.min_borrow);
        (p.end_time, p.factor, p.ltv, p.interest) = (edit.end_time, edit.factor, edit.ltv, edit.interest);
        Ok(())
    }

    fn withdraw_fees(&mut self, caller: Actor, token: Token, recipient: Option<Actor>) -> Outcome {
        self.only_admin(caller)?;
        let Some(recipient) = recipient else { return fail(PoolError::RecipientCannotBeZeroAddress) };
        let amount = match token {
            Token::Usdc => self.usdc_fees,
            Token::Asset(a) => self.collateral_fees[a as usize],
        };
        if amount.is_zero() {
            return fail(PoolError::AmountCannotBeZero);
        }
        let m = self.check_move(token, Holder::Pool, recipient.into(), amount, false)?;
        match token {
            Token::Usdc => self.usdc_fees = U256::ZERO,
            Token::Asset(a) => self.collateral_fees[a as usize] = U256::ZERO,
        }
        self.book(m);
        Ok(())
    }

    /// The pool, open for new positions (`_openPool`).
    fn open_pool(&self, pool: u32) -> Outcome<&Pool> {
        let p = self.pool(pool)?;
        if self.now >= p.end_time { fail(PoolError::PoolIsClosed) } else { Ok(p) }
    }

    fn lend(&mut self, pool: u32, user: u8, amount: U256) -> Outcome {
        self.when_not_paused()?;
        let p = self.open_pool(pool)?;
        if amount < p.min_lended {
            return fail(PoolError::AmountTooLow);
        }
        let held = math::add(math::add(p.lended - p.claimed, p.repaid)?, amount)?;
        if held > math::add(p.max_pool_capacity, p.borrowed)? {
            return fail(PoolError::MaxPoolCapacityIsReached);
        }
        let mut p = p.clone();
        p.accrue(self.now)?;
        p.lended = add128(p.lended, amount)?;
        p.update_reward_rate()?;
        let ignored = to_u128(p.reward_per_token)?;
        let truncated = amount & U256::from(u64::MAX);
        p.lendings[user as usize].push(Lending {
            starting: truncated,
            amount: truncated,
            reward_per_token_ignored: ignored,
        });
        let m = self.check_move(Token::Usdc, Actor::User(user).into(), Holder::Pool, amount, true)?;
        self.pools[pool as usize] = p;
        self.book(m);
        Ok(())
    }

    fn claim(&mut self, pool: u32, user: u8, claims: &[ClaimEntry]) -> Outcome {
        self.when_not_paused()?;
        let mut p = self.pool(pool)?.clone();
        let available = p.available_usdc();
        p.accrue(self.now)?;
        let payout = p.take_claims(Actor::User(user), claims)?;
        if payout > available {
            return fail(PoolError::NotEnoughUSDCInPool);
        }
        p.update_reward_rate()?;
        let m = self.check_move(Token::Usdc, Holder::Pool, Actor::User(user).into(), payout, false)?;
        self.pools[pool as usize] = p;
        self.book(m);
        Ok(())
    }

    fn borrow(&mut self, pool: u32, user: u8, usdc: U256, collateral: U256) -> Outcome {
        self.when_not_paused()?;
        let p = self.open_pool(pool)?;
        if usdc < p.min_borrow {
            return fail(PoolError::AmountTooLow);
        }
        if usdc > U256::from(MAX_POSITION_AMOUNT) {
            return fail(PoolError::AmountTooBig);
        }
        if collateral > U256::from(u128::MAX) {
            return fail(PoolError::CollateralAmountTooBig);
        }
        if usdc > p.available_usdc() {
            return fail(PoolError::NotEnoughUSDCInPool);
        }
        let prices = self.prices(p)?;
        if collateral < math::required_collateral(usdc, u(p.ltv.into()), u(p.factor.into()), prices, p.decimals)? {
            return fail(PoolError::CollateralAmountTooLow);
        }
        let mut p = p.clone();
        p.accrue(self.now)?;
        let rate = p.interest;
        p.borrowed = add128(p.borrowed, usdc)?;
        p.weighted_borrowed = math::add(p.weighted_borrowed, usdc * U256::from(rate))?;
        p.collateral = math::add(p.collateral, collateral)?;
        p.update_reward_rate()?;
        p.borrows[user as usize].push(Borrow {
            starting: usdc,
            amount: usdc,
            collateral,
            borrow_time: self.now,
            interest: rate,
        });
        let pull = self.check_move(Token::Asset(p.asset), Actor::User(user).into(), Holder::Pool, collateral, true)?;
        let pay = self.check_move(Token::Usdc, Holder::Pool, Actor::User(user).into(), usdc, false)?;
        self.pools[pool as usize] = p;
        self.book(pull);
        self.book(pay);
        Ok(())
    }

    fn repay(&mut self, pool: u32, user: u8, borrow_id: u32, amount: U256) -> Outcome {
        let actor = Actor::User(user);
        let p = self.pool(pool)?;
        let b = *p.borrow(actor, borrow_id).ok_or(Failure::Pool(PoolError::BorrowDoesNotExist))?;
        p.check_principal_reduction(b.amount, amount)?;
        let interest = math::interest(amount, u(b.interest.into()), self.now - b.borrow_time)?;
        let back = math::mul_div_down(b.collateral, amount, b.amount)?;
        let mut p = p.clone();
        p.accrue(self.now)?;
        p.settle(actor, borrow_id, amount, interest, back)?;
        p.update_reward_rate()?;
        let pull = self.check_move(Token::Usdc, actor.into(), Holder::Pool, math::add(amount, interest)?, true)?;
        let give = if back.is_zero() {
            None
        } else {
            Some(self.check_move(Token::Asset(p.asset), Holder::Pool, actor.into(), back, false)?)
        };
        self.pools[pool as usize] = p;
        self.book(pull);
        if let Some(give) = give {
            self.book(give);
        }
        Ok(())
    }

    fn change_collateral(&mut self, pool: u32, user: u8, borrow_id: u32, new_amount: U256, max_ltv: U256) -> Outcome {
        let actor = Actor::User(user);
        let p = self.pool(pool)?;
        let b = *p.borrow(actor, borrow_id).ok_or(Failure::Pool(PoolError::BorrowDoesNotExist))?;
        if new_amount == b.collateral {
            return fail(PoolError::CollateralAmountNotChanged);
        }
        let token = Token::Asset(p.asset);
        if new_amount > b.collateral {
            if new_amount > U256::from(u128::MAX) {
                return fail(PoolError::CollateralAmountTooBig);
            }
            let added = new_amount - b.collateral;
            let pull = self.check_move(token, actor.into(), Holder::Pool, added, true)?;
            let p = &mut self.pools[pool as usize];
            p.borrow_mut(actor, borrow_id)?.collateral = new_amount;
            p.collateral = math::add(p.collateral, added)?;
            self.book(pull);
            return Ok(());
        }
        self.when_not_paused()?;
        if !b.amount.is_zero() {
            let debt = math::add(b.amount, math::interest(b.amount, u(b.interest.into()), self.now - b.borrow_time)?)?;
            let prices = self.prices(p)?;
            let required = math::required_collateral(debt, u(p.ltv.into()), u(p.factor.into()), prices, p.decimals)?;
            if new_amount < required {
                return fail(PoolError::CollateralAmountTooLow);
            }
            let resulting = math::loan_to_value_bps(debt, new_amount, prices, p.decimals)?;
            if resulting > max_ltv {
                return Err(Failure::MaxLtvExceeded { resulting, max: max_ltv });
            }
        }
        let removed = b.collateral - new_amount;
        let give = self.check_move(token, Holder::Pool, actor.into(), removed, false)?;
        let p = &mut self.pools[pool as usize];
        p.borrow_mut(actor, borrow_id)?.collateral = new_amount;
        p.collateral -= removed;
        self.book(give);
        Ok(())
    }

    /// `_liquidateBatch` on a working copy of the pool: returns (cleared, payment, seized, fee).
    fn liquidate_batch(
        &self,
        p: &mut Pool,
        liquidations: &[LiquidationEntry],
        fee_in_collateral: bool,
    ) -> Outcome<(U256, U256, U256, U256)> {
        if liquidations.is_empty() {
            return fail(PoolError::NoLiquidationsProvided);
        }
        if self.now < self.unpaused_at + PAUSE_GRACE_PERIOD {
            return fail(PoolError::PauseGracePeriodNotPassed);
        }
        let prices = self.prices(p)?;
        let (mut cleared, mut payment, mut seized, mut fees) = (U256::ZERO, U256::ZERO, U256::ZERO, U256::ZERO);
        for liq in liquidations {
            let b = *p.borrow_mut(liq.user, liq.borrow_id)?;
            p.check_principal_reduction(b.amount, liq.amount)?;
            let elapsed = self.now - b.borrow_time;
            let rate = u(b.interest.into());
            if self.now < p.end_time {
                let debt = math::add(b.amount, math::interest(b.amount, rate, elapsed)?)?;
                if !math::is_liquidatable(debt, b.collateral, u(p.ltv.into()), prices, p.decimals)? {
                    return fail(PoolError::PositionNotLiquidatable);
                }
            }
            let interest = math::interest(liq.amount, rate, elapsed)?;
            let (taken, pro_rata) =
                math::liquidation_collateral(liq.amount, interest, b.collateral, b.amount, prices, p.decimals)?;
            let mut fee = U256::ZERO;
            if fee_in_collateral {
                let fee_usdc = math::liquidation_payment(liq.amount, interest)? - liq.amount - interest;
                fee = math::usdc_to_collateral_down(fee_usdc, prices, p.decimals)?.min(pro_rata - taken);
            }
            p.settle(liq.user, liq.borrow_id, liq.amount, interest, taken + fee)?;
            let one = math::add(liq.amount, interest)?;
            cleared = math::add(cleared, one)?;
            payment = math::add(payment, math::liquidation_payment(one, U256::ZERO)?)?;
            seized = math::add(seized, taken)?;
            fees = math::add(fees, fee)?;
        }
        Ok((cleared, payment, seized, fees))
    }

    fn liquidate(&mut self, pool: u32, caller: u8, liquidations: &[LiquidationEntry]) -> Outcome {
        self.when_not_paused()?;
        let mut p = self.pool(pool)?.clone();
        p.accrue(self.now)?;
        let (cleared, payment, seized, _) = self.liquidate_batch(&mut p, liquidations, false)?;
        p.update_reward_rate()?;
        let fee = payment - cleared;
        let usdc_fees = math::add(self.usdc_fees, fee)?;
        let liquidator = Holder::Actor(Actor::User(caller));
        let pull = self.check_move(Token::Usdc, liquidator, Holder::Pool, payment, true)?;
        let give = self.check_move(Token::Asset(p.asset), Holder::Pool, liquidator, seized, false)?;
        self.pools[pool as usize] = p;
        self.usdc_fees = usdc_fees;
        self.book(pull);
        self.book(give);
        Ok(())
    }

    fn claim_collateral(
        &mut self,
        pool: u32,
        user: u8,
        claims: &[ClaimEntry],
        liquidations: &[LiquidationEntry],
    ) -> Outcome {
        self.when_not_paused()?;
        let mut p = self.pool(pool)?.clone();
        let available = p.available_usdc();
        p.accrue(self.now)?;
        let claim_value = p.take_claims(Actor::User(user), claims)?;
        let (cleared, _, seized, fee) = self.liquidate_batch(&mut p, liquidations, true)?;
        if cleared > claim_value {
            return fail(PoolError::NotEnoughUSDCClaimedToLiquidatePositions);
        }
        let leftover = claim_value - cleared;
        if leftover > available {
            return fail(PoolError::NotEnoughUSDCInPool);
        }
        p.update_reward_rate()?;
        let asset = p.asset;
        let fees = math::add(self.collateral_fees[asset as usize], fee)?;
        let lender = Holder::Actor(Actor::User(user));
        let give = self.check_move(Token::Asset(asset), Holder::Pool, lender, seized, false)?;
        let pay = if leftover.is_zero() {
            None
        } else {
            Some(self.check_move(Token::Usdc, Holder::Pool, lender, leftover, false)?)
        };
        self.pools[pool as usize] = p;
        self.collateral_fees[asset as usize] = fees;
        self.book(give);
        if let Some(pay) = pay {
            self.book(pay);
        }
        Ok(())
    }

    /* VIEWS (what the contract's views must answer) */

    /// `calculateRepayInterest(pool, borrow, user)`: F1 on the outstanding principal.
    pub fn repay_interest(&self, pool: u32, user: Actor, borrow_id: u32) -> Outcome<U256> {
        let p = self.pool(pool)?;
        let b = p.borrow(user, borrow_id).ok_or(Failure::Pool(PoolError::BorrowDoesNotExist))?;
        Ok(math::interest(b.amount, u(b.interest.into()), self.now - b.borrow_time)?)
    }

    /// `calculateReward(pool, lend, user)`: F3 on the unclaimed principal at the accrued accumulator.
    pub fn reward_of(&self, pool: u32, user: Actor, lend_id: u32) -> Outcome<U256> {
        let p = self.pool(pool)?;
        let Actor::User(i) = user else { return fail(PoolError::LendingDoesNotExist) };
        let l = p.lendings[i as usize].get(lend_id as usize).ok_or(Failure::Pool(PoolError::LendingDoesNotExist))?;
        Ok(math::reward(l.amount, p.reward_per_token_at(self.now) - l.reward_per_token_ignored)?)
    }

    /// `isPositionLiquidatable(pool, user, borrow)`: F8 or overdue, prices read first.
    pub fn is_liquidatable(&self, pool: u32, user: Actor, borrow_id: u32) -> Outcome<bool> {
        let p = self.pool(pool)?;
        let b = p.borrow(user, borrow_id).ok_or(Failure::Pool(PoolError::BorrowDoesNotExist))?;
        if b.amount.is_zero() {
            return Ok(false);
        }
        let prices = self.prices(p)?;
        if self.now >= p.end_time {
            return Ok(true);
        }
        let debt = math::add(b.amount, math::interest(b.amount, u(b.interest.into()), self.now - b.borrow_time)?)?;
        Ok(math::is_liquidatable(debt, b.collateral, u(p.ltv.into()), prices, p.decimals)?)
    }

    /// `getLiquidatableAmountWithProtocolFee(pool, user, borrow)`: F7 of the whole position.
    pub fn liquidation_price(&self, pool: u32, user: Actor, borrow_id: u32) -> Outcome<U256> {
        let interest = self.repay_interest(pool, user, borrow_id)?;
        let b = self.pool(pool)?.borrow(user, borrow_id).ok_or(Failure::Pool(PoolError::BorrowDoesNotExist))?;
        Ok(math::liquidation_payment(b.amount, interest)?)
    }

    /// `calculateCollateralTokenAmount(pool, usdc)`: F6 at the current prices.
    pub fn required_collateral(&self, pool: u32, usdc: U256) -> Outcome<U256> {
        let p = self.pool(pool)?;
        let prices = self.prices(p)?;
        Ok(math::required_collateral(usdc, u(p.ltv.into()), u(p.factor.into()), prices, p.decimals)?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const USDC: u64 = 1_000_000;
    const DAY: u64 = 86_400;

    fn usdc(n: u64) -> U256 {
        U256::from(n * USDC)
    }

    fn tokens(n: u64) -> U256 {
        U256::from(n) * math::pow10(18)
    }

    /// Pool 0 on the $0.02 asset, 5 %, 65 % LTV; user 0 lends 10,000 USDC; user 1 borrows 1,000
    /// USDC against exactly the F6 collateral (76,923.08 tokens).
    fn pool_with_a_loan() -> CollateralModel {
        let mut m = CollateralModel::new(&Setup::example());
        m.apply(&Action::AddPool { caller: Actor::Admin, params: PoolParams::example(Some(0)) }).unwrap();
        m.apply(&Action::Lend { pool: 0, user: 0, amount: usdc(10_000) }).unwrap();
        let collateral = m.required_collateral(0, usdc(1_000)).unwrap();
        assert_eq!(collateral, U256::from(76_923_076_923_076_923_076_924u128));
        let too_little = Action::Borrow { pool: 0, user: 1, usdc: usdc(1_000), collateral: collateral - U256::from(1) };
        assert_eq!(m.apply(&too_little), fail(PoolError::CollateralAmountTooLow));
        m.apply(&Action::Borrow { pool: 0, user: 1, usdc: usdc(1_000), collateral }).unwrap();
        m
    }

    fn warp(m: &mut CollateralModel, seconds: u64) {
        m.apply(&Action::Warp { seconds, refresh: true }).unwrap();
    }

    #[test]
    fn a_full_repay_pays_f1_and_the_lender_gets_it_back_less_rounding() {
        let mut m = pool_with_a_loan();
        warp(&mut m, 30 * DAY);
        assert_eq!(m.repay_interest(0, Actor::User(1), 0).unwrap(), U256::from(4_109_590u64));
        let before = m.balance(Token::Usdc, Actor::User(1).into());
        m.apply(&Action::Repay { pool: 0, user: 1, borrow_id: 0, amount: usdc(1_000) }).unwrap();
        assert_eq!(before - m.balance(Token::Usdc, Actor::User(1).into()), U256::from(1_004_109_590u64));
        assert_eq!(m.pools[0].collateral, U256::ZERO);
        assert_eq!(m.balance(Token::Asset(0), Actor::User(1).into()), Setup::example().assets[0].user_balance);
        let reward = m.reward_of(0, Actor::User(0), 0).unwrap();
        assert!(reward <= U256::from(4_109_590u64) && reward >= U256::from(4_109_000u64), "{reward}");
        let claim = Action::Claim { pool: 0, user: 0, claims: vec![ClaimEntry { lend_id: 0, amount: usdc(10_000) }] };
        m.apply(&claim).unwrap();
        assert_eq!(m.balance(Token::Usdc, Actor::User(0).into()), Setup::example().usdc_per_user + reward);
        assert!(m.balance(Token::Usdc, Holder::Pool) >= U256::ZERO);
        assert_eq!(m.pools[0].reward_rate, U256::ZERO);
    }

    #[test]
    fn errors_come_in_the_contract_order() {
        let mut m = pool_with_a_loan();
        let repay = |amount| Action::Repay { pool: 0, user: 1, borrow_id: 0, amount };
        assert_eq!(m.apply(&repay(U256::ZERO)), fail(PoolError::AmountCannotBeZero));
        assert_eq!(m.apply(&repay(usdc(1_001))), fail(PoolError::AmountTooBig));
        assert_eq!(m.apply(&repay(usdc(1_000) - U256::from(1))), fail(PoolError::RemainingBorrowTooLow));
        assert_eq!(
            m.apply(&Action::Repay { pool: 0, user: 1, borrow_id: 1, amount: usdc(1) }),
            fail(PoolError::BorrowDoesNotExist)
        );
        assert_eq!(m.apply(&Action::Pause { caller: Actor::User(0) }), Err(Failure::Unauthorized(Actor::User(0))));
        m.apply(&Action::Pause { caller: Actor::Admin }).unwrap();
        assert_eq!(m.apply(&Action::Pause { caller: Actor::Admin }), fail(PoolError::EnforcedPause));
        assert_eq!(m.apply(&Action::Lend { pool: 9, user: 0, amount: usdc(1) }), fail(PoolError::EnforcedPause));
        // Repay stays open while paused.
        m.apply(&repay(usdc(500))).unwrap();
        m.apply(&Action::Unpause { caller: Actor::Admin }).unwrap();
        assert_eq!(m.unpaused_at, m.now);
        let liquidation = vec![LiquidationEntry { user: Actor::User(1), borrow_id: 0, amount: usdc(500) }];
        let liquidate = Action::Liquidate { pool: 0, caller: 2, liquidations: liquidation };
        assert_eq!(m.apply(&liquidate), fail(PoolError::PauseGracePeriodNotPassed));
        warp(&mut m, DAY);
        assert_eq!(m.apply(&liquidate), fail(PoolError::PositionNotLiquidatable));
        m.apply(&Action::Warp { seconds: 2 * DAY, refresh: false }).unwrap();
        assert_eq!(m.apply(&liquidate), fail(PoolError::OracleDataTooOld));
    }

    #[test]
    fn a_price_crash_lets_anyone_liquidate_by_f7_and_f9() {
        let mut m = pool_with_a_loan();
        warp(&mut m, 30 * DAY);
        m.apply(&Action::SetPrice { feed: FeedId::Asset(0), answer: 1_500_000 }).unwrap();
        assert!(m.is_liquidatable(0, Actor::User(1), 0).unwrap());
        assert_eq!(m.liquidation_price(0, Actor::User(1), 0).unwrap(), U256::from(1_054_315_070u64));
        let before = m.balance(Token::Usdc, Actor::User(2).into());
        let liquidations = vec![LiquidationEntry { user: Actor::User(1), borrow_id: 0, amount: usdc(1_000) }];
        m.apply(&Action::Liquidate { pool: 0, caller: 2, liquidations }).unwrap();
        assert_eq!(before - m.balance(Token::Usdc, Actor::User(2).into()), U256::from(1_054_315_070u64));
        assert_eq!(m.usdc_fees, U256::from(1_054_315_070u64 - 1_004_109_590));
        let seized = m.balance(Token::Asset(0), Actor::User(2).into()) - Setup::example().assets[0].user_balance;
        assert_eq!(seized / math::pow10(16), U256::from(7_363_470u64));
        // The rest of the share stays with the borrower, withdrawable without an oracle.
        let left = m.pools[0].borrows[1][0].collateral;
        assert_eq!(left + seized, U256::from(76_923_076_923_076_923_076_924u128));
        m.apply(&Action::SetPrice { feed: FeedId::Asset(0), answer: 0 }).unwrap();
        let withdraw =
            Action::ChangeCollateral { pool: 0, user: 1, borrow_id: 0, new_amount: U256::ZERO, max_ltv: U256::ZERO };
        m.apply(&withdraw).unwrap();
        assert_eq!(m.pools[0].collateral, U256::ZERO);
    }

    #[test]
    fn claim_collateral_turns_claims_into_collateral_and_a_collateral_fee() {
        let mut m = pool_with_a_loan();
        warp(&mut m, 30 * DAY);
        m.apply(&Action::SetPrice { feed: FeedId::Asset(0), answer: 1_500_000 }).unwrap();
        let liquidations = vec![LiquidationEntry { user: Actor::User(1), borrow_id: 0, amount: usdc(1_000) }];
        let short = vec![ClaimEntry { lend_id: 0, amount: usdc(1_000) }];
        let action = |claims| Action::ClaimCollateral { pool: 0, user: 0, claims, liquidations: liquidations.clone() };
        assert_eq!(m.apply(&action(short)), fail(PoolError::NotEnoughUSDCClaimedToLiquidatePositions));
        let enough = vec![ClaimEntry { lend_id: 0, amount: usdc(2_000) }];
        let usdc_before = m.balance(Token::Usdc, Actor::User(0).into());
        m.apply(&action(enough)).unwrap();
        assert!(m.collateral_fees[0] > U256::ZERO);
        let leftover = m.balance(Token::Usdc, Actor::User(0).into()) - usdc_before;
        assert!(leftover >= usdc(2_000) - U256::from(1_004_109_590u64), "{leftover}");
        assert_eq!(m.usdc_fees, U256::ZERO);
        m.apply(&Action::WithdrawFees { caller: Actor::Admin, token: Token::Asset(0), recipient: Some(Actor::Admin) })
            .unwrap();
        assert_eq!(m.collateral_fees[0], U256::ZERO);
    }

    #[test]
    fn fee_on_transfer_and_blacklisted_tokens_fail_like_the_token() {
        let mut setup = Setup::example();
        setup.assets[1].kind = AssetKind::FeeOnTransfer { fee_bps: 100 };
        setup.assets.push(AssetSetup { kind: AssetKind::Blacklist, ..setup.assets[0].clone() });
        setup.usdc_per_user = usdc(100_000);
        let mut m = CollateralModel::new(&setup);
        for asset in [1, 2] {
            m.apply(&Action::AddPool { caller: Actor::Admin, params: PoolParams::example(Some(asset)) }).unwrap();
            m.apply(&Action::Lend { pool: (asset - 1) as u32, user: 0, amount: usdc(10_000) }).unwrap();
        }
        let fot = Action::Borrow { pool: 0, user: 1, usdc: usdc(1), collateral: U256::from(1_000_000u64) };
        assert_eq!(m.apply(&fot), fail(PoolError::TokenTransferAmountIncludedFees));
        // 99 base units: 1 % rounds to no fee, so it goes through.
        m.apply(&Action::SetPrice { feed: FeedId::Asset(1), answer: 100_000_000_000_000 }).unwrap();
        m.apply(&Action::Borrow { pool: 0, user: 1, usdc: usdc(1), collateral: U256::from(99u64) }).unwrap();
        m.apply(&Action::SetBlacklisted { asset: 2, holder: Actor::User(1).into(), on: true }).unwrap();
        let blacklisted = Action::Borrow { pool: 1, user: 1, usdc: usdc(1), collateral: tokens(1_000) };
        assert_eq!(m.apply(&blacklisted), Err(Failure::Blacklisted(Actor::User(1).into())));
        let broke = Action::Lend { pool: 0, user: 3, amount: usdc(100_001) };
        let balance = setup.usdc_per_user;
        assert_eq!(
            m.apply(&broke),
            Err(Failure::InsufficientBalance { holder: Actor::User(3).into(), balance, needed: usdc(100_001) })
        );
    }

    #[test]
    fn edits_wait_three_days_and_keep_old_rates() {
        let mut m = pool_with_a_loan();
        let mut params = PoolParams::example(Some(0));
        params.interest = 1_000;
        params.ends_in = 3 * DAY as i64;
        let announce = |params| Action::AnnounceEdit { caller: Actor::Admin, pool: 0, params };
        assert_eq!(m.apply(&announce(params.clone())), fail(PoolError::PoolEndsAtIsInThePast));
        params.ends_in = 60 * DAY as i64;
        m.apply(&announce(params.clone())).unwrap();
        assert_eq!(m.apply(&announce(params)), fail(PoolError::ThereIsAlreadyActiveAnnouncementForThisPool));
        let commit = Action::CommitEdit { caller: Actor::Admin, pool: 0 };
        assert_eq!(m.apply(&commit), fail(PoolError::PoolAnnouncementIsLocked));
        warp(&mut m, 3 * DAY);
        m.apply(&commit).unwrap();
        assert_eq!(m.pools[0].interest, 1_000);
        assert_eq!(m.pools[0].borrows[1][0].interest, 500);
        assert_eq!(m.pools[0].weighted_borrowed, usdc(1_000) * U256::from(500u64));
    }

    #[test]
    fn a_failed_call_leaves_the_state_untouched() {
        let mut m = pool_with_a_loan();
        warp(&mut m, DAY);
        let before = m.clone();
        let claims =
            vec![ClaimEntry { lend_id: 0, amount: usdc(5_000) }, ClaimEntry { lend_id: 0, amount: usdc(6_000) }];
        assert_eq!(m.apply(&Action::Claim { pool: 0, user: 0, claims }), fail(PoolError::AmountTooBig));
        assert_eq!(m, before);
    }
}

//! Reference model of the two counterparty variants (SPEC §2, docs/counterparty-pools.md,
//! docs/decisions.md "Counterparty pools"): pools, commits, fees, statuses, claims with the
//! dust rule, defaults and their collateral, pause, and every token balance the pool moves.
//!
//! Pure Rust, no EVM. The model knows actors and tokens by role ([`Holder`], [`Token`]), not by
//! address; the machine maps roles to the deployed addresses. A call either returns the
//! [`Effects`] it had (and the model moved to the new state) or the [`CpError`] the contract must
//! revert with (and the model is unchanged). Checks run in the contract's order, so the expected
//! error is the first one the contract meets.
//!
//! ```
//! use alloy_primitives::U256;
//! use invariant_harness::model::counterparty::*;
//! let usdc = |x: u64| U256::from(x) * U256::from(1_000_000u64);
//! let mut m = CounterpartyModel::new(Variant::Default, 1_000);
//! m.mint(Token::Usdc, U256::ZERO, Holder::User(0), usdc(10_000));
//! m.mint(Token::Usdc, U256::ZERO, Holder::User(1), usdc(10_000));
//! let create = Call::CreatePool {
//!     caller: Holder::User(0), soft_cap: usdc(1_000), hard_cap: usdc(2_000),
//!     deadline: 1_000 + 86_400, minimum_apr: 2_000_000, collateral: vec![],
//! };
//! m.call(&create).unwrap();
//! m.call(&Call::Commit { caller: Holder::User(1), pool: 0, amount: usdc(1_100) }).unwrap();
//! assert_eq!(m.required_rewards(0), usdc(1_122));
//! ```

use std::collections::HashMap;

use alloy_primitives::U256;

/// `APR_SCALE`: `minimumAPR` of 1e8 is 100 %.
pub const APR_SCALE: u64 = 100_000_000;
/// Basis-point denominator.
pub const BPS: u64 = 10_000;
/// Seconds in a day.
pub const DAY: u64 = 86_400;
/// After the deadline, the borrower may collect for this long.
pub const COLLECT_WINDOW: u64 = 30 * DAY;
/// Wait before archiving and before acting for users.
pub const ARCHIVE_DELAY: u64 = 60 * DAY;
/// Furthest deadline from creation.
pub const MAX_DEADLINE: u64 = 365 * DAY;
/// Repayment date of a new pool, counted from its deadline.
pub const DEFAULT_REPAYMENT_TERM: u64 = 365 * DAY;
/// Most collateral items per pool.
pub const MAX_COLLATERAL_TOKENS: usize = 10;
/// Creation fee of the default variant (200 USDC).
pub const POOL_CREATION_FEE: u64 = 200_000_000;
/// Collect fee of the default variant, bps.
pub const COLLECT_FEE_BPS: u64 = 200;

/// Which contract: `CounterpartyPool` or `AdminCounterpartyPool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Anyone borrows, pays fees; lenders may uncommit outside the collect window.
    Default,
    /// Only the admin borrows, no fees, uncommit only after the collect window.
    Admin,
}

/// A pool's status, as the contract's enum (0..=3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Taking commits.
    Created = 0,
    /// Collected; the borrower repays.
    Active = 1,
    /// Repaid, defaulted, or closed without collecting.
    Closed = 2,
    /// Final.
    Archived = 3,
}

/// Everyone who can hold tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Holder {
    /// The holder of `DEFAULT_ADMIN_ROLE`.
    Admin,
    /// The world's user `i`.
    User(u8),
    /// The pool contract (proxy) itself.
    Pool,
    /// Where the fee-on-transfer token sends its fees.
    FeeSink,
}

/// The tokens the machine uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Token {
    /// The 6-decimal base token.
    Usdc,
    /// The world's plain ERC-20 `i`.
    Erc20(u8),
    /// An ERC-20 that keeps a fee on each transfer.
    FeeOnTransfer,
    /// The ERC-721 collection.
    Nft,
    /// The ERC-1155 collection.
    Multi,
}

/// Collateral kinds as the contract detects them through ERC-165.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Fungible, by balance.
    Erc20,
    /// One token id, amount 1.
    Erc721,
    /// Amount of one id.
    Erc1155,
}

impl Token {
    /// The kind `CollateralTransfer.kindOf` finds.
    pub fn kind(self) -> Kind {
        match self {
            Token::Nft => Kind::Erc721,
            Token::Multi => Kind::Erc1155,
            _ => Kind::Erc20,
        }
    }
}

/// A collateral item as passed to `createPool`; `token: None` is the zero address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollateralSpec {
    /// The token contract, `None` for `address(0)`.
    pub token: Option<Token>,
    /// Amount (1 for an ERC-721).
    pub amount: U256,
    /// Token id (ERC-721/1155; 0 for ERC-20).
    pub id: U256,
}

/// A collateral item as the pool holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The token contract.
    pub token: Token,
    /// Its kind.
    pub kind: Kind,
    /// Amount locked at creation.
    pub amount: U256,
    /// Token id.
    pub id: U256,
    /// How much of it has left the pool.
    pub released: U256,
}

/// A pool as the model sees it (every field of the contract's `PoolData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    /// Commits needed to collect (default variant).
    pub soft_cap: U256,
    /// Most commits.
    pub hard_cap: U256,
    /// Σ commits.
    pub total_committed: U256,
    /// Σ commits of lenders paid in full (admin variant's `partialClaimed`).
    pub paid_in_full_commits: U256,
    /// Σ deposits.
    pub total_rewards: U256,
    /// Σ rewards paid.
    pub rewards_paid_out: U256,
    /// Creation time.
    pub created_at: u64,
    /// Commit deadline.
    pub deadline: u64,
    /// Close time (0 until closed).
    pub closed_time: u64,
    /// Flat APR on the 1e8 scale.
    pub minimum_apr: u64,
    /// Status.
    pub status: Status,
    /// The creator.
    pub owner: Holder,
    /// After this an under-repaid ACTIVE pool can be declared in default by anyone.
    pub repayment_date: u64,
    /// Closed by a default.
    pub defaulted: bool,
    /// Σ commits of lenders who took their default collateral.
    pub collateral_claimed_commits: U256,
    /// Collateral items.
    pub collateral: Vec<Item>,
    /// Whether `collectPool` went through (the fee invariant counts these).
    pub collected: bool,
}

/// A lender's commit to one pool.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Commit {
    /// Committed USDC.
    pub amount: U256,
    /// Rewards received.
    pub claimed_amount: U256,
    /// Claimed while CLOSED: rewards final and paid.
    pub paid_in_full: bool,
    /// Took its share of default collateral.
    pub collateral_claimed: bool,
}

/// A call to the pool contract, with its sender (`Debug` prints it as a call, see the machine).
#[derive(Clone, PartialEq, Eq)]
#[allow(missing_docs)] // the fields are the contract's parameters
pub enum Call {
    CreatePool {
        caller: Holder,
        soft_cap: U256,
        hard_cap: U256,
        deadline: u64,
        minimum_apr: u64,
        collateral: Vec<CollateralSpec>,
    },
    SetRepaymentDate {
        caller: Holder,
        pool: u64,
        date: u64,
    },
    Collect {
        caller: Holder,
        pool: u64,
    },
    DepositRewards {
        caller: Holder,
        pool: u64,
        amount: U256,
    },
    Close {
        caller: Holder,
        pool: u64,
    },
    Commit {
        caller: Holder,
        pool: u64,
        amount: U256,
    },
    Uncommit {
        caller: Holder,
        pool: u64,
    },
    Claim {
        caller: Holder,
        pool: u64,
    },
    DeclareDefault {
        caller: Holder,
        pool: u64,
    },
    ClaimDefaultCollateral {
        caller: Holder,
        pool: u64,
    },
    Archive {
        caller: Holder,
        pool: u64,
    },
    ClaimRewardsForUsers {
        caller: Holder,
        pool: u64,
        users: Vec<Holder>,
    },
    UncommitForUsers {
        caller: Holder,
        pool: u64,
        users: Vec<Holder>,
    },
    WithdrawFees {
        caller: Holder,
    },
    AdminWithdrawAll {
        caller: Holder,
    },
    Pause {
        caller: Holder,
    },
    Unpause {
        caller: Holder,
    },
}

/// The reasons a call reverts: the pool's custom errors, OpenZeppelin's and the tokens'.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is the Solidity error of the same name
pub enum CpError {
    AmountCannotBeZero,
    AmountTooBig,
    CannotCollect30DaysAfterDeadline,
    CollateralAlreadyClaimed,
    CollateralNotYetDistributed,
    DeadlineMustBeInFuture,
    DeadlineMustNotBeMoreThan1YearInTheFuture,
    HardCapCannotBeZero,
    InvalidCollateral(u64),
    InvalidRepaymentDate,
    MustBePaused,
    MustBePoolOwner,
    MustBePoolOwnerOrAdmin,
    MustDepositAtleastCommittedAmount,
    NotACommitter,
    NothingToClaim,
    PoolCannotBeDefaulted,
    PoolDeadlineNotReached,
    PoolDeadlineReached,
    PoolDoesNotExists,
    PoolHardCapReached,
    PoolIsNotEmpty,
    PoolNotDefaulted,
    PoolOwnerCannotCommitToHisOwnPool,
    PoolSoftCapNotReached,
    PoolSoftCapReached,
    PoolStatusMustBeActive,
    PoolStatusMustBeAtLeast60DaysPastDeadline,
    PoolStatusMustBeClosed,
    PoolStatusMustBeClosedForAtLeast60Days,
    PoolStatusMustBeCreated,
    PoolStatusMustBeEitherClosedOrActive,
    PoolStatusMustBeEitherClosedOrCreated,
    RewardsHaveNotYetBeenPaidOut,
    SoftCapMustBeLessThanHardCap,
    TokenTransferAmountIncludedFees,
    TooManyCollateralTokens,
    UncommitNotAllowed,
    /// `Pausable.whenNotPaused` / `_pause` while paused.
    EnforcedPause,
    /// `_unpause` while not paused.
    ExpectedPause,
    /// `onlyRole(DEFAULT_ADMIN_ROLE)` (the role is always 0x00 here).
    AccessControlUnauthorizedAccount {
        account: Holder,
    },
    /// OpenZeppelin ERC-20.
    Erc20InsufficientBalance {
        sender: Holder,
        balance: U256,
        needed: U256,
    },
    /// OpenZeppelin ERC-721.
    Erc721NonexistentToken {
        id: U256,
    },
    /// OpenZeppelin ERC-721.
    Erc721IncorrectOwner {
        sender: Holder,
        id: U256,
        owner: Holder,
    },
    /// OpenZeppelin ERC-1155.
    Erc1155InsufficientBalance {
        sender: Holder,
        balance: U256,
        needed: U256,
        id: U256,
    },
    /// Solidity `Panic(uint256)` (0x11: arithmetic overflow).
    Panic(u8),
}

/// One token movement a call made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Token contract.
    pub token: Token,
    /// Token id (0 for ERC-20).
    pub id: U256,
    /// Sender.
    pub from: Holder,
    /// Recipient.
    pub to: Holder,
    /// Amount (1 for an ERC-721).
    pub amount: U256,
}

/// What a successful call touched: the machine compares exactly these with the chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    /// The pool the call read or changed.
    pub pool: Option<usize>,
    /// Lenders whose commit in that pool may have changed.
    pub lenders: Vec<Holder>,
    /// Token movements, in order.
    pub transfers: Vec<Transfer>,
}

/// Totals the invariants need beyond the contract's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ghosts {
    /// Creation fees charged.
    pub creation_fees: U256,
    /// Collect fees charged.
    pub collect_fees: U256,
    /// Fees the admin took out with `withdrawFeesCollected`.
    pub fees_withdrawn: U256,
    /// `adminWithdrawAll` went through: the pool no longer holds what it owes.
    pub drained: bool,
    /// Everything minted, per (token, id): conservation.
    pub minted: HashMap<(Token, U256), U256>,
}

/// The whole contract plus the token balances it moves.
#[derive(Debug, Clone)]
pub struct CounterpartyModel {
    /// Which contract.
    pub variant: Variant,
    /// Block timestamp.
    pub now: u64,
    /// `paused()`.
    pub paused: bool,
    /// `feesCollected()`.
    pub fees_collected: U256,
    /// Pools by id.
    pub pools: Vec<Pool>,
    /// Commits by (pool, lender).
    pub commits: HashMap<(usize, Holder), Commit>,
    /// ERC-20 and ERC-1155 balances by (token, id, holder); ERC-20 ids are 0.
    pub balances: HashMap<(Token, U256, Holder), U256>,
    /// ERC-721 owners by id.
    pub nft_owner: HashMap<U256, Holder>,
    /// Fee of the fee-on-transfer token, bps.
    pub fee_on_transfer_bps: u64,
    /// Totals for the invariants.
    pub ghosts: Ghosts,
}

fn mul_div(a: U256, b: U256, d: U256, up: bool) -> U256 {
    // Operands stay below 2^128 × 2^64 here, so the product fits in 256 bits.
    let p = a * b;
    let q = p / d;
    if up && q * d != p { q + U256::from(1u8) } else { q }
}

/// `ceil(committed × 2 %)` in the default variant, 0 in the admin variant.
pub fn collect_fee(variant: Variant, committed: U256) -> U256 {
    match variant {
        Variant::Default => mul_div(committed, U256::from(COLLECT_FEE_BPS), U256::from(BPS), true),
        Variant::Admin => U256::ZERO,
    }
}

/// `committed + ceil(committed × minimumAPR / 1e8)`: what an ACTIVE pool needs to close.
pub fn required_rewards(committed: U256, minimum_apr: u64) -> U256 {
    committed + mul_div(committed, U256::from(minimum_apr), U256::from(APR_SCALE), true)
}

/// `floor(totalRewards × commit / totalCommitted)`: a lender's pro-rata share.
pub fn pro_rata(total: U256, part: U256, whole: U256) -> U256 {
    if whole.is_zero() { U256::ZERO } else { mul_div(total, part, whole, false) }
}

impl CounterpartyModel {
    /// An empty contract at time `now`, unpaused, with no balances.
    pub fn new(variant: Variant, now: u64) -> Self {
        Self {
            variant,
            now,
            paused: false,
            fees_collected: U256::ZERO,
            pools: Vec::new(),
            commits: HashMap::new(),
            balances: HashMap::new(),
            nft_owner: HashMap::new(),
            fee_on_transfer_bps: 0,
            ghosts: Ghosts::default(),
        }
    }

    /// Moves the clock forward.
    pub fn warp(&mut self, seconds: u64) {
        self.now += seconds;
    }

    /// Mints an ERC-20 / ERC-1155 amount, or ERC-721 `id` (amount ignored), to `to`. Minting an
    /// ERC-721 id that exists reverts in the mock: the caller must not.
    pub fn mint(&mut self, token: Token, id: U256, to: Holder, amount: U256) {
        match token.kind() {
            Kind::Erc721 => {
                self.nft_owner.insert(id, to);
                *self.ghosts.minted.entry((token, id)).or_default() += U256::from(1u8);
            }
            Kind::Erc20 => {
                *self.balances.entry((token, U256::ZERO, to)).or_default() += amount;
                *self.ghosts.minted.entry((token, U256::ZERO)).or_default() += amount;
            }
            Kind::Erc1155 => {
                *self.balances.entry((token, id, to)).or_default() += amount;
                *self.ghosts.minted.entry((token, id)).or_default() += amount;
            }
        }
    }

    /// Balance of an ERC-20 (id 0) or ERC-1155 id; for the ERC-721, 1 when `holder` owns `id`.
    pub fn balance(&self, token: Token, id: U256, holder: Holder) -> U256 {
        match token.kind() {
            Kind::Erc721 => U256::from(u8::from(self.nft_owner.get(&id) == Some(&holder))),
            Kind::Erc20 => self.balances.get(&(token, U256::ZERO, holder)).copied().unwrap_or_default(),
            Kind::Erc1155 => self.balances.get(&(token, id, holder)).copied().unwrap_or_default(),
        }
    }

    /// A lender's commit (zero when none).
    pub fn commit_of(&self, pool: usize, lender: Holder) -> Commit {
        self.commits.get(&(pool, lender)).cloned().unwrap_or_default()
    }

    /// `requiredRewards(poolId)`.
    pub fn required_rewards(&self, pool: usize) -> U256 {
        let p = &self.pools[pool];
        required_rewards(p.total_committed, p.minimum_apr)
    }

    /// `claimableRewards(poolId, user)`.
    pub fn claimable_rewards(&self, pool: usize, user: Holder) -> U256 {
        let p = &self.pools[pool];
        if p.status != Status::Active && p.status != Status::Closed {
            return U256::ZERO;
        }
        let c = self.commit_of(pool, user);
        if c.amount.is_zero() {
            return U256::ZERO;
        }
        if p.status == Status::Closed && !c.paid_in_full && p.paid_in_full_commits + c.amount == p.total_committed {
            return p.total_rewards - p.rewards_paid_out;
        }
        unpaid_share(p, &c)
    }

    /// `poolActions(poolId)`: (collectable, closable, archivable).
    pub fn pool_actions(&self, pool: usize) -> (bool, bool, bool) {
        let p = &self.pools[pool];
        match p.status {
            Status::Created => (
                self.collectable(p),
                self.variant == Variant::Default && self.now > p.deadline && p.total_committed.is_zero(),
                self.now >= p.deadline + ARCHIVE_DELAY && p.total_committed.is_zero(),
            ),
            Status::Active => (false, p.total_rewards >= required_rewards(p.total_committed, p.minimum_apr), false),
            Status::Closed => (
                false,
                false,
                self.now >= p.closed_time + ARCHIVE_DELAY
                    && p.rewards_paid_out == p.total_rewards
                    && (!p.defaulted || p.collateral_claimed_commits == p.total_committed),
            ),
            Status::Archived => (false, false, false),
        }
    }

    /// Whether a CREATED pool can be collected now (`_collectable(p, false)`).
    pub fn collectable(&self, p: &Pool) -> bool {
        match self.variant {
            Variant::Default => {
                !p.total_committed.is_zero()
                    && p.total_committed >= p.soft_cap
                    && self.now >= p.deadline
                    && self.now <= p.deadline + COLLECT_WINDOW
            }
            Variant::Admin => self.now <= p.deadline + COLLECT_WINDOW && !p.total_committed.is_zero(),
        }
    }

    /// Runs `call`: on success the model moves and returns what the call did; on a revert the
    /// model is unchanged and returns the error the contract must revert with.
    pub fn call(&mut self, call: &Call) -> Result<Effects, CpError> {
        let mut next = self.clone();
        let effects = next.execute(call)?;
        *self = next;
        Ok(effects)
    }

    fn is_admin(&self, who: Holder) -> bool {
        who == Holder::Admin
    }

    fn when_not_paused(&self) -> Result<(), CpError> {
        if self.paused { Err(CpError::EnforcedPause) } else { Ok(()) }
    }

    fn only_admin(&self, who: Holder) -> Result<(), CpError> {
        if self.is_admin(who) { Ok(()) } else { Err(CpError::AccessControlUnauthorizedAccount { account: who }) }
    }

    fn pool_index(&self, pool: u64) -> Result<usize, CpError> {
        usize::try_from(pool).ok().filter(|&i| i < self.pools.len()).ok_or(CpError::PoolDoesNotExists)
    }

    fn check_borrower(&self, pool: usize, caller: Holder) -> Result<(), CpError> {
        let ok = match self.variant {
            Variant::Default => caller == self.pools[pool].owner,
            Variant::Admin => self.is_admin(caller),
        };
        if ok { Ok(()) } else { Err(CpError::MustBePoolOwner) }
    }

    fn check_owner_or_admin(&self, pool: usize, caller: Holder) -> Result<(), CpError> {
        let ok = match self.variant {
            Variant::Default => caller == self.pools[pool].owner || self.is_admin(caller),
            Variant::Admin => self.is_admin(caller),
        };
        if ok { Ok(()) } else { Err(CpError::MustBePoolOwnerOrAdmin) }
    }

    /// Who receives what the borrower is owed: the owner, or in the admin variant the caller.
    fn payee(&self, pool: usize, caller: Holder) -> Holder {
        match self.variant {
            Variant::Default => self.pools[pool].owner,
            Variant::Admin => caller,
        }
    }

    /// An ERC-20 `transfer`/`transferFrom` as OpenZeppelin's ERC-20 (and the fee token) does it.
    /// Returns what `to` received.
    fn move_erc20(
        &mut self,
        fx: &mut Effects,
        token: Token,
        from: Holder,
        to: Holder,
        value: U256,
    ) -> Result<U256, CpError> {
        let fee = if token == Token::FeeOnTransfer {
            value * U256::from(self.fee_on_transfer_bps) / U256::from(BPS)
        } else {
            U256::ZERO
        };
        let mut step = |m: &mut Self, to: Holder, amount: U256| -> Result<(), CpError> {
            let balance = m.balance(token, U256::ZERO, from);
            if balance < amount {
                return Err(CpError::Erc20InsufficientBalance { sender: from, balance, needed: amount });
            }
            m.balances.insert((token, U256::ZERO, from), balance - amount);
            *m.balances.entry((token, U256::ZERO, to)).or_default() += amount;
            fx.transfers.push(Transfer { token, id: U256::ZERO, from, to, amount });
            Ok(())
        };
        if !fee.is_zero() {
            step(self, Holder::FeeSink, fee)?;
        }
        step(self, to, value - fee)?;
        Ok(value - fee)
    }

    /// `CollateralTransfer.pull`: from `from` into the pool, checked by balance / owner.
    fn pull(&mut self, fx: &mut Effects, token: Token, from: Holder, id: U256, amount: U256) -> Result<(), CpError> {
        match token.kind() {
            Kind::Erc721 => {
                let Some(&owner) = self.nft_owner.get(&id) else {
                    return Err(CpError::Erc721NonexistentToken { id });
                };
                if owner != from {
                    return Err(CpError::Erc721IncorrectOwner { sender: from, id, owner });
                }
                self.nft_owner.insert(id, Holder::Pool);
                fx.transfers.push(Transfer { token, id, from, to: Holder::Pool, amount: U256::from(1u8) });
            }
            Kind::Erc1155 => {
                let balance = self.balance(token, id, from);
                if balance < amount {
                    return Err(CpError::Erc1155InsufficientBalance { sender: from, balance, needed: amount, id });
                }
                self.balances.insert((token, id, from), balance - amount);
                *self.balances.entry((token, id, Holder::Pool)).or_default() += amount;
                fx.transfers.push(Transfer { token, id, from, to: Holder::Pool, amount });
            }
            Kind::Erc20 => {
                let received = self.move_erc20(fx, token, from, Holder::Pool, amount)?;
                if received != amount {
                    return Err(CpError::TokenTransferAmountIncludedFees);
                }
            }
        }
        Ok(())
    }

    /// `CollateralTransfer.push` (and `safeTransfer` of USDC): from the pool to `to`; nothing for 0.
    fn push(&mut self, fx: &mut Effects, token: Token, to: Holder, id: U256, amount: U256) -> Result<(), CpError> {
        if amount.is_zero() && token.kind() != Kind::Erc20 {
            return Ok(());
        }
        match token.kind() {
            Kind::Erc721 => {
                self.nft_owner.insert(id, to);
                fx.transfers.push(Transfer { token, id, from: Holder::Pool, to, amount: U256::from(1u8) });
            }
            Kind::Erc1155 => {
                let balance = self.balance(token, id, Holder::Pool);
                if balance < amount {
                    return Err(CpError::Erc1155InsufficientBalance {
                        sender: Holder::Pool,
                        balance,
                        needed: amount,
                        id,
                    });
                }
                self.balances.insert((token, id, Holder::Pool), balance - amount);
                *self.balances.entry((token, id, to)).or_default() += amount;
                fx.transfers.push(Transfer { token, id, from: Holder::Pool, to, amount });
            }
            Kind::Erc20 => {
                self.move_erc20(fx, token, Holder::Pool, to, amount)?;
            }
        }
        Ok(())
    }

    fn pay_usdc(&mut self, fx: &mut Effects, to: Holder, amount: U256) -> Result<(), CpError> {
        self.push(fx, Token::Usdc, to, U256::ZERO, amount)
    }

    fn close(&mut self, pool: usize) {
        let now = self.now;
        let p = &mut self.pools[pool];
        p.status = Status::Closed;
        p.closed_time = now;
    }

    fn return_collateral(&mut self, fx: &mut Effects, pool: usize, payee: Holder) -> Result<(), CpError> {
        for i in 0..self.pools[pool].collateral.len() {
            let item = &mut self.pools[pool].collateral[i];
            let left = item.amount - item.released;
            item.released = item.amount;
            let (token, id) = (item.token, item.id);
            if !left.is_zero() {
                self.push(fx, token, payee, id, left)?;
            }
        }
        Ok(())
    }

    fn refund_commit(&mut self, fx: &mut Effects, pool: usize, user: Holder) -> Result<bool, CpError> {
        let Some(c) = self.commits.get_mut(&(pool, user)) else { return Ok(false) };
        let amount = c.amount;
        if amount.is_zero() {
            return Ok(false);
        }
        c.amount = U256::ZERO;
        self.pools[pool].total_committed -= amount;
        fx.lenders.push(user);
        self.pay_usdc(fx, user, amount)?;
        Ok(true)
    }

    fn pay_rewards(&mut self, fx: &mut Effects, pool: usize, user: Holder) -> Result<bool, CpError> {
        let p = &self.pools[pool];
        let mut c = self.commit_of(pool, user);
        let mut due = unpaid_share(p, &c);
        let mut marked = false;
        let mut paid_in_full_commits = p.paid_in_full_commits;
        if p.status == Status::Closed && !c.paid_in_full {
            c.paid_in_full = true;
            marked = true;
            paid_in_full_commits += c.amount;
            if paid_in_full_commits == p.total_committed {
                due = p.total_rewards - p.rewards_paid_out;
            }
        }
        self.pools[pool].paid_in_full_commits = paid_in_full_commits;
        fx.lenders.push(user);
        if due.is_zero() {
            self.commits.insert((pool, user), c);
            return Ok(marked);
        }
        c.claimed_amount += due;
        self.commits.insert((pool, user), c);
        self.pools[pool].rewards_paid_out += due;
        self.pay_usdc(fx, user, due)?;
        Ok(true)
    }

    fn give_default_collateral(&mut self, fx: &mut Effects, pool: usize, user: Holder) -> Result<(), CpError> {
        let commit = {
            let c = self.commits.entry((pool, user)).or_default();
            c.collateral_claimed = true;
            c.amount
        };
        fx.lenders.push(user);
        let p = &mut self.pools[pool];
        p.collateral_claimed_commits += commit;
        let last = p.collateral_claimed_commits == p.total_committed;
        let total = p.total_committed;
        for i in 0..self.pools[pool].collateral.len() {
            let item = &mut self.pools[pool].collateral[i];
            let amount = if last {
                item.amount - item.released
            } else if item.kind != Kind::Erc721 {
                pro_rata(item.amount, commit, total)
            } else {
                U256::ZERO
            };
            if amount.is_zero() {
                continue;
            }
            item.released += amount;
            let (token, id) = (item.token, item.id);
            self.push(fx, token, user, id, amount)?;
        }
        Ok(())
    }

    fn execute(&mut self, call: &Call) -> Result<Effects, CpError> {
        let mut fx = Effects::default();
        match call {
            Call::CreatePool { caller, soft_cap, hard_cap, deadline, minimum_apr, collateral } => {
                let caller = *caller;
                self.when_not_paused()?;
                if soft_cap > hard_cap {
                    return Err(CpError::SoftCapMustBeLessThanHardCap);
                }
                if hard_cap.is_zero() {
                    return Err(CpError::HardCapCannotBeZero);
                }
                if *hard_cap > U256::from(u128::MAX) {
                    return Err(CpError::AmountTooBig);
                }
                if *deadline <= self.now {
                    return Err(CpError::DeadlineMustBeInFuture);
                }
                if *deadline > self.now + MAX_DEADLINE {
                    return Err(CpError::DeadlineMustNotBeMoreThan1YearInTheFuture);
                }
                if collateral.len() > MAX_COLLATERAL_TOKENS {
                    return Err(CpError::TooManyCollateralTokens);
                }
                match self.variant {
                    Variant::Default => {
                        let fee = U256::from(POOL_CREATION_FEE);
                        self.fees_collected += fee;
                        self.ghosts.creation_fees += fee;
                        self.pull(&mut fx, Token::Usdc, caller, U256::ZERO, fee)?;
                    }
                    Variant::Admin => self.only_admin(caller)?,
                }
                let id = self.pools.len();
                self.pools.push(Pool {
                    soft_cap: *soft_cap,
                    hard_cap: *hard_cap,
                    total_committed: U256::ZERO,
                    paid_in_full_commits: U256::ZERO,
                    total_rewards: U256::ZERO,
                    rewards_paid_out: U256::ZERO,
                    created_at: self.now,
                    deadline: *deadline,
                    closed_time: 0,
                    minimum_apr: *minimum_apr,
                    status: Status::Created,
                    owner: caller,
                    repayment_date: deadline + DEFAULT_REPAYMENT_TERM,
                    defaulted: false,
                    collateral_claimed_commits: U256::ZERO,
                    collateral: Vec::new(),
                    collected: false,
                });
                fx.pool = Some(id);
                for (i, c) in collateral.iter().enumerate() {
                    let invalid = CpError::InvalidCollateral(i as u64);
                    let Some(token) = c.token else { return Err(invalid) };
                    if c.amount.is_zero() {
                        return Err(invalid);
                    }
                    let kind = token.kind();
                    if kind == Kind::Erc721 && c.amount != U256::from(1u8) {
                        return Err(invalid);
                    }
                    let id_ = if kind == Kind::Erc20 { U256::ZERO } else { c.id };
                    self.pools[id].collateral.push(Item {
                        token,
                        kind,
                        amount: c.amount,
                        id: c.id,
                        released: U256::ZERO,
                    });
                    self.pull(&mut fx, token, caller, id_, c.amount)?;
                }
            }
            Call::SetRepaymentDate { caller, pool, date } => {
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                self.check_borrower(pool, *caller)?;
                let p = &mut self.pools[pool];
                if p.status != Status::Created {
                    return Err(CpError::PoolStatusMustBeCreated);
                }
                if !p.total_committed.is_zero() || *date <= p.deadline {
                    return Err(CpError::InvalidRepaymentDate);
                }
                p.repayment_date = *date;
            }
            Call::Collect { caller, pool } => {
                self.when_not_paused()?;
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                self.check_borrower(pool, *caller)?;
                let p = &self.pools[pool];
                if p.status != Status::Created {
                    return Err(CpError::PoolStatusMustBeCreated);
                }
                match self.variant {
                    Variant::Default => {
                        if p.total_committed.is_zero() || p.total_committed < p.soft_cap {
                            return Err(CpError::PoolSoftCapNotReached);
                        }
                        if self.now < p.deadline {
                            return Err(CpError::PoolDeadlineNotReached);
                        }
                        if self.now > p.deadline + COLLECT_WINDOW {
                            return Err(CpError::CannotCollect30DaysAfterDeadline);
                        }
                    }
                    Variant::Admin => {
                        if p.total_committed.is_zero() {
                            return Err(CpError::PoolSoftCapNotReached);
                        }
                        if self.now > p.deadline + COLLECT_WINDOW {
                            return Err(CpError::CannotCollect30DaysAfterDeadline);
                        }
                    }
                }
                let committed = p.total_committed;
                let fee = collect_fee(self.variant, committed);
                self.pools[pool].status = Status::Active;
                self.pools[pool].collected = true;
                self.fees_collected += fee;
                self.ghosts.collect_fees += fee;
                let payee = self.payee(pool, *caller);
                self.pay_usdc(&mut fx, payee, committed - fee)?;
            }
            Call::DepositRewards { caller, pool, amount } => {
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                self.check_borrower(pool, *caller)?;
                let p = &mut self.pools[pool];
                if p.status != Status::Active {
                    return Err(CpError::PoolStatusMustBeActive);
                }
                if amount.is_zero() {
                    return Err(CpError::AmountCannotBeZero);
                }
                let total = p.total_rewards.checked_add(*amount).ok_or(CpError::Panic(0x11))?;
                if total > U256::from(u128::MAX) {
                    return Err(CpError::AmountTooBig);
                }
                p.total_rewards = total;
                self.pull(&mut fx, Token::Usdc, *caller, U256::ZERO, *amount)?;
            }
            Call::Close { caller, pool } => {
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                self.check_borrower(pool, *caller)?;
                let p = &self.pools[pool];
                match p.status {
                    Status::Active => {
                        if p.total_rewards < required_rewards(p.total_committed, p.minimum_apr) {
                            return Err(CpError::MustDepositAtleastCommittedAmount);
                        }
                    }
                    Status::Created => match self.variant {
                        Variant::Default => {
                            if self.now <= p.deadline {
                                return Err(CpError::PoolDeadlineNotReached);
                            }
                            if self.collectable(p) {
                                return Err(CpError::PoolSoftCapReached);
                            }
                            if !p.total_committed.is_zero() {
                                return Err(CpError::PoolIsNotEmpty);
                            }
                        }
                        Variant::Admin => return Err(CpError::PoolStatusMustBeActive),
                    },
                    _ => return Err(CpError::PoolStatusMustBeActive),
                }
                self.close(pool);
                let payee = self.payee(pool, *caller);
                self.return_collateral(&mut fx, pool, payee)?;
            }
            Call::Commit { caller, pool, amount } => {
                self.when_not_paused()?;
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                let p = &mut self.pools[pool];
                if p.status != Status::Created {
                    return Err(CpError::PoolStatusMustBeCreated);
                }
                if *caller == p.owner {
                    return Err(CpError::PoolOwnerCannotCommitToHisOwnPool);
                }
                if self.now > p.deadline {
                    return Err(CpError::PoolDeadlineReached);
                }
                if amount.is_zero() {
                    return Err(CpError::AmountCannotBeZero);
                }
                let total = p.total_committed.checked_add(*amount).ok_or(CpError::Panic(0x11))?;
                if total > p.hard_cap {
                    return Err(CpError::PoolHardCapReached);
                }
                p.total_committed = total;
                self.commits.entry((pool, *caller)).or_default().amount += *amount;
                fx.lenders.push(*caller);
                self.pull(&mut fx, Token::Usdc, *caller, U256::ZERO, *amount)?;
            }
            Call::Uncommit { caller, pool } => {
                self.when_not_paused()?;
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                let p = &self.pools[pool];
                if p.status != Status::Created {
                    return Err(CpError::PoolStatusMustBeCreated);
                }
                match self.variant {
                    Variant::Default => {
                        if self.collectable(p) {
                            return Err(CpError::PoolSoftCapReached);
                        }
                    }
                    Variant::Admin => {
                        if self.now <= p.deadline + COLLECT_WINDOW {
                            return Err(CpError::UncommitNotAllowed);
                        }
                    }
                }
                if !self.refund_commit(&mut fx, pool, *caller)? {
                    return Err(CpError::NotACommitter);
                }
            }
            Call::Claim { caller, pool } => {
                self.when_not_paused()?;
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                let p = &self.pools[pool];
                if p.status != Status::Active && p.status != Status::Closed {
                    return Err(CpError::PoolStatusMustBeEitherClosedOrActive);
                }
                if self.commit_of(pool, *caller).amount.is_zero() {
                    return Err(CpError::NotACommitter);
                }
                if !self.pay_rewards(&mut fx, pool, *caller)? {
                    return Err(CpError::NothingToClaim);
                }
            }
            Call::DeclareDefault { caller, pool } => {
                self.when_not_paused()?;
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                let p = &self.pools[pool];
                if p.status != Status::Active {
                    return Err(CpError::PoolStatusMustBeActive);
                }
                if !self.is_admin(*caller)
                    && (self.now < p.repayment_date
                        || p.total_rewards >= required_rewards(p.total_committed, p.minimum_apr))
                {
                    return Err(CpError::PoolCannotBeDefaulted);
                }
                self.pools[pool].defaulted = true;
                self.close(pool);
            }
            Call::ClaimDefaultCollateral { caller, pool } => {
                self.when_not_paused()?;
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                if !self.pools[pool].defaulted {
                    return Err(CpError::PoolNotDefaulted);
                }
                let c = self.commit_of(pool, *caller);
                if c.amount.is_zero() {
                    return Err(CpError::NotACommitter);
                }
                if c.collateral_claimed {
                    return Err(CpError::CollateralAlreadyClaimed);
                }
                self.give_default_collateral(&mut fx, pool, *caller)?;
            }
            Call::Archive { caller, pool } => {
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                self.check_owner_or_admin(pool, *caller)?;
                let p = &self.pools[pool];
                match p.status {
                    Status::Closed => {
                        if self.now < p.closed_time + ARCHIVE_DELAY {
                            return Err(CpError::PoolStatusMustBeClosedForAtLeast60Days);
                        }
                        if p.rewards_paid_out < p.total_rewards {
                            return Err(CpError::RewardsHaveNotYetBeenPaidOut);
                        }
                        if p.defaulted && p.collateral_claimed_commits < p.total_committed {
                            return Err(CpError::CollateralNotYetDistributed);
                        }
                        self.pools[pool].status = Status::Archived;
                    }
                    Status::Created => {
                        if self.now < p.deadline + ARCHIVE_DELAY {
                            return Err(CpError::PoolStatusMustBeAtLeast60DaysPastDeadline);
                        }
                        if !p.total_committed.is_zero() {
                            return Err(CpError::PoolIsNotEmpty);
                        }
                        self.pools[pool].status = Status::Archived;
                        let payee = self.payee(pool, *caller);
                        self.return_collateral(&mut fx, pool, payee)?;
                    }
                    _ => return Err(CpError::PoolStatusMustBeEitherClosedOrCreated),
                }
            }
            Call::ClaimRewardsForUsers { caller, pool, users } => {
                self.when_not_paused()?;
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                self.check_owner_or_admin(pool, *caller)?;
                let p = &self.pools[pool];
                if p.status != Status::Closed {
                    return Err(CpError::PoolStatusMustBeClosed);
                }
                if self.now < p.closed_time + ARCHIVE_DELAY {
                    return Err(CpError::PoolStatusMustBeClosedForAtLeast60Days);
                }
                for &user in users {
                    let c = self.commit_of(pool, user);
                    if c.amount.is_zero() {
                        continue;
                    }
                    self.pay_rewards(&mut fx, pool, user)?;
                    if self.pools[pool].defaulted && !c.collateral_claimed {
                        self.give_default_collateral(&mut fx, pool, user)?;
                    }
                }
            }
            Call::UncommitForUsers { caller, pool, users } => {
                self.when_not_paused()?;
                let pool = self.pool_index(*pool)?;
                fx.pool = Some(pool);
                self.check_owner_or_admin(pool, *caller)?;
                let p = &self.pools[pool];
                if p.status != Status::Created {
                    return Err(CpError::PoolStatusMustBeCreated);
                }
                if self.now < p.deadline + ARCHIVE_DELAY {
                    return Err(CpError::PoolStatusMustBeAtLeast60DaysPastDeadline);
                }
                for &user in users {
                    self.refund_commit(&mut fx, pool, user)?;
                }
            }
            Call::WithdrawFees { caller } => {
                self.only_admin(*caller)?;
                let amount = self.fees_collected;
                if amount.is_zero() {
                    return Err(CpError::AmountCannotBeZero);
                }
                self.fees_collected = U256::ZERO;
                self.ghosts.fees_withdrawn += amount;
                self.pay_usdc(&mut fx, *caller, amount)?;
            }
            Call::AdminWithdrawAll { caller } => {
                self.only_admin(*caller)?;
                if !self.paused {
                    return Err(CpError::MustBePaused);
                }
                let amount = self.balance(Token::Usdc, U256::ZERO, Holder::Pool);
                if amount.is_zero() {
                    return Err(CpError::AmountCannotBeZero);
                }
                self.fees_collected = U256::ZERO;
                self.ghosts.drained = true;
                self.pay_usdc(&mut fx, *caller, amount)?;
            }
            Call::Pause { caller } => {
                self.only_admin(*caller)?;
                self.when_not_paused()?;
                self.paused = true;
            }
            Call::Unpause { caller } => {
                self.only_admin(*caller)?;
                if !self.paused {
                    return Err(CpError::ExpectedPause);
                }
                self.paused = false;
            }
        }
        Ok(fx)
    }
}

/// What is left of a commit's pro-rata share (zero for the lender who took the dust).
fn unpaid_share(p: &Pool, c: &Commit) -> U256 {
    let share = pro_rata(p.total_rewards, c.amount, p.total_committed);
    if share > c.claimed_amount { share - c.claimed_amount } else { U256::ZERO }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed step is the test failing
mod tests {
    use super::*;

    const T0: u64 = 1_767_225_600;
    const L0: Holder = Holder::User(1);
    const L1: Holder = Holder::User(2);
    const L2: Holder = Holder::User(3);
    const OWNER: Holder = Holder::User(0);

    fn usdc(units: u64) -> U256 {
        U256::from(units) * U256::from(1_000_000u64)
    }

    fn funded(variant: Variant) -> CounterpartyModel {
        let mut m = CounterpartyModel::new(variant, T0);
        for h in [OWNER, L0, L1, L2, Holder::Admin] {
            m.mint(Token::Usdc, U256::ZERO, h, usdc(1_000_000));
            m.mint(Token::Erc20(0), U256::ZERO, h, U256::from(10u64).pow(U256::from(24u8)));
        }
        m
    }

    fn create(m: &mut CounterpartyModel, caller: Holder, soft: U256, hard: U256, apr: u64, items: Vec<CollateralSpec>) {
        let deadline = m.now + 10 * DAY;
        m.call(&Call::CreatePool {
            caller,
            soft_cap: soft,
            hard_cap: hard,
            deadline,
            minimum_apr: apr,
            collateral: items,
        })
        .unwrap();
    }

    fn pool_usdc(m: &CounterpartyModel) -> U256 {
        m.balance(Token::Usdc, U256::ZERO, Holder::Pool)
    }

    #[test]
    fn published_worked_numbers() {
        // Soft cap 1,000, hard cap 2,000, 2 %: commits 1,100 → fee 22, owner gets 1,078, close needs 1,122.
        let mut m = funded(Variant::Default);
        create(&mut m, OWNER, usdc(1_000), usdc(2_000), 2_000_000, vec![]);
        assert_eq!(m.fees_collected, usdc(200));
        m.call(&Call::Commit { caller: L0, pool: 0, amount: usdc(600) }).unwrap();
        m.call(&Call::Commit { caller: L1, pool: 0, amount: usdc(500) }).unwrap();
        assert_eq!(m.call(&Call::Collect { caller: OWNER, pool: 0 }), Err(CpError::PoolDeadlineNotReached));
        m.warp(10 * DAY);
        let owner_before = m.balance(Token::Usdc, U256::ZERO, OWNER);
        m.call(&Call::Collect { caller: OWNER, pool: 0 }).unwrap();
        assert_eq!(m.fees_collected, usdc(222));
        assert_eq!(m.ghosts.collect_fees, usdc(22));
        assert_eq!(m.balance(Token::Usdc, U256::ZERO, OWNER) - owner_before, usdc(1_078));
        assert_eq!(m.required_rewards(0), usdc(1_122));
        m.call(&Call::DepositRewards { caller: OWNER, pool: 0, amount: usdc(1_121) }).unwrap();
        assert_eq!(m.call(&Call::Close { caller: OWNER, pool: 0 }), Err(CpError::MustDepositAtleastCommittedAmount));
        m.call(&Call::DepositRewards { caller: OWNER, pool: 0, amount: U256::from(1_000_000u64) }).unwrap();
        m.call(&Call::Close { caller: OWNER, pool: 0 }).unwrap();
        let before = m.balance(Token::Usdc, U256::ZERO, L0);
        m.call(&Call::Claim { caller: L0, pool: 0 }).unwrap();
        assert_eq!(m.balance(Token::Usdc, U256::ZERO, L0) - before, usdc(612));
        let before = m.balance(Token::Usdc, U256::ZERO, L1);
        m.call(&Call::Claim { caller: L1, pool: 0 }).unwrap();
        assert_eq!(m.balance(Token::Usdc, U256::ZERO, L1) - before, usdc(510));
        assert_eq!(pool_usdc(&m), usdc(222));
        assert_eq!(m.call(&Call::Claim { caller: L1, pool: 0 }), Err(CpError::NothingToClaim));
    }

    #[test]
    fn last_lender_paid_in_full_takes_the_dust() {
        // docs/counterparty-pools.md: 333.333333 + 333.333333 + 433.333334 sharing 1,122 USDC.
        let mut m = funded(Variant::Admin);
        create(&mut m, Holder::Admin, usdc(1_000), usdc(2_000), 2_000_000, vec![]);
        let commits = [U256::from(333_333_333u64), U256::from(333_333_333u64), U256::from(433_333_334u64)];
        for (l, a) in [L0, L1, L2].into_iter().zip(commits) {
            m.call(&Call::Commit { caller: l, pool: 0, amount: a }).unwrap();
        }
        assert_eq!(m.call(&Call::Uncommit { caller: L0, pool: 0 }), Err(CpError::UncommitNotAllowed));
        m.call(&Call::Collect { caller: Holder::Admin, pool: 0 }).unwrap();
        assert_eq!(m.fees_collected, U256::ZERO);
        assert_eq!(m.required_rewards(0), usdc(1_122));
        m.call(&Call::DepositRewards { caller: Holder::Admin, pool: 0, amount: usdc(1_122) }).unwrap();
        // An ACTIVE claim pays the floor share and can repeat once more arrives.
        m.call(&Call::Claim { caller: L0, pool: 0 }).unwrap();
        let share0 = pro_rata(usdc(1_122), commits[0], usdc(1_100));
        assert_eq!(m.commit_of(0, L0).claimed_amount, share0);
        m.call(&Call::Close { caller: Holder::Admin, pool: 0 }).unwrap();
        m.call(&Call::Claim { caller: L2, pool: 0 }).unwrap();
        m.call(&Call::Claim { caller: L1, pool: 0 }).unwrap();
        // L0 is paid its share already; its CLOSED claim only marks it and takes the dust.
        let dust = m.claimable_rewards(0, L0);
        assert!(dust <= U256::from(2u8), "dust {dust}");
        m.call(&Call::Claim { caller: L0, pool: 0 }).unwrap();
        let p = &m.pools[0];
        assert_eq!(p.rewards_paid_out, p.total_rewards);
        assert_eq!(p.paid_in_full_commits, p.total_committed);
        assert_eq!(pool_usdc(&m), U256::ZERO);
        assert_eq!(m.call(&Call::Claim { caller: L0, pool: 0 }), Err(CpError::NothingToClaim));
    }

    #[test]
    fn default_hands_collateral_pro_rata_and_the_rest_to_the_last() {
        let mut m = funded(Variant::Default);
        m.mint(Token::Nft, U256::from(7u8), OWNER, U256::from(1u8));
        m.mint(Token::Multi, U256::from(1u8), OWNER, U256::from(10u8));
        let items = vec![
            CollateralSpec { token: Some(Token::Erc20(0)), amount: U256::from(1_000u64), id: U256::ZERO },
            CollateralSpec { token: Some(Token::Nft), amount: U256::from(1u8), id: U256::from(7u8) },
            CollateralSpec { token: Some(Token::Multi), amount: U256::from(10u8), id: U256::from(1u8) },
        ];
        create(&mut m, OWNER, usdc(100), usdc(300), 0, items);
        assert_eq!(m.nft_owner[&U256::from(7u8)], Holder::Pool);
        m.call(&Call::Commit { caller: L0, pool: 0, amount: usdc(100) }).unwrap();
        m.call(&Call::Commit { caller: L1, pool: 0, amount: usdc(200) }).unwrap();
        m.warp(10 * DAY);
        m.call(&Call::Collect { caller: OWNER, pool: 0 }).unwrap();
        assert_eq!(m.call(&Call::DeclareDefault { caller: L0, pool: 0 }), Err(CpError::PoolCannotBeDefaulted));
        m.warp(365 * DAY);
        m.call(&Call::DeclareDefault { caller: L0, pool: 0 }).unwrap();
        assert_eq!(m.pools[0].status, Status::Closed);
        let fx = m.call(&Call::ClaimDefaultCollateral { caller: L0, pool: 0 }).unwrap();
        // 1,000 × 1/3 = 333, 10 × 1/3 = 3, no NFT.
        assert_eq!(fx.transfers.len(), 2);
        assert_eq!(fx.transfers[0].amount, U256::from(333u64));
        assert_eq!(fx.transfers[1].amount, U256::from(3u8));
        assert_eq!(
            m.call(&Call::ClaimDefaultCollateral { caller: L0, pool: 0 }),
            Err(CpError::CollateralAlreadyClaimed)
        );
        assert_eq!(
            m.call(&Call::Archive { caller: OWNER, pool: 0 }),
            Err(CpError::PoolStatusMustBeClosedForAtLeast60Days)
        );
        m.warp(60 * DAY);
        assert_eq!(m.call(&Call::Archive { caller: OWNER, pool: 0 }), Err(CpError::CollateralNotYetDistributed));
        m.call(&Call::ClaimRewardsForUsers { caller: Holder::Admin, pool: 0, users: vec![Holder::User(9), L1, L1] })
            .unwrap();
        assert_eq!(m.nft_owner[&U256::from(7u8)], L1);
        assert_eq!(m.balance(Token::Erc20(0), U256::ZERO, Holder::Pool), U256::ZERO);
        assert_eq!(m.balance(Token::Multi, U256::from(1u8), L1), U256::from(7u8));
        m.call(&Call::Archive { caller: OWNER, pool: 0 }).unwrap();
        assert_eq!(pool_usdc(&m), m.fees_collected);
    }

    #[test]
    fn refusals_come_in_the_contracts_order() {
        let mut m = funded(Variant::Default);
        let now = m.now;
        let base = Call::CreatePool {
            caller: OWNER,
            soft_cap: usdc(2),
            hard_cap: usdc(1),
            deadline: now,
            minimum_apr: 0,
            collateral: vec![],
        };
        assert_eq!(m.call(&base), Err(CpError::SoftCapMustBeLessThanHardCap));
        let with = |soft: U256, hard: U256, deadline: u64, collateral: Vec<CollateralSpec>| Call::CreatePool {
            caller: OWNER,
            soft_cap: soft,
            hard_cap: hard,
            deadline,
            minimum_apr: 0,
            collateral,
        };
        assert_eq!(m.call(&with(U256::ZERO, U256::ZERO, now, vec![])), Err(CpError::HardCapCannotBeZero));
        assert_eq!(m.call(&with(U256::ZERO, U256::MAX, now, vec![])), Err(CpError::AmountTooBig));
        assert_eq!(m.call(&with(U256::ZERO, usdc(1), now, vec![])), Err(CpError::DeadlineMustBeInFuture));
        assert_eq!(
            m.call(&with(U256::ZERO, usdc(1), now + MAX_DEADLINE + 1, vec![])),
            Err(CpError::DeadlineMustNotBeMoreThan1YearInTheFuture)
        );
        let zero = CollateralSpec { token: None, amount: U256::from(1u8), id: U256::ZERO };
        assert_eq!(
            m.call(&with(U256::ZERO, usdc(1), now + 1, vec![zero.clone(); 11])),
            Err(CpError::TooManyCollateralTokens)
        );
        let ok = CollateralSpec { token: Some(Token::Erc20(0)), amount: U256::from(5u8), id: U256::ZERO };
        assert_eq!(
            m.call(&with(U256::ZERO, usdc(1), now + 1, vec![ok.clone(), zero])),
            Err(CpError::InvalidCollateral(1))
        );
        let nft2 = CollateralSpec { token: Some(Token::Nft), amount: U256::from(2u8), id: U256::from(1u8) };
        assert_eq!(m.call(&with(U256::ZERO, usdc(1), now + 1, vec![nft2])), Err(CpError::InvalidCollateral(0)));
        let missing = CollateralSpec { token: Some(Token::Nft), amount: U256::from(1u8), id: U256::from(99u8) };
        assert_eq!(
            m.call(&with(U256::ZERO, usdc(1), now + 1, vec![missing])),
            Err(CpError::Erc721NonexistentToken { id: U256::from(99u8) })
        );
        m.fee_on_transfer_bps = 100;
        m.mint(Token::FeeOnTransfer, U256::ZERO, OWNER, U256::from(1_000u64));
        let fot = |amount: u64| CollateralSpec {
            token: Some(Token::FeeOnTransfer),
            amount: U256::from(amount),
            id: U256::ZERO,
        };
        assert_eq!(
            m.call(&with(U256::ZERO, usdc(1), now + 1, vec![fot(100)])),
            Err(CpError::TokenTransferAmountIncludedFees)
        );
        // Below 100 units the 1 % fee rounds to nothing and the token behaves.
        m.call(&with(U256::ZERO, usdc(1), now + 1, vec![fot(99)])).unwrap();
        assert_eq!(m.pools.len(), 1);
        assert_eq!(m.fees_collected, usdc(200));
        // Nothing moved on a refusal.
        let poor = Holder::User(7);
        let call = Call::CreatePool {
            caller: poor,
            soft_cap: U256::ZERO,
            hard_cap: usdc(1),
            deadline: now + 1,
            minimum_apr: 0,
            collateral: vec![],
        };
        assert_eq!(
            m.call(&call),
            Err(CpError::Erc20InsufficientBalance { sender: poor, balance: U256::ZERO, needed: usdc(200) })
        );
        assert_eq!(m.fees_collected, usdc(200));
        m.call(&Call::Pause { caller: Holder::Admin }).unwrap();
        assert_eq!(m.call(&Call::Pause { caller: Holder::Admin }), Err(CpError::EnforcedPause));
        assert_eq!(m.call(&Call::Commit { caller: L0, pool: 9, amount: usdc(1) }), Err(CpError::EnforcedPause));
        assert_eq!(m.call(&Call::Pause { caller: L0 }), Err(CpError::AccessControlUnauthorizedAccount { account: L0 }));
        // Deposits and closing stay open while paused; the pool id is checked first there.
        assert_eq!(m.call(&Call::Close { caller: OWNER, pool: 9 }), Err(CpError::PoolDoesNotExists));
        assert_eq!(m.call(&Call::Close { caller: OWNER, pool: 0 }), Err(CpError::PoolDeadlineNotReached));
        m.call(&Call::Unpause { caller: Holder::Admin }).unwrap();
        assert_eq!(m.call(&Call::Unpause { caller: Holder::Admin }), Err(CpError::ExpectedPause));
        assert_eq!(m.call(&Call::AdminWithdrawAll { caller: Holder::Admin }), Err(CpError::MustBePaused));
    }

    #[test]
    fn default_variant_lifecycle_refusals() {
        let mut m = funded(Variant::Default);
        create(&mut m, OWNER, usdc(100), usdc(200), 1_000_000, vec![]);
        assert_eq!(
            m.call(&Call::Commit { caller: OWNER, pool: 0, amount: usdc(1) }),
            Err(CpError::PoolOwnerCannotCommitToHisOwnPool)
        );
        assert_eq!(m.call(&Call::Commit { caller: L0, pool: 0, amount: U256::ZERO }), Err(CpError::AmountCannotBeZero));
        assert_eq!(m.call(&Call::Commit { caller: L0, pool: 0, amount: usdc(201) }), Err(CpError::PoolHardCapReached));
        m.call(&Call::Commit { caller: L0, pool: 0, amount: usdc(50) }).unwrap();
        assert_eq!(m.call(&Call::Commit { caller: L0, pool: 0, amount: U256::MAX }), Err(CpError::Panic(0x11)));
        assert_eq!(
            m.call(&Call::SetRepaymentDate { caller: OWNER, pool: 0, date: m.now + 400 * DAY }),
            Err(CpError::InvalidRepaymentDate)
        );
        assert_eq!(m.call(&Call::Uncommit { caller: L1, pool: 0 }), Err(CpError::NotACommitter));
        m.call(&Call::Uncommit { caller: L0, pool: 0 }).unwrap();
        m.call(&Call::Commit { caller: L0, pool: 0, amount: usdc(100) }).unwrap();
        m.warp(10 * DAY);
        assert_eq!(m.call(&Call::Uncommit { caller: L0, pool: 0 }), Err(CpError::PoolSoftCapReached));
        assert_eq!(m.call(&Call::Close { caller: OWNER, pool: 0 }), Err(CpError::PoolDeadlineNotReached));
        m.warp(1);
        assert_eq!(m.call(&Call::Close { caller: OWNER, pool: 0 }), Err(CpError::PoolSoftCapReached));
        assert_eq!(m.call(&Call::Collect { caller: L0, pool: 0 }), Err(CpError::MustBePoolOwner));
        m.warp(COLLECT_WINDOW);
        assert_eq!(m.call(&Call::Collect { caller: OWNER, pool: 0 }), Err(CpError::CannotCollect30DaysAfterDeadline));
        assert_eq!(m.call(&Call::Close { caller: OWNER, pool: 0 }), Err(CpError::PoolIsNotEmpty));
        assert_eq!(
            m.call(&Call::UncommitForUsers { caller: OWNER, pool: 0, users: vec![L0] }),
            Err(CpError::PoolStatusMustBeAtLeast60DaysPastDeadline)
        );
        m.warp(30 * DAY);
        m.call(&Call::UncommitForUsers { caller: Holder::Admin, pool: 0, users: vec![L0, L1, L0] }).unwrap();
        assert_eq!(m.pools[0].total_committed, U256::ZERO);
        m.call(&Call::Archive { caller: OWNER, pool: 0 }).unwrap();
        assert_eq!(m.pools[0].status, Status::Archived);
        assert_eq!(
            m.call(&Call::Archive { caller: OWNER, pool: 0 }),
            Err(CpError::PoolStatusMustBeEitherClosedOrCreated)
        );
        assert_eq!(pool_usdc(&m), usdc(200));
        m.call(&Call::WithdrawFees { caller: Holder::Admin }).unwrap();
        assert_eq!(m.call(&Call::WithdrawFees { caller: Holder::Admin }), Err(CpError::AmountCannotBeZero));
        assert_eq!(pool_usdc(&m), U256::ZERO);
    }
}

//! Reads of the pools' state at one block, turned into rows. The indexer reads entities back
//! from the chain after each batch instead of re-implementing the contracts' accounting from
//! event amounts: the contracts are the one source of truth, and a reorg is repaired by the
//! same read.

use alloy::{
    eips::BlockId,
    primitives::{Address, U256},
    providers::DynProvider,
};
use bindings::{AdminCounterpartyPool, CounterpartyPool, ERC20CollateralPool, MockAggregator, MockERC20};
use eyre::{Result, WrapErr};

use crate::{
    Kind,
    store::{BorrowRow, CollateralPoolRow, CommitRow, ContractRow, CounterpartyPoolRow, LendRow, PriceRow, TokenRow},
};

/// The on-chain status names, by the enum's value.
pub const STATUS_NAMES: [&str; 4] = ["CREATED", "ACTIVE", "CLOSED", "ARCHIVED"];

/// What a read found: the entity, or that it does not exist at that block (the read reverted).
pub enum Read<T> {
    /// It exists.
    Found(T),
    /// The contract refused the read: no such entity.
    Missing,
}

/// Reads one contract's state at one block.
pub struct Reader<'a> {
    /// The node.
    pub provider: &'a DynProvider,
    /// Chain id.
    pub chain_id: i64,
    /// The contract.
    pub contract: Address,
    /// Its kind.
    pub kind: Kind,
    /// The block read at.
    pub block: BlockId,
    /// Its number.
    pub number: i64,
    /// Its timestamp (the caller has the header already).
    pub timestamp: i64,
}

/// Turns a revert into [`Read::Missing`]; other failures (the node, the network) stay errors.
fn found<T>(result: Result<T, alloy::contract::Error>, what: &str) -> Result<Read<T>> {
    match result {
        Ok(value) => Ok(Read::Found(value)),
        Err(e) if e.as_revert_data().is_some() => Ok(Read::Missing),
        Err(e) => Err(eyre::Report::new(e).wrap_err(format!("reading {what}"))),
    }
}

fn lower(address: Address) -> String {
    format!("{address:#x}")
}

fn small(value: U256) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl Reader<'_> {
    fn collateral(&self) -> ERC20CollateralPool::ERC20CollateralPoolInstance<&DynProvider> {
        ERC20CollateralPool::new(self.contract, self.provider)
    }

    fn counterparty(&self) -> CounterpartyPool::CounterpartyPoolInstance<&DynProvider> {
        CounterpartyPool::new(self.contract, self.provider)
    }

    /// Contract-wide state: USDC, paused, fees.
    pub async fn contract_state(&self) -> Result<ContractRow> {
        let (usdc, paused, fees) = if self.kind == Kind::Collateral {
            let c = self.collateral();
            (
                c.USDC().block(self.block).call().await?,
                c.paused().block(self.block).call().await?,
                c.usdcFeesCollected().block(self.block).call().await?,
            )
        } else {
            let c = self.counterparty();
            (
                c.USDC().block(self.block).call().await?,
                c.paused().block(self.block).call().await?,
                c.feesCollected().block(self.block).call().await?,
            )
        };
        Ok(ContractRow {
            chain_id: self.chain_id,
            contract: lower(self.contract),
            kind: self.kind.as_str().into(),
            usdc: lower(usdc),
            paused,
            fees: fees.to_string(),
            updated_block: self.number,
        })
    }

    /// A token's symbol and decimals (tokens without `symbol()` get their address).
    pub async fn token(&self, token: Address) -> Result<TokenRow> {
        let erc20 = MockERC20::new(token, self.provider);
        let decimals =
            erc20.decimals().block(self.block).call().await.wrap_err_with(|| format!("decimals of {token}"))?;
        let symbol = erc20.symbol().block(self.block).call().await.unwrap_or_else(|_| lower(token));
        Ok(TokenRow { chain_id: self.chain_id, token: lower(token), symbol, decimals: i64::from(decimals) })
    }

    /// A collateral pool, `created_block` set to this block (the upsert keeps the first one).
    pub async fn collateral_pool(&self, pool_id: u64) -> Result<Read<CollateralPoolRow>> {
        let c = self.collateral();
        let id = U256::from(pool_id);
        let Read::Found(p) = found(c.pools(id).block(self.block).call().await, "a collateral pool")? else {
            return Ok(Read::Missing);
        };
        let available = c.getAvailableAmountsInPool(id).block(self.block).call().await?;
        let d = p.collateralDetails;
        Ok(Read::Found(CollateralPoolRow {
            chain_id: self.chain_id,
            contract: lower(self.contract),
            pool_id: pool_id as i64,
            collateral_token: lower(d.collateralToken),
            price_feed: lower(d.collateralTokenPriceOracle),
            sequencer_feed: lower(d.collateralTokenSequencerOracle),
            max_capacity: d.maxPoolCapacity.to_string(),
            min_lended: d.minLended.to_string(),
            min_borrow: d.minBorrow.to_string(),
            collateral_factor: i64::from(d.collateralTokenFactor.to::<u32>()),
            ltv_bps: i64::from(d.collateralTokenLTVPercentage.to::<u32>()),
            interest_bps: i64::from(p.interest.to::<u32>()),
            end_time: small(U256::from(p.endTime)),
            lended: p.amounts.lended.to_string(),
            claimed: p.amounts.claimed.to_string(),
            borrowed: p.amounts.borrowed.to_string(),
            repaid: p.amounts.repaid.to_string(),
            rewards: p.amounts.rewards.to_string(),
            claimed_rewards: p.amounts.claimedRewards.to_string(),
            collateral_amount: p.amounts.collateralTokenAmount.to_string(),
            available_usdc: available.availableUSDC.to_string(),
            collateral_held: available.availableCollateralTokens.to_string(),
            created_block: self.number,
            updated_block: self.number,
        }))
    }

    /// A lend position.
    pub async fn lend(&self, pool_id: u64, account: Address, lend_id: u64) -> Result<Read<LendRow>> {
        let read = self
            .collateral()
            .lendings(U256::from(pool_id), account, U256::from(lend_id))
            .block(self.block)
            .call()
            .await;
        let Read::Found(l) = found(read, "a lend position")? else { return Ok(Read::Missing) };
        Ok(Read::Found(LendRow {
            chain_id: self.chain_id,
            contract: lower(self.contract),
            pool_id: pool_id as i64,
            account: lower(account),
            lend_id: lend_id as i64,
            starting_amount: l.startingUsdcAmount.to_string(),
            amount: l.usdcAmount.to_string(),
            reward_per_token_ignored: l.rewardPerTokenIgnored.to_string(),
            updated_block: self.number,
        }))
    }

    /// A borrow position.
    pub async fn borrow(&self, pool_id: u64, account: Address, borrow_id: u64) -> Result<Read<BorrowRow>> {
        let c = self.collateral();
        let (pid, bid) = (U256::from(pool_id), U256::from(borrow_id));
        let Read::Found(b) = found(c.borrows(pid, account, bid).block(self.block).call().await, "a borrow position")?
        else {
            return Ok(Read::Missing);
        };
        let interest = c.borrowInterest(pid, account, bid).block(self.block).call().await?;
        Ok(Read::Found(BorrowRow {
            chain_id: self.chain_id,
            contract: lower(self.contract),
            pool_id: pool_id as i64,
            account: lower(account),
            borrow_id: borrow_id as i64,
            starting_amount: b.startingUsdcAmount.to_string(),
            amount: b.usdcAmount.to_string(),
            collateral_amount: b.collateralTokenAmount.to_string(),
            borrow_time: small(U256::from(b.borrowTime)),
            interest_bps: i64::from(interest.to::<u32>()),
            updated_block: self.number,
        }))
    }

    /// A counterparty pool, with its derived statuses at this block.
    pub async fn counterparty_pool(&self, pool_id: u64) -> Result<Read<CounterpartyPoolRow>> {
        let pid = U256::from(pool_id);
        // The two variants' published `pools` getters differ (the admin one adds partialClaimed).
        let fields = if self.kind == Kind::AdminCounterparty {
            let read =
                AdminCounterpartyPool::new(self.contract, self.provider).pools(pid).block(self.block).call().await;
            let Read::Found(p) = found(read, "a counterparty pool")? else { return Ok(Read::Missing) };
            (
                p.softCap,
                p.hardCap,
                p.totalCommitted,
                p.totalRewards,
                p.rewardsPaidOut,
                p.createdAt,
                p.deadline,
                p.closedTime,
                p.minimumAPR,
                p.poolStatus,
                p.poolOwner,
            )
        } else {
            let read = self.counterparty().pools(pid).block(self.block).call().await;
            let Read::Found(p) = found(read, "a counterparty pool")? else { return Ok(Read::Missing) };
            (
                p.softCap,
                p.hardCap,
                p.totalCommitted,
                p.totalRewards,
                p.rewardsPaidOut,
                p.createdAt,
                p.deadline,
                p.closedTime,
                p.minimumAPR,
                p.poolStatus,
                p.poolOwner,
            )
        };
        let (
            soft_cap,
            hard_cap,
            committed,
            rewards,
            paid_out,
            created_at,
            deadline,
            closed_at,
            minimum_apr,
            status,
            owner,
        ) = fields;
        let c = self.counterparty();
        let repayment = c.repaymentInfo(pid).block(self.block).call().await?;
        let actions = c.poolActions(pid).block(self.block).call().await?;
        Ok(Read::Found(CounterpartyPoolRow {
            chain_id: self.chain_id,
            contract: lower(self.contract),
            kind: self.kind.as_str().into(),
            pool_id: pool_id as i64,
            owner: lower(owner),
            soft_cap: soft_cap.to_string(),
            hard_cap: hard_cap.to_string(),
            committed: committed.to_string(),
            rewards: rewards.to_string(),
            paid_out: paid_out.to_string(),
            created_at: small(U256::from(created_at)),
            deadline: small(U256::from(deadline)),
            closed_at: small(U256::from(closed_at)),
            minimum_apr: small(U256::from(minimum_apr)),
            status: STATUS_NAMES.get(usize::from(status)).copied().unwrap_or("UNKNOWN").into(),
            repayment_date: small(U256::from(repayment.repaymentDate)),
            defaulted: repayment.defaulted,
            collectable: actions.collectable,
            closable: actions.closable,
            archivable: actions.archivable,
            actions_checked_at: self.timestamp,
            updated_block: self.number,
        }))
    }

    /// A commit; `Missing` once nothing is committed or claimed (uncommitted in full).
    pub async fn commit(&self, pool_id: u64, account: Address) -> Result<Read<CommitRow>> {
        let read = self.counterparty().poolCommits(account, U256::from(pool_id)).block(self.block).call().await;
        let Read::Found(c) = found(read, "a commit")? else { return Ok(Read::Missing) };
        if c.amount.is_zero() && c.claimedAmount.is_zero() {
            return Ok(Read::Missing);
        }
        Ok(Read::Found(CommitRow {
            chain_id: self.chain_id,
            contract: lower(self.contract),
            pool_id: pool_id as i64,
            account: lower(account),
            amount: c.amount.to_string(),
            claimed: c.claimedAmount.to_string(),
            updated_block: self.number,
        }))
    }

    /// The derived statuses of a counterparty pool at this block.
    pub async fn pool_actions(&self, pool_id: u64) -> Result<(bool, bool, bool)> {
        let a = self.counterparty().poolActions(U256::from(pool_id)).block(self.block).call().await?;
        Ok((a.collectable, a.closable, a.archivable))
    }

    /// A feed's latest answer for `token` (Chainlink `AggregatorV3Interface`).
    pub async fn price(&self, token: Address, feed: Address) -> Result<PriceRow> {
        let aggregator = MockAggregator::new(feed, self.provider);
        let round = aggregator
            .latestRoundData()
            .block(self.block)
            .call()
            .await
            .wrap_err_with(|| format!("reading feed {feed}"))?;
        let decimals = aggregator.decimals().block(self.block).call().await?;
        Ok(PriceRow {
            chain_id: self.chain_id,
            token: lower(token),
            feed: lower(feed),
            block_number: self.number,
            updated_at: small(round._3),
            price: round._1.to_string(),
            decimals: i64::from(decimals),
        })
    }
}

//! SPEC §4's counterparty invariants (12–16, and conservation), one function each, over what
//! the chain says ([`ChainView`], read by the machine) and the few totals only the model knows
//! (fees withdrawn, which pools were collected, what collateral each pool still owes).
//!
//! Each returns `Err` with a message naming the invariant and the numbers that break it.

use std::collections::HashMap;

use alloy_primitives::U256;

use crate::model::counterparty::{
    self as model, CounterpartyModel, Holder, Kind, POOL_CREATION_FEE, Status, Token, Variant,
};

/// A pool as its public getters report it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // the getters' fields
pub struct PoolView {
    pub soft_cap: U256,
    pub hard_cap: U256,
    pub total_committed: U256,
    pub total_rewards: U256,
    pub rewards_paid_out: U256,
    pub paid_in_full_commits: U256,
    pub created_at: u64,
    pub deadline: u64,
    pub closed_time: u64,
    pub minimum_apr: u64,
    pub status: u8,
    pub repayment_date: u64,
    pub defaulted: bool,
}

/// The chain's state as the invariants read it.
#[derive(Debug, Clone, Default)]
pub struct ChainView {
    /// Every pool, by id.
    pub pools: Vec<PoolView>,
    /// `poolCommits(holder, pool)` → (amount, claimedAmount), for every holder that may commit.
    pub commits: HashMap<(usize, Holder), (U256, U256)>,
    /// `feesCollected()`.
    pub fees_collected: U256,
    /// Balances by (token, id, holder) for every holder the machine knows (ERC-721: 1 if owner).
    pub balances: HashMap<(Token, U256, Holder), U256>,
}

impl ChainView {
    fn balance(&self, token: Token, id: U256, holder: Holder) -> U256 {
        self.balances.get(&(token, id, holder)).copied().unwrap_or_default()
    }
}

/// (12) In every pool the lenders' commits add up to `totalCommitted`, which never exceeds the
/// hard cap.
///
/// Forge: `CounterpartyPoolInvariants.invariant_commitsAddUpToTotalCommittedWithinHardCap`.
pub fn commits_add_up_to_total_committed_within_hard_cap(chain: &ChainView) -> Result<(), String> {
    for (id, p) in chain.pools.iter().enumerate() {
        let sum: U256 = chain.commits.iter().filter(|((pool, _), _)| *pool == id).map(|(_, (a, _))| *a).sum();
        if sum != p.total_committed {
            return Err(format!("(12) pool {id}: Σ commits {sum} != totalCommitted {}", p.total_committed));
        }
        if p.total_committed > p.hard_cap {
            return Err(format!("(12) pool {id}: totalCommitted {} above hard cap {}", p.total_committed, p.hard_cap));
        }
    }
    Ok(())
}

/// (13) A pool's status only moves forward: CREATED → ACTIVE → CLOSED → ARCHIVED (steps may be
/// skipped, never undone). `before` is each pool's status at the previous check.
///
/// Forge: `CounterpartyPoolInvariants.invariant_statusOnlyMovesForward`.
pub fn status_only_moves_forward(before: &[u8], chain: &ChainView) -> Result<(), String> {
    for (id, (old, p)) in before.iter().zip(&chain.pools).enumerate() {
        if p.status < *old || p.status > Status::Archived as u8 {
            return Err(format!("(13) pool {id}: status moved from {old} to {}", p.status));
        }
    }
    Ok(())
}

/// (14) No pool pays out more rewards than were deposited, and each lender's rewards are its
/// pro-rata share of the deposits: at most `floor(totalRewards × commit / totalCommitted)`, except
/// one lender (the last paid in full) who may also hold the rounding remainder.
///
/// Forge: `CounterpartyPoolInvariants.invariant_rewardsAreProRataAndNeverExceedDeposits`.
pub fn rewards_are_pro_rata_and_never_exceed_deposits(chain: &ChainView) -> Result<(), String> {
    for (id, p) in chain.pools.iter().enumerate() {
        if p.rewards_paid_out > p.total_rewards {
            return Err(format!("(14) pool {id}: paid {} of {} deposited", p.rewards_paid_out, p.total_rewards));
        }
        let lenders: Vec<(U256, U256)> =
            chain.commits.iter().filter(|((pool, _), _)| *pool == id).map(|(_, c)| *c).collect();
        let shares: Vec<U256> =
            lenders.iter().map(|(a, _)| model::pro_rata(p.total_rewards, *a, p.total_committed)).collect();
        let remainder = p.total_rewards - shares.iter().copied().sum::<U256>();
        let claimed: U256 = lenders.iter().map(|(_, c)| *c).sum();
        if claimed != p.rewards_paid_out {
            return Err(format!("(14) pool {id}: Σ claimed {claimed} != rewardsPaidOut {}", p.rewards_paid_out));
        }
        let mut above = 0;
        for ((_, c), share) in lenders.iter().zip(&shares) {
            if c > share {
                above += 1;
                if *c > *share + remainder {
                    return Err(format!("(14) pool {id}: a lender holds {c}, share {share} + remainder {remainder}"));
                }
            }
        }
        if above > 1 {
            return Err(format!("(14) pool {id}: {above} lenders hold more than their pro-rata share"));
        }
    }
    Ok(())
}

/// (15) Fees held plus fees withdrawn equal 200 USDC per pool created plus `ceil(2 %)` of each
/// collected pool's commits, exactly (nothing in the admin variant). Not checkable once
/// `adminWithdrawAll` took the fees with everything else.
///
/// Forge: `CounterpartyPoolInvariants.invariant_feesAreCreationPlusCollectFees`.
pub fn fees_are_creation_plus_collect_fees(chain: &ChainView, m: &CounterpartyModel) -> Result<(), String> {
    if m.ghosts.drained {
        return Ok(());
    }
    let mut expected = U256::ZERO;
    if m.variant == Variant::Default {
        expected += U256::from(POOL_CREATION_FEE) * U256::from(chain.pools.len());
        for (id, p) in chain.pools.iter().enumerate() {
            if m.pools.get(id).is_some_and(|mp| mp.collected) {
                expected += model::collect_fee(m.variant, p.total_committed);
            }
        }
    }
    let actual = chain.fees_collected + m.ghosts.fees_withdrawn;
    if actual != expected {
        return Err(format!("(15) fees held + withdrawn {actual} != creation + collect fees {expected}"));
    }
    Ok(())
}

/// (16) No stranded tokens: the contract holds exactly the fees, the commits of CREATED pools and
/// the unpaid rewards of ACTIVE and CLOSED pools in USDC (at most that after `adminWithdrawAll`),
/// exactly the collateral of CREATED and ACTIVE pools plus what defaulted pools have not handed
/// out yet, and ARCHIVED pools owe nothing.
///
/// Forge: `CounterpartyPoolInvariants.invariant_noStrandedTokens`.
pub fn no_stranded_tokens(chain: &ChainView, m: &CounterpartyModel) -> Result<(), String> {
    let mut usdc_owed = chain.fees_collected;
    let mut collateral_owed: HashMap<(Token, U256), U256> = HashMap::new();
    for (id, p) in chain.pools.iter().enumerate() {
        match p.status {
            0 => usdc_owed += p.total_committed,
            1 | 2 => usdc_owed += p.total_rewards - p.rewards_paid_out,
            _ => {
                if p.rewards_paid_out != p.total_rewards {
                    return Err(format!("(16) archived pool {id} has unpaid rewards"));
                }
            }
        }
        let Some(mp) = m.pools.get(id) else { continue };
        for item in &mp.collateral {
            let held = match p.status {
                0 | 1 => item.amount,
                2 if p.defaulted => item.amount - item.released,
                _ => U256::ZERO,
            };
            let id_ = if item.kind == Kind::Erc20 { U256::ZERO } else { item.id };
            *collateral_owed.entry((item.token, id_)).or_default() += held;
        }
    }
    let usdc_held = chain.balance(Token::Usdc, U256::ZERO, Holder::Pool);
    let usdc_ok = if m.ghosts.drained { usdc_held <= usdc_owed } else { usdc_held == usdc_owed };
    if !usdc_ok {
        return Err(format!("(16) pool holds {usdc_held} USDC, owes {usdc_owed}"));
    }
    for ((token, id), owed) in &collateral_owed {
        let held = chain.balance(*token, *id, Holder::Pool);
        if held != *owed {
            return Err(format!("(16) pool holds {held} of {token:?} id {id}, owes {owed}"));
        }
    }
    for ((token, id, holder), held) in &chain.balances {
        if *holder == Holder::Pool
            && *token != Token::Usdc
            && !held.is_zero()
            && !collateral_owed.contains_key(&(*token, *id))
        {
            return Err(format!("(16) pool holds {held} of {token:?} id {id} that no pool owes"));
        }
    }
    Ok(())
}

/// Nothing is created or lost: every holder together holds every unit of every token minted.
///
/// Forge: `CounterpartyPoolInvariants.invariant_tokensAreConserved`.
pub fn tokens_are_conserved(chain: &ChainView, m: &CounterpartyModel) -> Result<(), String> {
    let mut held: HashMap<(Token, U256), U256> = HashMap::new();
    for ((token, id, _), amount) in &chain.balances {
        *held.entry((*token, *id)).or_default() += *amount;
    }
    for (key, minted) in &m.ghosts.minted {
        let h = held.get(key).copied().unwrap_or_default();
        if h != *minted {
            return Err(format!("conservation: {:?} id {} held {h}, minted {minted}", key.0, key.1));
        }
    }
    Ok(())
}

/// Every invariant above, in order; the first failure.
pub fn check_all(before: &[u8], chain: &ChainView, m: &CounterpartyModel) -> Result<u64, String> {
    commits_add_up_to_total_committed_within_hard_cap(chain)?;
    status_only_moves_forward(before, chain)?;
    rewards_are_pro_rata_and_never_exceed_deposits(chain)?;
    fees_are_creation_plus_collect_fees(chain, m)?;
    no_stranded_tokens(chain, m)?;
    tokens_are_conserved(chain, m)?;
    Ok(6)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::counterparty::{Call, CollateralSpec};

    /// Builds the chain view the model implies: every invariant must hold on it.
    fn view_of(m: &CounterpartyModel) -> ChainView {
        let pools = m
            .pools
            .iter()
            .map(|p| PoolView {
                soft_cap: p.soft_cap,
                hard_cap: p.hard_cap,
                total_committed: p.total_committed,
                total_rewards: p.total_rewards,
                rewards_paid_out: p.rewards_paid_out,
                paid_in_full_commits: p.paid_in_full_commits,
                created_at: p.created_at,
                deadline: p.deadline,
                closed_time: p.closed_time,
                minimum_apr: p.minimum_apr,
                status: p.status as u8,
                repayment_date: p.repayment_date,
                defaulted: p.defaulted,
            })
            .collect();
        let commits = m.commits.iter().map(|(k, c)| (*k, (c.amount, c.claimed_amount))).collect();
        let mut balances = m.balances.clone();
        for (id, owner) in &m.nft_owner {
            balances.insert((Token::Nft, *id, *owner), U256::from(1u8));
        }
        ChainView { pools, commits, fees_collected: m.fees_collected, balances }
    }

    #[test]
    fn a_modelled_lifecycle_keeps_every_invariant_and_a_skewed_one_breaks_them() {
        let usdc = |x: u64| U256::from(x) * U256::from(1_000_000u64);
        let mut m = CounterpartyModel::new(Variant::Default, 1_000);
        for h in [Holder::User(0), Holder::User(1), Holder::User(2)] {
            m.mint(Token::Usdc, U256::ZERO, h, usdc(100_000));
            m.mint(Token::Erc20(0), U256::ZERO, h, usdc(100_000));
        }
        let item = CollateralSpec { token: Some(Token::Erc20(0)), amount: usdc(7), id: U256::ZERO };
        let owner = Holder::User(0);
        let calls = [
            Call::CreatePool {
                caller: owner,
                soft_cap: usdc(10),
                hard_cap: usdc(100),
                deadline: 2_000,
                minimum_apr: 3_000_000,
                collateral: vec![item],
            },
            Call::Commit { caller: Holder::User(1), pool: 0, amount: usdc(33) },
            Call::Commit { caller: Holder::User(2), pool: 0, amount: usdc(34) },
        ];
        let mut before = vec![];
        for c in &calls {
            m.call(c).unwrap();
            let v = view_of(&m);
            check_all(&before, &v, &m).unwrap();
            before = v.pools.iter().map(|p| p.status).collect();
        }
        m.warp(1_000);
        m.call(&Call::Collect { caller: owner, pool: 0 }).unwrap();
        m.call(&Call::DepositRewards { caller: owner, pool: 0, amount: usdc(70) }).unwrap();
        m.call(&Call::Claim { caller: Holder::User(1), pool: 0 }).unwrap();
        let v = view_of(&m);
        check_all(&before, &v, &m).unwrap();
        // Skews: paid above share, status backwards, a fee short.
        let mut bad = v.clone();
        bad.commits.insert((0, Holder::User(1)), (usdc(33), usdc(40)));
        assert!(rewards_are_pro_rata_and_never_exceed_deposits(&bad).is_err());
        assert!(status_only_moves_forward(&[2], &v).is_err());
        let mut bad = v.clone();
        bad.fees_collected -= U256::from(1u8);
        assert!(fees_are_creation_plus_collect_fees(&bad, &m).is_err());
        assert!(no_stranded_tokens(&bad, &m).is_err());
    }
}

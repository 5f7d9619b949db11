//! The checks every write makes before it builds its calls, so that a request the chain would
//! refuse is refused first in words (`cannot lend 5 USDC to collateral pool 0: the pool's
//! minimum is 10 USDC`). They mirror the contracts' own checks in the contracts' order; the
//! chain stays the judge: when the state moves between check and mining, its custom error comes
//! back decoded ([`crate::Reverted`]).

use alloy::primitives::{Address, FixedBytes, U256};
use eyre::Result;

use crate::{
    Client, CollateralPoolInfo, CounterpartyPoolInfo, Variant,
    errors::InWords,
    refusal::{RefusalKind, refuse},
};

/// `ids 0–4`, or `none` for an empty list: what exists, for not-found messages.
pub(crate) fn id_range(count: u64) -> String {
    match count {
        0 => "none".into(),
        1 => "id 0".into(),
        n => format!("ids 0–{}", n - 1),
    }
}

impl Client {
    /// Refuses an action of the sender that their balance of `token` cannot pay for.
    pub(crate) async fn require_balance(&self, action: &str, token: Address, amount: U256) -> Result<()> {
        let from = self.sender()?;
        let balance = self.balance_of(token, from).await?;
        if balance < amount {
            let units = self.token_units(token).await?;
            return refuse(
                RefusalKind::Balance,
                action,
                format!("{} has {} and this needs {}", self.name(from), units.format(balance), units.format(amount)),
            );
        }
        Ok(())
    }

    /// Refuses actions the paused collateral pool would refuse.
    pub(crate) async fn refuse_if_collateral_paused(&self, action: &str) -> Result<()> {
        if self.collateral_pool().paused().call().await.in_words()? {
            return refuse(RefusalKind::Paused, action, "the collateral pool is paused");
        }
        Ok(())
    }

    /// The collateral pool `pool_id`, refusing an id that does not exist.
    pub(crate) async fn existing_collateral_pool(&self, action: &str, pool_id: u64) -> Result<CollateralPoolInfo> {
        let count = self.collateral_pool_count().await?;
        if pool_id >= count {
            return refuse(
                RefusalKind::NotFound,
                action,
                format!("collateral pool {pool_id} does not exist (there are {count}: {})", id_range(count)),
            );
        }
        self.collateral_pool_info(pool_id).await
    }

    /// Principal and collateral of `user`'s borrow `borrow_id`, refusing an id that does not exist.
    pub(crate) async fn existing_borrow(
        &self,
        action: &str,
        pool_id: u64,
        user: Address,
        borrow_id: u64,
    ) -> Result<(U256, U256)> {
        let pool = self.collateral_pool();
        let id = U256::from(pool_id);
        let count: u64 = pool.borrowsLength(id, user).call().await.in_words()?.try_into()?;
        if borrow_id >= count {
            return refuse(
                RefusalKind::NotFound,
                action,
                format!(
                    "{} has no borrow {borrow_id} in collateral pool {pool_id} ({count} borrows: {})",
                    self.name(user),
                    id_range(count)
                ),
            );
        }
        let b = pool.borrows(id, user, U256::from(borrow_id)).call().await.in_words()?;
        Ok((b.usdcAmount, b.collateralTokenAmount))
    }

    /// Principal of `user`'s lend position `lend_id`, refusing an id that does not exist.
    pub(crate) async fn existing_lend(&self, action: &str, pool_id: u64, user: Address, lend_id: u64) -> Result<U256> {
        let pool = self.collateral_pool();
        let id = U256::from(pool_id);
        let count: u64 = pool.lendingsLength(id, user).call().await.in_words()?.try_into()?;
        if lend_id >= count {
            return refuse(
                RefusalKind::NotFound,
                action,
                format!(
                    "{} has no lend position {lend_id} in collateral pool {pool_id} ({count} positions: {})",
                    self.name(user),
                    id_range(count)
                ),
            );
        }
        Ok(pool.lendings(id, user, U256::from(lend_id)).call().await.in_words()?.usdcAmount)
    }

    /// Refuses actions the paused counterparty contract would refuse.
    pub(crate) async fn refuse_if_counterparty_paused(&self, action: &str, variant: Variant) -> Result<()> {
        if self.counterparty(variant).paused().call().await.in_words()? {
            return refuse(RefusalKind::Paused, action, format!("the {variant} contract is paused"));
        }
        Ok(())
    }

    /// The counterparty pool `pool_id`, refusing an id that does not exist.
    pub(crate) async fn existing_counterparty_pool(
        &self,
        action: &str,
        variant: Variant,
        pool_id: u64,
    ) -> Result<CounterpartyPoolInfo> {
        let count = self.counterparty_pool_count(variant).await?;
        if pool_id >= count {
            return refuse(
                RefusalKind::NotFound,
                action,
                format!("{variant} pool {pool_id} does not exist (there are {count}: {})", id_range(count)),
            );
        }
        self.counterparty_pool_info(variant, pool_id).await
    }

    /// Whether `who` holds the admin role (`DEFAULT_ADMIN_ROLE`) of a counterparty contract.
    pub(crate) async fn is_counterparty_admin(&self, variant: Variant, who: Address) -> Result<bool> {
        self.counterparty(variant).hasRole(FixedBytes::ZERO, who).call().await.in_words()
    }

    /// Refuses a sender who is not the pool's borrower: its owner in the default variant, the
    /// admin in the admin variant.
    pub(crate) async fn require_borrower(&self, action: &str, pool: &CounterpartyPoolInfo) -> Result<()> {
        let from = self.sender()?;
        match pool.variant {
            Variant::Default if from != pool.owner => {
                refuse(RefusalKind::Role, action, format!("only its owner {} can do this", self.name(pool.owner)))
            }
            Variant::Admin if !self.is_counterparty_admin(Variant::Admin, from).await? => refuse(
                RefusalKind::Role,
                action,
                format!("only the admin can do this, and {} lacks the admin role", self.name(from)),
            ),
            _ => Ok(()),
        }
    }

    /// Refuses a pool whose status is not one of `allowed`.
    pub(crate) fn require_status(action: &str, pool: &CounterpartyPoolInfo, allowed: &[&str]) -> Result<()> {
        if allowed.contains(&pool.status) {
            return Ok(());
        }
        refuse(
            RefusalKind::Status,
            action,
            format!("it is {}, and this needs it {}", pool.status, allowed.join(" or ")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_ids_that_exist() {
        assert_eq!(id_range(0), "none");
        assert_eq!(id_range(1), "id 0");
        assert_eq!(id_range(3), "ids 0–2");
    }
}

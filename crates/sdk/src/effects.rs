//! Events in words and human units: what a transaction did.

use alloy::{primitives::U256, rpc::types::Log, sol_types::SolEventInterface};
use bindings::{
    counterparty_pool::CounterpartyPool::CounterpartyPoolEvents as Cp,
    erc20_collateral_pool::ERC20CollateralPool::ERC20CollateralPoolEvents as Cl,
};
use eyre::Result;

use crate::{Client, TokenUnits};

/// One pool event in words; `None` for events that are not the pools' (token transfers, feeds).
pub(crate) async fn describe_log(client: &Client, log: &Log) -> Result<Option<String>> {
    let d = client.deployment();
    let usdc = client.usdc_units().await?;
    let u = |amount: U256| usdc.format(amount);
    let address = log.address();
    if address == d.collateral_pool.proxy {
        let Ok(event) = Cl::decode_log(&log.inner) else { return Ok(None) };
        let collateral = |pool_id: U256| async move { collateral_units(client, pool_id).await };
        let n = |a| client.name(a);
        return Ok(Some(match event.data {
            Cl::newLend(e) => {
                format!("{} lent {} to pool {} (lend position {})", n(e.user), u(e.amount), e.poolId, e.lendId)
            }
            Cl::newBorrow(e) => format!(
                "{} borrowed {} from pool {} against {} (borrow position {})",
                n(e.user),
                u(e.amount),
                e.poolId,
                collateral(e.poolId).await?.format(e.collateralTokenAmount),
                e.borrowId
            ),
            Cl::Repaid(e) => format!(
                "{} repaid {} + {} interest of borrow {} in pool {} and got back {}",
                n(e.user),
                u(e.amount),
                u(e.interestAmount),
                e.borrowId,
                e.poolId,
                collateral(e.poolId).await?.format(e.collateralTokenAmount)
            ),
            Cl::RewardsClaimed(e) => format!(
                "{} claimed {} + {} rewards from lend position {} in pool {}",
                n(e.user),
                u(e.amount),
                u(e.interestAmount),
                e.lendId,
                e.poolId
            ),
            Cl::AddedCollateral(e) => {
                format!("{} added {} to borrow {}", n(e.user), collateral(e.poolId).await?.format(e.amount), e.borrowId)
            }
            Cl::RemovedCollateral(e) => {
                format!(
                    "{} withdrew {} from borrow {}",
                    n(e.user),
                    collateral(e.poolId).await?.format(e.amount),
                    e.borrowId
                )
            }
            Cl::UserPositionLiquidated(e) => format!(
                "{} liquidated {} + {} interest of {}'s borrow {} in pool {}",
                n(e.liquidator),
                u(e.amount),
                u(e.interestAmount),
                n(e.user),
                e.borrowId,
                e.poolId
            ),
            Cl::LiquidationCollateralSeized(e) => {
                let units = collateral(e.poolId).await?;
                if e.protocolFee.is_zero() {
                    format!("{} received {} of collateral", n(e.liquidator), units.format(e.seized))
                } else {
                    format!(
                        "{} received {} of collateral (protocol fee {})",
                        n(e.liquidator),
                        units.format(e.seized),
                        units.format(e.protocolFee)
                    )
                }
            }
            Cl::UsdcFeesCollected(e) => format!("the protocol earned {} of fees in pool {}", u(e.amount), e.poolId),
            Cl::PoolAdded(e) => format!("pool {} was created", e.poolId),
            _ => return Ok(None),
        }));
    }
    if address == d.counterparty_pool.proxy || address == d.admin_counterparty_pool.proxy {
        let Ok(event) = Cp::decode_log(&log.inner) else { return Ok(None) };
        let n = |a| client.name(a);
        return Ok(Some(match event.data {
            Cp::PoolCreated(e) => format!("{} created pool {}", n(e.poolOwner), e.poolId),
            Cp::CommittedToPool(e) => format!("{} committed {} to pool {}", n(e.wallet), u(e.amount), e.poolId),
            Cp::UncommittedFromPool(e) => format!("{} took back {} from pool {}", n(e.wallet), u(e.amount), e.poolId),
            Cp::PoolCollected(e) => format!("{} collected {} from pool {}", n(e.poolOwner), u(e.amount), e.poolId),
            Cp::RewardsDeposited(e) => {
                format!("{} deposited {} of rewards to pool {}", n(e.poolOwner), u(e.amount), e.poolId)
            }
            Cp::RewardsClaimed(e) => {
                format!("{} received {} of rewards from pool {}", n(e.wallet), u(e.amount), e.poolId)
            }
            Cp::PoolClosed(e) => format!("pool {} closed; its collateral went back to {}", e.poolId, n(e.poolOwner)),
            Cp::PoolArchived(e) => format!("pool {} was archived", e.poolId),
            Cp::PoolDefaulted(e) => format!("pool {} defaulted (declared by {})", e.poolId, n(e.by)),
            Cp::DefaultCollateralClaimed(e) => {
                let units =
                    client.token_units(e.token).await.unwrap_or(TokenUnits { symbol: "tokens".into(), decimals: 0 });
                format!("{} received {} of pool {}'s collateral", n(e.wallet), units.format(e.amount), e.poolId)
            }
            _ => return Ok(None),
        }));
    }
    Ok(None)
}

async fn collateral_units(client: &Client, pool_id: U256) -> Result<TokenUnits> {
    let id: u64 = pool_id.try_into()?;
    Ok(client.collateral_pool_info(id).await?.collateral)
}

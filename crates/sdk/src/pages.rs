//! Paginated reads of the pool lists, as the published API serves them: `offset`/`limit` in,
//! `{data, more}` out.

use serde::{Deserialize, Serialize};

use crate::{
    Client, CollateralPoolInfo, CounterpartyPoolInfo, Variant,
    errors::InWords,
    refusal::{RefusalKind, refuse},
};

/// Largest `limit` a page read accepts: every item costs a few RPC reads.
pub const MAX_PAGE_LIMIT: u64 = 100;

/// One page of a list: up to `limit` items from `offset`, and whether more follow.
///
/// ```
/// let page = pools_sdk::Page { data: vec![1, 2], more: true };
/// assert_eq!(serde_json::to_string(&page).unwrap(), r#"{"data":[1,2],"more":true}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page, in id order.
    pub data: Vec<T>,
    /// Whether items follow this page.
    pub more: bool,
}

/// The ids `offset..offset + limit` that exist among `count`, and whether more follow; refuses
/// a limit of 0 or above [`MAX_PAGE_LIMIT`].
fn page_ids(what: &str, count: u64, offset: u64, limit: u64) -> eyre::Result<(std::ops::Range<u64>, bool)> {
    if limit == 0 || limit > MAX_PAGE_LIMIT {
        return refuse(
            RefusalKind::Input,
            &format!("list {what}"),
            format!("the limit must be between 1 and {MAX_PAGE_LIMIT}, not {limit}"),
        );
    }
    let start = offset.min(count);
    let end = offset.saturating_add(limit).min(count);
    Ok((start..end, end < count))
}

impl Client {
    /// How many pools the collateral pool has (ids `0..count`).
    pub async fn collateral_pool_count(&self) -> eyre::Result<u64> {
        let count = self.collateral_pool().poolsLength().call().await.in_words()?;
        Ok(count.try_into()?)
    }

    /// How many pools a counterparty variant has (ids `0..count`).
    pub async fn counterparty_pool_count(&self, variant: Variant) -> eyre::Result<u64> {
        let count = self.counterparty(variant).poolIndex().call().await.in_words()?;
        Ok(count.try_into()?)
    }

    /// Collateral pools `offset..offset + limit` (limit 1 to [`MAX_PAGE_LIMIT`]); an offset past
    /// the end gives an empty page.
    ///
    /// ```no_run
    /// # async fn example(client: pools_sdk::Client) -> eyre::Result<()> {
    /// let page = client.collateral_pools_page(0, 20).await?;
    /// println!("{} pools{}", page.data.len(), if page.more { ", more follow" } else { "" });
    /// # Ok(()) }
    /// ```
    pub async fn collateral_pools_page(&self, offset: u64, limit: u64) -> eyre::Result<Page<CollateralPoolInfo>> {
        let (ids, more) = page_ids("collateral pools", self.collateral_pool_count().await?, offset, limit)?;
        let mut data = Vec::with_capacity(ids.clone().count());
        for id in ids {
            data.push(self.collateral_pool_info(id).await?);
        }
        Ok(Page { data, more })
    }

    /// Pools `offset..offset + limit` of a counterparty variant (limit 1 to
    /// [`MAX_PAGE_LIMIT`]); an offset past the end gives an empty page.
    pub async fn counterparty_pools_page(
        &self,
        variant: Variant,
        offset: u64,
        limit: u64,
    ) -> eyre::Result<Page<CounterpartyPoolInfo>> {
        let what = format!("{variant} pools");
        let (ids, more) = page_ids(&what, self.counterparty_pool_count(variant).await?, offset, limit)?;
        let mut data = Vec::with_capacity(ids.clone().count());
        for id in ids {
            data.push(self.counterparty_pool_info(variant, id).await?);
        }
        Ok(Page { data, more })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_list_once() {
        assert_eq!(page_ids("x", 5, 0, 2).unwrap(), (0..2, true));
        assert_eq!(page_ids("x", 5, 4, 2).unwrap(), (4..5, false));
        assert_eq!(page_ids("x", 5, 3, 2).unwrap(), (3..5, false));
        assert_eq!(page_ids("x", 5, 9, 2).unwrap(), (5..5, false));
        assert_eq!(page_ids("x", 5, u64::MAX, 100).unwrap(), (5..5, false));
        let error = page_ids("x", 5, 0, 101).unwrap_err().to_string();
        assert_eq!(error, "cannot list x: the limit must be between 1 and 100, not 101");
        assert!(page_ids("x", 5, 0, 0).is_err());
    }
}

//! GraphQL: the same operations under the published names (`v2GetTotalCollateralLocked`, …),
//! reads as queries, writes as mutations, the change feed as a subscription. Errors carry the
//! REST code in `extensions.code`; GraphQL adds the path itself.

use async_graphql::{Context, ErrorExtensions, Object, Schema, Subscription};
use futures_util::Stream;
use pools_auth::{Claims, Role};

use crate::{
    error::ApiError,
    ops::{
        Transactions,
        collateral::{self as v2, *},
        counterparty::{
            self as v1, Action, ActionInput, CommitPage, CommitsInput, CounterpartyPool, CounterpartyPoolPage,
            CreatePoolInput, PoolInput, RelayInput, Relayed, TotalPools, TotalPoolsInput,
        },
        meta::{self, *},
    },
    state::AppState,
    stream::{ChangeView, changes},
};

/// The schema served at `/graphql`.
pub type PoolsSchema = Schema<Query, Mutation, Subscriptions>;

/// The raw `Authorization` header of the request, for the resolvers' role checks.
#[derive(Clone, Debug, Default)]
pub struct Authorization(pub Option<String>);

/// Depth and complexity bounds: a query cannot ask the server for unbounded work.
pub const MAX_DEPTH: usize = 10;
/// See [`MAX_DEPTH`].
pub const MAX_COMPLEXITY: usize = 1_000;

/// Builds the schema over `state`.
pub fn schema(state: Option<AppState>) -> PoolsSchema {
    let builder = Schema::build(Query, Mutation, Subscriptions).limit_depth(MAX_DEPTH).limit_complexity(MAX_COMPLEXITY);
    match state {
        Some(state) => builder.data(state).finish(),
        None => builder.finish(),
    }
}

/// The schema in SDL, as committed.
pub fn sdl() -> String {
    schema(None).sdl()
}

fn guard(ctx: &Context<'_>, role: Role) -> async_graphql::Result<(AppState, Claims)> {
    let state = ctx.data::<AppState>()?.clone();
    let header = ctx.data_opt::<Authorization>().and_then(|a| a.0.clone());
    let claims = state.require(header.as_deref(), role).map_err(gql)?;
    Ok((state, claims))
}

fn gql(e: ApiError) -> async_graphql::Error {
    let code = e.code;
    async_graphql::Error::new(e.message).extend_with(|_, ext| ext.set("code", code))
}

/// Reads.
pub struct Query;

#[Object]
impl Query {
    /// Chains, contracts and service settings.
    async fn get_config(&self, ctx: &Context<'_>) -> async_graphql::Result<Config> {
        let (s, c) = guard(ctx, Role::Guest)?;
        meta::config(&s, &c, Empty::default()).await.map_err(gql)
    }

    /// Indexed events, newest first.
    async fn v1_get_events(&self, ctx: &Context<'_>, input: Option<EventsInput>) -> async_graphql::Result<EventPage> {
        let (s, c) = guard(ctx, Role::Guest)?;
        meta::events(&s, &c, input.unwrap_or_default()).await.map_err(gql)
    }

    /// A stored file by CID.
    async fn v1_ipfs_get_file(&self, ctx: &Context<'_>, input: GetFileInput) -> async_graphql::Result<File> {
        let (s, c) = guard(ctx, Role::Guest)?;
        meta::get_file(&s, &c, input).await.map_err(gql)
    }

    /// Collateral locked per network.
    async fn v2_get_total_collateral_locked(
        &self,
        ctx: &Context<'_>,
        input: Option<NetworkInput>,
    ) -> async_graphql::Result<TotalCollateralLocked> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v2::total_collateral_locked(&s, &c, input.unwrap_or_default()).await.map_err(gql)
    }

    /// Daily balances.
    async fn v2_get_historical_balance(
        &self,
        ctx: &Context<'_>,
        input: HistoricalBalanceInput,
    ) -> async_graphql::Result<DailyBalancePage> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v2::historical_balance(&s, &c, input).await.map_err(gql)
    }

    /// Collateral pools.
    async fn v2_get_pools(
        &self,
        ctx: &Context<'_>,
        input: Option<v2::CollateralPoolsInput>,
    ) -> async_graphql::Result<CollateralPoolPage> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v2::pools(&s, &c, input.unwrap_or_default()).await.map_err(gql)
    }

    /// A user's positions.
    async fn v2_get_positions(&self, ctx: &Context<'_>, input: PositionsInput) -> async_graphql::Result<PositionPage> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v2::positions(&s, &c, input).await.map_err(gql)
    }

    /// Protocol fees withdrawable now (admin).
    async fn v2_admin_get_withdrawable_fees(
        &self,
        ctx: &Context<'_>,
        input: Option<NetworkInput>,
    ) -> async_graphql::Result<WithdrawableFeesList> {
        let (s, c) = guard(ctx, Role::Admin)?;
        v2::withdrawable_fees(&s, &c, input.unwrap_or_default()).await.map_err(gql)
    }

    /// Rewards of a user's open lend positions.
    async fn v2_supplies_rewards_calculate(
        &self,
        ctx: &Context<'_>,
        input: RewardsInput,
    ) -> async_graphql::Result<RewardPage> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v2::supply_rewards(&s, &c, input).await.map_err(gql)
    }

    /// Reward of one lend position.
    async fn v2_supplies_reward_calculate(
        &self,
        ctx: &Context<'_>,
        input: PositionInput,
    ) -> async_graphql::Result<Reward> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v2::supply_reward(&s, &c, input).await.map_err(gql)
    }

    /// Collateral needed to borrow an amount.
    async fn v2_borrows_collateral_token_amount_calculate(
        &self,
        ctx: &Context<'_>,
        input: CollateralAmountInput,
    ) -> async_graphql::Result<CollateralAmount> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v2::collateral_token_amount(&s, &c, input).await.map_err(gql)
    }

    /// Interest to repay a loan.
    async fn v2_borrows_repay_interest_calculate(
        &self,
        ctx: &Context<'_>,
        input: PositionInput,
    ) -> async_graphql::Result<v2::RepayInterest> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v2::repay_interest(&s, &c, input).await.map_err(gql)
    }

    /// Collateral a loan can release or lacks.
    async fn v2_borrows_collateral_adjustment_calculate(
        &self,
        ctx: &Context<'_>,
        input: CollateralAdjustmentInput,
    ) -> async_graphql::Result<CollateralAdjustment> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v2::collateral_adjustment(&s, &c, input).await.map_err(gql)
    }

    /// What liquidating a loan costs and gives.
    async fn v2_borrows_liquidation_stats_calculate(
        &self,
        ctx: &Context<'_>,
        input: PositionInput,
    ) -> async_graphql::Result<LiquidationStats> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v2::liquidation_stats(&s, &c, input).await.map_err(gql)
    }

    /// One counterparty pool.
    async fn v1_get_pool(&self, ctx: &Context<'_>, input: PoolInput) -> async_graphql::Result<CounterpartyPool> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v1::pool(&s, &c, input).await.map_err(gql)
    }

    /// Counterparty pools.
    async fn v1_get_pools(
        &self,
        ctx: &Context<'_>,
        input: Option<v1::CounterpartyPoolsInput>,
    ) -> async_graphql::Result<CounterpartyPoolPage> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v1::pools(&s, &c, input.unwrap_or_default()).await.map_err(gql)
    }

    /// Counterparty pool counts.
    async fn v1_get_total_pools(
        &self,
        ctx: &Context<'_>,
        input: Option<TotalPoolsInput>,
    ) -> async_graphql::Result<TotalPools> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v1::total_pools(&s, &c, input.unwrap_or_default()).await.map_err(gql)
    }

    /// A lender's commits.
    async fn v1_get_commits(&self, ctx: &Context<'_>, input: CommitsInput) -> async_graphql::Result<CommitPage> {
        let (s, c) = guard(ctx, Role::Guest)?;
        v1::commits(&s, &c, input).await.map_err(gql)
    }
}

/// Writes: sign-in, metadata, uploads, unsigned transactions, relays.
pub struct Mutation;

#[Object]
impl Mutation {
    /// A single-use sign-in nonce.
    async fn v1_auth_nonce(&self, ctx: &Context<'_>) -> async_graphql::Result<Nonce> {
        let (s, c) = guard(ctx, Role::Guest)?;
        meta::nonce(&s, &c, Empty::default()).await.map_err(gql)
    }

    /// Sign in with Ethereum.
    async fn v1_auth_login(&self, ctx: &Context<'_>, input: LoginInput) -> async_graphql::Result<Session> {
        let (s, c) = guard(ctx, Role::Guest)?;
        meta::login(&s, &c, input).await.map_err(gql)
    }

    /// A new session for a refresh token.
    async fn v1_restore_session(&self, ctx: &Context<'_>, input: RefreshInput) -> async_graphql::Result<Session> {
        let (s, c) = guard(ctx, Role::Guest)?;
        meta::restore_session(&s, &c, input).await.map_err(gql)
    }

    /// End the session.
    async fn v1_auth_logout(&self, ctx: &Context<'_>, input: RefreshInput) -> async_graphql::Result<Done> {
        let (s, c) = guard(ctx, Role::Guest)?;
        meta::logout(&s, &c, input).await.map_err(gql)
    }

    /// Store a file (base64).
    async fn v1_ipfs_upload_file(&self, ctx: &Context<'_>, input: UploadInput) -> async_graphql::Result<Uploaded> {
        let (s, c) = guard(ctx, Role::User)?;
        meta::upload_file(&s, &c, input).await.map_err(gql)
    }

    /// Set a collateral pool's metadata (admin).
    async fn v2_update_pool_metadata(
        &self,
        ctx: &Context<'_>,
        input: v2::CollateralPoolMetadataInput,
    ) -> async_graphql::Result<MetadataStored> {
        let (s, c) = guard(ctx, Role::Admin)?;
        v2::update_pool_metadata(&s, &c, input).await.map_err(gql)
    }

    /// Set a token's metadata (admin).
    async fn v2_update_token_metadata(
        &self,
        ctx: &Context<'_>,
        input: TokenMetadataInput,
    ) -> async_graphql::Result<MetadataStored> {
        let (s, c) = guard(ctx, Role::Admin)?;
        v2::update_token_metadata(&s, &c, input).await.map_err(gql)
    }

    /// Set a counterparty pool's metadata (owner or admin).
    async fn v1_update_pool_metadata(
        &self,
        ctx: &Context<'_>,
        input: v1::CounterpartyPoolMetadataInput,
    ) -> async_graphql::Result<MetadataStored> {
        let (s, c) = guard(ctx, Role::User)?;
        v1::update_metadata(&s, &c, input).await.map_err(gql)
    }

    /// Unsigned transactions creating a counterparty pool.
    async fn v1_create_pool(&self, ctx: &Context<'_>, input: CreatePoolInput) -> async_graphql::Result<Transactions> {
        let (s, c) = guard(ctx, Role::User)?;
        v1::create(&s, &c, input).await.map_err(gql)
    }

    /// Unsigned transactions committing USDC.
    async fn v1_commit_to_pool(&self, ctx: &Context<'_>, input: ActionInput) -> async_graphql::Result<Transactions> {
        act(ctx, Action::Commit, input).await
    }

    /// Unsigned transaction taking a commit back.
    async fn v1_uncommit_from_pool(
        &self,
        ctx: &Context<'_>,
        input: ActionInput,
    ) -> async_graphql::Result<Transactions> {
        act(ctx, Action::Uncommit, input).await
    }

    /// Unsigned transaction collecting the commits (owner).
    async fn v1_collect_pool(&self, ctx: &Context<'_>, input: ActionInput) -> async_graphql::Result<Transactions> {
        act(ctx, Action::Collect, input).await
    }

    /// Unsigned transactions depositing rewards (owner).
    async fn v1_deposit_rewards(&self, ctx: &Context<'_>, input: ActionInput) -> async_graphql::Result<Transactions> {
        act(ctx, Action::DepositRewards, input).await
    }

    /// Unsigned transaction closing a pool.
    async fn v1_close_pool(&self, ctx: &Context<'_>, input: ActionInput) -> async_graphql::Result<Transactions> {
        act(ctx, Action::Close, input).await
    }

    /// Unsigned transaction archiving a pool.
    async fn v1_archive_pool(&self, ctx: &Context<'_>, input: ActionInput) -> async_graphql::Result<Transactions> {
        act(ctx, Action::Archive, input).await
    }

    /// Unsigned transaction claiming rewards.
    async fn v1_claim_rewards(&self, ctx: &Context<'_>, input: ActionInput) -> async_graphql::Result<Transactions> {
        act(ctx, Action::Claim, input).await
    }

    /// Unsigned transaction approving USDC for a pool.
    async fn v1_approve_usdc(&self, ctx: &Context<'_>, input: ActionInput) -> async_graphql::Result<Transactions> {
        act(ctx, Action::Approve, input).await
    }

    /// Broadcast a transaction the user signed.
    async fn v1_relay_transaction(&self, ctx: &Context<'_>, input: RelayInput) -> async_graphql::Result<Relayed> {
        let (s, c) = guard(ctx, Role::User)?;
        v1::relay(&s, &c, input).await.map_err(gql)
    }
}

async fn act(ctx: &Context<'_>, action: Action, input: ActionInput) -> async_graphql::Result<Transactions> {
    let (s, c) = guard(ctx, Role::User)?;
    v1::action(&s, &c, action, input).await.map_err(gql)
}

/// The change feed.
pub struct Subscriptions;

#[Subscription]
impl Subscriptions {
    /// New events, derived-status changes and reorgs, as the indexer records them.
    async fn changes(&self, ctx: &Context<'_>) -> async_graphql::Result<impl Stream<Item = ChangeView> + use<>> {
        let (s, _) = guard(ctx, Role::Guest)?;
        Ok(changes(&s))
    }
}

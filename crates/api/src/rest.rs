//! REST: one table of routes, from which both the axum router and the OpenAPI document are
//! built, so a route cannot be served without being documented (or the reverse). Every route
//! takes a JSON body (`POST`; `/get-config` and `/health` also `GET`) and answers JSON; errors
//! have the published shape `{error, path, code}`.

use std::{convert::Infallible, future::Future, pin::Pin, time::Duration};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response, Sse, sse::Event as SseEvent},
    routing::{get, post},
};
use futures_util::{Stream, StreamExt};
use pools_auth::{Claims, Role};
use serde::{Serialize, de::DeserializeOwned};
use utoipa::{
    ToSchema,
    openapi::{
        ComponentsBuilder, ContentBuilder, HttpMethod, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref, RefOr,
        ResponseBuilder,
        path::{OperationBuilder, PathItem},
        request_body::RequestBodyBuilder,
        security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme},
    },
};

use crate::{
    error::{ApiError, ErrorBody},
    ops::{
        collateral as v2,
        counterparty::{self as v1, Action},
        meta,
    },
    state::AppState,
    stream::{ChangeView, changes},
};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The routes and their documentation, built together.
pub struct Routes {
    router: Router<AppState>,
    paths: PathsBuilder,
    components: ComponentsBuilder,
}

impl Routes {
    fn new() -> Self {
        let components = ComponentsBuilder::new().schema_from::<ErrorBody>().security_scheme(
            "bearer",
            SecurityScheme::Http(Http::builder().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        Self { router: Router::new(), paths: PathsBuilder::new(), components }
    }

    /// Adds `POST path` running `op` for callers with `role`, documented as `operation_id`.
    fn post<In, Out, F>(mut self, path: &'static str, operation_id: &str, summary: &str, role: Role, op: F) -> Self
    where
        In: DeserializeOwned + ToSchema + Send + 'static,
        Out: Serialize + ToSchema + Send + 'static,
        F: Fn(AppState, Claims, In) -> BoxFuture<Result<Out, ApiError>> + Clone + Send + Sync + 'static,
    {
        let handler = move |State(state): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>| {
            let op = op.clone();
            async move { run(state, headers, body, path, role, op).await }
        };
        self.router = self.router.route(path, post(handler));
        self.components = self.components.schema_from::<In>().schema_from::<Out>();
        let mut operation = OperationBuilder::new()
            .operation_id(Some(operation_id))
            .summary(Some(summary))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(Ref::from_schema_name(In::name()))).build(),
                    )
                    .required(Some(utoipa::openapi::Required::True))
                    .build(),
            ))
            .response("200", json_response("The answer", &Out::name()));
        for (status, meaning) in error_statuses(role) {
            operation = operation.response(status, json_response(meaning, "ErrorBody"));
        }
        if role != Role::Guest {
            operation = operation.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
        }
        self.paths = self.paths.path(path, PathItem::new(HttpMethod::Post, operation.build()));
        self
    }

    fn into_parts(self) -> (Router<AppState>, OpenApi) {
        let openapi = OpenApiBuilder::new()
            .info(
                InfoBuilder::new()
                    .title("defactor-pools-rs API")
                    .version(env!("CARGO_PKG_VERSION"))
                    .description(Some(
                        "Lending pools backend: the published operations (v1 counterparty pools, v2 collateral pools, auth, IPFS). \
                         Amounts are {raw, decimals, formatted}; errors are {error, path, code}.",
                    ))
                    .build(),
            )
            .paths(self.paths.build())
            .components(Some(self.components.build()))
            .build();
        (self.router, openapi)
    }
}

fn json_response(description: &str, schema: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name(schema))).build())
        .build()
        .into()
}

fn error_statuses(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut statuses = vec![
        ("400", "validation-failed (malformed input) or bad-request (refused by the pools' rules)"),
        ("404", "not-found"),
        ("413", "too-large"),
        ("500", "unexpected"),
    ];
    if role != Role::Guest {
        statuses.push(("401", "unauthorized: no, expired or invalid access token"));
        statuses.push(("403", "forbidden: the session lacks the role"));
    }
    statuses
}

async fn run<In, Out, F>(
    state: AppState,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
    path: &'static str,
    role: Role,
    op: F,
) -> Response
where
    In: DeserializeOwned,
    Out: Serialize,
    F: Fn(AppState, Claims, In) -> BoxFuture<Result<Out, ApiError>>,
{
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return ApiError::too_large(format!("the body is over {} bytes", state.config.max_body_bytes))
                .response(path);
        }
        Err(rejection) => return ApiError::bad_request(rejection.body_text()).response(path),
    };
    // The body's shape first, then the session, in the order GraphQL checks them (its input
    // types are validated before any resolver runs), so both answer a request alike.
    let input: In = match parse_body(&headers, &body) {
        Ok(input) => input,
        Err(e) => return e.response(path),
    };
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let claims = match state.require(authorization, role) {
        Ok(claims) => claims,
        Err(e) => return e.response(path),
    };
    match op(state, claims, input).await {
        Ok(out) => Json(out).into_response(),
        Err(e) => e.response(path),
    }
}

/// The JSON body (an empty one is `{}`); the raw bytes of `application/octet-stream` become
/// `{"file": base64}` (the upload route's second form).
fn parse_body<In: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<In, ApiError> {
    let octets =
        headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/octet-stream"));
    let parsed = if octets {
        use base64::Engine;
        serde_json::from_value(serde_json::json!({ "file": base64::engine::general_purpose::STANDARD.encode(body) }))
    } else if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::from_str("{}")
    } else {
        serde_json::from_slice(body)
    };
    parsed.map_err(|e| ApiError::validation(format!("invalid body: {e}")))
}

/// Wraps an operation `fn(&AppState, &Claims, In) -> Future` into the owned form routes store.
macro_rules! op {
    ($f:path) => {
        |s: AppState, c: Claims, i| -> BoxFuture<_> { Box::pin(async move { $f(&s, &c, i).await }) }
    };
    ($f:path, $action:expr) => {
        |s: AppState, c: Claims, i| -> BoxFuture<_> { Box::pin(async move { $f(&s, &c, $action, i).await }) }
    };
}

/// Every REST route of the published surface, with the role it needs.
pub fn routes() -> (Router<AppState>, OpenApi) {
    use Role::{Admin, Guest, User};
    let r = Routes::new()
        .post("/get-config", "getConfig", "Chains, contracts and service settings", Guest, op!(meta::config))
        .post(
            "/v1/auth/nonce",
            "v1AuthNonce",
            "A single-use nonce for a Sign-In with Ethereum message",
            Guest,
            op!(meta::nonce),
        )
        .post("/v1/login", "v1AuthLogin", "Sign in with an EIP-4361 message and its signature", Guest, op!(meta::login))
        .post(
            "/v1/restore-session",
            "v1RestoreSession",
            "Trade a refresh token for a new session (rotation)",
            Guest,
            op!(meta::restore_session),
        )
        .post(
            "/v1/auth/logout",
            "v1AuthLogout",
            "End the session: its refresh tokens are revoked",
            Guest,
            op!(meta::logout),
        )
        .post(
            "/v1/events",
            "v1GetEvents",
            "Indexed events, newest first, filtered, paginated",
            Guest,
            op!(meta::events),
        )
        .post(
            "/v1/ipfs/upload-file",
            "v1IpfsUploadFile",
            "Store a file (base64 JSON or raw bytes); returns its CID",
            User,
            op!(meta::upload_file),
        )
        .post(
            "/v1/ipfs/get-file",
            "v1IpfsGetFile",
            "A stored file by CID (v0 or v1), bytea or base64",
            Guest,
            op!(meta::get_file),
        )
        .post(
            "/v2/get-total-collateral-locked",
            "v2GetTotalCollateralLocked",
            "Collateral locked per network, valued at the pools' feeds",
            Guest,
            op!(v2::total_collateral_locked),
        )
        .post(
            "/v2/get-historical-balance",
            "v2GetHistoricalBalance",
            "Daily supplied, borrowed and available balances",
            Guest,
            op!(v2::historical_balance),
        )
        .post("/v2/get-pools", "v2GetPools", "Collateral pools, paginated", Guest, op!(v2::pools))
        .post(
            "/v2/get-positions",
            "v2GetPositions",
            "A user's lend and borrow positions, paginated",
            Guest,
            op!(v2::positions),
        )
        .post(
            "/v2/admin/get-withdrawable-fees",
            "v2AdminGetWithdrawableFees",
            "Protocol fees withdrawable now (admin)",
            Admin,
            op!(v2::withdrawable_fees),
        )
        .post(
            "/v2/pools/metadata/update",
            "v2UpdatePoolMetadata",
            "Set a collateral pool's metadata document (admin)",
            Admin,
            op!(v2::update_pool_metadata),
        )
        .post(
            "/v2/tokens/metadata/update",
            "v2UpdateTokenMetadata",
            "Set a token's metadata document (admin)",
            Admin,
            op!(v2::update_token_metadata),
        )
        .post(
            "/v2/supplies/rewards/calculate",
            "v2SuppliesRewardsCalculate",
            "Rewards of every open lend position of a user",
            Guest,
            op!(v2::supply_rewards),
        )
        .post(
            "/v2/supplies/reward/calculate",
            "v2SuppliesRewardCalculate",
            "Reward of one lend position, now or at a time",
            Guest,
            op!(v2::supply_reward),
        )
        .post(
            "/v2/borrows/collateral-token-amount/calculate",
            "v2BorrowsCollateralTokenAmountCalculate",
            "Collateral needed to borrow an amount",
            Guest,
            op!(v2::collateral_token_amount),
        )
        .post(
            "/v2/borrows/repay-interest/calculate",
            "v2BorrowsRepayInterestCalculate",
            "Interest to repay a loan (or part), now or at a time",
            Guest,
            op!(v2::repay_interest),
        )
        .post(
            "/v2/borrows/collateral-adjustment/calculate",
            "v2BorrowsCollateralAdjustmentCalculate",
            "Collateral a loan can release or lacks",
            Guest,
            op!(v2::collateral_adjustment),
        )
        .post(
            "/v2/borrows/liquidation-stats/calculate",
            "v2BorrowsLiquidationStatsCalculate",
            "What liquidating a loan costs and gives",
            Guest,
            op!(v2::liquidation_stats),
        )
        .post(
            "/v1/pools/get-pool",
            "v1GetPool",
            "One counterparty pool with its derived statuses",
            Guest,
            op!(v1::pool),
        )
        .post(
            "/v1/pools/get-pools",
            "v1GetPools",
            "Counterparty pools by status and owner, paginated",
            Guest,
            op!(v1::pools),
        )
        .post(
            "/v1/pools/get-total-pools",
            "v1GetTotalPools",
            "Counterparty pool counts by status",
            Guest,
            op!(v1::total_pools),
        )
        .post("/v1/pools/get-commits", "v1GetCommits", "A lender's commits, paginated", Guest, op!(v1::commits))
        .post(
            "/v1/pools/metadata/update",
            "v1UpdatePoolMetadata",
            "Set a counterparty pool's metadata (owner or admin)",
            User,
            op!(v1::update_metadata),
        )
        .post("/v1/pools/create", "v1CreatePool", "Unsigned transactions creating a pool", User, op!(v1::create))
        .post(
            "/v1/pools/commit",
            "v1CommitToPool",
            "Unsigned transactions committing USDC",
            User,
            op!(v1::action, Action::Commit),
        )
        .post(
            "/v1/pools/uncommit",
            "v1UncommitFromPool",
            "Unsigned transaction taking a commit back",
            User,
            op!(v1::action, Action::Uncommit),
        )
        .post(
            "/v1/pools/collect",
            "v1CollectPool",
            "Unsigned transaction collecting the commits (owner)",
            User,
            op!(v1::action, Action::Collect),
        )
        .post(
            "/v1/pools/deposit-rewards",
            "v1DepositRewards",
            "Unsigned transactions depositing rewards (owner)",
            User,
            op!(v1::action, Action::DepositRewards),
        )
        .post(
            "/v1/pools/close",
            "v1ClosePool",
            "Unsigned transaction closing a pool",
            User,
            op!(v1::action, Action::Close),
        )
        .post(
            "/v1/pools/archive",
            "v1ArchivePool",
            "Unsigned transaction archiving a pool",
            User,
            op!(v1::action, Action::Archive),
        )
        .post(
            "/v1/pools/claim",
            "v1ClaimRewards",
            "Unsigned transaction claiming rewards",
            User,
            op!(v1::action, Action::Claim),
        )
        .post(
            "/v1/pools/approve",
            "v1ApproveUsdc",
            "Unsigned transaction approving USDC for a pool",
            User,
            op!(v1::action, Action::Approve),
        )
        .post(
            "/v1/transactions/relay",
            "v1RelayTransaction",
            "Broadcast a transaction the user signed",
            User,
            op!(v1::relay),
        );
    let (router, openapi) = r.into_parts();
    let router = router
        .route("/get-config", get(get_config))
        .route("/health", get(|| async { Json(serde_json::json!({ "ok": true })) }))
        .route("/v1/events/stream", get(event_stream));
    (router, openapi)
}

async fn get_config(State(state): State<AppState>) -> Response {
    let guest = state.require(None, Role::Guest);
    match guest {
        Ok(claims) => match meta::config(&state, &claims, meta::Empty::default()).await {
            Ok(config) => Json(config).into_response(),
            Err(e) => e.response("/get-config"),
        },
        Err(e) => e.response("/get-config"),
    }
}

/// Server-sent events: every new event, derived-status change and reorg as it is recorded.
async fn event_stream(State(state): State<AppState>) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let stream = changes(&state).map(|change: ChangeView| {
        Ok(SseEvent::default().event(change.kind.clone()).json_data(&change).unwrap_or_else(|_| SseEvent::default()))
    });
    Sse::new(stream).keep_alive(axum::response::sse::KeepAlive::new().interval(Duration::from_secs(15)))
}

/// The OpenAPI document as committed (pretty JSON, trailing newline).
pub fn openapi_json() -> String {
    let (_, openapi) = routes();
    let mut text = openapi.to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

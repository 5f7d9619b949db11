//! `pools serve`: the backend in one process. The indexer follows every configured chain into
//! the database (SQLite by default, PostgreSQL by URL) while REST (axum) and GraphQL
//! (async-graphql) serve the published operations over it and over the chains, with
//! Sign-In with Ethereum, and the IPFS metadata store.
//!
//! ```no_run
//! # async fn example() -> eyre::Result<()> {
//! let config = pools_api::config::ServeConfig::load("config/serve.toml".as_ref())?;
//! let secret = std::env::var(pools_api::config::JWT_SECRET_ENV)?.into_bytes();
//! pools_api::serve(config, &pools_sdk::repository_root(), secret).await
//! # }
//! ```

pub mod amount;
pub mod config;
pub mod error;
pub mod graphql;
pub mod ops;
pub mod rest;
pub mod state;
pub mod stream;

use std::{net::SocketAddr, path::Path, time::Duration};

use async_graphql_axum::{GraphQLRequest, GraphQLResponse, GraphQLSubscription};
use axum::{
    BoxError, Router,
    error_handling::HandleErrorLayer,
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::post,
};
use eyre::{Result, WrapErr};
use pools_indexer::{ChainConfig, Indexer, Store};
use tokio::{net::TcpListener, task::JoinHandle};
use tower::ServiceBuilder;

pub use crate::{config::ServeConfig, error::ApiError, state::AppState};

/// How often the status worker recomputes derived counterparty statuses.
pub const STATUS_EVERY: Duration = Duration::from_secs(5);

/// The HTTP application over `state`: REST and GraphQL under the request limits, the streams
/// (server-sent events, GraphQL over WebSocket) without the timeout.
pub fn app(state: AppState) -> Router {
    let (rest, _) = rest::routes();
    let schema = graphql::schema(Some(state.clone()));
    let timeout = state.config.timeout();
    let limited = rest
        .route("/graphql", post(graphql_handler))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(move |uri: Uri, error: BoxError| async move {
                    overloaded(&uri, &error, timeout)
                }))
                .load_shed()
                .concurrency_limit(state.config.max_concurrent_requests)
                .timeout(timeout),
        )
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes));
    let streams = Router::new().route_service("/graphql/ws", GraphQLSubscription::new(schema.clone()));
    limited
        .merge(streams)
        .fallback(
            |uri: Uri| async move { ApiError::not_found(format!("no route {}", uri.path())).response(uri.path()) },
        )
        .layer(axum::Extension(schema))
        .with_state(state)
}

fn overloaded(uri: &Uri, error: &BoxError, timeout: Duration) -> Response {
    let (status, message) = if error.is::<tower::timeout::error::Elapsed>() {
        (StatusCode::SERVICE_UNAVAILABLE, format!("the request took longer than {} s", timeout.as_secs()))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "the server is at its request limit; retry shortly".to_owned())
    };
    let body = error::ErrorBody { error: message, path: uri.path().to_owned(), code: "unavailable".into() };
    (status, axum::Json(body)).into_response()
}

async fn graphql_handler(
    State(_): State<AppState>,
    axum::Extension(schema): axum::Extension<graphql::PoolsSchema>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    schema.execute(request.into_inner().data(graphql::Authorization(authorization))).await.into()
}

/// A running service: the indexer's tasks and the HTTP server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The shared state.
    pub state: AppState,
    indexer: Indexer,
    tasks: Vec<JoinHandle<Result<()>>>,
    http: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Connects the database and the chains, starts the indexer and listens.
    pub async fn start(config: ServeConfig, root: &Path, secret: Vec<u8>) -> Result<Self> {
        config.check()?;
        let store = Store::connect(&config.database).await?;
        let indexer = Indexer::new(store);
        let state = AppState::new(config.clone(), root, secret, &indexer).await?;
        let mut tasks = Vec::new();
        for (entry, chain) in config.chains.iter().zip(state.chains.values()) {
            let chain_config = ChainConfig {
                confirmations: entry.confirmations,
                ..ChainConfig::from_deployment(&chain.rpc_url, &chain.deployment)
            };
            let followers = indexer.followers(&chain_config).await?;
            tasks.extend(indexer.spawn(followers, Duration::from_secs_f64(config.poll_secs), STATUS_EVERY));
        }
        let listener =
            TcpListener::bind(config.listen).await.wrap_err_with(|| format!("listening on {}", config.listen))?;
        let addr = listener.local_addr()?;
        let router = app(state.clone());
        let http = tokio::spawn(async move { axum::serve(listener, router).await });
        tracing::info!(%addr, "serving REST at / and GraphQL at /graphql");
        Ok(Self { addr, state, indexer, tasks, http })
    }

    /// The base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Waits until every follower of every served chain has recorded the chain's head as it is
    /// now (demo, load check, tests: reads that must see what was just done).
    pub async fn wait_indexed(&self, within: Duration) -> Result<()> {
        use alloy::providers::Provider;
        let deadline = tokio::time::Instant::now() + within;
        for chain in self.state.chains.values() {
            let head = chain.client.provider().get_block_number().await? as i64;
            let contracts = ChainConfig::from_deployment(&chain.rpc_url, &chain.deployment).contracts;
            loop {
                let mut behind = 0;
                for (_, contract) in &contracts {
                    let next: Option<i64> =
                        sqlx::query_scalar("SELECT next_block FROM cursors WHERE chain_id = $1 AND contract = $2")
                            .bind(chain.chain_id as i64)
                            .bind(format!("{contract:#x}"))
                            .fetch_optional(self.state.store.pool())
                            .await?;
                    behind += usize::from(next.is_none_or(|n| n <= head));
                }
                if behind == 0 {
                    break;
                }
                if tokio::time::Instant::now() > deadline {
                    eyre::bail!(
                        "{behind} followers of chain {} had not reached block {head} within {} s",
                        chain.chain_id,
                        within.as_secs()
                    );
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Ok(())
    }

    /// The indexer.
    pub fn indexer(&self) -> &Indexer {
        &self.indexer
    }

    /// Stops the indexer and the server.
    pub async fn stop(self) {
        self.indexer.shutdown();
        for task in self.tasks {
            let _ = task.await;
        }
        self.http.abort();
    }
}

/// `pools serve`: runs until Ctrl-C.
pub async fn serve(config: ServeConfig, root: &Path, secret: Vec<u8>) -> Result<()> {
    let server = Server::start(config, root, secret).await?;
    println!("pools serve: REST {0}/ , GraphQL {0}/graphql , events {0}/v1/events/stream", server.url());
    tokio::signal::ctrl_c().await?;
    server.stop().await;
    Ok(())
}

/// Opens the store only (for commands that need no chain).
pub async fn open_store(url: &str) -> Result<Store> {
    Store::connect(url).await
}

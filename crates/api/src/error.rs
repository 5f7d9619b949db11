//! Errors in the published shape `{error, path, code}`. Bad input is always a 4xx with a code a
//! client can branch on (`validation-failed`, `bad-request`, `not-found`, `unauthorized`,
//! `forbidden`, `too-large`); `unexpected` (500) is kept for failures of the service itself, and
//! its message never carries internals (they go to the log).

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use pools_sdk::{Refusal, RefusalKind, Reverted};
use serde::Serialize;
use utoipa::ToSchema;

/// An error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct ErrorBody {
    /// What went wrong, in words.
    pub error: String,
    /// The route or GraphQL field that failed.
    pub path: String,
    /// `validation-failed`, `bad-request`, `not-found`, `unauthorized`, `forbidden`, `too-large` or `unexpected`.
    pub code: String,
}

/// An error of an operation, before it knows its path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Error code.
    pub code: &'static str,
    /// Message.
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    /// Input that does not have the documented shape (a missing field, a malformed address).
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "validation-failed", message)
    }

    /// Well-formed input that cannot be served (an action the pool's state refuses).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", message)
    }

    /// Nothing by that key.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", message)
    }

    /// No valid session.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// A session without the role.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// A body or file over the limit.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", message)
    }

    /// A failure of the service or its upstreams; the details are logged, not returned.
    pub fn unexpected(error: &eyre::Report) -> Self {
        tracing::error!(error = %format!("{error:#}"), "unexpected failure");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "unexpected", "unexpected failure; the server log has the details")
    }

    /// The body for `path`.
    pub fn body(&self, path: &str) -> ErrorBody {
        ErrorBody { error: self.message.clone(), path: path.to_owned(), code: self.code.to_owned() }
    }

    /// As an HTTP response for `path`.
    pub fn response(&self, path: &str) -> Response {
        (self.status, Json(self.body(path))).into_response()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// The SDK's refusals and the chain's reverts are the user's input meeting the pools' rules:
/// 4xx with the words the SDK wrote; anything else is the service's own failure.
impl From<eyre::Report> for ApiError {
    fn from(error: eyre::Report) -> Self {
        if let Some(refusal) = error.downcast_ref::<Refusal>() {
            return match refusal.kind {
                RefusalKind::NotFound => Self::not_found(refusal.to_string()),
                RefusalKind::Input => Self::validation(refusal.to_string()),
                _ => Self::bad_request(refusal.to_string()),
            };
        }
        if let Some(reverted) = error.downcast_ref::<Reverted>() {
            return Self::bad_request(reverted.to_string());
        }
        if let Some(api) = error.downcast_ref::<ApiError>() {
            return api.clone();
        }
        Self::unexpected(&error)
    }
}

impl std::error::Error for ApiError {}

impl From<pools_ipfs::Error> for ApiError {
    fn from(error: pools_ipfs::Error) -> Self {
        use pools_ipfs::Error;
        match &error {
            Error::InvalidCid { .. } => Self::validation(error.to_string()),
            Error::NotFound(_) => Self::not_found(error.to_string()),
            Error::TooLarge { .. } => Self::too_large(error.to_string()),
            Error::Corrupt { .. } | Error::Upstream(_) | Error::Io { .. } => {
                Self::unexpected(&eyre::eyre!("ipfs: {error}"))
            }
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::unexpected(&eyre::Report::new(error).wrap_err("database"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.response("")
    }
}

/// Results of operations.
pub type ApiResult<T> = Result<T, ApiError>;

//! One error enum for every refusal, each variant mapping to the API's published error shape
//! (`{error, path, code}`) through [`AuthError::code`] and [`AuthError::status`].

use alloy::primitives::Address;

use crate::Role;

/// Why a sign-in, a refresh, a logout or an access check was refused.
///
/// Not `#[non_exhaustive]`: a new variant must force a new mapping in the API. The
/// [`Display`](std::fmt::Display) text is meant for the client; [`AuthError::Database`] keeps
/// the driver's error as its `source` only, for logs.
///
/// ```
/// use pools_auth::AuthError;
/// assert_eq!(AuthError::MissingToken.code(), "unauthorized");
/// assert_eq!(AuthError::MissingToken.status(), 401);
/// ```
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The configuration cannot be used (a short JWT secret, no chain ids).
    #[error("invalid auth configuration: {0}")]
    Config(String),
    /// The text sent is not a well-formed sign-in message, signature, header or refresh token.
    #[error("{0}")]
    Malformed(String),
    /// The message's nonce was never handed out, has expired or was already used.
    #[error("nonce {0} is unknown, expired or already used; ask for a new one")]
    Nonce(String),
    /// The message names another domain than this service's.
    #[error("message is for domain {found}, this service is {expected}")]
    WrongDomain {
        /// This service's domain.
        expected: String,
        /// The message's.
        found: String,
    },
    /// The message's URI is not this service's.
    #[error("message URI is {found}, this service expects {expected}")]
    WrongUri {
        /// This service's URI.
        expected: String,
        /// The message's.
        found: String,
    },
    /// The message's chain is not served.
    #[error("chain {found} is not served here (served: {served:?})")]
    WrongChain {
        /// The chains served.
        served: Vec<u64>,
        /// The message's.
        found: u64,
    },
    /// The message's Expiration Time has passed.
    #[error("message expired at {0}")]
    MessageExpired(String),
    /// The message's Not Before time has not come yet.
    #[error("message is not valid before {0}")]
    MessageNotYetValid(String),
    /// The signature was made by another key than the message's address.
    #[error("signature is by {recovered}, not by the message's address {expected}")]
    WrongSigner {
        /// The message's address.
        expected: Address,
        /// The address that signed.
        recovered: Address,
    },
    /// A role was required and no access token was sent.
    #[error("missing access token: send `Authorization: Bearer <token>`")]
    MissingToken,
    /// The access token's `exp` has passed.
    #[error("access token expired; restore the session with the refresh token")]
    TokenExpired,
    /// The access token is not one this service signed (garbage, another key, altered).
    #[error("invalid access token: {0}")]
    InvalidToken(String),
    /// The token's role is below the one required.
    #[error("role {actual:?} may not do this, {required:?} required")]
    Forbidden {
        /// The role required.
        required: Role,
        /// The token's role.
        actual: Role,
    },
    /// The refresh token is unknown, expired or its session was ended.
    #[error("refresh token refused: {0}; sign in again")]
    RefreshRefused(&'static str),
    /// An already rotated refresh token was used again: it may have been stolen, so its whole
    /// session (every token of its family) was revoked.
    #[error("refresh token was already used; the session was revoked, sign in again")]
    SessionRevoked,
    /// The database failed.
    #[error("database failure while {context}")]
    Database {
        /// What was being done.
        context: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
}

impl AuthError {
    /// The API's error code: `validation-failed`, `bad-request`, `unauthorized`, `forbidden` or
    /// `unexpected`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "validation-failed",
            Self::Nonce(_)
            | Self::WrongDomain { .. }
            | Self::WrongUri { .. }
            | Self::WrongChain { .. }
            | Self::MessageExpired(_)
            | Self::MessageNotYetValid(_)
            | Self::WrongSigner { .. } => "bad-request",
            Self::MissingToken
            | Self::TokenExpired
            | Self::InvalidToken(_)
            | Self::RefreshRefused(_)
            | Self::SessionRevoked => "unauthorized",
            Self::Forbidden { .. } => "forbidden",
            Self::Config(_) | Self::Database { .. } => "unexpected",
        }
    }

    /// The HTTP status that goes with [`code`](Self::code).
    pub fn status(&self) -> u16 {
        match self.code() {
            "validation-failed" | "bad-request" => 400,
            "unauthorized" => 401,
            "forbidden" => 403,
            _ => 500,
        }
    }

    pub(crate) fn database(context: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::Database { context, source }
    }
}

//! Sign-In with Ethereum for the pools' API: a client asks for a nonce, signs the EIP-4361
//! message naming it with its wallet (EIP-191 `personal_sign`), and gets a short-lived HS256
//! access token (guest, user or admin role) and a rotating refresh token. Nonces and refresh
//! tokens (as SHA-256 hashes only) live in the indexer's database, SQLite or PostgreSQL.
//!
//! A refresh token is single-use: restoring a session spends it and returns a new one of the
//! same family; a spent token presented again revokes the whole family (theft detection).
//! Contract wallets (EIP-1271) cannot sign in.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use pools_auth::{Auth, AuthConfig, Role};
//! let store = pools_indexer::Store::connect("sqlite://pools.db").await?;
//! let auth = Auth::new(store, AuthConfig::new("localhost:8080", vec![31337], vec![7; 32]))?;
//! // A public read: no header is a guest.
//! assert_eq!(auth.require(None, Role::Guest)?.role, Role::Guest);
//! # Ok(()) }
//! ```

mod auth;
mod config;
mod error;
mod siwe;
mod tokens;

pub use auth::Auth;
pub use config::{AuthConfig, Clock};
pub use error::AuthError;
pub use siwe::SiweMessage;
pub use tokens::{Claims, Role, Tokens};

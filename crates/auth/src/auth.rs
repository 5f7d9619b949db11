//! The service: nonces, sign-in, access checks, session restore and logout over the indexer's
//! database (tables `auth_nonces` and `refresh_tokens`).

use std::sync::Arc;

use alloy::primitives::{Address, Signature, hex};
use chrono::{DateTime, SecondsFormat, Utc};
use pools_indexer::Store;
use sqlx::Row;

use crate::{
    AuthConfig, AuthError, Claims, Clock, Role, Tokens,
    siwe::{self, SiweMessage},
    tokens::{self, Jwt},
};

/// Sign-In with Ethereum and the sessions it opens. Cheap to clone (one shared state).
///
/// Only externally owned accounts sign in: the signature must recover (EIP-191
/// `personal_sign`) to the message's address; EIP-1271 contract wallets are not supported.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use alloy::signers::{Signer, local::PrivateKeySigner};
/// use pools_auth::{Auth, AuthConfig, Role};
///
/// let store = pools_indexer::Store::connect("sqlite://pools.db").await?;
/// let auth = Auth::new(store, AuthConfig::new("localhost:8080", vec![31337], vec![7; 32]))?;
/// let wallet = PrivateKeySigner::random();
/// let nonce = auth.nonce().await?;
/// let message = auth.message(wallet.address(), 31337, &nonce, chrono::Utc::now().timestamp());
/// let signature = wallet.sign_message(message.as_bytes()).await?;
/// let tokens = auth.login(&message, &signature.to_string()).await?;
/// let header = format!("Bearer {}", tokens.access_token);
/// assert_eq!(auth.require(Some(&header), Role::User)?.sub, wallet.address());
/// let tokens = auth.restore(&tokens.refresh_token).await?;
/// auth.logout(&tokens.refresh_token).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: AuthConfig,
    jwt: Jwt,
    clock: Clock,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").field("config", &self.inner.config).field("clock", &self.inner.clock).finish()
    }
}

/// The shortest HS256 key accepted: RFC 7518 §3.2 asks for at least the hash's 256 bits.
const MIN_SECRET: usize = 32;

impl Auth {
    /// A service over `store` (already migrated by [`Store::connect`]) on the system clock.
    ///
    /// Refuses a JWT secret shorter than 32 bytes, an empty domain or chain list, and zero
    /// lifetimes.
    pub fn new(store: Store, config: AuthConfig) -> Result<Self, AuthError> {
        if config.jwt_secret.len() < MIN_SECRET {
            return Err(AuthError::Config(format!(
                "the JWT secret has {} bytes, HS256 needs at least {MIN_SECRET} (e.g. 32 random bytes)",
                config.jwt_secret.len()
            )));
        }
        if config.domain.is_empty() {
            return Err(AuthError::Config("the sign-in domain is empty".to_owned()));
        }
        if config.chain_ids.is_empty() {
            return Err(AuthError::Config("no chain ids: no sign-in message could be accepted".to_owned()));
        }
        for (name, ttl) in [("access", config.access_ttl), ("refresh", config.refresh_ttl), ("nonce", config.nonce_ttl)]
        {
            if ttl.as_secs() == 0 || i64::try_from(ttl.as_secs()).is_err() {
                return Err(AuthError::Config(format!("the {name} lifetime must be between 1 s and i64::MAX s")));
            }
        }
        let jwt = Jwt::new(&config.jwt_secret)?;
        Ok(Self { inner: Arc::new(Inner { store, config, jwt, clock: Clock::system() }) })
    }

    /// The same service reading the time from `clock` (tests move a [`Clock::manual`]).
    pub fn with_clock(self, clock: Clock) -> Self {
        let Inner { store, config, jwt, .. } = &*self.inner;
        Self { inner: Arc::new(Inner { store: store.clone(), config: config.clone(), jwt: jwt.clone(), clock }) }
    }

    /// The configuration in force.
    pub fn config(&self) -> &AuthConfig {
        &self.inner.config
    }

    /// A fresh single-use nonce (24 letters and digits) for a sign-in message, valid for
    /// [`AuthConfig::nonce_ttl`]. Expired nonces are purged on the way.
    pub async fn nonce(&self) -> Result<String, AuthError> {
        let now = self.now();
        let nonce = tokens::new_nonce()?;
        let pool = self.inner.store.pool();
        sqlx::query("DELETE FROM auth_nonces WHERE expires_at < $1")
            .bind(now)
            .execute(pool)
            .await
            .map_err(AuthError::database("purging expired nonces"))?;
        sqlx::query("INSERT INTO auth_nonces (nonce, expires_at) VALUES ($1, $2)")
            .bind(&nonce)
            .bind(now.saturating_add(secs(self.inner.config.nonce_ttl)))
            .execute(pool)
            .await
            .map_err(AuthError::database("storing a nonce"))?;
        Ok(nonce)
    }

    /// The EIP-4361 message for `address` to sign in with: this service's domain, its URI (or
    /// `https://<domain>` when none is configured), a fixed statement, `chain_id`, `nonce` and
    /// `issued_at` (Unix seconds), without expiry (the nonce's lifetime bounds it).
    pub fn message(&self, address: Address, chain_id: u64, nonce: &str, issued_at: i64) -> String {
        let config = &self.inner.config;
        let uri = config.uri.clone().unwrap_or_else(|| format!("https://{}", config.domain));
        siwe::render(&config.domain, &uri, address, chain_id, nonce, issued_at)
    }

    /// Signs in with an EIP-4361 `message` and its EIP-191 `signature` (65 bytes, hex, `0x`
    /// optional): checks the message against this service, recovers the signer, consumes the
    /// nonce and opens a session (a new refresh-token family).
    ///
    /// The nonce is consumed last, in the transaction that stores the refresh token, so a
    /// refused attempt leaves it usable and only one sign-in ever succeeds with it.
    pub async fn login(&self, message: &str, signature: &str) -> Result<Tokens, AuthError> {
        let signature = parse_signature(signature)?;
        let parsed: SiweMessage = message.parse()?;
        let now = self.now();
        self.check_message(&parsed, now)?;
        // The exact bytes received were signed, not a re-rendering of them.
        let recovered = signature
            .recover_address_from_msg(message.as_bytes())
            .map_err(|e| AuthError::Malformed(format!("malformed signature: {e}")))?;
        if recovered != parsed.address {
            return Err(AuthError::WrongSigner { expected: parsed.address, recovered });
        }

        // An expired refresh token can only be refused, so its row is dead weight; a family's
        // live tokens are younger than its expired ones, so reuse detection loses nothing.
        sqlx::query("DELETE FROM refresh_tokens WHERE expires_at <= $1")
            .bind(now)
            .execute(self.inner.store.pool())
            .await
            .map_err(AuthError::database("purging expired refresh tokens"))?;
        let mut tx = self.inner.store.pool().begin().await.map_err(AuthError::database("starting a sign-in"))?;
        let consumed = sqlx::query("DELETE FROM auth_nonces WHERE nonce = $1 AND expires_at >= $2")
            .bind(&parsed.nonce)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(AuthError::database("consuming the nonce"))?;
        if consumed.rows_affected() != 1 {
            return Err(AuthError::Nonce(parsed.nonce));
        }
        let family = tokens::new_family()?;
        let tokens = self.issue(&mut tx, parsed.address, &family, now).await?;
        tx.commit().await.map_err(AuthError::database("committing a sign-in"))?;
        Ok(tokens)
    }

    /// Exchanges a refresh token for new tokens. The old token is spent (rotated); the new one
    /// is in the same family, with the role recomputed from the current admin list.
    ///
    /// A spent token presented again means two parties hold it: the whole family is revoked
    /// and [`AuthError::SessionRevoked`] returned, so the thief's session ends with the user's.
    pub async fn restore(&self, refresh_token: &str) -> Result<Tokens, AuthError> {
        let hash = tokens::refresh_token_hash(refresh_token)?;
        let now = self.now();
        let mut tx =
            self.inner.store.pool().begin().await.map_err(AuthError::database("starting a session restore"))?;
        // Spend first, read after: the write takes the lock (row lock on PostgreSQL, the
        // database's on SQLite), so of two concurrent uses exactly one spends the token and the
        // other then reads it spent, a reuse. Reading first would let SQLite refuse the
        // upgrade of a stale read transaction with "database is locked".
        let spent = sqlx::query(
            "UPDATE refresh_tokens SET rotated = $2 \
             WHERE token_hash = $1 AND rotated = 0 AND revoked = 0 AND expires_at > $3",
        )
        .bind(&hash)
        // 0 means "not rotated", so the time stored is at least 1 even on a clock at the epoch.
        .bind(now.max(1))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(AuthError::database("rotating a refresh token"))?;
        let row = sqlx::query("SELECT family, account, rotated, revoked FROM refresh_tokens WHERE token_hash = $1")
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(AuthError::database("reading a refresh token"))?
            .ok_or(AuthError::RefreshRefused("unknown token"))?;
        let column_error = || AuthError::database("reading a refresh token");
        let family: String = row.try_get("family").map_err(column_error())?;
        if spent.rows_affected() != 1 {
            if row.try_get::<i64, _>("revoked").map_err(column_error())? != 0 {
                return Err(AuthError::RefreshRefused("the session was ended"));
            }
            if row.try_get::<i64, _>("rotated").map_err(column_error())? != 0 {
                revoke_family(&mut tx, &family, now).await?;
                tx.commit().await.map_err(AuthError::database("committing a session revocation"))?;
                return Err(AuthError::SessionRevoked);
            }
            return Err(AuthError::RefreshRefused("token expired"));
        }
        let account: String = row.try_get("account").map_err(column_error())?;
        let account: Address =
            account.parse().map_err(|_| AuthError::RefreshRefused("the stored account is not an address"))?;
        let tokens = self.issue(&mut tx, account, &family, now).await?;
        tx.commit().await.map_err(AuthError::database("committing a session restore"))?;
        Ok(tokens)
    }

    /// Ends the session of a refresh token: every token of its family is revoked. Ending an
    /// ended session is not an error; an unknown token is. Access tokens already issued stay
    /// valid until they expire (at most [`AuthConfig::access_ttl`]).
    pub async fn logout(&self, refresh_token: &str) -> Result<(), AuthError> {
        let hash = tokens::refresh_token_hash(refresh_token)?;
        let pool = self.inner.store.pool();
        // One statement, so it needs no transaction (and none that SQLite could refuse).
        let revoked = sqlx::query(
            "UPDATE refresh_tokens SET revoked = $2 \
             WHERE revoked = 0 AND family = (SELECT family FROM refresh_tokens WHERE token_hash = $1)",
        )
        .bind(&hash)
        .bind(self.now().max(1))
        .execute(pool)
        .await
        .map_err(AuthError::database("revoking a session"))?;
        if revoked.rows_affected() == 0 {
            let known = sqlx::query("SELECT 1 FROM refresh_tokens WHERE token_hash = $1")
                .bind(&hash)
                .fetch_optional(pool)
                .await
                .map_err(AuthError::database("reading a refresh token"))?;
            if known.is_none() {
                return Err(AuthError::RefreshRefused("unknown token"));
            }
        }
        Ok(())
    }

    /// The claims of an access token this service signed and that has not expired.
    pub fn verify(&self, access_token: &str) -> Result<Claims, AuthError> {
        let claims = self.inner.jwt.check(access_token)?;
        if self.now() >= claims.exp {
            return Err(AuthError::TokenExpired);
        }
        Ok(claims)
    }

    /// Checks an `Authorization` header for `role`. No header is a guest: fine when `role` is
    /// [`Role::Guest`] (the claims then name the zero address), [`AuthError::MissingToken`]
    /// otherwise. A header that is there must hold a valid `Bearer` token, even for a guest
    /// route, so a client learns its token expired; a role below `role` is
    /// [`AuthError::Forbidden`].
    pub fn require(&self, authorization_header: Option<&str>, role: Role) -> Result<Claims, AuthError> {
        let header = authorization_header.map(str::trim).filter(|header| !header.is_empty());
        let Some(header) = header else {
            if role == Role::Guest {
                let now = self.now();
                return Ok(Claims { sub: Address::ZERO, role: Role::Guest, iat: now, exp: now });
            }
            return Err(AuthError::MissingToken);
        };
        let token = match header.split_once(' ') {
            // RFC 7235: the scheme is case-insensitive.
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => token.trim(),
            _ => return Err(AuthError::Malformed("Authorization header must be `Bearer <token>`".to_owned())),
        };
        let claims = self.verify(token)?;
        if !claims.role.satisfies(role) {
            return Err(AuthError::Forbidden { required: role, actual: claims.role });
        }
        Ok(claims)
    }

    fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    fn role_of(&self, account: Address) -> Role {
        if self.inner.config.admins.contains(&account) { Role::Admin } else { Role::User }
    }

    fn check_message(&self, message: &SiweMessage, now: i64) -> Result<(), AuthError> {
        let config = &self.inner.config;
        if message.domain != config.domain {
            return Err(AuthError::WrongDomain { expected: config.domain.clone(), found: message.domain.clone() });
        }
        if let Some(uri) = &config.uri
            && &message.uri != uri
        {
            return Err(AuthError::WrongUri { expected: uri.clone(), found: message.uri.clone() });
        }
        if !config.chain_ids.contains(&message.chain_id) {
            return Err(AuthError::WrongChain { served: config.chain_ids.clone(), found: message.chain_id });
        }
        let now_time = DateTime::<Utc>::from_timestamp(now, 0).unwrap_or(DateTime::UNIX_EPOCH);
        if let Some(expiry) = message.expiration_time
            && expiry <= now_time
        {
            return Err(AuthError::MessageExpired(expiry.to_rfc3339_opts(SecondsFormat::AutoSi, true)));
        }
        if let Some(not_before) = message.not_before
            && not_before > now_time
        {
            return Err(AuthError::MessageNotYetValid(not_before.to_rfc3339_opts(SecondsFormat::AutoSi, true)));
        }
        Ok(())
    }

    /// Signs an access token and stores a new refresh token of `family`, inside `tx`.
    async fn issue(&self, tx: &mut Tx<'_>, account: Address, family: &str, now: i64) -> Result<Tokens, AuthError> {
        let config = &self.inner.config;
        let role = self.role_of(account);
        let claims = Claims { sub: account, role, iat: now, exp: now.saturating_add(secs(config.access_ttl)) };
        let access_token = self.inner.jwt.sign(&claims)?;
        let (refresh_token, hash) = tokens::new_refresh_token()?;
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, family, account, role, expires_at, rotated, revoked) \
             VALUES ($1, $2, $3, $4, $5, 0, 0)",
        )
        .bind(&hash)
        .bind(family)
        .bind(lowercase(account))
        .bind(role.as_str())
        .bind(now.saturating_add(secs(config.refresh_ttl)))
        .execute(&mut **tx)
        .await
        .map_err(AuthError::database("storing a refresh token"))?;
        Ok(Tokens { access_token, refresh_token, expires_in: config.access_ttl.as_secs(), role, address: account })
    }
}

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

async fn revoke_family(tx: &mut Tx<'_>, family: &str, now: i64) -> Result<(), AuthError> {
    sqlx::query("UPDATE refresh_tokens SET revoked = $2 WHERE family = $1 AND revoked = 0")
        .bind(family)
        .bind(now.max(1))
        .execute(&mut **tx)
        .await
        .map_err(AuthError::database("revoking a session"))?;
    Ok(())
}

/// Seconds of a lifetime; [`Auth::new`] made sure they fit.
fn secs(ttl: std::time::Duration) -> i64 {
    i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX)
}

fn lowercase(address: Address) -> String {
    format!("0x{}", hex::encode(address))
}

fn parse_signature(text: &str) -> Result<Signature, AuthError> {
    let text = text.trim();
    let digits = text.strip_prefix("0x").unwrap_or(text);
    let bytes = hex::decode(digits).map_err(|_| AuthError::Malformed("malformed signature: not hex".to_owned()))?;
    Signature::from_raw(&bytes).map_err(|e| {
        AuthError::Malformed(format!("malformed signature: {e} (expected 65 bytes r, s, v as hex, 130 digits)"))
    })
}

//! What a service configures: its EIP-4361 domain, chains, JWT key, lifetimes, admins; and the
//! clock every expiry is measured with.

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use alloy::primitives::Address;

/// The configuration of [`Auth`](crate::Auth).
///
/// ```
/// use pools_auth::AuthConfig;
/// let mut config = AuthConfig::new("localhost:8080", vec![31337], vec![7; 32]);
/// config.uri = Some("http://localhost:8080".into());
/// assert_eq!(config.access_ttl.as_secs(), 3600);
/// ```
#[derive(Clone)]
pub struct AuthConfig {
    /// The EIP-4361 domain (RFC 3986 authority) sign-in messages must name, e.g.
    /// `localhost:8080`.
    pub domain: String,
    /// When set, the message's URI must equal it.
    pub uri: Option<String>,
    /// The chains served: the message's Chain ID must be one of them.
    pub chain_ids: Vec<u64>,
    /// The HS256 key of access tokens, at least 32 bytes.
    pub jwt_secret: Vec<u8>,
    /// How long an access token lasts (60 minutes by default).
    pub access_ttl: Duration,
    /// How long a refresh token lasts unused (30 days by default).
    pub refresh_ttl: Duration,
    /// How long a nonce may wait for its signed message (10 minutes by default).
    pub nonce_ttl: Duration,
    /// Accounts that sign in as [`Role::Admin`](crate::Role::Admin).
    pub admins: Vec<Address>,
}

impl AuthConfig {
    /// A configuration with the default lifetimes and no admins.
    pub fn new(domain: impl Into<String>, chain_ids: Vec<u64>, jwt_secret: Vec<u8>) -> Self {
        Self {
            domain: domain.into(),
            uri: None,
            chain_ids,
            jwt_secret,
            access_ttl: Duration::from_secs(60 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 60 * 60),
            nonce_ttl: Duration::from_secs(10 * 60),
            admins: Vec::new(),
        }
    }
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The secret must never reach a log line.
        f.debug_struct("AuthConfig")
            .field("domain", &self.domain)
            .field("uri", &self.uri)
            .field("chain_ids", &self.chain_ids)
            .field("jwt_secret", &format_args!("<{} bytes>", self.jwt_secret.len()))
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("nonce_ttl", &self.nonce_ttl)
            .field("admins", &self.admins)
            .finish()
    }
}

/// Where [`Auth`](crate::Auth) reads the time (Unix seconds): the system clock, or one a test
/// moves by hand so expiries are tested without sleeping.
///
/// ```
/// use pools_auth::Clock;
/// let clock = Clock::manual(1_700_000_000);
/// clock.advance(60);
/// assert_eq!(clock.now(), 1_700_000_060);
/// ```
#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock standing at `now` until [`set`](Self::set) or [`advance`](Self::advance) move it;
    /// its clones move with it.
    pub fn manual(now: i64) -> Self {
        Self { manual: Some(Arc::new(AtomicI64::new(now))) }
    }

    /// The time, in Unix seconds.
    pub fn now(&self) -> i64 {
        match &self.manual {
            Some(now) => now.load(Ordering::SeqCst),
            None => chrono::Utc::now().timestamp(),
        }
    }

    /// Moves a manual clock to `now`; the system clock ignores it.
    pub fn set(&self, now: i64) {
        if let Some(clock) = &self.manual {
            clock.store(now, Ordering::SeqCst);
        }
    }

    /// Moves a manual clock on by `seconds`; the system clock ignores it.
    pub fn advance(&self, seconds: i64) {
        if let Some(clock) = &self.manual {
            clock.fetch_add(seconds, Ordering::SeqCst);
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.manual {
            Some(_) => write!(f, "Clock::manual({})", self.now()),
            None => f.write_str("Clock::system()"),
        }
    }
}

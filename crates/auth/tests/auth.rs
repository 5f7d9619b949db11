//! Every sign-in, token and session scenario, each run on SQLite and on PostgreSQL (a private
//! cluster from Debian's packages per test), with a manual clock so expiries need no sleeps.

#![allow(clippy::unwrap_used, missing_docs)]

use std::time::Duration;

use alloy::{
    primitives::Address,
    signers::{Signer, local::PrivateKeySigner},
};
use eyre::{Result, ensure};
use local_postgres::LocalPostgres;
use pools_auth::{Auth, AuthConfig, AuthError, Clock, Role, Tokens};
use pools_indexer::Store;

const DOMAIN: &str = "localhost:8080";
const CHAIN: u64 = 31337;
const START: i64 = 1_700_000_000;
const SECRET: [u8; 32] = [7; 32];

/// A service on one engine, its clock, and what keeps the database alive.
struct Env {
    auth: Auth,
    store: Store,
    clock: Clock,
    _postgres: Option<LocalPostgres>,
    _dir: Option<tempfile::TempDir>,
}

#[derive(Clone, Copy, Debug)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Env {
    async fn new(engine: Engine) -> Result<Self> {
        Self::with(engine, |_| {}).await
    }

    async fn with(engine: Engine, configure: impl FnOnce(&mut AuthConfig)) -> Result<Self> {
        let (store, postgres, dir) = match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite://{}", dir.path().join("auth.db").display());
                (Store::connect(&url).await?, None, Some(dir))
            }
            Engine::Postgres => {
                let postgres = LocalPostgres::start()?;
                (Store::connect(postgres.url()).await?, Some(postgres), None)
            }
        };
        let mut config = AuthConfig::new(DOMAIN, vec![1, CHAIN], SECRET.to_vec());
        configure(&mut config);
        let clock = Clock::manual(START);
        let auth = Auth::new(store.clone(), config)?.with_clock(clock.clone());
        Ok(Self { auth, store, clock, _postgres: postgres, _dir: dir })
    }

    /// Another service (another configuration) on the same database and clock.
    fn sibling(&self, configure: impl FnOnce(&mut AuthConfig)) -> Result<Auth> {
        let mut config = self.auth.config().clone();
        configure(&mut config);
        Ok(Auth::new(self.store.clone(), config)?.with_clock(self.clock.clone()))
    }

    /// A fresh nonce and the canonical message for `wallet`, signed.
    async fn signed(&self, wallet: &PrivateKeySigner) -> Result<(String, String)> {
        let nonce = self.auth.nonce().await?;
        let message = self.auth.message(wallet.address(), CHAIN, &nonce, self.clock.now());
        let signature = sign(wallet, &message).await?;
        Ok((message, signature))
    }

    async fn login(&self, wallet: &PrivateKeySigner) -> Result<Tokens> {
        let (message, signature) = self.signed(wallet).await?;
        Ok(self.auth.login(&message, &signature).await?)
    }
}

async fn sign(wallet: &PrivateKeySigner, message: &str) -> Result<String> {
    Ok(wallet.sign_message(message.as_bytes()).await?.to_string())
}

fn bearer(tokens: &Tokens) -> String {
    format!("Bearer {}", tokens.access_token)
}

/// Checks an error's code and status, and that its message says `words`.
fn refused<T: std::fmt::Debug>(result: Result<T, AuthError>, code: &str, status: u16, words: &str) -> Result<()> {
    let error = match result {
        Ok(value) => eyre::bail!("expected a `{code}` refusal ({words}), got {value:?}"),
        Err(error) => error,
    };
    ensure!(error.code() == code && error.status() == status, "expected {code}/{status}, got {error:?}");
    ensure!(error.to_string().contains(words), "message {:?} does not say {words:?}", error.to_string());
    Ok(())
}

/// One test per scenario and engine, so a failure names both.
macro_rules! on_both_engines {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() -> eyre::Result<()> {
                super::$scenario(super::Engine::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() -> eyre::Result<()> {
                super::$scenario(super::Engine::Postgres).await
            })*
        }
    };
}

on_both_engines!(
    login_gives_a_user_token,
    admins_sign_in_as_admin,
    messages_for_elsewhere_are_refused,
    message_validity_window_is_enforced,
    nonces_are_single_use_and_expire,
    signatures_must_be_the_addresses,
    malformed_text_fails_validation,
    access_tokens_expire_and_must_be_ours,
    headers_and_roles_are_checked,
    refresh_rotates_and_reuse_revokes_the_family,
    concurrent_reuse_leaves_one_winner_and_revokes,
    logout_revokes_the_session,
    refresh_tokens_expire,
    restore_rechecks_the_admin_list,
);

async fn login_gives_a_user_token(engine: Engine) -> Result<()> {
    let env = Env::new(engine).await?;
    let wallet = PrivateKeySigner::random();
    let tokens = env.login(&wallet).await?;
    ensure!(tokens.role == Role::User && tokens.address == wallet.address() && tokens.expires_in == 3600);

    let claims = env.auth.verify(&tokens.access_token)?;
    ensure!(claims.sub == wallet.address() && claims.role == Role::User);
    ensure!(claims.iat == START && claims.exp == START + 3600);
    ensure!(env.auth.require(Some(&bearer(&tokens)), Role::User)? == claims);
    ensure!(env.auth.require(Some(&bearer(&tokens)), Role::Guest)? == claims);

    // The API's JSON: camelCase fields, the checksummed address, the role in lowercase.
    let json = serde_json::to_value(&tokens)?;
    ensure!(json["address"] == wallet.address().to_checksum(None) && json["role"] == "user");
    ensure!(json["expiresIn"] == 3600 && json["accessToken"].is_string() && json["refreshToken"].is_string());
    ensure!(!format!("{tokens:?}").contains(&tokens.refresh_token), "Debug shows the refresh token");
    // The token's `sub` is checksummed too.
    ensure!(serde_json::to_value(&claims)?["sub"] == wallet.address().to_checksum(None));

    // Stored: the lowercase address and the token's hash only.
    let (account, hash): (String, String) =
        sqlx::query_as("SELECT account, token_hash FROM refresh_tokens").fetch_one(env.store.pool()).await?;
    ensure!(account == format!("{:#x}", wallet.address()) && account == account.to_lowercase());
    ensure!(hash.len() == 64 && !hash.contains(&tokens.refresh_token));
    Ok(())
}

async fn admins_sign_in_as_admin(engine: Engine) -> Result<()> {
    let admin = PrivateKeySigner::random();
    let env = Env::with(engine, |config| config.admins = vec![admin.address()]).await?;
    let tokens = env.login(&admin).await?;
    ensure!(tokens.role == Role::Admin);
    ensure!(env.auth.require(Some(&bearer(&tokens)), Role::Admin)?.role == Role::Admin);
    ensure!(env.auth.require(Some(&bearer(&tokens)), Role::User)?.sub == admin.address());
    let user = env.login(&PrivateKeySigner::random()).await?;
    refused(env.auth.require(Some(&bearer(&user)), Role::Admin), "forbidden", 403, "Admin required")
}

async fn messages_for_elsewhere_are_refused(engine: Engine) -> Result<()> {
    let env = Env::with(engine, |config| config.uri = Some("http://localhost:8080".into())).await?;
    let wallet = PrivateKeySigner::random();
    let nonce = env.auth.nonce().await?;
    let good = env.auth.message(wallet.address(), CHAIN, &nonce, START);
    ensure!(good.contains("URI: http://localhost:8080\n"));

    let cases = [
        (good.replacen(DOMAIN, "evil.example", 1), "evil.example"),
        (good.replace("URI: http://localhost:8080", "URI: http://evil.example"), "http://evil.example"),
        (good.replace("Chain ID: 31337", "Chain ID: 5"), "chain 5 is not served"),
    ];
    for (message, words) in cases {
        let signature = sign(&wallet, &message).await?;
        refused(env.auth.login(&message, &signature).await, "bad-request", 400, words)?;
    }
    // Refusals leave the nonce usable.
    env.auth.login(&good, &sign(&wallet, &good).await?).await?;
    Ok(())
}

async fn message_validity_window_is_enforced(engine: Engine) -> Result<()> {
    let env = Env::new(engine).await?;
    let wallet = PrivateKeySigner::random();
    let nonce = env.auth.nonce().await?;
    let base = env.auth.message(wallet.address(), CHAIN, &nonce, START);
    let at = |offset: i64| {
        chrono::DateTime::from_timestamp(START + offset, 0).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };

    let expired = format!("{base}\nExpiration Time: {}", at(0));
    refused(env.auth.login(&expired, &sign(&wallet, &expired).await?).await, "bad-request", 400, "message expired")?;
    let early = format!("{base}\nNot Before: {}", at(1));
    refused(env.auth.login(&early, &sign(&wallet, &early).await?).await, "bad-request", 400, "not valid before")?;

    // Inside the window, both fields are accepted.
    let window = format!("{base}\nExpiration Time: {}\nNot Before: {}", at(1), at(0));
    ensure!(env.auth.login(&window, &sign(&wallet, &window).await?).await?.address == wallet.address());
    Ok(())
}

async fn nonces_are_single_use_and_expire(engine: Engine) -> Result<()> {
    let env = Env::new(engine).await?;
    let wallet = PrivateKeySigner::random();
    let nonce = env.auth.nonce().await?;
    ensure!(nonce.len() >= 17 && nonce.bytes().all(|b| b.is_ascii_alphanumeric()));
    ensure!(nonce != env.auth.nonce().await?);

    let unknown = env.auth.message(wallet.address(), CHAIN, "NeverHandedOut123", START);
    refused(env.auth.login(&unknown, &sign(&wallet, &unknown).await?).await, "bad-request", 400, "NeverHandedOut123")?;

    let (message, signature) = env.signed(&wallet).await?;
    env.auth.login(&message, &signature).await?;
    refused(env.auth.login(&message, &signature).await, "bad-request", 400, "already used")?;

    // Two sign-ins racing with one nonce: exactly one wins.
    let (message, signature) = env.signed(&wallet).await?;
    let (a, b) = tokio::join!(env.auth.login(&message, &signature), env.auth.login(&message, &signature));
    ensure!(a.is_ok() != b.is_ok(), "both or neither won: {a:?} {b:?}");
    refused(if a.is_err() { a } else { b }, "bad-request", 400, "nonce")?;

    // A nonce lasts its ttl (10 minutes) to the second.
    let (message, signature) = env.signed(&wallet).await?;
    let (late, late_signature) = env.signed(&wallet).await?;
    env.clock.advance(600);
    env.auth.login(&message, &signature).await?;
    env.clock.advance(1);
    refused(env.auth.login(&late, &late_signature).await, "bad-request", 400, "expired")
}

async fn signatures_must_be_the_addresses(engine: Engine) -> Result<()> {
    let env = Env::new(engine).await?;
    let wallet = PrivateKeySigner::random();
    let other = PrivateKeySigner::random();
    let (message, signature) = env.signed(&wallet).await?;

    let by_other = sign(&other, &message).await?;
    refused(env.auth.login(&message, &by_other).await, "bad-request", 400, &other.address().to_string())?;

    // The text signed, not a parse of it: a changed statement no longer recovers to the address.
    let tampered = message.replace("Sign in to", "Sign in (and transfer all funds) to");
    ensure!(tampered != message);
    refused(env.auth.login(&tampered, &signature).await, "bad-request", 400, "not by the message's address")?;

    // A message naming another account, signed by this one.
    let nonce = env.auth.nonce().await?;
    let impostor = env.auth.message(other.address(), CHAIN, &nonce, START);
    refused(env.auth.login(&impostor, &sign(&wallet, &impostor).await?).await, "bad-request", 400, "signature is by")?;

    env.auth.login(&message, &signature).await?;
    Ok(())
}

async fn malformed_text_fails_validation(engine: Engine) -> Result<()> {
    let env = Env::new(engine).await?;
    let wallet = PrivateKeySigner::random();
    let (message, signature) = env.signed(&wallet).await?;
    let checksummed = wallet.address().to_checksum(None);

    let bad_signatures = [
        ("0x1234".to_owned(), "65 bytes"),
        ("zz".repeat(65), "not hex"),
        (format!("{}zz", &signature[..signature.len() - 2]), "not hex"),
        (format!("{}05", &signature[..signature.len() - 2]), "invalid parity"),
        (String::new(), "65 bytes"),
    ];
    for (bad, words) in bad_signatures {
        refused(env.auth.login(&message, &bad).await, "validation-failed", 400, words)?;
    }

    let lowercase = message.replace(&checksummed, &checksummed.to_lowercase());
    refused(env.auth.login(&lowercase, &sign(&wallet, &lowercase).await?).await, "validation-failed", 400, "EIP-55")?;
    for broken in
        [String::new(), "hello".to_owned(), message.replace("Version: 1", "Version: 2"), format!("{message}\n")]
    {
        refused(env.auth.login(&broken, &signature).await, "validation-failed", 400, "malformed sign-in message")?;
    }
    refused(env.auth.restore("not a token").await, "validation-failed", 400, "malformed refresh token")?;
    refused(env.auth.logout("").await, "validation-failed", 400, "malformed refresh token")?;

    // Without its 0x the signature is fine: wallets differ there.
    env.auth.login(&message, signature.trim_start_matches("0x")).await?;
    Ok(())
}

async fn access_tokens_expire_and_must_be_ours(engine: Engine) -> Result<()> {
    let env = Env::new(engine).await?;
    let tokens = env.login(&PrivateKeySigner::random()).await?;

    env.clock.advance(3599);
    env.auth.verify(&tokens.access_token)?;
    env.clock.advance(1);
    refused(env.auth.verify(&tokens.access_token), "unauthorized", 401, "expired")?;
    refused(env.auth.require(Some(&bearer(&tokens)), Role::Guest), "unauthorized", 401, "expired")?;
    env.clock.set(START);

    let elsewhere = env.sibling(|config| config.jwt_secret = vec![8; 32])?;
    refused(elsewhere.verify(&tokens.access_token), "unauthorized", 401, "signature does not match")?;

    // An altered payload (role raised to admin) keeps the old signature.
    let parts: Vec<&str> = tokens.access_token.split('.').collect();
    ensure!(parts.len() == 3);
    use base64::Engine as _;
    let engine64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = String::from_utf8(engine64.decode(parts[1])?)?.replace("\"user\"", "\"admin\"");
    let forged = format!("{}.{}.{}", parts[0], engine64.encode(payload), parts[2]);
    refused(env.auth.verify(&forged), "unauthorized", 401, "signature does not match")?;

    for garbage in ["", "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        refused(env.auth.verify(garbage), "unauthorized", 401, "invalid access token")?;
    }
    Ok(())
}

async fn headers_and_roles_are_checked(engine: Engine) -> Result<()> {
    let env = Env::new(engine).await?;
    let tokens = env.login(&PrivateKeySigner::random()).await?;

    let guest = env.auth.require(None, Role::Guest)?;
    ensure!(guest.role == Role::Guest && guest.sub == Address::ZERO);
    ensure!(env.auth.require(Some("  "), Role::Guest)?.role == Role::Guest);
    refused(env.auth.require(None, Role::User), "unauthorized", 401, "missing access token")?;
    refused(env.auth.require(None, Role::Admin), "unauthorized", 401, "missing access token")?;
    refused(env.auth.require(Some(&bearer(&tokens)), Role::Admin), "forbidden", 403, "User may not")?;
    refused(env.auth.require(Some("Bearer garbage"), Role::User), "unauthorized", 401, "invalid access token")?;
    for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", &tokens.access_token] {
        refused(env.auth.require(Some(header), Role::User), "validation-failed", 400, "Bearer <token>")?;
    }
    let lowercase_scheme = format!("bearer {}", tokens.access_token);
    ensure!(env.auth.require(Some(&lowercase_scheme), Role::User)?.role == Role::User);
    Ok(())
}

async fn refresh_rotates_and_reuse_revokes_the_family(engine: Engine) -> Result<()> {
    let env = Env::new(engine).await?;
    let wallet = PrivateKeySigner::random();
    let first = env.login(&wallet).await?;
    let other_session = env.login(&wallet).await?;

    env.clock.advance(100);
    let second = env.auth.restore(&first.refresh_token).await?;
    ensure!(second.refresh_token != first.refresh_token && second.access_token != first.access_token);
    ensure!(second.role == Role::User && second.address == wallet.address());
    ensure!(env.auth.verify(&second.access_token)?.iat == START + 100);
    let third = env.auth.restore(&second.refresh_token).await?;

    // The first token, spent, comes back: someone else has it. Its whole family goes.
    refused(env.auth.restore(&first.refresh_token).await, "unauthorized", 401, "session was revoked")?;
    refused(env.auth.restore(&third.refresh_token).await, "unauthorized", 401, "session was ended")?;
    refused(env.auth.restore(&second.refresh_token).await, "unauthorized", 401, "session was ended")?;
    // Other sign-ins of the same account are other families.
    env.auth.restore(&other_session.refresh_token).await?;

    let families: i64 =
        sqlx::query_scalar("SELECT COUNT(DISTINCT family) FROM refresh_tokens").fetch_one(env.store.pool()).await?;
    ensure!(families == 2);
    Ok(())
}

async fn concurrent_reuse_leaves_one_winner_and_revokes(engine: Engine) -> Result<()> {
    let env = Env::new(engine).await?;
    let tokens = env.login(&PrivateKeySigner::random()).await?;
    let (a, b) = tokio::join!(env.auth.restore(&tokens.refresh_token), env.auth.restore(&tokens.refresh_token));
    let (winner, loser) = match (a, b) {
        (Ok(winner), loser @ Err(_)) | (loser @ Err(_), Ok(winner)) => (winner, loser),
        (a, b) => eyre::bail!("expected one winner: {a:?} {b:?}"),
    };
    refused(loser, "unauthorized", 401, "session was revoked")?;
    refused(env.auth.restore(&winner.refresh_token).await, "unauthorized", 401, "session was ended")
}

async fn logout_revokes_the_session(engine: Engine) -> Result<()> {
    let env = Env::new(engine).await?;
    let first = env.login(&PrivateKeySigner::random()).await?;
    let second = env.auth.restore(&first.refresh_token).await?;

    env.auth.logout(&second.refresh_token).await?;
    refused(env.auth.restore(&second.refresh_token).await, "unauthorized", 401, "session was ended")?;
    refused(env.auth.restore(&first.refresh_token).await, "unauthorized", 401, "session was ended")?;
    // Logging out twice, or with an earlier token of the session, is harmless.
    env.auth.logout(&second.refresh_token).await?;
    env.auth.logout(&first.refresh_token).await?;
    refused(env.auth.logout(&"A".repeat(43)).await, "unauthorized", 401, "unknown token")?;
    refused(env.auth.restore(&"A".repeat(43)).await, "unauthorized", 401, "unknown token")?;
    // The access token lives on until it expires: JWTs are not looked up.
    env.auth.verify(&second.access_token)?;
    Ok(())
}

async fn refresh_tokens_expire(engine: Engine) -> Result<()> {
    let env = Env::with(engine, |config| config.refresh_ttl = Duration::from_secs(1000)).await?;
    let first = env.login(&PrivateKeySigner::random()).await?;
    env.clock.advance(999);
    // Each rotation starts a new lifetime: an idle session ends, a used one goes on.
    let second = env.auth.restore(&first.refresh_token).await?;
    env.clock.advance(999);
    let third = env.auth.restore(&second.refresh_token).await?;
    env.clock.advance(1000);
    refused(env.auth.restore(&third.refresh_token).await, "unauthorized", 401, "token expired")
}

async fn restore_rechecks_the_admin_list(engine: Engine) -> Result<()> {
    let admin = PrivateKeySigner::random();
    let env = Env::with(engine, |config| config.admins = vec![admin.address()]).await?;
    let tokens = env.login(&admin).await?;
    ensure!(tokens.role == Role::Admin);
    let demoted = env.sibling(|config| config.admins.clear())?;
    let tokens = demoted.restore(&tokens.refresh_token).await?;
    ensure!(tokens.role == Role::User && demoted.verify(&tokens.access_token)?.role == Role::User);
    Ok(())
}

#[tokio::test]
async fn configuration_is_checked() -> Result<()> {
    let store = Store::connect("sqlite::memory:").await?;
    let short = Auth::new(store.clone(), AuthConfig::new(DOMAIN, vec![CHAIN], vec![1; 31]));
    refused(short, "unexpected", 500, "at least 32")?;
    refused(Auth::new(store.clone(), AuthConfig::new(DOMAIN, vec![], SECRET.to_vec())), "unexpected", 500, "chain")?;
    let mut config = AuthConfig::new(DOMAIN, vec![CHAIN], SECRET.to_vec());
    config.access_ttl = Duration::ZERO;
    refused(Auth::new(store.clone(), config), "unexpected", 500, "access lifetime")?;
    let config = AuthConfig::new(DOMAIN, vec![CHAIN], SECRET.to_vec());
    ensure!(!format!("{config:?}").contains("7, 7"), "Debug shows the secret");
    ensure!(config.refresh_ttl == Duration::from_secs(30 * 86_400) && config.nonce_ttl == Duration::from_secs(600));
    Auth::new(store, config)?;
    Ok(())
}

//! Roles, access-token claims and what a sign-in returns; the HS256 signing and checking of
//! access tokens; the generation and hashing of refresh tokens and nonces.

use std::fmt;

use alloy::primitives::{Address, hex};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::AuthError;

/// What an access token lets its holder do: guests read, users act for their account, admins
/// reach the admin routes. Each role can do what the ones before it can.
///
/// ```
/// use pools_auth::Role;
/// assert!(Role::Admin.satisfies(Role::User));
/// assert!(!Role::Guest.satisfies(Role::User));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// No token: public reads only.
    Guest,
    /// A signed-in account.
    User,
    /// A signed-in account listed in [`AuthConfig::admins`](crate::AuthConfig::admins).
    Admin,
}

impl Role {
    /// Whether this role may do what `required` may.
    pub fn satisfies(self, required: Role) -> bool {
        self.rank() >= required.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Role::Guest => 0,
            Role::User => 1,
            Role::Admin => 2,
        }
    }

    /// The stored spelling, as in JSON.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Guest => "guest",
            Role::User => "user",
            Role::Admin => "admin",
        }
    }
}

/// The claims of an access token: whose it is, its role, when it was issued and when it
/// expires (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The account (EIP-55 checksummed in the token); the zero address for a guest.
    #[serde(serialize_with = "checksummed")]
    pub sub: Address,
    /// What it may do.
    pub role: Role,
    /// Issued at.
    pub iat: i64,
    /// Expires at: the token is refused from this second on.
    pub exp: i64,
}

/// What a sign-in or a session restore returns, as the API sends it (camelCase JSON).
///
/// `Debug` hides both tokens, so a logged value gives nothing away.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    /// The HS256 JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// The single-use token for `restore-session` and `logout`.
    pub refresh_token: String,
    /// Seconds the access token lasts.
    pub expires_in: u64,
    /// The role the access token carries.
    pub role: Role,
    /// The account signed in.
    #[serde(serialize_with = "checksummed")]
    pub address: Address,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field("role", &self.role)
            .field("address", &self.address)
            .finish()
    }
}

fn checksummed<S: Serializer>(address: &Address, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&address.to_checksum(None))
}

/// The HS256 keys and the validation rules, built once.
#[derive(Clone)]
pub(crate) struct Jwt {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Jwt {
    pub(crate) fn new(secret: &[u8]) -> Result<Self, AuthError> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked against the injected clock, with no leeway, after the signature.
        validation.validate_exp = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        let refused = |e: jsonwebtoken::errors::Error| AuthError::Config(format!("unusable JWT secret: {e}"));
        Ok(Self {
            encoding: EncodingKey::from_secret(secret).map_err(refused)?,
            decoding: DecodingKey::from_secret(secret).map_err(refused)?,
            validation,
        })
    }

    pub(crate) fn sign(&self, claims: &Claims) -> Result<String, AuthError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| AuthError::Config(format!("cannot sign an access token: {e}")))
    }

    /// The claims of a token this service signed; expiry is the caller's to check.
    pub(crate) fn check(&self, token: &str) -> Result<Claims, AuthError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map(|data| data.claims).map_err(|e| {
            AuthError::InvalidToken(
                match e.kind() {
                    ErrorKind::InvalidSignature => "signature does not match (altered, or signed with another key)",
                    ErrorKind::InvalidAlgorithm => "not signed with HS256",
                    ErrorKind::MissingRequiredClaim(_) | ErrorKind::Json(_) => "claims are not this service's",
                    _ => "not a JWT",
                }
                .to_owned(),
            )
        })
    }
}

/// Random bytes from the operating system's generator.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], AuthError> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Config(format!("no randomness from the system: {e}")))?;
    Ok(bytes)
}

/// A nonce of 24 letters and digits (~143 bits), more than EIP-4361's 8 and siwe's 17.
pub(crate) fn new_nonce() -> Result<String, AuthError> {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut nonce = String::with_capacity(24);
    while nonce.len() < 24 {
        // Bytes of 248 and above are dropped so that every character is equally likely.
        for byte in random::<32>()? {
            if byte < 248 && nonce.len() < 24 {
                nonce.push(char::from(ALPHABET[usize::from(byte % 62)]));
            }
        }
    }
    Ok(nonce)
}

/// A new refresh token (32 random bytes, base64url without padding) and its stored hash.
pub(crate) fn new_refresh_token() -> Result<(String, String), AuthError> {
    let bytes = random::<32>()?;
    Ok((URL_SAFE_NO_PAD.encode(bytes), hash(&bytes)))
}

/// A family id: 16 random bytes, hex.
pub(crate) fn new_family() -> Result<String, AuthError> {
    Ok(hex::encode(random::<16>()?))
}

/// The stored hash of a refresh token's text, or `Malformed` if it is not one of ours in shape.
pub(crate) fn refresh_token_hash(token: &str) -> Result<String, AuthError> {
    let malformed = || AuthError::Malformed("malformed refresh token: expected 43 base64url characters".to_owned());
    let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| malformed())?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| malformed())?;
    Ok(hash(&bytes))
}

fn hash(bytes: &[u8; 32]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn nonces_are_long_alphanumeric_and_distinct() {
        let a = new_nonce().unwrap();
        assert_eq!(a.len(), 24);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a, new_nonce().unwrap());
    }

    #[test]
    fn refresh_tokens_hash_back_and_refuse_other_shapes() {
        let (token, hash) = new_refresh_token().unwrap();
        assert_eq!(token.len(), 43);
        assert_eq!(refresh_token_hash(&token).unwrap(), hash);
        for bad in ["", "short", &format!("{token}AA"), &token.replace(&token[..1], "+")] {
            assert_eq!(refresh_token_hash(bad).unwrap_err().code(), "validation-failed", "{bad}");
        }
    }

    #[test]
    fn roles_order_and_spell_as_in_json() {
        assert!(Role::Admin.satisfies(Role::Admin) && Role::User.satisfies(Role::Guest));
        assert!(!Role::User.satisfies(Role::Admin));
        for role in [Role::Guest, Role::User, Role::Admin] {
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{}\"", role.as_str()));
        }
    }
}

//! The signing key: from `POOLS_PRIVATE_KEY`, or a keystore file decrypted with
//! `POOLS_KEYSTORE_PASSWORD` or a password the caller asks for. Never from a command line.

use std::path::Path;

use alloy::signers::local::PrivateKeySigner;
use eyre::{Result, WrapErr, eyre};

/// Environment variable holding a hex private key.
pub const PRIVATE_KEY_ENV: &str = "POOLS_PRIVATE_KEY";
/// Environment variable holding the keystore password.
pub const KEYSTORE_PASSWORD_ENV: &str = "POOLS_KEYSTORE_PASSWORD";

/// Loads the signer: the keystore when given (password from the environment, else from
/// `ask_password`), else `POOLS_PRIVATE_KEY`.
pub fn load_signer(keystore: Option<&Path>, ask_password: impl FnOnce() -> Result<String>) -> Result<PrivateKeySigner> {
    if let Some(path) = keystore {
        let password = match std::env::var(KEYSTORE_PASSWORD_ENV) {
            Ok(password) => password,
            Err(_) => ask_password()?,
        };
        return PrivateKeySigner::decrypt_keystore(path, password)
            .wrap_err_with(|| format!("cannot decrypt the keystore {} (wrong password?)", path.display()));
    }
    let key = std::env::var(PRIVATE_KEY_ENV).map_err(|_| {
        eyre!("no signer: set {PRIVATE_KEY_ENV} or pass --keystore <file> (with {KEYSTORE_PASSWORD_ENV} or a prompt)")
    })?;
    key.trim().parse().map_err(|_| eyre!("{PRIVATE_KEY_ENV} is not a hex private key"))
}

/// The signer's key as `0x…` hex, for a child process's environment only.
pub fn key_hex(signer: &PrivateKeySigner) -> String {
    format!("0x{}", alloy::hex::encode(signer.to_bytes()))
}

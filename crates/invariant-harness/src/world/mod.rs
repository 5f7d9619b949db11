//! Deployed environments the state machines start from, built the way production deploys:
//! implementation, `TransparentUpgradeableProxy` whose constructor runs the initialiser, and a
//! `ProxyAdmin` owned by the admin. Tokens, feeds and funded, approving users come with them.
//!
//! Deploying costs milliseconds, a proptest case microseconds: each thread deploys once per
//! implementation bytecode and every `new()` restores a copy of that snapshot.

pub mod collateral;
pub mod counterparty;

use std::{
    cell::RefCell,
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
};

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolConstructor;
use bindings::{MockERC20, ProxyAdmin, TransparentUpgradeableProxy};
use eyre::WrapErr;

pub use collateral::{CollateralAsset, CollateralWorld, TokenKind};
pub use counterparty::{CounterpartyVariant, CounterpartyWorld};

use crate::evm::Evm;

/// Holds every role of the deployment: pool admin, `ProxyAdmin` owner and owner of the
/// blacklisting token. Users never share it, so "only the admin administers" is testable.
pub const ADMIN: Address = Address::new([0xad; 20]);

/// How many funded users each world has: enough for lender, borrower and liquidator roles to
/// overlap and to differ within one sequence.
pub const USER_COUNT: usize = 6;

/// The users of a world: `0x…a11ce001`, `0x…a11ce002`, … (stable across runs so shrunk
/// sequences read the same each time).
pub fn users() -> Vec<Address> {
    (1..=USER_COUNT as u64)
        .map(|i| {
            let mut bytes = [0u8; 20];
            bytes[12..16].copy_from_slice(&0xa11c_e000u32.to_be_bytes());
            bytes[16..].copy_from_slice(&(i as u32).to_be_bytes());
            Address::from(bytes)
        })
        .collect()
}

thread_local! {
    static IMPLEMENTATION_OVERRIDE: RefCell<Option<Bytes>> = const { RefCell::new(None) };
    static DEPLOYMENTS: RefCell<HashMap<u64, Box<dyn std::any::Any>>> = RefCell::new(HashMap::new());
}

/// Runs `f` with every world built on this thread deploying `creation_code` as its pool
/// implementation instead of the production one: how the broken-variant test points the same
/// state machines at deliberately wrong contracts.
pub fn with_implementation<R>(creation_code: Bytes, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Bytes>);
    impl Drop for Reset {
        fn drop(&mut self) {
            IMPLEMENTATION_OVERRIDE.with(|o| *o.borrow_mut() = self.0.take());
        }
    }
    let previous = IMPLEMENTATION_OVERRIDE.with(|o| o.borrow_mut().replace(creation_code));
    let _reset = Reset(previous);
    f()
}

/// The implementation bytecode a world should deploy: the override, else `production`.
fn implementation_code(production: &Bytes) -> Bytes {
    IMPLEMENTATION_OVERRIDE.with(|o| o.borrow().clone()).unwrap_or_else(|| production.clone())
}

/// The deployment of `key` for `code` on this thread, built by `deploy` on first use.
fn cached<W: Clone + 'static>(key: &str, code: &Bytes, deploy: impl FnOnce() -> eyre::Result<W>) -> eyre::Result<W> {
    let mut hasher = DefaultHasher::new();
    (key, code.as_ref()).hash(&mut hasher);
    let id = hasher.finish();
    let hit = DEPLOYMENTS.with(|d| d.borrow().get(&id).and_then(|entry| entry.downcast_ref::<W>()).cloned());
    if let Some(hit) = hit {
        return Ok(hit);
    }
    let fresh = deploy()?;
    DEPLOYMENTS.with(|d| d.borrow_mut().insert(id, Box::new(fresh.clone())));
    Ok(fresh)
}

/// Deploys `implementation_code` and a proxy to it whose constructor calls `init`, both sent by
/// [`ADMIN`]. Returns (proxy, its `ProxyAdmin`, implementation).
fn deploy_behind_proxy(
    evm: &mut Evm,
    implementation_code: &Bytes,
    init: Vec<u8>,
) -> eyre::Result<(Address, Address, Address)> {
    let implementation = evm.deploy(ADMIN, implementation_code, &[]).wrap_err("deploying the implementation")?;
    let args = TransparentUpgradeableProxy::constructorCall {
        _logic: implementation,
        initialOwner: ADMIN,
        _data: init.into(),
    };
    let proxy = evm
        .deploy(ADMIN, &TransparentUpgradeableProxy::BYTECODE, &args.abi_encode())
        .wrap_err("deploying the proxy (its constructor runs the initialiser)")?;
    // The proxy's constructor creates its ProxyAdmin as the proxy's first contract creation.
    let proxy_admin = proxy.create(1);
    let owner = evm.view(proxy_admin, &ProxyAdmin::ownerCall {}).wrap_err("reading the ProxyAdmin's owner")?;
    eyre::ensure!(owner == ADMIN, "ProxyAdmin at {proxy_admin} is owned by {owner}, not the admin");
    Ok((proxy, proxy_admin, implementation))
}

/// Deploys a fresh implementation from `implementation_code` and points `proxy` at it through
/// its `ProxyAdmin`, as a production upgrade does (no re-initialisation).
fn upgrade_proxy(
    evm: &mut Evm,
    proxy: Address,
    proxy_admin: Address,
    implementation_code: &Bytes,
) -> eyre::Result<Address> {
    let implementation = evm.deploy(ADMIN, implementation_code, &[]).wrap_err("deploying the new implementation")?;
    let call = ProxyAdmin::upgradeAndCallCall { proxy, implementation, data: Bytes::new() };
    evm.call(ADMIN, proxy_admin, &call)?.success().wrap_err("ProxyAdmin.upgradeAndCall")?;
    Ok(implementation)
}

/// Deploys a [`MockERC20`]-compatible token from `creation_code` + `args` and mints `amount` to
/// every holder (approvals come once the pool exists: [`approve_all`]).
fn deploy_funded_token(
    evm: &mut Evm,
    creation_code: &Bytes,
    args: &[u8],
    holders: &[Address],
    amount: U256,
) -> eyre::Result<Address> {
    let token = evm.deploy(ADMIN, creation_code, args)?;
    for &holder in holders {
        evm.call(ADMIN, token, &MockERC20::mintCall { to: holder, amount })?.success()?;
    }
    Ok(token)
}

/// 6-decimal USDC with `amount` minted to every holder.
fn deploy_usdc(evm: &mut Evm, holders: &[Address], amount: U256) -> eyre::Result<Address> {
    deploy_funded_token(evm, &MockERC20::BYTECODE, &erc20_args("USD Coin", "USDC", 6), holders, amount)
}

/// `whole` tokens in base units of a `decimals`-decimal token.
fn whole_tokens(whole: u64, decimals: u8) -> U256 {
    U256::from(whole) * U256::from(10).pow(U256::from(decimals))
}

/// Approves `spender` for `token` on behalf of every user (tokens deployed before the pool).
fn approve_all(evm: &mut Evm, token: Address, users: &[Address], spender: Address) -> eyre::Result<()> {
    for &user in users {
        evm.call(user, token, &MockERC20::approveCall { spender, value: U256::MAX })?
            .success()
            .wrap_err_with(|| format!("{user} approving {spender} on {token}"))?;
    }
    Ok(())
}

/// ABI-encoded constructor arguments of a [`MockERC20`].
fn erc20_args(name: &str, symbol: &str, decimals: u8) -> Vec<u8> {
    MockERC20::constructorCall { name_: name.into(), symbol_: symbol.into(), decimals_: decimals }.abi_encode()
}

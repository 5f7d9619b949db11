//! The collateral pool's world: USDC and its feeds, four collateral tokens covering the
//! decimals and token behaviours the pool must handle, and the pool behind its proxy.

use alloy_primitives::{Address, Bytes, I256, U256};
use alloy_sol_types::{SolCall, SolConstructor};
use bindings::{BlacklistToken, ERC20CollateralPool, FeeOnTransferToken, MockAggregator};
use eyre::WrapErr;

use super::{
    ADMIN, approve_all, cached, deploy_behind_proxy, deploy_funded_token, deploy_usdc, erc20_args, implementation_code,
    upgrade_proxy, users, whole_tokens,
};
use crate::evm::{Evm, GENESIS_TIMESTAMP};

/// How a collateral token behaves on transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An OpenZeppelin ERC-20.
    Plain,
    /// Takes 1 % of every transfer between two holders (`FeeOnTransferToken`, 100 bps): the pool
    /// must refuse it with `TokenTransferAmountIncludedFees`.
    FeeOnTransfer,
    /// Its owner ([`ADMIN`]) can blacklist any address (`BlacklistToken.setBlacklisted`);
    /// transfers from or to a blacklisted address revert with `Blacklisted(address)`.
    Blacklist,
}

/// A collateral token with its Chainlink-style USD feed.
#[derive(Debug, Clone)]
pub struct CollateralAsset {
    /// The token.
    pub token: Address,
    /// Its `decimals()`.
    pub decimals: u8,
    /// Its transfer behaviour.
    pub kind: TokenKind,
    /// Its USD price feed (`MockAggregator`).
    pub feed: Address,
    /// The feed's `decimals()`.
    pub feed_decimals: u8,
    /// The feed's answer at genesis, in feed units.
    pub initial_price: I256,
    /// An L2 sequencer-uptime feed to configure for pools of this token, if any.
    pub sequencer: Option<Address>,
}

/// Every user starts with this much USDC: 10^9 USDC, far beyond any pool's capacity.
pub const USER_USDC: u64 = 1_000_000_000_000_000;

/// Every user starts with 10^12 whole tokens of each collateral.
pub const USER_COLLATERAL_WHOLE_TOKENS: u64 = 1_000_000_000_000;

/// USDC's price at genesis on its 8-decimal feed: $1.
pub const USDC_PRICE: i64 = 100_000_000;

/// Sequencer feeds report "up since a day before genesis", so the one-hour grace has passed.
pub const SEQUENCER_UP_SINCE: u64 = GENESIS_TIMESTAMP - 86_400;

/// The deployed collateral pool and everything around it.
#[derive(Clone)]
pub struct CollateralWorld {
    /// The chain.
    pub evm: Evm,
    /// `DEFAULT_ADMIN_ROLE` holder and `ProxyAdmin` owner.
    pub admin: Address,
    /// The pool (the proxy's address).
    pub pool: Address,
    /// The proxy's `ProxyAdmin`.
    pub proxy_admin: Address,
    /// The current implementation behind the proxy.
    pub implementation: Address,
    /// 6-decimal USDC (`MockERC20`).
    pub usdc: Address,
    /// USDC/USD feed, 8 decimals, starting at [`USDC_PRICE`].
    pub usdc_feed: Address,
    /// The L2 sequencer-uptime feed the pool checks with every USDC price (answer 0 = up,
    /// 1 = down; `startedAt` = when the status last changed).
    pub usdc_sequencer: Address,
    /// Collateral tokens, in this order: 18-decimal plain ($2,000, 8-decimal feed); 6-decimal
    /// plain ($0.02, 18-decimal feed, with its own sequencer feed); 18-decimal blacklisting
    /// ($1, 8-decimal feed); 18-decimal fee-on-transfer ($10, 8-decimal feed).
    pub collaterals: Vec<CollateralAsset>,
    /// Funded users ([`USER_USDC`] USDC, [`USER_COLLATERAL_WHOLE_TOKENS`] of each collateral),
    /// each having approved the pool for every token.
    pub users: Vec<Address>,
}

impl CollateralWorld {
    /// A fresh copy of this thread's deployment (the production implementation, or the one set
    /// by [`super::with_implementation`]), at genesis, with no pools.
    pub fn new() -> eyre::Result<Self> {
        let code = implementation_code(&ERC20CollateralPool::BYTECODE);
        cached("collateral", &code, || Self::deploy(&code))
    }

    /// Upgrades the proxy to a freshly deployed copy of the implementation it runs: every
    /// storage slot must survive and behaviour must be unchanged.
    pub fn upgrade(&mut self) -> eyre::Result<()> {
        let code = implementation_code(&ERC20CollateralPool::BYTECODE);
        self.implementation = upgrade_proxy(&mut self.evm, self.pool, self.proxy_admin, &code)?;
        Ok(())
    }

    fn deploy(implementation: &Bytes) -> eyre::Result<Self> {
        let mut evm = Evm::new();
        let users = users();
        let usdc = deploy_usdc(&mut evm, &users, U256::from(USER_USDC))?;
        let usdc_feed = feed(&mut evm, 8, I256::try_from(USDC_PRICE)?)?;
        let usdc_sequencer = sequencer(&mut evm)?;

        let whole = |decimals: u8| whole_tokens(USER_COLLATERAL_WHOLE_TOKENS, decimals);
        let mut collaterals = Vec::new();
        let specs: [(&str, u8, TokenKind, u8, I256, bool); 4] = [
            ("WETH", 18, TokenKind::Plain, 8, I256::try_from(200_000_000_000i64)?, false),
            ("DFTR", 6, TokenKind::Plain, 18, I256::try_from(20_000_000_000_000_000i64)?, true),
            ("BLK", 18, TokenKind::Blacklist, 8, I256::try_from(100_000_000i64)?, false),
            ("FOT", 18, TokenKind::FeeOnTransfer, 8, I256::try_from(1_000_000_000i64)?, false),
        ];
        for (symbol, decimals, kind, feed_decimals, price, has_sequencer) in specs {
            let (code, args) = match kind {
                TokenKind::Plain => (&bindings::MockERC20::BYTECODE, erc20_args(symbol, symbol, decimals)),
                TokenKind::Blacklist => (&BlacklistToken::BYTECODE, erc20_args(symbol, symbol, decimals)),
                TokenKind::FeeOnTransfer => (
                    &FeeOnTransferToken::BYTECODE,
                    FeeOnTransferToken::constructorCall {
                        name_: symbol.into(),
                        symbol_: symbol.into(),
                        decimals_: decimals,
                        feeBps_: U256::from(100),
                    }
                    .abi_encode(),
                ),
            };
            let token = deploy_funded_token(&mut evm, code, &args, &users, whole(decimals))
                .wrap_err_with(|| format!("deploying collateral {symbol}"))?;
            let feed_address = feed(&mut evm, feed_decimals, price)?;
            let sequencer = if has_sequencer { Some(sequencer(&mut evm)?) } else { None };
            collaterals.push(CollateralAsset {
                token,
                decimals,
                kind,
                feed: feed_address,
                feed_decimals,
                initial_price: price,
                sequencer,
            });
        }

        let init = ERC20CollateralPool::__ERC20CollateralPool_initCall {
            _admin: ADMIN,
            _usdc: usdc,
            _usdcPriceOracle: usdc_feed,
            _usdcSequencerOracle: usdc_sequencer,
            _pools: Vec::new(),
        };
        let (pool, proxy_admin, implementation) = deploy_behind_proxy(&mut evm, implementation, init.abi_encode())?;
        approve_all(&mut evm, usdc, &users, pool)?;
        for asset in &collaterals {
            approve_all(&mut evm, asset.token, &users, pool)?;
        }
        Ok(Self {
            evm,
            admin: ADMIN,
            pool,
            proxy_admin,
            implementation,
            usdc,
            usdc_feed,
            usdc_sequencer,
            collaterals,
            users,
        })
    }
}

/// A price feed answering `price` (in `decimals`), updated at genesis.
fn feed(evm: &mut Evm, decimals: u8, price: I256) -> eyre::Result<Address> {
    let args = MockAggregator::constructorCall { decimals_: decimals, initialAnswer: price };
    evm.deploy(ADMIN, &MockAggregator::BYTECODE, &args.abi_encode())
}

/// A sequencer-uptime feed reporting "up" since [`SEQUENCER_UP_SINCE`].
fn sequencer(evm: &mut Evm) -> eyre::Result<Address> {
    let address = feed(evm, 0, I256::ZERO)?;
    let since = U256::from(SEQUENCER_UP_SINCE);
    evm.call(
        ADMIN,
        address,
        &MockAggregator::setRoundCall { newAnswer: I256::ZERO, newStartedAt: since, newUpdatedAt: since },
    )?
    .success()?;
    Ok(address)
}

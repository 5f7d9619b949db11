//! The counterparty pools' world: USDC, ERC-20 collateral of 6 and 18 decimals, a
//! fee-on-transfer token (creation must refuse it), an ERC-721 and an ERC-1155 collection, and
//! one of the two pool variants behind its proxy.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolConstructor};
use bindings::{AdminCounterpartyPool, CounterpartyPool, FeeOnTransferToken, MockERC721, MockERC1155};

use super::{
    ADMIN, approve_all, cached, deploy_behind_proxy, deploy_funded_token, deploy_usdc, erc20_args, implementation_code,
    upgrade_proxy, users, whole_tokens,
};
use crate::evm::Evm;

/// Which counterparty contract the world runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CounterpartyVariant {
    /// `CounterpartyPool`: anyone creates pools and pays the creation fee.
    Default,
    /// `AdminCounterpartyPool`: only the admin creates, collects, deposits, closes, archives.
    Admin,
}

impl CounterpartyVariant {
    /// The production implementation's creation code.
    pub fn production_code(self) -> &'static Bytes {
        match self {
            Self::Default => &CounterpartyPool::BYTECODE,
            Self::Admin => &AdminCounterpartyPool::BYTECODE,
        }
    }

    /// Short name used in cache keys and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Default => "counterparty",
            Self::Admin => "admin-counterparty",
        }
    }
}

/// Every user, and the admin, starts with this much USDC: 10^9 USDC.
pub const USER_USDC: u64 = 1_000_000_000_000_000;

/// Every user, and the admin, starts with 10^12 whole tokens of each ERC-20 collateral.
pub const USER_ERC20_WHOLE_TOKENS: u64 = 1_000_000_000_000;

/// The deployed counterparty pool contract and everything around it.
#[derive(Clone)]
pub struct CounterpartyWorld {
    /// The chain.
    pub evm: Evm,
    /// `DEFAULT_ADMIN_ROLE` holder (it sent the initialiser) and `ProxyAdmin` owner; funded and
    /// approving like a user, since the admin variant's admin creates pools and pays rewards.
    pub admin: Address,
    /// The pool contract (the proxy's address).
    pub pool: Address,
    /// The proxy's `ProxyAdmin`.
    pub proxy_admin: Address,
    /// The current implementation behind the proxy.
    pub implementation: Address,
    /// Which contract runs behind the proxy.
    pub variant: CounterpartyVariant,
    /// 6-decimal USDC (`MockERC20`).
    pub usdc: Address,
    /// Plain ERC-20 collateral tokens as (address, decimals): 6 then 18 decimals.
    pub erc20s: Vec<(Address, u8)>,
    /// An 18-decimal token taking 1 % per transfer: `createPool` must refuse it.
    pub fee_on_transfer: Address,
    /// An ERC-721 collection; `mint(to, id)` is open to anyone.
    pub erc721: Address,
    /// An ERC-1155 collection; `mint(to, id, amount)` is open to anyone.
    pub erc1155: Address,
    /// Funded users ([`USER_USDC`] USDC, [`USER_ERC20_WHOLE_TOKENS`] of each ERC-20, no NFTs
    /// yet), each having approved the pool for every token and collection.
    pub users: Vec<Address>,
}

impl CounterpartyWorld {
    /// A fresh copy of this thread's deployment of `variant` (the production implementation, or
    /// the one set by [`super::with_implementation`]), at genesis, with no pools.
    pub fn new(variant: CounterpartyVariant) -> eyre::Result<Self> {
        let code = implementation_code(variant.production_code());
        cached(variant.name(), &code, || Self::deploy(variant, &code))
    }

    /// Upgrades the proxy to a freshly deployed copy of the implementation it runs.
    pub fn upgrade(&mut self) -> eyre::Result<()> {
        let code = implementation_code(self.variant.production_code());
        self.implementation = upgrade_proxy(&mut self.evm, self.pool, self.proxy_admin, &code)?;
        Ok(())
    }

    fn deploy(variant: CounterpartyVariant, implementation: &Bytes) -> eyre::Result<Self> {
        let mut evm = Evm::new();
        let users = users();
        let holders: Vec<Address> = users.iter().copied().chain([ADMIN]).collect();
        let usdc = deploy_usdc(&mut evm, &holders, U256::from(USER_USDC))?;
        let whole = |decimals: u8| whole_tokens(USER_ERC20_WHOLE_TOKENS, decimals);
        let mut erc20s = Vec::new();
        for (symbol, decimals) in [("SIX", 6u8), ("EIGHTEEN", 18u8)] {
            let args = erc20_args(symbol, symbol, decimals);
            let token =
                deploy_funded_token(&mut evm, &bindings::MockERC20::BYTECODE, &args, &holders, whole(decimals))?;
            erc20s.push((token, decimals));
        }
        let fot_args = FeeOnTransferToken::constructorCall {
            name_: "FOT".into(),
            symbol_: "FOT".into(),
            decimals_: 18,
            feeBps_: U256::from(100),
        };
        let fee_on_transfer =
            deploy_funded_token(&mut evm, &FeeOnTransferToken::BYTECODE, &fot_args.abi_encode(), &holders, whole(18))?;
        let nft_args = MockERC721::constructorCall { name_: "Deeds".into(), symbol_: "DEED".into() };
        let erc721 = evm.deploy(ADMIN, &MockERC721::BYTECODE, &nft_args.abi_encode())?;
        let erc1155 = evm.deploy(ADMIN, &MockERC1155::BYTECODE, &[])?;

        let init = CounterpartyPool::__Pools_initCall { _usdc: usdc };
        let (pool, proxy_admin, implementation) = deploy_behind_proxy(&mut evm, implementation, init.abi_encode())?;
        for token in [usdc, erc20s[0].0, erc20s[1].0, fee_on_transfer] {
            approve_all(&mut evm, token, &holders, pool)?;
        }
        for holder in &holders {
            evm.call(*holder, erc721, &MockERC721::setApprovalForAllCall { operator: pool, approved: true })?
                .success()?;
            evm.call(*holder, erc1155, &MockERC1155::setApprovalForAllCall { operator: pool, approved: true })?
                .success()?;
        }
        Ok(Self {
            evm,
            admin: ADMIN,
            pool,
            proxy_admin,
            implementation,
            variant,
            usdc,
            erc20s,
            fee_on_transfer,
            erc721,
            erc1155,
            users,
        })
    }
}

//! An in-memory chain on revm: deploy forge artifacts, send calls as any address, read views,
//! and move the clock. Gas is free (zero base fee and gas price) so actors need no ether.

use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_sol_types::SolCall;
use eyre::{WrapErr, bail, eyre};
use revm::{
    Context, ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext, MainnetEvm,
    context::{
        BlockEnv, TxEnv,
        result::{ExecutionResult, Output},
    },
    database::{CacheDB, EmptyDB},
    handler::MainnetContext,
};

/// Unix time of the genesis block: a fixed date keeps every run reproducible.
pub const GENESIS_TIMESTAMP: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// Transactions executed by every [`Evm`] of the process (calls, views and deployments): the
/// benchmark's "EVM calls".
static TRANSACTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many transactions every [`Evm`] of this process has executed so far.
pub fn transactions_executed() -> u64 {
    TRANSACTIONS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Set by [`allow_oversized_code`]: every [`Evm`] created afterwards lifts EIP-170's limit.
static OVERSIZED_CODE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Lets every [`Evm`] created from now on deploy code above EIP-170's 24,576 bytes. Only for
/// contracts compiled without the optimizer (the mutants of `make mutate`, compiled that way
/// because it halves solcjs's compile time); production bytecode must fit the limit.
pub fn allow_oversized_code() {
    OVERSIZED_CODE.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Gas limit of each transaction: the EIP-7825 cap the default hardfork enforces.
const TX_GAS_LIMIT: u64 = 1 << 24;

/// What a state-changing call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOutcome<T> {
    /// The call succeeded and returned this value, using `gas` in total.
    Success {
        /// Decoded return value.
        value: T,
        /// Gas used by the transaction, intrinsic cost included.
        gas: u64,
    },
    /// The call reverted with this revert data (a custom error, `Error(string)` or a panic).
    Revert(Bytes),
}

impl<T> CallOutcome<T> {
    /// The return value, or an error carrying the revert data.
    pub fn success(self) -> eyre::Result<T> {
        match self {
            Self::Success { value, .. } => Ok(value),
            Self::Revert(data) => Err(eyre!("call reverted with data {data}")),
        }
    }
}

/// A frozen copy of the chain (accounts, storage and block), restorable any number of times.
#[derive(Clone)]
pub struct Snapshot {
    db: CacheDB<EmptyDB>,
    block: BlockEnv,
}

/// The in-memory chain.
pub struct Evm {
    inner: MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>,
}

impl Clone for Evm {
    fn clone(&self) -> Self {
        Self::from_snapshot(&self.snapshot())
    }
}

impl Default for Evm {
    fn default() -> Self {
        Self::new()
    }
}

impl Evm {
    /// An empty chain at [`GENESIS_TIMESTAMP`], block 1.
    pub fn new() -> Self {
        let inner = Context::mainnet()
            .with_db(CacheDB::new(EmptyDB::default()))
            .modify_block_chained(|block| {
                block.timestamp = U256::from(GENESIS_TIMESTAMP);
                block.number = U256::from(1);
                block.basefee = 0;
            })
            .modify_cfg_chained(|cfg| {
                cfg.disable_nonce_check = true;
                if OVERSIZED_CODE.load(std::sync::atomic::Ordering::Relaxed) {
                    cfg.limit_contract_code_size = Some(usize::MAX);
                    cfg.limit_contract_initcode_size = Some(usize::MAX);
                }
            })
            .build_mainnet();
        Self { inner }
    }

    /// A new chain holding exactly the state of `snapshot`.
    pub fn from_snapshot(snapshot: &Snapshot) -> Self {
        let mut evm = Self::new();
        evm.restore(snapshot);
        evm
    }

    /// Freezes the current state; cheap enough to take once per deployment and restore per case.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot { db: self.inner.ctx.journaled_state.database.clone(), block: self.inner.ctx.block.clone() }
    }

    /// Puts the chain back to `snapshot`, clock included.
    pub fn restore(&mut self, snapshot: &Snapshot) {
        self.inner.ctx.journaled_state.database = snapshot.db.clone();
        self.inner.ctx.block = snapshot.block.clone();
    }

    /// The value of storage `slot` of `address` (zero when never written).
    pub fn storage(&mut self, address: Address, slot: U256) -> eyre::Result<U256> {
        use revm::database::DatabaseRef;
        self.inner
            .ctx
            .journaled_state
            .database
            .storage_ref(address, slot)
            .map_err(|e| eyre!("reading slot {slot} of {address}: {e:?}"))
    }

    /// Current block timestamp in seconds.
    pub fn timestamp(&self) -> u64 {
        self.inner.ctx.block.timestamp.saturating_to()
    }

    /// Moves the clock forward by `seconds` and mines one block.
    pub fn warp(&mut self, seconds: u64) {
        let block = &mut self.inner.ctx.block;
        block.timestamp += U256::from(seconds);
        block.number += U256::from(1);
    }

    /// Deploys `creation_code` followed by the ABI-encoded constructor `args`, sent by `from`.
    pub fn deploy(&mut self, from: Address, creation_code: &[u8], args: &[u8]) -> eyre::Result<Address> {
        let mut data = Vec::with_capacity(creation_code.len() + args.len());
        data.extend_from_slice(creation_code);
        data.extend_from_slice(args);
        match self.execute(from, TxKind::Create, data.into(), true)? {
            ExecutionResult::Success { output: Output::Create(_, Some(address)), .. } => Ok(address),
            other => bail!("deployment from {from} failed: {other:?}"),
        }
    }

    /// Sends `call` to `to` as `from` and commits its effects; a revert is an outcome, not an error.
    pub fn call<C: SolCall>(&mut self, from: Address, to: Address, call: &C) -> eyre::Result<CallOutcome<C::Return>> {
        let result = self.execute(from, TxKind::Call(to), call.abi_encode().into(), true)?;
        Self::decode::<C>(result)
    }

    /// Runs `call` against `to` without committing anything (a view, or a dry run).
    pub fn view<C: SolCall>(&mut self, to: Address, call: &C) -> eyre::Result<C::Return> {
        let result = self.execute(Address::ZERO, TxKind::Call(to), call.abi_encode().into(), false)?;
        Self::decode::<C>(result)?.success().wrap_err_with(|| format!("view {} on {to}", C::SIGNATURE))
    }

    fn execute(&mut self, from: Address, kind: TxKind, data: Bytes, commit: bool) -> eyre::Result<ExecutionResult> {
        TRANSACTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tx = TxEnv::builder()
            .caller(from)
            .kind(kind)
            .data(data)
            .gas_limit(TX_GAS_LIMIT)
            .gas_price(0)
            .build()
            .map_err(|e| eyre!("invalid transaction: {e:?}"))?;
        let result = if commit { self.inner.transact_commit(tx) } else { self.inner.transact(tx).map(|r| r.result) };
        result.map_err(|e| eyre!("EVM error: {e:?}"))
    }

    fn decode<C: SolCall>(result: ExecutionResult) -> eyre::Result<CallOutcome<C::Return>> {
        match result {
            ExecutionResult::Success { output, gas, .. } => {
                let value = C::abi_decode_returns(output.data())
                    .wrap_err_with(|| format!("decoding the return of {}", C::SIGNATURE))?;
                Ok(CallOutcome::Success { value, gas: gas.tx_gas_used() })
            }
            ExecutionResult::Revert { output, .. } => Ok(CallOutcome::Revert(output)),
            ExecutionResult::Halt { reason, .. } => bail!("{} halted: {reason:?}", C::SIGNATURE),
        }
    }
}

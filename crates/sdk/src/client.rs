//! The connection: provider, deployment checked against the node's chain, signers, and the
//! one path every write takes (estimate gas, dry run, send, read the outcome).

use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, Mutex},
};

use alloy::{
    consensus::Transaction as _,
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, PendingTransactionBuilder, Provider, ProviderBuilder},
    rpc::types::{TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::SolCall,
};
use eyre::{Result, WrapErr, bail, eyre};

use crate::{
    Deployment, TokenUnits,
    errors::{Reverted, describe_rpc_error, revert_data, rpc_failure},
};

/// One transaction a write needs, described in words (`approve 1,000 USDC for the collateral pool`).
#[derive(Clone, Debug)]
pub struct Call {
    /// What it does, in words.
    pub description: String,
    /// The sender.
    pub from: Address,
    /// The contract called.
    pub to: Address,
    /// The calldata.
    pub data: Bytes,
}

impl Call {
    /// A call of `call` on `to` from `from`.
    pub fn new(description: impl Into<String>, from: Address, to: Address, call: &impl SolCall) -> Self {
        Self { description: description.into(), from, to, data: call.abi_encode().into() }
    }

    /// The transaction request, unsigned and unfilled ([`Client::prepare`] fills it for a wallet).
    pub fn request(&self) -> TransactionRequest {
        TransactionRequest::default().with_from(self.from).with_to(self.to).with_input(self.data.clone())
    }
}

/// What a sent transaction did.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Its hash.
    pub tx_hash: B256,
    /// Gas it used.
    pub gas_used: u64,
    /// Its effects in words and human units, from the events it emitted.
    pub effects: Vec<String>,
}

/// A connection to a node with a deployment on it.
///
/// ```no_run
/// # async fn example() -> eyre::Result<()> {
/// let root = pools_sdk::repository_root();
/// let client = pools_sdk::Client::connect("http://127.0.0.1:8545", &root, None, vec![]).await?;
/// for pool in client.collateral_pools().await? {
///     println!("pool {} lends against {}", pool.id, pool.collateral.symbol);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    provider: DynProvider,
    deployment: Deployment,
    sender: Option<Address>,
    labels: Arc<Mutex<HashMap<Address, String>>>,
    tokens: Arc<Mutex<HashMap<Address, TokenUnits>>>,
}

impl Client {
    /// Connects to `rpc_url`, reads the deployment (`deployment`, or `deployments/<chainId>.json`
    /// under `root`), refuses it if it is for another chain, and signs with `signers` (the first
    /// is the default sender).
    pub async fn connect(
        rpc_url: &str,
        root: &Path,
        deployment: Option<&Path>,
        signers: Vec<PrivateKeySigner>,
    ) -> Result<Self> {
        let provider = connect_provider(rpc_url, signers.clone())?;
        let chain_id = provider.get_chain_id().await.map_err(|e| {
            eyre!("cannot reach the node at {rpc_url}: {e} (is it running? `pools demo` starts a local one)")
        })?;
        let path = deployment.map(Path::to_path_buf).unwrap_or_else(|| Deployment::default_path(root, chain_id));
        let deployment = Deployment::load(&path)?;
        deployment.check_chain(chain_id)?;
        let client = Self {
            provider,
            sender: signers.first().map(|s| s.address()),
            deployment,
            labels: Arc::default(),
            tokens: Arc::default(),
        };
        client.label(client.deployment.collateral_pool.proxy, "collateral pool");
        client.label(client.deployment.counterparty_pool.proxy, "counterparty pool");
        client.label(client.deployment.admin_counterparty_pool.proxy, "admin counterparty pool");
        Ok(client)
    }

    /// The provider, for reads the SDK does not wrap.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// The deployment in use.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// The same connection acting as `sender`: sending needs its key among the signers;
    /// building calls and preparing them ([`Client::prepare`], the assisted mode) need only
    /// the address.
    pub fn as_sender(&self, sender: Address) -> Self {
        Self { sender: Some(sender), ..self.clone() }
    }

    /// The default sender.
    pub fn sender(&self) -> Result<Address> {
        self.sender.ok_or_else(|| eyre!("this needs a signer: set POOLS_PRIVATE_KEY or pass --keystore"))
    }

    /// Names an address in outputs (`alice` instead of `0x7099…79c8`).
    pub fn label(&self, address: Address, name: impl Into<String>) {
        if let Ok(mut labels) = self.labels.lock() {
            labels.insert(address, name.into());
        }
    }

    /// The name of `address`, or its short hex form.
    pub fn name(&self, address: Address) -> String {
        let label = self.labels.lock().ok().and_then(|l| l.get(&address).cloned());
        label.unwrap_or_else(|| {
            let hex = address.to_string();
            format!("{}…{}", &hex[..6], &hex[hex.len() - 4..])
        })
    }

    /// Symbol and decimals of `token`, read once.
    pub async fn token_units(&self, token: Address) -> Result<TokenUnits> {
        if let Some(units) = self.tokens.lock().ok().and_then(|t| t.get(&token).cloned()) {
            return Ok(units);
        }
        let erc20 = bindings::MockERC20::new(token, &self.provider);
        let symbol = erc20.symbol().call().await.wrap_err_with(|| format!("{token} has no ERC-20 symbol"))?;
        let decimals = erc20.decimals().call().await.wrap_err_with(|| format!("{token} has no ERC-20 decimals"))?;
        let units = TokenUnits { symbol, decimals };
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(token, units.clone());
        }
        Ok(units)
    }

    /// `token` balance of `owner`.
    pub async fn balance_of(&self, token: Address, owner: Address) -> Result<U256> {
        Ok(bindings::MockERC20::new(token, &self.provider).balanceOf(owner).call().await?)
    }

    /// An `approve` of `amount` of `token` for `spender`, when the sender's allowance is short.
    pub(crate) async fn approval_if_needed(
        &self,
        token: Address,
        spender: Address,
        amount: U256,
    ) -> Result<Option<Call>> {
        let from = self.sender()?;
        let allowance = bindings::MockERC20::new(token, &self.provider).allowance(from, spender).call().await?;
        if allowance >= amount {
            return Ok(None);
        }
        let units = self.token_units(token).await?;
        let call = bindings::MockERC20::approveCall { spender, value: amount };
        let words = format!("approve {} for the {}", units.format(amount), self.name(spender));
        Ok(Some(Call::new(words, from, token, &call)))
    }

    /// Gas the call would use now; a revert comes back in words.
    pub async fn estimate_gas(&self, call: &Call) -> Result<u64> {
        self.provider.estimate_gas(call.request()).await.map_err(|e| rpc_failure(&call.description, &e))
    }

    /// Runs the call without sending it (eth_call); a revert comes back in words.
    pub async fn dry_run(&self, call: &Call) -> Result<Bytes> {
        self.provider.call(call.request()).await.map_err(|e| rpc_failure(&call.description, &e))
    }

    /// Sends the call, waits for its receipt and describes its effects.
    pub async fn send(&self, call: &Call) -> Result<Outcome> {
        let gas = self.estimate_gas(call).await?;
        let pending = self
            .provider
            .send_transaction(call.request().with_gas_limit(gas_limit(gas)))
            .await
            .map_err(|e| rpc_failure(&call.description, &e))?;
        self.settle(pending, &call.description).await
    }

    /// Waits for a sent transaction's receipt; a revert comes back as [`Reverted`], its reason
    /// recovered by replaying the transaction with `eth_call` on the state it ran against.
    pub(crate) async fn settle(
        &self,
        pending: PendingTransactionBuilder<alloy::network::Ethereum>,
        action: &str,
    ) -> Result<Outcome> {
        let receipt = pending.get_receipt().await.wrap_err_with(|| format!("{action}: no receipt"))?;
        if receipt.status() {
            return Ok(Outcome {
                tx_hash: receipt.transaction_hash,
                gas_used: receipt.gas_used,
                effects: self.effects(&receipt).await,
            });
        }
        let context = format!("reverted on chain in {} after {} gas", receipt.transaction_hash, receipt.gas_used);
        let mut reason = String::from("no reason recovered");
        let sent = self.provider.get_transaction_by_hash(receipt.transaction_hash).await.ok().flatten();
        if let (Some(block), Some(sent)) = (receipt.block_number, sent) {
            let mut replay = TransactionRequest::default()
                .with_from(sent.inner.signer())
                .with_input(sent.inner.input().clone())
                .with_value(sent.inner.value())
                .with_gas_limit(sent.inner.gas_limit());
            if let Some(to) = sent.inner.to() {
                replay = replay.with_to(to);
            }
            if let Err(e) = self.provider.call(replay).block(block.saturating_sub(1).into()).await {
                match revert_data(&e) {
                    Some(data) => return Err(Reverted::from_data(action, Some(context), &data).into()),
                    None => reason = describe_rpc_error(&e),
                }
            }
        }
        bail!("{action}: {context}: {reason}")
    }

    /// Sends every call in order (what the demo and tests do; the CLI confirms each first).
    pub async fn send_all(&self, calls: &[Call]) -> Result<Vec<Outcome>> {
        let mut outcomes = Vec::with_capacity(calls.len());
        for call in calls {
            outcomes.push(self.send(call).await?);
        }
        Ok(outcomes)
    }

    /// The receipt's pool events in words.
    async fn effects(&self, receipt: &TransactionReceipt) -> Vec<String> {
        let mut effects = Vec::new();
        for log in receipt.inner.logs() {
            match crate::effects::describe_log(self, log).await {
                Ok(Some(effect)) => effects.push(effect),
                Ok(None) => {}
                Err(e) => effects.push(format!("(undecodable event: {e})")),
            }
        }
        effects
    }

    /// The node's latest block timestamp.
    pub async fn now(&self) -> Result<u64> {
        let block = self
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await?
            .ok_or_else(|| eyre!("the node has no latest block"))?;
        Ok(block.header.timestamp)
    }
}

/// Percent added to a gas estimate for the transaction's gas limit: the mined block's timestamp
/// can differ from the estimate's and take a costlier path (a reward-accumulator update the
/// estimate skipped), and an exact estimate then runs out of gas.
pub const GAS_MARGIN_PERCENT: u64 = 25;

/// The gas limit for a transaction estimated at `estimate`: [`GAS_MARGIN_PERCENT`] more.
///
/// ```
/// assert_eq!(pools_sdk::gas_limit(100_000), 125_000);
/// ```
pub fn gas_limit(estimate: u64) -> u64 {
    estimate.saturating_add(estimate * GAS_MARGIN_PERCENT / 100)
}

/// An HTTP provider filling gas, nonce and chain id, with a wallet of `signers` when given.
///
/// Nonces come from the node's pending count at every send (not a local cache): the same
/// accounts may also send through [`Client::send_raw`] or their own wallets, and a cached nonce
/// would then be stale ("nonce too low").
fn connect_provider(rpc_url: &str, signers: Vec<PrivateKeySigner>) -> Result<DynProvider> {
    let url = rpc_url.parse().map_err(|e| eyre!("--rpc-url {rpc_url} is not a URL: {e}"))?;
    let builder = ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id();
    let mut signers = signers.into_iter();
    Ok(match signers.next() {
        None => builder.connect_http(url).erased(),
        Some(first) => {
            let mut wallet = EthereumWallet::new(first);
            for signer in signers {
                wallet.register_signer(signer);
            }
            builder.wallet(wallet).connect_http(url).erased()
        }
    })
}

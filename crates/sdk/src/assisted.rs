//! The assisted mode: unsigned transactions for a wallet to sign ([`Client::prepare`],
//! [`Client::prepare_all`]) and the relay of a transaction a user signed ([`Client::send_raw`]).
//! The server side of an API never holds users' keys.

use alloy::{
    eips::BlockNumberOrTag,
    network::TransactionBuilder,
    primitives::{Address, B256, Bytes, U256},
    providers::Provider,
    rpc::types::{
        TransactionRequest,
        state::{AccountOverride, StateOverride},
    },
    sol_types::SolCall,
};
use bindings::MockERC20;
use eyre::{Result, WrapErr, eyre};
use serde::{Deserialize, Serialize};

use crate::{Call, Client, Outcome, client::gas_limit, errors::rpc_failure};

/// The fee a wallet should offer, from the node's own estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum FeeSuggestion {
    /// EIP-1559 (`"type": "0x2"`): the provider's fee-history estimate.
    #[serde(rename = "0x2", rename_all = "camelCase")]
    Eip1559 {
        /// Most the sender pays per gas, wei.
        #[serde(with = "alloy::serde::quantity")]
        max_fee_per_gas: u128,
        /// Tip to the block producer per gas, wei.
        #[serde(with = "alloy::serde::quantity")]
        max_priority_fee_per_gas: u128,
    },
    /// Legacy (`"type": "0x0"`), for nodes whose blocks carry no base fee.
    #[serde(rename = "0x0", rename_all = "camelCase")]
    Legacy {
        /// Price per gas, wei (`eth_gasPrice`).
        #[serde(with = "alloy::serde::quantity")]
        gas_price: u128,
    },
}

/// A transaction for a wallet to sign, in the shape of the JSON-RPC transaction object
/// (`eth_sendTransaction`'s parameter: quantities as `0x` hex, camelCase keys) plus what it does
/// in words and the raw gas estimate.
///
/// ```
/// let json = r#"{"description":"lend 100 USDC to collateral pool 0",
///   "from":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","to":"0x5fbdb2315678afecb367f032d93f642f64180aa3",
///   "data":"0x","value":"0x0","chainId":"0x7a69","nonce":"0x3","gas":"0x1d4c0","estimatedGas":"0x17700",
///   "type":"0x2","maxFeePerGas":"0x77359400","maxPriorityFeePerGas":"0x1"}"#;
/// let tx: pools_sdk::UnsignedTx = serde_json::from_str(json).unwrap();
/// assert_eq!((tx.chain_id, tx.nonce, tx.gas, tx.estimated_gas), (31337, 3, 120_000, 96_000));
/// assert!(matches!(tx.fees, pools_sdk::FeeSuggestion::Eip1559 { max_priority_fee_per_gas: 1, .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnsignedTx {
    /// What it does, in words.
    pub description: String,
    /// The sender, who must sign it.
    pub from: Address,
    /// The contract called.
    pub to: Address,
    /// The calldata.
    pub data: Bytes,
    /// Ether sent along (always zero for the pools).
    pub value: U256,
    /// The chain it is for.
    #[serde(with = "alloy::serde::quantity")]
    pub chain_id: u64,
    /// The sender's next nonce (counting pending transactions), plus the position in a sequence.
    #[serde(with = "alloy::serde::quantity")]
    pub nonce: u64,
    /// Gas limit: the estimate plus [`crate::GAS_MARGIN_PERCENT`].
    #[serde(with = "alloy::serde::quantity")]
    pub gas: u64,
    /// The node's estimate, without the margin.
    #[serde(with = "alloy::serde::quantity")]
    pub estimated_gas: u64,
    /// The fee to offer.
    #[serde(flatten)]
    pub fees: FeeSuggestion,
}

impl UnsignedTx {
    /// As a transaction request, every field set: ready for a local signer
    /// (`request.build(&wallet)`), as a wallet would sign the JSON.
    pub fn request(&self) -> TransactionRequest {
        let request = TransactionRequest::default()
            .with_from(self.from)
            .with_to(self.to)
            .with_input(self.data.clone())
            .with_value(self.value)
            .with_chain_id(self.chain_id)
            .with_nonce(self.nonce)
            .with_gas_limit(self.gas);
        match self.fees {
            FeeSuggestion::Eip1559 { max_fee_per_gas, max_priority_fee_per_gas } => {
                request.with_max_fee_per_gas(max_fee_per_gas).with_max_priority_fee_per_gas(max_priority_fee_per_gas)
            }
            FeeSuggestion::Legacy { gas_price } => request.with_gas_price(gas_price),
        }
    }
}

impl Client {
    /// The fee to offer now: EIP-1559 from the provider's fee-history estimate when the latest
    /// block has a base fee, else the legacy `eth_gasPrice`.
    pub async fn suggest_fees(&self) -> Result<FeeSuggestion> {
        let latest = self
            .provider()
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .wrap_err("reading the latest block for a fee suggestion")?
            .ok_or_else(|| eyre!("the node has no latest block"))?;
        if latest.header.base_fee_per_gas.is_none() {
            let gas_price = self.provider().get_gas_price().await.wrap_err("reading the gas price")?;
            return Ok(FeeSuggestion::Legacy { gas_price });
        }
        let estimate = self.provider().estimate_eip1559_fees().await.wrap_err("estimating EIP-1559 fees")?;
        Ok(FeeSuggestion::Eip1559 {
            max_fee_per_gas: estimate.max_fee_per_gas,
            max_priority_fee_per_gas: estimate.max_priority_fee_per_gas,
        })
    }

    /// The call as an unsigned transaction: gas estimated now (a call that would revert comes
    /// back as [`crate::Reverted`], the custom error in words), the sender's next nonce, the fee
    /// suggestion.
    ///
    /// ```no_run
    /// # async fn example(client: pools_sdk::Client, user: alloy::primitives::Address) -> eyre::Result<()> {
    /// let usdc = client.usdc_units().await?;
    /// let calls = client.as_sender(user).lend(0, usdc.parse("100")?).await?;
    /// for tx in client.prepare_all(&calls).await? {
    ///     println!("{}", serde_json::to_string(&tx)?);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn prepare(&self, call: &Call) -> Result<UnsignedTx> {
        let estimated_gas = self.estimate_gas(call).await?;
        let nonce = self.next_nonce(call.from).await?;
        Ok(self.unsigned(call, nonce, estimated_gas, self.suggest_fees().await?))
    }

    /// A sequence of calls (approvals, then the action: what every write builds) as unsigned
    /// transactions with consecutive nonces, to be signed and sent in order.
    ///
    /// A later call usually needs an earlier approval to be mined before it can be estimated.
    /// Each is therefore estimated on the current state plus a state override of what the
    /// earlier approvals in the sequence set: the allowance slot of (token, sender, spender),
    /// found with `eth_createAccessList` on `allowance(sender, spender)` and confirmed by an
    /// `eth_call` of `allowance` under the override. So every estimate is a dry run of the
    /// state the transaction will meet, and a call that would revert even after its approvals
    /// comes back as [`crate::Reverted`]. Only approvals carry state forward: a sequence with
    /// another call before its last is refused, since its effects cannot be overridden in general.
    pub async fn prepare_all(&self, calls: &[Call]) -> Result<Vec<UnsignedTx>> {
        let fees = self.suggest_fees().await?;
        let mut overrides = StateOverride::default();
        let mut nonces = std::collections::HashMap::new();
        let mut prepared = Vec::with_capacity(calls.len());
        for (step, call) in calls.iter().enumerate() {
            let estimated_gas = self
                .provider()
                .estimate_gas(call.request())
                .overrides(overrides.clone())
                .await
                .map_err(|e| rpc_failure(&call.description, &e))?;
            let nonce = match nonces.get(&call.from) {
                Some(&next) => next,
                None => self.next_nonce(call.from).await?,
            };
            nonces.insert(call.from, nonce + 1);
            prepared.push(self.unsigned(call, nonce, estimated_gas, fees));
            if step + 1 == calls.len() {
                break;
            }
            let approval = MockERC20::approveCall::abi_decode(&call.data).map_err(|_| {
                eyre!(
                    "step {} ({}) is not an ERC-20 approval: only approvals may come before the last call of a prepared sequence",
                    step + 1,
                    call.description
                )
            })?;
            let slot = self
                .allowance_slot(call.to, call.from, approval.spender, approval.value)
                .await
                .wrap_err_with(|| format!("cannot estimate step {} before step {} is mined", step + 2, step + 1))?;
            let account = overrides.entry(call.to).or_insert_with(AccountOverride::default);
            account.state_diff.get_or_insert_with(Default::default).insert(slot, B256::from(approval.value));
        }
        Ok(prepared)
    }

    /// The storage slot holding `token.allowance(owner, spender)`: among the slots the call
    /// reads, the one that, set to `value`, makes it return `value`.
    async fn allowance_slot(&self, token: Address, owner: Address, spender: Address, value: U256) -> Result<B256> {
        let read = TransactionRequest::default()
            .with_to(token)
            .with_input(MockERC20::allowanceCall { owner, spender }.abi_encode());
        let accessed = self
            .provider()
            .create_access_list(&read)
            .await
            .wrap_err_with(|| format!("eth_createAccessList of {token}.allowance"))?;
        for item in accessed.access_list.0.iter().filter(|item| item.address == token) {
            for &slot in &item.storage_keys {
                let mut diff = alloy::primitives::map::B256HashMap::default();
                diff.insert(slot, B256::from(value));
                let overrides = StateOverride::from_iter([(
                    token,
                    AccountOverride { state_diff: Some(diff), ..AccountOverride::default() },
                )]);
                let returned = self.provider().call(read.clone()).overrides(overrides).await;
                if returned.ok().and_then(|data| MockERC20::allowanceCall::abi_decode_returns(&data).ok())
                    == Some(value)
                {
                    return Ok(slot);
                }
            }
        }
        Err(eyre!("no storage slot of {token} holds its allowances (send the approval first and prepare again)"))
    }

    async fn next_nonce(&self, from: Address) -> Result<u64> {
        self.provider()
            .get_transaction_count(from)
            .pending()
            .await
            .wrap_err_with(|| format!("reading the nonce of {from}"))
    }

    fn unsigned(&self, call: &Call, nonce: u64, estimated_gas: u64, fees: FeeSuggestion) -> UnsignedTx {
        UnsignedTx {
            description: call.description.clone(),
            from: call.from,
            to: call.to,
            data: call.data.clone(),
            value: U256::ZERO,
            chain_id: self.deployment().chain_id,
            nonce,
            gas: gas_limit(estimated_gas),
            estimated_gas,
            fees,
        }
    }

    /// Relays a transaction a user signed (EIP-2718 bytes), waits for its receipt and describes
    /// its effects; a revert comes back as [`crate::Reverted`] with the custom error decoded.
    pub async fn send_raw(&self, signed: &[u8]) -> Result<Outcome> {
        let pending = self
            .provider()
            .send_raw_transaction(signed)
            .await
            .map_err(|e| eyre!("relaying the signed transaction: {e}"))?;
        let action = format!("relayed transaction {}", pending.tx_hash());
        self.settle(pending, &action).await
    }
}

//! Revert reasons in words: revert data decoded against the pools' errors (which include
//! OpenZeppelin's access-control, pausable and ERC-20 errors), the mock tokens' and feeds'.

use std::fmt;

use alloy::{
    primitives::Bytes,
    sol_types::{Revert, SolError},
    transports::TransportError,
};
use bindings::{AdminCounterpartyPool, CounterpartyPool, ERC20CollateralPool, MockAggregator, MockERC20};

/// Words for a revert: `NotEnoughUSDCInPool: the pool has not enough free USDC for this`, or
/// the error's name and arguments when there is no sentence for it.
///
/// ```
/// use alloy::sol_types::SolError;
/// let data = bindings::ERC20CollateralPool::NotEnoughUSDCInPool {}.abi_encode();
/// assert!(pools_sdk::describe_revert(&data).starts_with("NotEnoughUSDCInPool: "));
/// ```
pub fn describe_revert(data: &[u8]) -> String {
    if data.is_empty() {
        return "reverted without a reason (wrong contract address, or a call the contract does not have)".into();
    }
    if let Ok(revert) = Revert::abi_decode(data) {
        return format!("reverted: {}", revert.reason);
    }
    if data.len() < 4 {
        return format!("reverted with malformed data {}", Bytes::copy_from_slice(data));
    }
    let Some(name) = revert_name(data) else {
        return format!("reverted with unknown error {}", Bytes::copy_from_slice(data));
    };
    let arguments = decoded_arguments(data);
    let sentence = sentence(name).map(str::to_owned).unwrap_or_else(|| words_of(name));
    match arguments {
        Some(arguments) => format!("{name}: {sentence} ({arguments})"),
        None => format!("{name}: {sentence}"),
    }
}

/// The name of the custom error in revert data (`PoolHardCapReached`), when it is one of the
/// pools', tokens' or feeds' errors; `Error` for a `revert("…")` string.
///
/// ```
/// use alloy::sol_types::SolError;
/// let data = bindings::CounterpartyPool::PoolHardCapReached {}.abi_encode();
/// assert_eq!(pools_sdk::revert_name(&data), Some("PoolHardCapReached"));
/// ```
pub fn revert_name(data: &[u8]) -> Option<&'static str> {
    if Revert::abi_decode(data).is_ok() {
        return Some("Error");
    }
    let selector = data.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok())?;
    let signature = ERC20CollateralPool::ERC20CollateralPoolErrors::signature_by_selector(selector)
        .or_else(|| CounterpartyPool::CounterpartyPoolErrors::signature_by_selector(selector))
        .or_else(|| AdminCounterpartyPool::AdminCounterpartyPoolErrors::signature_by_selector(selector))
        .or_else(|| MockERC20::MockERC20Errors::signature_by_selector(selector))
        .or_else(|| MockAggregator::MockAggregatorErrors::signature_by_selector(selector))?;
    signature.split('(').next()
}

/// A call the chain refused (in a dry run, a gas estimate or a mined transaction), with the
/// contract's custom error decoded. It travels inside an [`eyre::Report`];
/// `report.downcast_ref::<Reverted>()` recovers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reverted {
    /// The call, in words.
    pub action: String,
    /// The custom error's name (`PoolHardCapReached`), when the revert data names one.
    pub error: Option<String>,
    /// What happened, in words (with the transaction hash when it was mined).
    pub reason: String,
}

impl Reverted {
    /// A refusal of `action` carrying revert `data`; `context` (e.g. where it was mined) goes
    /// before the decoded reason.
    pub(crate) fn from_data(action: &str, context: Option<String>, data: &[u8]) -> Self {
        let words = describe_revert(data);
        Self {
            action: action.to_owned(),
            error: revert_name(data).map(str::to_owned),
            reason: match context {
                Some(context) => format!("{context}: {words}"),
                None => words,
            },
        }
    }
}

impl fmt::Display for Reverted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.action, self.reason)
    }
}

impl std::error::Error for Reverted {}

/// An RPC error of `action`: a [`Reverted`] when it carries revert data, else the node's
/// message with the action.
pub(crate) fn rpc_failure(action: &str, error: &TransportError) -> eyre::Report {
    match revert_data(error) {
        Some(data) => Reverted::from_data(action, None, &data).into(),
        None => eyre::eyre!("{action}: {error}"),
    }
}

/// The arguments of an error that has some, as the decoder prints them.
fn decoded_arguments(data: &[u8]) -> Option<String> {
    use alloy::sol_types::SolInterface;
    let debug = if let Ok(e) = ERC20CollateralPool::ERC20CollateralPoolErrors::abi_decode(data) {
        format!("{e:?}")
    } else if let Ok(e) = CounterpartyPool::CounterpartyPoolErrors::abi_decode(data) {
        format!("{e:?}")
    } else if let Ok(e) = MockERC20::MockERC20Errors::abi_decode(data) {
        format!("{e:?}")
    } else {
        return None;
    };
    // `Variant(Variant { a: 1, b: 2 })` → `a: 1, b: 2`; unit-like errors have no braces.
    let inner = debug.split_once('{')?.1.rsplit_once('}')?.0.trim();
    (!inner.is_empty()).then(|| inner.to_owned())
}

/// A short sentence for the errors users meet; the others are spelled out from their names.
fn sentence(name: &str) -> Option<&'static str> {
    Some(match name {
        "NotEnoughUSDCInPool" => "the pool has not enough free USDC for this",
        "AmountTooLow" => "the amount is below the pool's minimum",
        "AmountTooBig" => "the amount is larger than allowed",
        "AmountCannotBeZero" => "the amount must be above zero",
        "MaxPoolCapacityIsReached" => "this would take the pool over its maximum capacity",
        "PoolIsClosed" => "the pool has ended: no new lending or borrowing",
        "PoolDoesNotExist" | "PoolDoesNotExists" => "there is no pool with this id",
        "CollateralAmountTooLow" => {
            "the collateral is not enough for this amount (see the required amount in `pools status`)"
        }
        "PositionNotLiquidatable" => "the position is healthy and not overdue: it cannot be liquidated",
        "OracleDataTooOld" => "the price feed has not been updated recently enough",
        "OracleSequencerDown" => "the L2 sequencer is down or just restarted: prices cannot be trusted yet",
        "BorrowDoesNotExist" => "there is no borrow position with this id for this address",
        "LendingDoesNotExist" => "there is no lend position with this id for this address",
        "RemainingBorrowTooLow" => {
            "what would remain of the loan is below the pool's minimum borrow: repay or liquidate all of it"
        }
        "PauseGracePeriodNotPassed" => "liquidations wait a grace period after the pool is unpaused",
        "EnforcedPause" => "the contract is paused",
        "AccessControlUnauthorizedAccount" => "the sender lacks the role this needs",
        "ERC20InsufficientBalance" => "the sender's token balance is too low",
        "ERC20InsufficientAllowance" => "the token allowance is too low",
        "TokenTransferAmountIncludedFees" => "the token took a fee on transfer: such tokens are not supported",
        "MustBePoolOwner" => "only the pool owner can do this",
        "MustBePoolOwnerOrAdmin" => "only the pool owner or the admin can do this",
        "PoolHardCapReached" => "this would take the pool over its hard cap",
        "PoolSoftCapNotReached" => "the commits have not reached the soft cap",
        "PoolDeadlineNotReached" => "the pool's deadline has not passed yet",
        "PoolDeadlineReached" => "the pool's deadline has passed",
        "MustDepositAtleastCommittedAmount" => "the rewards must cover the commits plus the minimum APR before closing",
        "PoolOwnerCannotCommitToHisOwnPool" => "the pool owner cannot lend to their own pool",
        "UncommitNotAllowed" => "commits cannot be withdrawn while the pool can still be collected",
        "NothingToClaim" => "nothing is owed to this address now",
        "WrongChain" => "the node's chain id is not the one the config is for",
        "AlreadyDeployed" => "this chain already has a deployment: pass --force to replace it",
        "ConfigInvalid" => "the deployment config is invalid",
        _ => return None,
    })
}

/// `PoolStatusMustBeClosed` → `pool status must be closed`.
fn words_of(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let starts_word = c.is_ascii_uppercase()
            && i > 0
            && (!chars[i - 1].is_ascii_uppercase() || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
        if starts_word {
            out.push(' ');
        }
        out.push(c);
    }
    out.split(' ')
        .map(|w| if w.chars().all(|c| c.is_ascii_uppercase()) { w.to_owned() } else { w.to_lowercase() })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Revert data carried by an RPC error (eth_call / eth_estimateGas), if any.
pub fn revert_data(error: &TransportError) -> Option<Bytes> {
    error.as_error_resp().and_then(|payload| payload.as_revert_data())
}

/// An RPC error in words: the decoded revert when it carries one, else the node's message.
pub fn describe_rpc_error(error: &TransportError) -> String {
    match revert_data(error) {
        Some(data) => describe_revert(&data),
        None => error.to_string(),
    }
}

/// Contract reads whose reverts come back in words (`LendingDoesNotExist: there is no lend
/// position with this id for this address`) instead of raw revert data.
pub(crate) trait InWords<T> {
    fn in_words(self) -> eyre::Result<T>;
}

impl<T> InWords<T> for Result<T, alloy::contract::Error> {
    fn in_words(self) -> eyre::Result<T> {
        self.map_err(|e| match e.as_revert_data() {
            Some(data) => eyre::eyre!(describe_revert(&data)),
            None => eyre::eyre!(e),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_errors_in_words() {
        let data = ERC20CollateralPool::MaxLTVExceeded {
            resultingLtv: 9000u64.try_into().unwrap(),
            maxLtv: 8000u64.try_into().unwrap(),
        }
        .abi_encode();
        let text = describe_revert(&data);
        assert!(text.starts_with("MaxLTVExceeded: max LTV exceeded (resultingLtv: 9000"), "{text}");
        let data = CounterpartyPool::PoolSoftCapNotReached {}.abi_encode();
        assert_eq!(describe_revert(&data), "PoolSoftCapNotReached: the commits have not reached the soft cap");
        assert_eq!(describe_revert(&[1, 2, 3, 4]), "reverted with unknown error 0x01020304");
    }
}

//! Amounts as the published API returns them: `{raw, decimals, formatted}`, base units as a
//! decimal string (no float ever touches a uint256), and the same in human units.

use alloy::primitives::U256;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};

/// An amount of a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, async_graphql::SimpleObject)]
pub struct Amount {
    /// Base units, decimal.
    pub raw: String,
    /// The token's decimals.
    pub decimals: u8,
    /// In whole units (`1234.5`), exact.
    pub formatted: String,
}

impl Amount {
    /// `raw` base units of a token with `decimals`.
    pub fn new(raw: U256, decimals: u8) -> Self {
        Self { raw: raw.to_string(), decimals, formatted: format_units(raw, decimals) }
    }

    /// From a decimal string stored in the database.
    pub fn parse(raw: &str, decimals: u8) -> ApiResult<Self> {
        let value: U256 =
            raw.parse().map_err(|_| ApiError::unexpected(&eyre::eyre!("stored amount `{raw}` is not a uint")))?;
        Ok(Self::new(value, decimals))
    }
}

/// Exact decimal formatting, trailing zeros dropped (`1000000` with 6 decimals → `1`).
pub fn format_units(raw: U256, decimals: u8) -> String {
    let digits = raw.to_string();
    let decimals = usize::from(decimals);
    if decimals == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = decimals + 1);
    let (whole, fraction) = padded.split_at(padded.len() - decimals);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() { whole.to_owned() } else { format!("{whole}.{fraction}") }
}

/// A uint256 given as a decimal string of base units; `field` names it in the error.
pub fn parse_uint(field: &str, text: &str) -> ApiResult<U256> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::validation(format!(
            "{field} must be a whole number of base units in decimal, not `{text}`"
        )));
    }
    text.parse().map_err(|_| ApiError::validation(format!("{field} `{text}` does not fit in 256 bits")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_exactly() {
        assert_eq!(format_units(U256::from(1_234_500_000u64), 6), "1234.5");
        assert_eq!(format_units(U256::from(5u64), 6), "0.000005");
        assert_eq!(format_units(U256::ZERO, 18), "0");
        assert_eq!(format_units(U256::MAX, 0), U256::MAX.to_string());
        assert_eq!(Amount::new(U256::from(1_000_000u64), 6).formatted, "1");
    }

    #[test]
    fn parses_only_decimal_base_units() {
        assert_eq!(parse_uint("amount", "42").ok(), Some(U256::from(42u64)));
        for bad in [
            "",
            "-1",
            "1.5",
            "0x10",
            "1e6",
            "115792089237316195423570985008687907853269984665640564039457584007913129639936",
        ] {
            let err = parse_uint("amount", bad).err();
            assert_eq!(err.map(|e| e.code), Some("validation-failed"), "{bad}");
        }
    }
}

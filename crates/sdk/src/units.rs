//! Human units: `1000 USDC`, `1.5 WETH` or a bare `1000` (whole tokens of the asset the
//! command is about), in and out, with the token's own decimals.

use alloy::primitives::U256;
use eyre::{Result, bail, eyre};

/// What a token amount needs to be read and written by people: its symbol and decimals.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenUnits {
    /// The token's `symbol()`.
    pub symbol: String,
    /// The token's `decimals()`.
    pub decimals: u8,
}

impl TokenUnits {
    /// USDC: 6 decimals, as the pools require.
    pub fn usdc() -> Self {
        Self { symbol: "USDC".into(), decimals: 6 }
    }

    /// Parses `1000`, `1000 USDC`, `1.5 weth` or `1_000.25` into base units; refuses another
    /// token's symbol and more fractional digits than the token has.
    ///
    /// ```
    /// use pools_sdk::TokenUnits;
    /// let usdc = TokenUnits::usdc();
    /// assert_eq!(usdc.parse("1000 USDC").unwrap(), alloy::primitives::U256::from(1_000_000_000u64));
    /// assert!(usdc.parse("0.0000001").is_err());
    /// ```
    pub fn parse(&self, text: &str) -> Result<U256> {
        let mut words = text.split_whitespace();
        let number = words.next().ok_or_else(|| eyre!("empty amount: write e.g. `100 {}`", self.symbol))?;
        if let Some(symbol) = words.next()
            && !symbol.eq_ignore_ascii_case(&self.symbol)
        {
            bail!("`{text}`: this amount is in {}, not {symbol}", self.symbol);
        }
        if words.next().is_some() {
            bail!("`{text}`: write an amount as a number and an optional symbol, e.g. `100 {}`", self.symbol);
        }
        let number = number.replace('_', "");
        let (whole, fraction) = number.split_once('.').unwrap_or((&number, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let whole_ok = digits(whole) || (whole.is_empty() && digits(fraction));
        if !whole_ok || (!fraction.is_empty() && !digits(fraction)) {
            bail!("`{text}` is not an amount: write e.g. `100` or `2.5 {}`", self.symbol);
        }
        if fraction.len() > usize::from(self.decimals) {
            bail!("`{text}` has {} decimals, but {} has only {}", fraction.len(), self.symbol, self.decimals);
        }
        let scaled = format!("{whole}{fraction:0<width$}", width = usize::from(self.decimals));
        let value = U256::from_str_radix(scaled.trim_start_matches('0').max("0"), 10)
            .map_err(|_| eyre!("`{text}` is too large"))?;
        Ok(value)
    }

    /// Formats base units as `1,234.5 USDC` (trailing zeros of the fraction dropped).
    ///
    /// ```
    /// use pools_sdk::TokenUnits;
    /// assert_eq!(TokenUnits::usdc().format(alloy::primitives::U256::from(1_234_500_000u64)), "1,234.5 USDC");
    /// ```
    pub fn format(&self, amount: U256) -> String {
        format!("{} {}", self.format_number(amount), self.symbol)
    }

    /// Formats base units as a number without the symbol: `1,234.5`.
    pub fn format_number(&self, amount: U256) -> String {
        let unit = U256::from(10u64).pow(U256::from(self.decimals));
        let (whole, fraction) = (amount / unit, amount % unit);
        let whole = group_thousands(&whole.to_string());
        if fraction.is_zero() {
            return whole;
        }
        let fraction = format!("{:0>width$}", fraction.to_string(), width = usize::from(self.decimals));
        format!("{whole}.{}", fraction.trim_end_matches('0'))
    }
}

/// `1234567` → `1,234,567`.
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Basis points as a percentage: `7500` → `75%`, `125` → `1.25%`.
pub fn format_bps(bps: U256) -> String {
    TokenUnits { symbol: "%".into(), decimals: 2 }.format_number(bps) + "%"
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn weth() -> TokenUnits {
        TokenUnits { symbol: "WETH".into(), decimals: 18 }
    }

    #[test]
    fn parses_and_formats() {
        let usdc = TokenUnits::usdc();
        assert_eq!(usdc.parse("1000").unwrap(), U256::from(1_000_000_000u64));
        assert_eq!(usdc.parse("0.5 usdc").unwrap(), U256::from(500_000u64));
        assert_eq!(usdc.parse(".5").unwrap(), U256::from(500_000u64));
        assert_eq!(usdc.parse("0").unwrap(), U256::ZERO);
        assert_eq!(weth().parse("1.5 WETH").unwrap(), U256::from(1_500_000_000_000_000_000u128));
        assert_eq!(usdc.format(U256::from(1_000_000_000u64)), "1,000 USDC");
        assert_eq!(usdc.format(U256::from(1u64)), "0.000001 USDC");
        assert_eq!(format_bps(U256::from(125u64)), "1.25%");
    }

    #[test]
    fn refuses_bad_amounts() {
        let usdc = TokenUnits::usdc();
        for bad in ["", "1.0000001", "1 WETH", "abc", "1.2.3", "-1", "1 USDC extra", "."] {
            assert!(usdc.parse(bad).is_err(), "{bad:?} accepted");
        }
        let err = usdc.parse("1.0000001").unwrap_err().to_string();
        assert!(err.contains("only 6"), "{err}");
    }
}

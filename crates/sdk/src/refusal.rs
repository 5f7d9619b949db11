//! Requests the SDK refuses before anything reaches the chain, in words
//! (`cannot commit to counterparty pool 3: its deadline passed on 2026-11-01 10:00 UTC`), typed
//! so that a caller (the HTTP API) can tell a refused request from a failure.

use std::fmt;

use serde::Serialize;

/// Which rule a refused request broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalKind {
    /// The contract is paused for this action.
    Paused,
    /// An amount is zero, under a minimum or over a limit (capacity, hard cap, what is owed).
    Amount,
    /// A pool, position or commit that does not exist.
    NotFound,
    /// Too early or too late: a deadline passed or not reached, a pool ended, a waiting period.
    Timing,
    /// The pool or position is in a state that does not allow the action.
    Status,
    /// The sender lacks the role or ownership the action needs.
    Role,
    /// The sender's token balance is short.
    Balance,
    /// An argument outside its range (page limits, timestamps, list lengths).
    Input,
}

/// A request refused before it was sent: what was asked and why not.
///
/// It travels inside an [`eyre::Report`]; `report.downcast_ref::<Refusal>()` recovers it.
///
/// ```
/// use pools_sdk::{Refusal, RefusalKind};
/// let refusal = Refusal::new(RefusalKind::Timing, "commit to counterparty pool 3", "its deadline passed on 2026-11-01 10:00 UTC");
/// assert_eq!(refusal.to_string(), "cannot commit to counterparty pool 3: its deadline passed on 2026-11-01 10:00 UTC");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The rule broken.
    pub kind: RefusalKind,
    /// The action asked for, in words (`lend 10 USDC to collateral pool 0`).
    pub action: String,
    /// Why it cannot be done, in words.
    pub reason: String,
}

impl Refusal {
    /// A refusal of `action` because of `reason`.
    pub fn new(kind: RefusalKind, action: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { kind, action: action.into(), reason: reason.into() }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot {}: {}", self.action, self.reason)
    }
}

impl std::error::Error for Refusal {}

/// Fails with a [`Refusal`].
pub(crate) fn refuse<T>(kind: RefusalKind, action: &str, reason: impl Into<String>) -> eyre::Result<T> {
    Err(Refusal::new(kind, action, reason).into())
}

/// A unix time as `2026-11-01 10:00 UTC` (the proleptic Gregorian calendar, as chains count).
///
/// ```
/// assert_eq!(pools_sdk::format_utc(1_793_527_200), "2026-11-01 10:00 UTC");
/// ```
pub fn format_utc(timestamp: u64) -> String {
    let days = timestamp / 86_400;
    let seconds = timestamp % 86_400;
    // Howard Hinnant's civil_from_days: the year starts in March so leap days fall last.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", seconds / 3_600, seconds % 3_600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates_like_date_u() {
        // `date -u -d @<t> "+%Y-%m-%d %H:%M"`
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(1_793_527_200), "2026-11-01 10:00 UTC");
        assert_eq!(format_utc(4_102_444_799), "2099-12-31 23:59 UTC");
    }
}

//! EIP-4361 messages: a strict parser of the grammar and the canonical rendering.
//!
//! Strict means every line is where the grammar puts it, the separating lines are empty, the
//! address carries its EIP-55 checksum and nothing trails the last field: the signature covers
//! the exact text received, so a lenient parser would let two texts mean one sign-in.

use alloy::primitives::Address;
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

use crate::AuthError;

const PREAMBLE: &str = " wants you to sign in with your Ethereum account:";
const STATEMENT: &str = "Sign in to the pools service.";

/// A parsed EIP-4361 message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiweMessage {
    /// The scheme before the domain, when the message has one.
    pub scheme: Option<String>,
    /// The RFC 3986 authority asking for the sign-in.
    pub domain: String,
    /// The account signing in.
    pub address: Address,
    /// The human-readable assertion, when there is one.
    pub statement: Option<String>,
    /// The resource the sign-in is for.
    pub uri: String,
    /// The EIP-155 chain the session is bound to.
    pub chain_id: u64,
    /// The server's single-use nonce.
    pub nonce: String,
    /// When the message was made.
    pub issued_at: DateTime<FixedOffset>,
    /// When the message stops being valid.
    pub expiration_time: Option<DateTime<FixedOffset>>,
    /// When the message starts being valid.
    pub not_before: Option<DateTime<FixedOffset>>,
    /// The client's identifier of the request.
    pub request_id: Option<String>,
    /// Resources the sign-in covers.
    pub resources: Vec<String>,
}

/// The canonical message [`Auth::message`](crate::Auth::message) hands to clients.
pub(crate) fn render(domain: &str, uri: &str, address: Address, chain_id: u64, nonce: &str, issued_at: i64) -> String {
    // An out-of-range time cannot be signed meaningfully; the epoch makes such a message
    // harmless rather than making rendering fallible.
    let issued_at = DateTime::<Utc>::from_timestamp(issued_at, 0).unwrap_or(DateTime::UNIX_EPOCH);
    format!(
        "{domain}{PREAMBLE}\n{}\n\n{STATEMENT}\n\nURI: {uri}\nVersion: 1\nChain ID: {chain_id}\nNonce: {nonce}\nIssued At: {}",
        address.to_checksum(None),
        issued_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

fn malformed(what: impl std::fmt::Display) -> AuthError {
    AuthError::Malformed(format!("malformed sign-in message: {what}"))
}

impl std::str::FromStr for SiweMessage {
    type Err = AuthError;

    /// Parses EIP-4361's ABNF, refusing anything it does not produce.
    fn from_str(text: &str) -> Result<Self, AuthError> {
        let mut lines = text.split('\n');
        let mut next = |what: &str| lines.next().ok_or_else(|| malformed(format!("ends before {what}")));

        let first = next("the domain line")?;
        let authority = first
            .strip_suffix(PREAMBLE)
            .ok_or_else(|| malformed(format!("first line must end with \"{PREAMBLE}\"")))?;
        let (scheme, domain) = match authority.split_once("://") {
            Some((scheme, domain)) => (Some(scheme), domain),
            None => (None, authority),
        };
        if let Some(scheme) = scheme {
            check_scheme(scheme).ok_or_else(|| malformed(format!("invalid scheme {scheme:?}")))?;
        }
        check_authority(domain).ok_or_else(|| malformed(format!("invalid domain {domain:?}")))?;

        let address_line = next("the address")?;
        let address = parse_address(address_line)?;
        expect_empty(next("the statement")?)?;
        let statement = match next("the statement")? {
            "" => None,
            statement => {
                if statement.chars().any(char::is_control) {
                    return Err(malformed("statement has control characters"));
                }
                expect_empty(next("the URI")?)?;
                Some(statement.to_owned())
            }
        };
        let uri = tagged(next("the URI")?, "URI: ")?;
        check_uri(uri).ok_or_else(|| malformed(format!("invalid URI {uri:?}")))?;
        if tagged(next("the version")?, "Version: ")? != "1" {
            return Err(malformed("only Version 1 exists"));
        }
        let chain_id = tagged(next("the chain id")?, "Chain ID: ")?;
        let chain_id = chain_id
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| chain_id.parse::<u64>().ok())
            .flatten()
            .ok_or_else(|| malformed(format!("invalid Chain ID {chain_id:?}")))?;
        let nonce = tagged(next("the nonce")?, "Nonce: ")?;
        if nonce.len() < 8 || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(malformed("Nonce must be at least 8 letters or digits"));
        }
        let issued_at = parse_time(tagged(next("Issued At")?, "Issued At: ")?, "Issued At")?;

        let mut rest = lines.peekable();
        let mut optional = |tag: &str| rest.next_if(|line| line.starts_with(tag)).map(|line| &line[tag.len()..]);
        let expiration_time = optional("Expiration Time: ").map(|t| parse_time(t, "Expiration Time")).transpose()?;
        let not_before = optional("Not Before: ").map(|t| parse_time(t, "Not Before")).transpose()?;
        let request_id = optional("Request ID: ").map(str::to_owned);
        if request_id.as_deref().is_some_and(|id| id.chars().any(|c| c.is_control() || c == ' ')) {
            return Err(malformed("Request ID has spaces or control characters"));
        }
        let mut resources = Vec::new();
        if rest.next_if_eq(&"Resources:").is_some() {
            while let Some(line) = rest.next_if(|line| line.starts_with("- ")) {
                let resource = &line[2..];
                check_uri(resource).ok_or_else(|| malformed(format!("invalid resource {resource:?}")))?;
                resources.push(resource.to_owned());
            }
        }
        if let Some(line) = rest.next() {
            return Err(malformed(format!("unexpected line {line:?} (out of order, unknown or trailing)")));
        }

        Ok(Self {
            scheme: scheme.map(str::to_owned),
            domain: domain.to_owned(),
            address,
            statement,
            uri: uri.to_owned(),
            chain_id,
            nonce: nonce.to_owned(),
            issued_at,
            expiration_time,
            not_before,
            request_id,
            resources,
        })
    }
}

fn tagged<'a>(line: &'a str, tag: &str) -> Result<&'a str, AuthError> {
    line.strip_prefix(tag).ok_or_else(|| malformed(format!("expected \"{tag}...\", found {line:?}")))
}

fn expect_empty(line: &str) -> Result<(), AuthError> {
    if line.is_empty() { Ok(()) } else { Err(malformed(format!("expected an empty line, found {line:?}"))) }
}

fn parse_address(line: &str) -> Result<Address, AuthError> {
    let address: Address = line.parse().map_err(|_| malformed(format!("invalid address {line:?}")))?;
    // EIP-4361 requires the checksum, which also catches a mistyped address.
    if line != address.to_checksum(None) {
        return Err(malformed(format!("address {line} lacks its EIP-55 checksum ({})", address.to_checksum(None))));
    }
    Ok(address)
}

fn parse_time(text: &str, field: &str) -> Result<DateTime<FixedOffset>, AuthError> {
    // chrono also takes a space or a lowercase `t` between date and time; the grammar does not.
    if text.as_bytes().get(10) != Some(&b'T') {
        return Err(malformed(format!("{field} {text:?} is not an RFC 3339 date-time")));
    }
    DateTime::parse_from_rfc3339(text).map_err(|e| malformed(format!("{field} {text:?} is not RFC 3339: {e}")))
}

fn check_scheme(scheme: &str) -> Option<()> {
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))).then_some(())
}

/// RFC 3986 authority: `[userinfo@]host[:port]`, with the characters those may hold.
fn check_authority(authority: &str) -> Option<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=:@[]".contains(c);
    (!authority.is_empty() && authority.chars().all(allowed)).then_some(())
}

/// RFC 3986 URI: a scheme, a colon and URI characters (checked as a set, not as the full
/// grammar: the URI is compared with the configured one when it matters).
fn check_uri(uri: &str) -> Option<()> {
    let (scheme, rest) = uri.split_once(':')?;
    check_scheme(scheme)?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=:@/?#[]".contains(c);
    rest.chars().all(allowed).then_some(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use alloy::primitives::address;

    const ADDRESS: Address = address!("0x6Da01670d8fc844e736095918bbE11fE8D564163");

    fn full() -> String {
        "https://example.com:8080 wants you to sign in with your Ethereum account:\n\
         0x6Da01670d8fc844e736095918bbE11fE8D564163\n\n\
         I accept the terms.\n\n\
         URI: https://example.com:8080/login\nVersion: 1\nChain ID: 137\nNonce: abcdEFGH1234\n\
         Issued At: 2021-12-07T18:28:18.807Z\nExpiration Time: 2021-12-08T18:28:18Z\n\
         Not Before: 2021-12-07T18:00:00+01:00\nRequest ID: req-1\nResources:\n\
         - ipfs://QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN\n- https://example.com/terms"
            .to_owned()
    }

    #[test]
    fn parses_every_field() {
        let message: SiweMessage = full().parse().unwrap();
        assert_eq!(message.scheme.as_deref(), Some("https"));
        assert_eq!(message.domain, "example.com:8080");
        assert_eq!(message.address, ADDRESS);
        assert_eq!(message.statement.as_deref(), Some("I accept the terms."));
        assert_eq!(message.chain_id, 137);
        assert_eq!(message.nonce, "abcdEFGH1234");
        assert_eq!(message.request_id.as_deref(), Some("req-1"));
        assert_eq!(message.resources.len(), 2);
        assert_eq!(message.not_before.unwrap().timestamp(), 1_638_896_400);
    }

    #[test]
    fn rendered_messages_parse_back() {
        let text =
            render("localhost:8080", "https://localhost:8080", ADDRESS, 31337, "n0nceN0nceN0nce12", 1_700_000_000);
        let message: SiweMessage = text.parse().unwrap();
        assert_eq!((message.domain.as_str(), message.chain_id, message.address), ("localhost:8080", 31337, ADDRESS));
        assert_eq!(message.issued_at.timestamp(), 1_700_000_000);
        assert_eq!(message.statement.as_deref(), Some(STATEMENT));
    }

    #[test]
    fn statement_is_optional() {
        // Without a statement the grammar keeps both empty lines around it.
        let text = full().replace("I accept the terms.\n", "");
        assert_eq!(text.parse::<SiweMessage>().unwrap().statement, None);
        assert!(full().replace("I accept the terms.\n\n", "").parse::<SiweMessage>().is_err());
    }

    #[test]
    fn refuses_what_the_grammar_does_not_produce() {
        let cases = [
            ("0x6Da01670d8fc844e736095918bbE11fE8D564163", "0x6da01670d8fc844e736095918bbe11fe8d564163"),
            ("0x6Da01670d8fc844e736095918bbE11fE8D564163", "0x6DA01670d8fc844e736095918bbE11fE8D564163"),
            ("0x6Da01670d8fc844e736095918bbE11fE8D564163\n\n", "0x6Da01670d8fc844e736095918bbE11fE8D564163\nx\n"),
            ("terms.\n\n", "terms.\nx\n"),
            ("Version: 1", "Version: 2"),
            ("Chain ID: 137", "Chain ID: +137"),
            ("Chain ID: 137", "Chain ID: 99999999999999999999999"),
            ("Nonce: abcdEFGH1234", "Nonce: abc"),
            ("Nonce: abcdEFGH1234", "Nonce: abcd-EFGH1234"),
            ("Issued At: 2021-12-07T18:28:18.807Z", "Issued At: 2021-12-07 18:28:18Z"),
            ("Issued At: 2021-12-07T18:28:18.807Z", "Issued At: yesterday"),
            ("URI: https://example.com:8080/login", "URI: not a uri"),
            ("- https://example.com/terms", "- https://example.com/terms\n"),
            ("- https://example.com/terms", "- https://example.com/terms\nExtra: x"),
            (" wants you", " wants  you"),
        ];
        for (from, to) in cases {
            let text = full().replacen(from, to, 1);
            assert_ne!(text, full(), "case {from:?} did not apply");
            let error = text.parse::<SiweMessage>().expect_err(to);
            assert_eq!(error.code(), "validation-failed", "{to}: {error}");
        }
        // Optional fields may be left out, not moved.
        assert!(full().replace("Request ID: req-1\n", "").parse::<SiweMessage>().is_ok());
        let not_before = "Not Before: 2021-12-07T18:00:00+01:00\n";
        assert!(full().replace(not_before, "").parse::<SiweMessage>().is_ok());
        let moved = full().replace(not_before, "").replace("Request ID", &format!("{not_before}Request ID"));
        assert!(moved.parse::<SiweMessage>().is_ok());
        let moved = full().replace(not_before, "").replace("Expiration Time", &format!("{not_before}Expiration Time"));
        assert!(moved.parse::<SiweMessage>().is_err(), "out-of-order field accepted");
        assert!(full().replace('\n', "\r\n").parse::<SiweMessage>().is_err());
        assert!("".parse::<SiweMessage>().is_err());
    }
}

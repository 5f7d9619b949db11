//! Parsing, printing and converting CIDs, and refusing what is not a supported CID.

use cid::multihash::Multihash;
use pools_ipfs::{Cid, Codec, Error, Version};

const HELLO_V0: &str = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN";
const HELLO_V1: &str = "bafybeiffndsajwhk3lwjewwdxqntmjm4b5wxaaanokonsggenkbw6slwk4";

fn parse(text: &str) -> Cid {
    text.parse().unwrap_or_else(|e| panic!("{text} should parse: {e}"))
}

fn assert_invalid(text: &str) {
    match text.parse::<Cid>() {
        Err(Error::InvalidCid { input, .. }) => assert_eq!(input, text),
        other => panic!("{text:?} should be an invalid CID, got {other:?}"),
    }
}

/// The text of a CID the `cid` crate can build but this crate does not support.
fn foreign(version: u64, codec: u64, hash_code: u64, digest: &[u8]) -> String {
    let hash = Multihash::<64>::wrap(hash_code, digest).expect("a short digest");
    let cid = match version {
        0 => cid::Cid::new_v0(hash).expect("a CIDv0"),
        _ => cid::Cid::new_v1(codec, hash),
    };
    cid.to_string()
}

#[test]
fn v0_and_v1_parse_and_print_back() {
    for text in [HELLO_V0, HELLO_V1] {
        assert_eq!(parse(text).to_string(), text);
    }
    let v0 = parse(HELLO_V0);
    let v1 = parse(HELLO_V1);
    assert_eq!((v0.version(), v0.codec()), (Version::V0, Codec::DagPb));
    assert_eq!((v1.version(), v1.codec()), (Version::V1, Codec::DagPb));
    assert_ne!(v0, v1, "two spellings are two CIDs");
    assert_eq!(v0.digest(), v1.digest(), "of one block");
}

#[test]
fn versions_convert_both_ways() {
    let v0 = parse(HELLO_V0);
    let v1 = parse(HELLO_V1);
    assert_eq!(v0.to_v1(), v1);
    assert_eq!(v1.to_v0().expect("dag-pb has a CIDv0"), v0);
    assert_eq!(v0.to_v0().expect("already v0"), v0);
    assert_eq!(v1.to_v1(), v1);
}

#[test]
fn raw_cids_parse_and_have_no_v0() {
    let raw = Cid::v1(Codec::Raw, *parse(HELLO_V0).digest());
    let text = raw.to_string();
    assert!(text.starts_with("bafkrei"), "{text}");
    assert_eq!(parse(&text), raw);
    assert!(matches!(raw.to_v0(), Err(Error::InvalidCid { .. })));
    assert!(matches!(Cid::new(Version::V0, Codec::Raw, [0; 32]), Err(Error::InvalidCid { .. })));
}

#[test]
fn binary_form_round_trips_and_refuses_trailing_bytes() {
    for cid in [parse(HELLO_V0), parse(HELLO_V1), Cid::v1(Codec::Raw, [7; 32])] {
        let bytes = cid.to_bytes();
        assert_eq!(Cid::from_bytes(&bytes).expect("own bytes"), cid);
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(Cid::from_bytes(&longer), Err(Error::InvalidCid { .. })));
        assert!(matches!(Cid::from_bytes(&bytes[..bytes.len() - 1]), Err(Error::InvalidCid { .. })));
    }
    assert_eq!(parse(HELLO_V0).to_bytes().len(), 34, "a CIDv0 is the bare multihash");
}

#[test]
fn garbage_is_an_invalid_cid() {
    for text in [
        "",
        " ",
        "Qm",
        "hello",
        "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXE", // one character short
        "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXENN", // one too many
        "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXE0", // 0 is not base58
        "bafybeiffndsajwhk3lwjewwdxqntmjm4b5wxaaanokonsggenkbw6slwk", // truncated
        "bafybeiffndsajwhk3lwjewwdxqntmjm4b5wxaaanokonsggenkbw6slwk41", // 1 is not base32
        " QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN",
    ] {
        assert_invalid(text);
    }
}

#[test]
fn other_spellings_of_a_valid_cid_are_refused() {
    // Uppercase base32 and base58btc CIDv1 name the same block, but a CID has one spelling
    // here so that texts compare.
    assert_invalid(&HELLO_V1.to_uppercase());
    let base58_v1 = cid::Cid::try_from(HELLO_V1)
        .expect("valid")
        .to_string_of_base(cid::multibase::Base::Base58Btc)
        .expect("printable");
    assert!(base58_v1.starts_with('z'));
    assert_invalid(&base58_v1);
}

#[test]
fn unsupported_codecs_and_hashes_are_refused() {
    assert_invalid(&foreign(1, 0x71, 0x12, &[1; 32])); // dag-cbor
    assert_invalid(&foreign(1, 0x70, 0x13, &[1; 64])); // sha2-512
    assert_invalid(&foreign(1, 0x55, 0x12, &[1; 20])); // a short sha2-256 digest
    assert_invalid(&foreign(1, 0x70, 0x00, b"inline")); // identity hash
}

#[test]
fn cids_serialize_as_their_text() {
    let v1 = parse(HELLO_V1);
    let json = serde_json::to_string(&v1).expect("serializes");
    assert_eq!(json, format!("\"{HELLO_V1}\""));
    assert_eq!(serde_json::from_str::<Cid>(&json).expect("deserializes"), v1);
    assert!(serde_json::from_str::<Cid>("\"hello\"").is_err());
}

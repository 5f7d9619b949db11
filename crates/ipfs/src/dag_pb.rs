//! dag-pb nodes (`PBNode`, `PBLink`), encoded as go-merkledag does.

use crate::Cid;
use crate::protobuf::{Fields, Value, put_bytes_field, put_uint_field};

/// A link from a dag-pb node to a child block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    /// The child's CID, in the version the DAG was built with.
    pub(crate) cid: Cid,
    /// The child's encoded size plus the `tsize` of all its links: the bytes a peer would
    /// fetch for the whole sub-DAG.
    pub(crate) tsize: u64,
}

/// A decoded dag-pb node.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Node<'a> {
    /// The links in order.
    pub(crate) links: Vec<Link>,
    /// The `Data` field (UnixFS for files), absent in bare nodes.
    pub(crate) data: Option<&'a [u8]>,
}

/// `PBNode` field numbers.
const NODE_DATA: u64 = 1;
const NODE_LINKS: u64 = 2;
/// `PBLink` field numbers.
const LINK_HASH: u64 = 1;
const LINK_NAME: u64 = 2;
const LINK_TSIZE: u64 = 3;

/// Encodes a node: links first, then data, as the dag-pb spec and go-merkledag order them.
/// Every link carries an empty `Name`: go-merkledag always writes the field, and UnixFS file
/// links are unnamed.
pub(crate) fn encode(links: &[Link], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + links.len() * 48 + 8);
    let mut link_bytes = Vec::with_capacity(48);
    for link in links {
        link_bytes.clear();
        put_bytes_field(&mut link_bytes, LINK_HASH, &link.cid.to_bytes());
        put_bytes_field(&mut link_bytes, LINK_NAME, b"");
        put_uint_field(&mut link_bytes, LINK_TSIZE, link.tsize);
        put_bytes_field(&mut out, NODE_LINKS, &link_bytes);
    }
    put_bytes_field(&mut out, NODE_DATA, data);
    out
}

/// Decodes a node; the error says what is malformed.
pub(crate) fn decode(block: &[u8]) -> Result<Node<'_>, String> {
    let mut node = Node::default();
    let mut fields = Fields::new(block);
    while let Some((field, value)) = fields.next_field()? {
        match (field, value) {
            (NODE_DATA, Value::Bytes(data)) => node.data = Some(data),
            (NODE_LINKS, Value::Bytes(link)) => node.links.push(decode_link(link)?),
            (field, _) => return Err(format!("unexpected PBNode field {field}")),
        }
    }
    Ok(node)
}

fn decode_link(bytes: &[u8]) -> Result<Link, String> {
    let (mut cid, mut tsize) = (None, 0);
    let mut fields = Fields::new(bytes);
    while let Some((field, value)) = fields.next_field()? {
        match (field, value) {
            (LINK_HASH, Value::Bytes(hash)) => {
                cid = Some(Cid::from_bytes(hash).map_err(|e| format!("link: {e}"))?);
            }
            (LINK_NAME, Value::Bytes(_)) => {}
            (LINK_TSIZE, Value::Varint(size)) => tsize = size,
            (field, _) => return Err(format!("unexpected PBLink field {field}")),
        }
    }
    let cid = cid.ok_or("link without a Hash")?;
    Ok(Link { cid, tsize })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_encoded_before_data_and_decode_back() {
        let links = vec![
            Link { cid: Cid::v0([1; 32]), tsize: 262_158 },
            Link { cid: Cid::v1(crate::Codec::Raw, [2; 32]), tsize: 5 },
        ];
        let block = encode(&links, b"unixfs");
        assert_eq!(block[0], 0x12, "first field is Links (2), length-delimited");
        let node = decode(&block).expect("own encoding decodes");
        assert_eq!(node, Node { links, data: Some(b"unixfs") });
    }

    #[test]
    fn unknown_fields_and_hashless_links_are_refused() {
        assert!(decode(&[0x18, 0x01]).is_err());
        assert!(decode(&[0x12, 0x02, 0x18, 0x01]).is_err());
    }
}

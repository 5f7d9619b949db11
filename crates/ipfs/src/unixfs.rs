//! UnixFS `Data` messages of files, the payload of dag-pb nodes.

use crate::protobuf::{Fields, Value, put_bytes_field, put_uint_field};

/// `Data.Type` of a file node.
const TYPE_FILE: u64 = 2;
/// `Data.Type` of the leaves older importers wrote; read as files.
const TYPE_RAW: u64 = 0;

/// `Data` field numbers.
const FIELD_TYPE: u64 = 1;
const FIELD_DATA: u64 = 2;
const FIELD_FILESIZE: u64 = 3;
const FIELD_BLOCKSIZES: u64 = 4;

/// The parts of a UnixFS file node a reader needs.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct FileNode<'a> {
    /// Bytes of the file held in this node itself (a leaf's chunk).
    pub(crate) data: &'a [u8],
    /// The size of the file below this node, when written.
    pub(crate) filesize: Option<u64>,
    /// The file size below each link, in link order.
    pub(crate) blocksizes: Vec<u64>,
}

/// Encodes a file node as go-unixfs does: `Type`, then `Data` when there is any, then
/// `filesize` (always written, 0 for the empty file), then one unpacked `blocksizes` entry per
/// child.
pub(crate) fn encode_file(data: &[u8], blocksizes: &[u64]) -> Vec<u8> {
    let filesize = data.len() as u64 + blocksizes.iter().sum::<u64>();
    let mut out = Vec::with_capacity(data.len() + 16 + blocksizes.len() * 5);
    put_uint_field(&mut out, FIELD_TYPE, TYPE_FILE);
    if !data.is_empty() {
        put_bytes_field(&mut out, FIELD_DATA, data);
    }
    put_uint_field(&mut out, FIELD_FILESIZE, filesize);
    for &size in blocksizes {
        put_uint_field(&mut out, FIELD_BLOCKSIZES, size);
    }
    out
}

/// Decodes a file node; directories, symlinks and the other UnixFS types are refused because
/// only files are stored.
pub(crate) fn decode_file(bytes: &[u8]) -> Result<FileNode<'_>, String> {
    let mut node = FileNode::default();
    let mut node_type = None;
    let mut fields = Fields::new(bytes);
    while let Some((field, value)) = fields.next_field()? {
        match (field, value) {
            (FIELD_TYPE, Value::Varint(t)) => node_type = Some(t),
            (FIELD_DATA, Value::Bytes(data)) => node.data = data,
            (FIELD_FILESIZE, Value::Varint(size)) => node.filesize = Some(size),
            (FIELD_BLOCKSIZES, Value::Varint(size)) => node.blocksizes.push(size),
            // Other encoders may pack the repeated field.
            (FIELD_BLOCKSIZES, Value::Bytes(packed)) => {
                let mut sizes = Fields::new(packed);
                while !sizes.is_empty() {
                    node.blocksizes.push(sizes.varint()?);
                }
            }
            (FIELD_TYPE | FIELD_DATA | FIELD_FILESIZE, _) => {
                return Err(format!("UnixFS field {field} has the wrong wire type"));
            }
            // hashType, fanout, mode, mtime: metadata a file's bytes do not depend on.
            _ => {}
        }
    }
    match node_type {
        Some(TYPE_FILE | TYPE_RAW) => Ok(node),
        Some(other) => {
            Err(format!("UnixFS node of type {} where a file was expected; only files are stored", type_name(other)))
        }
        None => Err("UnixFS data without a Type".into()),
    }
}

fn type_name(node_type: u64) -> String {
    match node_type {
        1 => "Directory".into(),
        3 => "Metadata".into(),
        4 => "Symlink".into(),
        5 => "HAMTShard".into(),
        other => other.to_string(),
    }
}

/// The encoded length of a varint, for sizing buffers.
#[cfg(test)]
fn varint_len(value: u64) -> usize {
    let mut bytes = Vec::new();
    crate::protobuf::put_varint(&mut bytes, value);
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leaf_is_type_data_filesize() {
        assert_eq!(encode_file(b"hello\n", &[]), [&[0x08, 0x02, 0x12, 0x06][..], b"hello\n", &[0x18, 0x06]].concat());
    }

    #[test]
    fn the_empty_file_writes_a_zero_filesize_and_no_data() {
        assert_eq!(encode_file(b"", &[]), [0x08, 0x02, 0x18, 0x00]);
    }

    #[test]
    fn an_inner_node_sums_its_blocksizes() {
        let bytes = encode_file(b"", &[262_144, 1]);
        let node = decode_file(&bytes).expect("own encoding decodes");
        assert_eq!(node.filesize, Some(262_145));
        assert_eq!(node.blocksizes, [262_144, 1]);
        assert_eq!(bytes.len(), 2 + 1 + varint_len(262_145) + 1 + varint_len(262_144) + 2);
    }

    #[test]
    fn packed_blocksizes_are_read_too() {
        let node = decode_file(&[0x08, 0x02, 0x22, 0x02, 0x05, 0x06]).expect("packed");
        assert_eq!(node.blocksizes, [5, 6]);
    }

    #[test]
    fn directories_are_refused() {
        let error = decode_file(&[0x08, 0x01]).expect_err("a directory");
        assert!(error.contains("Directory"), "{error}");
    }
}

//! Reads a file back from its DAG, checking that the sizes recorded in every node agree.

use crate::error::{Error, Result};
use crate::{Cid, Codec, dag_pb, unixfs};

/// Concatenates the file below `root`. `load` returns a block already verified against its
/// CID. Each node's `filesize` must equal its own data plus its `blocksizes`, and each child
/// must hold what its parent's `blocksizes` says, so a DAG that disagrees with itself is
/// `Corrupt` and the size checked against `max_size` up front is the size returned.
pub(crate) fn read(root: &Cid, max_size: u64, mut load: impl FnMut(&Cid) -> Result<Vec<u8>>) -> Result<Vec<u8>> {
    let too_large = |size| Error::TooLarge { what: format!("the content of {root}"), limit: max_size, size };
    let root_block = load(root)?;
    let total = match root.codec() {
        Codec::Raw => root_block.len() as u64,
        Codec::DagPb => file_node(root, &root_block)?.1,
    };
    if total > max_size {
        return Err(too_large(total));
    }
    let mut file = Vec::with_capacity(usize::try_from(total).map_err(|_| too_large(total))?);

    // Depth-first, children pushed in reverse so they pop in order; a loop rather than
    // recursion, so no DAG can exhaust the stack.
    let mut pending = vec![(*root, total, Some(root_block))];
    while let Some((cid, expected_size, block)) = pending.pop() {
        let block = match block {
            Some(block) => block,
            None => load(&cid)?,
        };
        match cid.codec() {
            Codec::Raw => {
                if block.len() as u64 != expected_size {
                    return Err(size_mismatch(&cid, block.len() as u64, expected_size));
                }
                file.extend_from_slice(&block);
            }
            Codec::DagPb => {
                let (node, filesize) = file_node(&cid, &block)?;
                if filesize != expected_size {
                    return Err(size_mismatch(&cid, filesize, expected_size));
                }
                let (links, data, blocksizes) = node;
                file.extend_from_slice(data);
                pending.extend(links.into_iter().zip(blocksizes).rev().map(|(link, size)| (link, size, None)));
            }
        }
    }
    Ok(file)
}

/// A file node's links, own data and per-link sizes.
type FileParts<'a> = (Vec<Cid>, &'a [u8], Vec<u64>);

/// Decodes a dag-pb file node and checks it agrees with itself; returns its parts and the
/// size of the file below it.
fn file_node<'a>(cid: &Cid, block: &'a [u8]) -> Result<(FileParts<'a>, u64)> {
    let node = dag_pb::decode(block).map_err(|reason| Error::corrupt(cid, reason))?;
    let data = node.data.ok_or_else(|| Error::corrupt(cid, "dag-pb node without UnixFS data"))?;
    let file = unixfs::decode_file(data).map_err(|reason| Error::corrupt(cid, reason))?;
    if file.blocksizes.len() != node.links.len() {
        return Err(Error::corrupt(
            cid,
            format!("{} links but {} blocksizes", node.links.len(), file.blocksizes.len()),
        ));
    }
    let below = file
        .blocksizes
        .iter()
        .try_fold(file.data.len() as u64, |sum, &size| sum.checked_add(size))
        .ok_or_else(|| Error::corrupt(cid, "blocksizes overflow"))?;
    if let Some(filesize) = file.filesize
        && filesize != below
    {
        return Err(size_mismatch(cid, below, filesize));
    }
    let links = node.links.into_iter().map(|link| link.cid).collect();
    Ok(((links, file.data, file.blocksizes), below))
}

fn size_mismatch(cid: &Cid, actual: u64, recorded: u64) -> Error {
    Error::corrupt(cid, format!("holds {actual} bytes of the file where {recorded} are recorded"))
}

//! A small client of a Kubo node's RPC API, to pin what we store and fetch what we lack.

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use reqwest::{Client, Response, Url};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result, UpstreamError};
use crate::importer::DagParams;
use crate::{Cid, Codec, Version, compute_cid};

/// Answers to `add` are a few short JSON lines; more than this is not a Kubo answering.
const MAX_ADD_ANSWER: u64 = 64 << 10;
/// How much of an error answer is kept for the error message.
const MAX_ERROR_BODY: usize = 512;

/// A Kubo node's RPC API (`http://127.0.0.1:5001` by default on a node), used to pin content
/// on the node and to read content the local store does not have. Every answer is checked
/// against our own importer: Kubo must compute our CIDs, and bytes from `cat` must hash to
/// the CID asked for.
#[derive(Debug, Clone)]
pub struct KuboClient {
    http: Client,
    api: Url,
}

/// The one line of `add`'s answer the client needs.
#[derive(Deserialize)]
struct AddAnswer {
    #[serde(rename = "Hash")]
    hash: String,
}

impl KuboClient {
    /// How long one RPC call may take before it fails as [`UpstreamError::Transport`].
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

    /// A client of the node whose RPC API is at `rpc_url` (`http://host:5001`), with
    /// [`KuboClient::DEFAULT_TIMEOUT`].
    pub fn new(rpc_url: &str) -> Result<Self> {
        Self::with_timeout(rpc_url, Self::DEFAULT_TIMEOUT)
    }

    /// [`KuboClient::new`] with another timeout per call.
    pub fn with_timeout(rpc_url: &str, timeout: Duration) -> Result<Self> {
        let invalid = |reason: String| UpstreamError::InvalidUrl { url: rpc_url.into(), reason };
        let mut api = Url::parse(rpc_url).map_err(|e| invalid(e.to_string()))?;
        if !matches!(api.scheme(), "http" | "https") {
            return Err(invalid(format!("scheme {:?}, not http or https", api.scheme())).into());
        }
        // `join` replaces the last path segment unless the base ends with a slash.
        let path = format!("{}/api/v0/", api.path().trim_end_matches('/'));
        api.set_path(&path);
        let http = Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|source| UpstreamError::Transport { operation: "client setup", source })?;
        Ok(Self { http, api })
    }

    /// Uploads `data` with pinning and checks that Kubo's root is the block `expected` names
    /// (`expected` being what [`crate::ContentStore::add`] or [`compute_cid`] gave, in either
    /// version). The import options are spelled out rather than left to the node's `Import.*`
    /// configuration, which may differ from `ipfs add`'s defaults.
    pub async fn add(&self, data: &[u8], expected: &Cid) -> Result<()> {
        const OPERATION: &str = "add";
        let chunker = format!("size-{}", DagParams::DEFAULT_CHUNK_SIZE);
        // CIDv0 and dag-pb leaves: our DAG. Kubo's `cid-version=1` would build another one.
        let url = self.endpoint(
            "add",
            &[
                ("pin", "true"),
                ("cid-version", "0"),
                ("raw-leaves", "false"),
                ("chunker", &chunker),
                ("hash", "sha2-256"),
                ("trickle", "false"),
                ("progress", "false"),
            ],
        )?;
        let form = Form::new().part("file", Part::bytes(data.to_vec()).file_name("content"));
        let request = self.http.post(url).multipart(form);
        let response = self.send(request, OPERATION).await?;
        let malformed = |reason: String| UpstreamError::Malformed { operation: OPERATION, reason };
        let (answer, cut) = read_capped(response, MAX_ADD_ANSWER, OPERATION).await?;
        if cut.is_some() {
            return Err(malformed(format!("an answer of more than {MAX_ADD_ANSWER} bytes")).into());
        }
        // One JSON object per line; the last one names the root.
        let last = answer
            .split(|&b| b == b'\n')
            .rfind(|line| !line.iter().all(u8::is_ascii_whitespace))
            .ok_or_else(|| malformed("an empty answer".into()))?;
        let added: AddAnswer = serde_json::from_slice(last)
            .map_err(|e| malformed(format!("{e} in {:?}", String::from_utf8_lossy(last))))?;
        let actual: Cid = added.hash.parse().map_err(|e| malformed(format!("its Hash is not a CID: {e}")))?;
        if (actual.codec(), actual.digest()) != (expected.codec(), expected.digest()) {
            let actual = if expected.version() == Version::V1 { actual.to_v1() } else { actual };
            return Err(UpstreamError::Mismatch { operation: OPERATION, expected: *expected, actual }.into());
        }
        Ok(())
    }

    /// The content `cid` names, read from the node with `cat` and checked to hash to `cid`
    /// (for dag-pb, by importing it as `ipfs add` would). Content added to the node with
    /// other import options cannot be checked and is refused as a mismatch: unverified
    /// bytes are never returned. More than `max_size` bytes is [`Error::TooLarge`].
    pub async fn cat(&self, cid: &Cid, max_size: u64) -> Result<Vec<u8>> {
        const OPERATION: &str = "cat";
        // Asking for one byte more than allowed tells "too large" from "exactly the limit"
        // without transferring the rest.
        let length = max_size.saturating_add(1).to_string();
        let url = self.endpoint("cat", &[("arg", &cid.to_string()), ("length", &length)])?;
        let request = self.http.post(url);
        let response = self.send(request, OPERATION).await?;
        let (data, cut) = read_capped(response, max_size, OPERATION).await?;
        if let Some(size) = cut {
            let what = format!("the content of {cid} on Kubo");
            return Err(Error::TooLarge { what, limit: max_size, size });
        }
        let actual = match cid.codec() {
            Codec::Raw => Cid::v1(Codec::Raw, Sha256::digest(&data).into()),
            Codec::DagPb => compute_cid(&data, cid.version()),
        };
        if actual != *cid {
            return Err(UpstreamError::Mismatch { operation: OPERATION, expected: *cid, actual }.into());
        }
        Ok(data)
    }

    /// The URL of RPC `command` with its arguments.
    fn endpoint(&self, command: &'static str, arguments: &[(&str, &str)]) -> Result<Url> {
        let mut url = self.api.join(command).map_err(|e| UpstreamError::InvalidUrl {
            url: self.api.to_string(),
            reason: format!("no endpoint {command}: {e}"),
        })?;
        url.query_pairs_mut().extend_pairs(arguments);
        Ok(url)
    }

    /// Sends `request`; an error status becomes [`UpstreamError::Status`] with Kubo's message.
    async fn send(&self, request: reqwest::RequestBuilder, operation: &'static str) -> Result<Response> {
        let response = request.send().await.map_err(|source| UpstreamError::Transport { operation, source })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let (body, _) = read_capped(response, MAX_ERROR_BODY as u64, operation).await?;
        let mut body = String::from_utf8_lossy(&body).into_owned();
        body.truncate(body.trim_end().len());
        Err(UpstreamError::Status { operation, status: status.as_u16(), body }.into())
    }
}

/// The first `limit` bytes of `response`'s body, and the size reached if there was more;
/// reading stops there, so an oversized answer is never held whole in memory.
async fn read_capped(mut response: Response, limit: u64, operation: &'static str) -> Result<(Vec<u8>, Option<u64>)> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|source| UpstreamError::Transport { operation, source })? {
        let size = (body.len() + chunk.len()) as u64;
        if size > limit {
            let room = usize::try_from(limit).unwrap_or(usize::MAX).saturating_sub(body.len());
            body.extend_from_slice(&chunk[..room.min(chunk.len())]);
            return Ok((body, Some(size)));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, None))
}

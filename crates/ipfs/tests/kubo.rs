//! The Kubo RPC client against a stand-in node on loopback.
//!
//! Debian has no Kubo package (`apt-cache policy kubo` finds none), so the node here is a
//! minimal HTTP server implementing the two RPC calls the client makes, `add` and `cat`,
//! with our own importer computing the CIDs. It checks that the client asks for `ipfs add`'s
//! defaults explicitly; it cannot check that a real Kubo computes the same CIDs, which the
//! `ipfs_cid` comparison covers for the importer.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use common::pseudo_random;
use pools_ipfs::{Cid, Error, KuboClient, UpstreamError, Version, compute_cid};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the stand-in node behaves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    /// Like Kubo.
    Honest,
    /// `add` names other content; `cat` sends altered bytes.
    Lying,
    /// Every call answers 500 with a Kubo-style error.
    Failing,
}

/// Pinned content by digest, so a CIDv0 and a CIDv1 find it as on a real node.
type Pins = Arc<Mutex<HashMap<[u8; 32], Vec<u8>>>>;

/// Starts the stand-in node; returns its RPC URL and its pins.
async fn stand_in_node(behaviour: Behaviour) -> (String, Pins) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding loopback");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let pins = Pins::default();
    let served = Arc::clone(&pins);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, behaviour, Arc::clone(&served)));
        }
    });
    (url, pins)
}

/// Serves one request and closes the connection.
async fn serve(mut stream: TcpStream, behaviour: Behaviour, pins: Pins) {
    let mut request = Vec::new();
    let head_end = loop {
        let mut buffer = [0; 65_536];
        let read = stream.read(&mut buffer).await.expect("reading the request");
        assert!(read > 0, "connection closed before the request's head");
        request.extend_from_slice(&buffer[..read]);
        if let Some(at) = find(&request, b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
    let header = |name: &str| {
        head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
        })
    };
    let length: usize = header("content-length").map_or(0, |n| n.parse().expect("a length"));
    while request.len() < head_end + length {
        let mut buffer = [0; 65_536];
        let read = stream.read(&mut buffer).await.expect("reading the body");
        assert!(read > 0, "connection closed inside the body");
        request.extend_from_slice(&buffer[..read]);
    }
    let body = &request[head_end..head_end + length];
    let target = head.split_whitespace().nth(1).expect("a request target").to_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let arguments: HashMap<&str, &str> = query.split('&').filter_map(|pair| pair.split_once('=')).collect();

    let (status, answer) = match (behaviour, path) {
        (Behaviour::Failing, _) => (500, br#"{"Message":"datastore is down","Code":0,"Type":"error"}"#.to_vec()),
        (_, "/api/v0/add") => {
            for (key, value) in [
                ("pin", "true"),
                ("cid-version", "0"),
                ("raw-leaves", "false"),
                ("chunker", "size-262144"),
                ("trickle", "false"),
            ] {
                assert_eq!(arguments.get(key), Some(&value), "add argument {key}");
            }
            let boundary = header("content-type")
                .and_then(|value| value.split_once("boundary=").map(|(_, b)| b.to_owned()))
                .expect("a multipart boundary");
            let content = multipart_file(body, &boundary).to_vec();
            let mut cid = compute_cid(&content, Version::V0);
            if behaviour == Behaviour::Lying {
                cid = compute_cid(b"something else", Version::V0);
            }
            let size = content.len();
            pins.lock().expect("pins").insert(*cid.digest(), content);
            (200, format!("{{\"Name\":\"content\",\"Hash\":\"{cid}\",\"Size\":\"{size}\"}}\n").into())
        }
        (_, "/api/v0/cat") => {
            let cid: Cid = arguments.get("arg").expect("an arg").parse().expect("a CID");
            let length: usize = arguments.get("length").map_or(usize::MAX, |n| n.parse().expect("n"));
            match pins.lock().expect("pins").get(cid.digest()) {
                Some(content) => {
                    let mut content = content[..length.min(content.len())].to_vec();
                    if behaviour == Behaviour::Lying {
                        content.push(b'!');
                    }
                    (200, content)
                }
                None => (500, br#"{"Message":"block was not found locally (offline)"}"#.to_vec()),
            }
        }
        _ => (404, b"404 page not found".to_vec()),
    };
    let head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", answer.len());
    // The client may hang up early (a too-large `cat`); that is not the server's failure.
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&answer).await;
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// The bytes of the one file part of a multipart body.
fn multipart_file<'a>(body: &'a [u8], boundary: &str) -> &'a [u8] {
    let start = find(body, b"\r\n\r\n").expect("a part head") + 4;
    let end = find(&body[start..], format!("\r\n--{boundary}").as_bytes()).expect("a part end");
    &body[start..start + end]
}

#[tokio::test]
async fn add_pins_our_cid_and_cat_reads_it_back() {
    let (url, pins) = stand_in_node(Behaviour::Honest).await;
    let kubo = KuboClient::new(&url).expect("a client");
    for (seed, size) in [0, 6, 262_145, (1 << 20) + 7].into_iter().enumerate() {
        let data = pseudo_random(size, seed as u64);
        let cid = compute_cid(&data, Version::V0);
        kubo.add(&data, &cid).await.expect("adding");
        kubo.add(&data, &cid.to_v1()).await.expect("adding, checked against the CIDv1");
        assert!(pins.lock().expect("pins").contains_key(cid.digest()));
        assert!(kubo.cat(&cid, 2 << 20).await.expect("cat") == data, "{size} bytes");
        assert!(kubo.cat(&cid.to_v1(), 2 << 20).await.expect("cat v1") == data, "{size} bytes");
    }
}

#[tokio::test]
async fn a_trailing_slash_in_the_rpc_url_is_harmless() {
    let (url, _) = stand_in_node(Behaviour::Honest).await;
    // The stand-in serves /api/v0/ only, so a doubled slash would be a 404.
    let kubo = KuboClient::new(&format!("{url}/")).expect("a client");
    let cid = compute_cid(b"x", Version::V0);
    kubo.add(b"x", &cid).await.expect("adding");
}

#[tokio::test]
async fn cat_over_the_limit_is_too_large() {
    let (url, _) = stand_in_node(Behaviour::Honest).await;
    let kubo = KuboClient::new(&url).expect("a client");
    let data = pseudo_random(10_000, 1);
    let cid = compute_cid(&data, Version::V0);
    kubo.add(&data, &cid).await.expect("adding");
    assert!(matches!(kubo.cat(&cid, 9_999).await, Err(Error::TooLarge { limit: 9_999, size: 10_000, .. })));
    assert!(kubo.cat(&cid, 10_000).await.expect("exactly the limit") == data);
}

#[tokio::test]
async fn a_node_computing_another_cid_is_a_mismatch() {
    let (url, _) = stand_in_node(Behaviour::Lying).await;
    let kubo = KuboClient::new(&url).expect("a client");
    let cid = compute_cid(b"metadata", Version::V1);
    match kubo.add(b"metadata", &cid).await {
        Err(Error::Upstream(UpstreamError::Mismatch { expected, actual, .. })) => {
            assert_eq!(expected, cid);
            assert_eq!(actual, compute_cid(b"something else", Version::V1));
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn cat_sending_other_bytes_is_a_mismatch() {
    let (url, pins) = stand_in_node(Behaviour::Lying).await;
    let kubo = KuboClient::new(&url).expect("a client");
    let cid = compute_cid(b"metadata", Version::V0);
    pins.lock().expect("pins").insert(*cid.digest(), b"metadata".to_vec());
    match kubo.cat(&cid, 1 << 20).await {
        Err(Error::Upstream(UpstreamError::Mismatch { expected, actual, .. })) => {
            assert_eq!(expected, cid);
            assert_eq!(actual, compute_cid(b"metadata!", Version::V0));
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn an_error_status_is_upstream_with_kubos_message() {
    let (url, _) = stand_in_node(Behaviour::Failing).await;
    let kubo = KuboClient::new(&url).expect("a client");
    let cid = compute_cid(b"metadata", Version::V0);
    for result in [kubo.add(b"metadata", &cid).await.map(|()| Vec::new()), kubo.cat(&cid, 100).await] {
        match result {
            Err(Error::Upstream(UpstreamError::Status { status: 500, body, .. })) => {
                assert!(body.contains("datastore is down"), "{body}");
            }
            other => panic!("expected HTTP 500, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn content_the_node_lacks_is_an_upstream_error() {
    let (url, _) = stand_in_node(Behaviour::Honest).await;
    let kubo = KuboClient::new(&url).expect("a client");
    let cid = compute_cid(b"never added", Version::V0);
    assert!(matches!(kubo.cat(&cid, 100).await, Err(Error::Upstream(UpstreamError::Status { status: 500, .. }))));
}

#[tokio::test]
async fn a_refused_connection_is_an_upstream_error() {
    // A port that was just free: bound, read, released.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding loopback");
    let address = listener.local_addr().expect("an address");
    drop(listener);
    let kubo = KuboClient::new(&format!("http://{address}")).expect("a client");
    let cid = compute_cid(b"metadata", Version::V0);
    assert!(matches!(
        kubo.add(b"metadata", &cid).await,
        Err(Error::Upstream(UpstreamError::Transport { operation: "add", .. }))
    ));
    assert!(matches!(
        kubo.cat(&cid, 100).await,
        Err(Error::Upstream(UpstreamError::Transport { operation: "cat", .. }))
    ));
}

#[test]
fn unusable_rpc_urls_are_refused() {
    for url in ["", "localhost:5001", "ftp://127.0.0.1:5001", "http://"] {
        assert!(matches!(KuboClient::new(url), Err(Error::Upstream(UpstreamError::InvalidUrl { .. }))), "{url:?}");
    }
}

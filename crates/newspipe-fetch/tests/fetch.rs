//! End-to-end tests of the fetcher against real HTTP servers on 127.0.0.1 (axum, or raw TCP where
//! a server must misbehave).

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use encoding_rs::WINDOWS_1251;
use flate2::Compression;
use flate2::write::GzEncoder;
use newspipe_fetch::{
    Accept, Disposition, FetchConfig, FetchError, Fetched, Fetcher, status_disposition,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

const RUSSIAN: &str = "Съешь же ещё этих мягких французских булок, да выпей чаю.";

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn html_response(content_type: Option<&str>, body: Vec<u8>) -> Response {
    // Built by hand: axum's IntoResponse for bytes would add its own Content-Type.
    let mut resp = Response::new(Body::from(body));
    if let Some(ct) = content_type {
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, ct.parse().unwrap());
    }
    resp
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_owned())]).into_response()
}

/// Bytes the infinite /image body has produced, to show the fetcher never read it.
static IMAGE_BYTES_SENT: AtomicUsize = AtomicUsize::new(0);

fn app() -> Router {
    Router::new()
        .route(
            "/gzip",
            get(|| async {
                let mut resp = html_response(
                    Some("text/html; charset=utf-8"),
                    gzip("<!doctype html><title>Grüße</title><p>compressed</p>".as_bytes()),
                );
                let h = resp.headers_mut();
                h.insert(header::CONTENT_ENCODING, "gzip".parse().unwrap());
                h.insert(header::ETAG, "\"v1\"".parse().unwrap());
                h.insert(
                    header::LAST_MODIFIED,
                    "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
                );
                resp
            }),
        )
        .route(
            "/cp1251-header",
            get(|| async {
                let mut body = b"<html><body>".to_vec();
                body.extend_from_slice(&WINDOWS_1251.encode(RUSSIAN).0);
                html_response(Some("text/html; charset=windows-1251"), body)
            }),
        )
        .route(
            "/cp1251-gzip-meta",
            get(|| async {
                let mut body = b"<html><head><meta charset=\"windows-1251\"></head><body>".to_vec();
                body.extend_from_slice(&WINDOWS_1251.encode(RUSSIAN).0);
                let mut resp = html_response(Some("text/html"), gzip(&body));
                resp.headers_mut()
                    .insert(header::CONTENT_ENCODING, "gzip".parse().unwrap());
                resp
            }),
        )
        .route(
            "/latin1-meta",
            get(|| async {
                html_response(
                    Some("text/html"),
                    b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\"><p>caf\xe9 na\xefve</p>".to_vec(),
                )
            }),
        )
        .route(
            "/bom",
            get(|| async {
                html_response(
                    Some("text/html; charset=iso-8859-1"),
                    "\u{feff}<p>café ☃</p>".as_bytes().to_vec(),
                )
            }),
        )
        .route(
            "/image",
            get(|| async {
                let chunk = Bytes::from(vec![0u8; 64 * 1024]);
                let stream = futures_util::stream::repeat_with(move || {
                    IMAGE_BYTES_SENT.fetch_add(chunk.len(), Ordering::SeqCst);
                    Ok::<_, std::io::Error>(chunk.clone())
                });
                let mut resp = Response::new(Body::from_stream(stream));
                resp.headers_mut()
                    .insert(header::CONTENT_TYPE, "image/png".parse().unwrap());
                resp
            }),
        )
        .route(
            "/untyped-html",
            get(|| async { html_response(None, b"\n  <!DOCTYPE html><p>no type</p>".to_vec()) }),
        )
        .route(
            "/untyped-binary",
            get(|| async { html_response(None, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".repeat(100)) }),
        )
        .route(
            "/big",
            get(|| async { html_response(Some("text/html"), vec![b'x'; 100 * 1024]) }),
        )
        .route(
            "/exact",
            get(|| async { html_response(Some("text/html"), vec![b'x'; 10 * 1024]) }),
        )
        .route(
            "/bomb",
            get(|| async {
                // 20 MiB of 'a' compresses to ~20 KiB: small on the wire, large in memory.
                let mut resp =
                    html_response(Some("text/html"), gzip(&vec![b'a'; 20 * 1024 * 1024]));
                resp.headers_mut()
                    .insert(header::CONTENT_ENCODING, "gzip".parse().unwrap());
                resp
            }),
        )
        .route(
            "/r/{n}",
            get(|Path(n): Path<u32>| async move {
                if n == 0 {
                    html_response(Some("text/html"), b"<html>landed</html>".to_vec())
                } else {
                    redirect(&format!("/r/{}", n - 1))
                }
            }),
        )
        .route(
            "/to",
            get(|Query(q): Query<HashMap<String, String>>| async move { redirect(&q["u"]) }),
        )
        .route(
            "/404",
            get(|| async {
                (
                    StatusCode::NOT_FOUND,
                    [(header::CONTENT_TYPE, "text/html")],
                    "<h1>not found</h1>",
                )
            }),
        )
        .route(
            "/503",
            get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "7"), (header::CONTENT_TYPE, "text/html")],
                    "busy",
                )
            }),
        )
        .route(
            "/robots.txt",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/plain")],
                    "User-agent: *\nDisallow: /private\n",
                )
            }),
        )
        .route(
            "/ua",
            get(|headers: HeaderMap| async move {
                let ua = headers
                    .get(header::USER_AGENT)
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default();
                html_response(Some("text/html"), format!("<p>{ua}</p>").into_bytes())
            }),
        )
}

async fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app()).await.unwrap() });
    addr
}

/// A test config: short timeouts, private networks allowed (the servers are on loopback).
fn test_config() -> FetchConfig {
    FetchConfig {
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(5),
        total_timeout: Duration::from_secs(10),
        allow_private_networks: true,
        ..FetchConfig::default()
    }
}

fn url(addr: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("http://{addr}{path}")).unwrap()
}

async fn fetch_ok(fetcher: &Fetcher, u: Url) -> Fetched {
    match fetcher.fetch(&u, Accept::Html).await {
        Ok(f) => f,
        Err(e) => panic!("fetching {u} failed: {e}"),
    }
}

#[tokio::test]
async fn gzip_html_is_decompressed_with_validators() {
    let addr = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let f = fetch_ok(&fetcher, url(addr, "/gzip")).await;
    assert_eq!(f.status, 200);
    assert_eq!(status_disposition(f.status), None);
    assert!(f.body.contains("<title>Grüße</title>"), "{}", f.body);
    assert!(!f.truncated);
    assert_eq!(f.encoding, "UTF-8");
    // Valid UTF-8 is kept once: the decoded body is the raw body.
    assert!(f.raw.is_none());
    assert_eq!(f.raw_bytes(), f.body.as_bytes());
    assert_eq!(f.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        f.last_modified.as_deref(),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );
    assert_eq!(f.content_type.as_deref(), Some("text/html; charset=utf-8"));
    assert_eq!(f.retry_after, None);
}

#[tokio::test]
async fn charsets_from_header_meta_and_bom() {
    let addr = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();

    let f = fetch_ok(&fetcher, url(addr, "/cp1251-header")).await;
    assert_eq!(f.encoding, "windows-1251");
    assert!(f.body.contains(RUSSIAN), "{}", f.body);
    // The bytes as received are kept, so the archive can decode them again.
    let raw = f.raw_bytes();
    assert!(
        raw.windows(6)
            .any(|w| w == &WINDOWS_1251.encode(RUSSIAN).0[..6]),
        "raw bytes are the cp1251 ones"
    );
    assert_eq!(WINDOWS_1251.decode(raw).0, f.body);

    let f = fetch_ok(&fetcher, url(addr, "/cp1251-gzip-meta")).await;
    assert_eq!(f.encoding, "windows-1251");
    assert!(f.body.contains(RUSSIAN), "{}", f.body);

    // ISO-8859-1 is windows-1252 on the web (WHATWG), a superset.
    let f = fetch_ok(&fetcher, url(addr, "/latin1-meta")).await;
    assert_eq!(f.encoding, "windows-1252");
    assert!(f.body.contains("café naïve"), "{}", f.body);

    // The BOM beats a wrong header charset, and is stripped.
    let f = fetch_ok(&fetcher, url(addr, "/bom")).await;
    assert_eq!(f.encoding, "UTF-8");
    assert_eq!(f.body, "<p>café ☃</p>");
}

#[tokio::test]
async fn user_agent_is_sent() {
    let addr = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let f = fetch_ok(&fetcher, url(addr, "/ua")).await;
    assert!(f.body.contains("newspipe/0.1 (+https://"), "{}", f.body);
}

#[tokio::test]
async fn non_html_is_skipped_without_reading_the_body() {
    let addr = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let started = Instant::now();
    let err = fetcher
        .fetch(&url(addr, "/image"), Accept::Html)
        .await
        .unwrap_err();
    // Reading the endless body would have ended in a timeout, not this error.
    assert_eq!(err, FetchError::UnsupportedContentType("image/png".into()));
    assert_eq!(err.disposition(), Disposition::Skip);
    assert!(started.elapsed() < Duration::from_secs(10));
    // At most what the socket buffers took before the connection was dropped; reading the
    // body up to the cap (and then refusing it) would have made the server produce the cap.
    let cap = fetcher.config().max_body_bytes;
    assert_eq!(cap, 10 * 1024 * 1024, "the production cap");
    let sent = IMAGE_BYTES_SENT.load(Ordering::SeqCst);
    assert!(sent < cap, "server produced {sent} bytes, cap {cap}");

    let err = fetcher
        .fetch(&url(addr, "/image"), Accept::Text)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::UnsupportedContentType(_)));
}

#[tokio::test]
async fn missing_content_type_is_sniffed() {
    let addr = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let f = fetch_ok(&fetcher, url(addr, "/untyped-html")).await;
    assert_eq!(f.content_type, None);
    assert!(f.body.contains("no type"));

    let err = fetcher
        .fetch(&url(addr, "/untyped-binary"), Accept::Html)
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::UnsupportedContentType(_)),
        "{err}"
    );
    assert_eq!(err.disposition(), Disposition::Skip);
}

#[tokio::test]
async fn robots_txt_as_text() {
    let addr = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let f = fetcher
        .fetch(&url(addr, "/robots.txt"), Accept::Text)
        .await
        .unwrap();
    assert_eq!(f.status, 200);
    assert!(f.body.contains("Disallow: /private"));
    // The same file is not HTML.
    let err = fetcher
        .fetch(&url(addr, "/robots.txt"), Accept::Html)
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::UnsupportedContentType("text/plain".into()));
}

#[tokio::test]
async fn body_over_the_cap_is_truncated() {
    let addr = serve().await;
    let fetcher = Fetcher::new(FetchConfig {
        max_body_bytes: 10 * 1024,
        ..test_config()
    })
    .unwrap();
    let f = fetch_ok(&fetcher, url(addr, "/big")).await;
    assert!(f.truncated);
    assert_eq!(f.body.len(), 10 * 1024);

    // A body of exactly the cap is complete, not truncated.
    let f = fetch_ok(&fetcher, url(addr, "/exact")).await;
    assert!(!f.truncated);
    assert_eq!(f.body.len(), 10 * 1024);
}

#[tokio::test]
async fn gzip_bomb_is_capped_on_decompressed_bytes() {
    let addr = serve().await;
    let cap = 1024 * 1024;
    let fetcher = Fetcher::new(FetchConfig {
        max_body_bytes: cap,
        ..test_config()
    })
    .unwrap();
    let f = fetch_ok(&fetcher, url(addr, "/bomb")).await;
    assert!(f.truncated);
    assert_eq!(f.body.len(), cap);
    assert!(f.body.bytes().all(|b| b == b'a'));
}

#[tokio::test]
async fn redirects_are_followed_up_to_the_limit() {
    let addr = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let f = fetch_ok(&fetcher, url(addr, "/r/5")).await;
    assert_eq!(f.final_url, url(addr, "/r/0"));
    assert!(f.body.contains("landed"));

    let err = fetcher
        .fetch(&url(addr, "/r/6"), Accept::Html)
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::TooManyRedirects(5));
    assert_eq!(err.disposition(), Disposition::Fail);
}

#[tokio::test]
async fn ssrf_guard_blocks_private_targets_on_every_hop() {
    let addr = serve().await;
    // Production guard, with only the test server itself exempt (by exact IP literal + port).
    let fetcher = Fetcher::new(FetchConfig {
        allow_private_networks: false,
        allow_addrs: vec![addr],
        ..test_config()
    })
    .unwrap();
    // Control: the exempt server is reachable, redirects within it too.
    let f = fetch_ok(&fetcher, url(addr, "/r/1")).await;
    assert_eq!(f.status, 200);

    let port = addr.port();
    for target in [
        "http://127.0.0.1:1/".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://2130706433/".to_owned(),
        // Odd IPv4 spellings on another port (on the exempt port they *are* the exempt address).
        format!("http://2130706433:{}/r/0", port ^ 1),
        format!("http://0x7f.1:{}/r/0", port ^ 1),
        format!("http://[::ffff:127.0.0.1]:{port}/r/0"),
        "http://[::1]/".to_owned(),
        "http://10.0.0.1/".to_owned(),
        // A name is resolved through the guarded resolver, which drops loopback.
        format!("http://localhost:{port}/r/0"),
    ] {
        let mut hop = url(addr, "/to");
        hop.query_pairs_mut().append_pair("u", &target);
        let err = fetcher.fetch(&hop, Accept::Html).await.unwrap_err();
        assert!(
            matches!(err, FetchError::Blocked(_)),
            "redirect to {target}: {err:?}"
        );
        assert_eq!(err.disposition(), Disposition::Skip);
    }

    // The reason names the address and the setting that allows it; it is permanent.
    let err = fetcher
        .fetch(
            &Url::parse(&format!("http://127.0.0.2:{port}/")).unwrap(),
            Accept::Html,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "blocked by the SSRF guard: 127.0.0.2 is not a public address \
         (set crawler.allow_private_networks = true to allow)"
    );
    assert!(!err.is_transient());

    // Direct IP literals never reach a resolver, so the URL check must catch them.
    for direct in [
        format!("http://127.0.0.2:{port}/r/0"),
        format!("http://2130706433:{}/r/0", port ^ 1),
        "http://169.254.169.254/".to_owned(),
        "http://[fd00::1]/".to_owned(),
    ] {
        let err = fetcher
            .fetch(&Url::parse(&direct).unwrap(), Accept::Html)
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Blocked(_)), "{direct}: {err:?}");
    }

    // Without the exemption the test server itself is refused.
    let strict = Fetcher::new(FetchConfig {
        allow_private_networks: false,
        ..test_config()
    })
    .unwrap();
    let err = strict
        .fetch(&url(addr, "/r/0"), Accept::Html)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Blocked(_)), "{err:?}");
}

#[tokio::test]
async fn non_http_schemes_are_refused() {
    let addr = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let err = fetcher
        .fetch(&Url::parse("ftp://example.com/x").unwrap(), Accept::Html)
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::Scheme("ftp".into()));
    let mut hop = url(addr, "/to");
    hop.query_pairs_mut()
        .append_pair("u", "ftp://example.com/x");
    let err = fetcher.fetch(&hop, Accept::Html).await.unwrap_err();
    assert_eq!(err, FetchError::Scheme("ftp".into()));
    assert_eq!(err.disposition(), Disposition::Skip);
    // Nor file:, which has no host: refused with the scheme named, never read.
    let mut hop = url(addr, "/to");
    hop.query_pairs_mut().append_pair("u", "file:///etc/passwd");
    let err = fetcher.fetch(&hop, Accept::Html).await.unwrap_err();
    assert_eq!(err, FetchError::Scheme("file".into()));
    assert_eq!(err.disposition(), Disposition::Skip);
}

#[tokio::test]
async fn error_statuses_map_to_dispositions() {
    let addr = serve().await;
    let fetcher = Fetcher::new(test_config()).unwrap();

    let f = fetch_ok(&fetcher, url(addr, "/404")).await;
    assert_eq!(f.status, 404);
    assert_eq!(status_disposition(f.status), Some(Disposition::Fail));
    assert!(f.body.contains("not found"));

    let f = fetch_ok(&fetcher, url(addr, "/503")).await;
    assert_eq!(f.status, 503);
    assert_eq!(status_disposition(f.status), Some(Disposition::Retry));
    assert_eq!(f.retry_after, Some(Duration::from_secs(7)));
}

/// Reads one request head, so the client sees a response to what it sent.
async fn read_request(sock: &mut tokio::net::TcpStream) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = sock.read(&mut byte).await.unwrap();
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&byte[..n]);
    }
}

/// A raw server that sends `head` and a little body, then stalls or dribbles forever.
async fn misbehaving_server(dribble: bool) -> SocketAddr {
    raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000000\r\n\r\n<html>",
        dribble,
    )
    .await
}

async fn raw_server(head: &'static str, dribble: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                read_request(&mut sock).await;
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                loop {
                    if dribble {
                        // One byte at a time: every read succeeds, only the total deadline helps.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        if sock.write_all(b"x").await.is_err() {
                            return;
                        }
                    } else {
                        // Stall with the connection open.
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn stalled_body_hits_the_read_timeout() {
    let addr = misbehaving_server(false).await;
    let fetcher = Fetcher::new(FetchConfig {
        read_timeout: Duration::from_millis(300),
        total_timeout: Duration::from_secs(30),
        ..test_config()
    })
    .unwrap();
    let started = Instant::now();
    let err = fetcher
        .fetch(&url(addr, "/"), Accept::Html)
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::Timeout);
    assert_eq!(err.disposition(), Disposition::Retry);
    let elapsed = started.elapsed();
    // From both sides: the read timeout (300 ms) ended it, not the total timeout (30 s).
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[tokio::test]
async fn dribbling_body_hits_the_total_timeout() {
    let addr = misbehaving_server(true).await;
    let fetcher = Fetcher::new(FetchConfig {
        read_timeout: Duration::from_secs(5),
        total_timeout: Duration::from_millis(800),
        ..test_config()
    })
    .unwrap();
    let started = Instant::now();
    let err = fetcher
        .fetch(&url(addr, "/"), Accept::Html)
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::Timeout);
    assert!(started.elapsed() >= Duration::from_millis(750));
}

#[tokio::test]
async fn stalled_error_body_still_returns_the_status() {
    let addr = raw_server(
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\nContent-Length: 1000\r\n\r\nbusy",
        false,
    )
    .await;
    let fetcher = Fetcher::new(FetchConfig {
        read_timeout: Duration::from_millis(300),
        ..test_config()
    })
    .unwrap();
    let f = fetch_ok(&fetcher, url(addr, "/")).await;
    assert_eq!(f.status, 503);
    assert_eq!(f.retry_after, Some(Duration::from_secs(30)));
    assert!(f.truncated);
}

#[tokio::test]
async fn connection_refused_is_retry() {
    // Bind then drop to get a port nobody listens on.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let fetcher = Fetcher::new(test_config()).unwrap();
    let err = fetcher
        .fetch(&url(addr, "/"), Accept::Html)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Connect(_)), "{err:?}");
    assert_eq!(err.disposition(), Disposition::Retry);
}

/// A keep-alive HTTP/1.1 server that counts the TCP connections it accepts and logs when each
/// request arrived; every request gets `respond(path)`.
struct CountingServer {
    addr: SocketAddr,
    connections: std::sync::Arc<AtomicUsize>,
    log: std::sync::Arc<std::sync::Mutex<Vec<(Instant, String)>>>,
}

async fn counting_server(respond: fn(&str) -> String) -> CountingServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = std::sync::Arc::new(AtomicUsize::new(0));
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (conns, requests) = (connections.clone(), log.clone());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            conns.fetch_add(1, Ordering::SeqCst);
            let requests = requests.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    buf.drain(..end + 4);
                    let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
                    requests
                        .lock()
                        .unwrap()
                        .push((Instant::now(), path.clone()));
                    if sock.write_all(respond(&path).as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    CountingServer {
        addr,
        connections,
        log,
    }
}

fn ok_html(_: &str) -> String {
    let body = "<html>ok</html>";
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn fetcher_clones_share_one_client() {
    let server = counting_server(ok_html).await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    // One after another from four clones: one shared pool reuses one kept-alive connection;
    // four clients would each open their own.
    for clone in (0..4).map(|_| fetcher.clone()) {
        let f = fetch_ok(&clone, url(server.addr, "/")).await;
        assert_eq!(f.status, 200);
    }
    assert_eq!(server.log.lock().unwrap().len(), 4);
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

/// `/hop/N` redirects to `/hop/N-1`; `/hop/0` is a page.
fn hop_chain(path: &str) -> String {
    let n: u32 = path
        .strip_prefix("/hop/")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if n == 0 {
        return ok_html(path);
    }
    format!(
        "HTTP/1.1 302 Found\r\nLocation: /hop/{}\r\nContent-Length: 0\r\n\r\n",
        n - 1
    )
}

#[tokio::test]
async fn redirect_hops_keep_the_host_interval() {
    let server = counting_server(hop_chain).await;
    let interval = Duration::from_millis(100);
    let limiter = newspipe_fetch::HostLimiter::new(interval);
    let fetcher = Fetcher::new(FetchConfig {
        max_redirects: 6,
        ..test_config()
    })
    .unwrap();
    let start = url(server.addr, "/hop/6");
    // The caller waits for the first request's slot, as the crawler does.
    limiter.until_ready(&newspipe_model::host_key(&start)).await;
    let f = fetcher
        .fetch_gated(&start, Accept::Html, Some(&limiter))
        .await
        .unwrap();
    assert_eq!(f.status, 200);
    assert_eq!(f.final_url, url(server.addr, "/hop/0"));
    let log = server.log.lock().unwrap().clone();
    let paths: Vec<&str> = log.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/hop/6", "/hop/5", "/hop/4", "/hop/3", "/hop/2", "/hop/1", "/hop/0"
        ]
    );
    // Judged by the server's own clock: every request at least one interval after the last.
    for pair in log.windows(2) {
        let gap = pair[1].0 - pair[0].0;
        assert!(
            gap >= interval,
            "{} came {gap:?} after {}",
            pair[1].1,
            pair[0].1
        );
    }
    // Ungated, the same chain is not slowed down (the gate is what spaced it).
    let started = Instant::now();
    fetch_ok(&fetcher, url(server.addr, "/hop/6")).await;
    assert!(started.elapsed() < interval * 3, "{:?}", started.elapsed());
}

#[tokio::test]
async fn oversized_response_head_is_permanent() {
    // 1 MiB of headers: more than the client buffers for a head.
    let addr = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                tokio::spawn(async move {
                    read_request(&mut sock).await;
                    let mut head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n".to_vec();
                    for i in 0..16 * 1024 {
                        head.extend_from_slice(
                            format!("X-Filler-{i}: {}\r\n", "y".repeat(50)).as_bytes(),
                        );
                    }
                    head.extend_from_slice(b"Content-Length: 2\r\n\r\nok");
                    let _ = sock.write_all(&head).await;
                });
            }
        });
        addr
    };
    let fetcher = Fetcher::new(test_config()).unwrap();
    let err = fetcher
        .fetch(&url(addr, "/"), Accept::Html)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::InvalidResponse(m) if m.contains("too large")),
        "{err:?}"
    );
    assert_eq!(err.disposition(), Disposition::Fail);
    assert!(!err.is_transient());
}

#[tokio::test]
async fn retry_after_http_date_is_exact_not_whole_seconds() {
    let server = counting_server(|_| {
        // A date 2 s ahead, cut to the second as HTTP-dates are: between 1 and 2 s away.
        let at = chrono::Utc::now() + chrono::Duration::seconds(2);
        format!(
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: {}\r\nContent-Length: 0\r\n\r\n",
            at.format("%a, %d %b %Y %H:%M:%S GMT")
        )
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let f = fetch_ok(&fetcher, url(server.addr, "/")).await;
    let received = chrono::Utc::now();
    assert_eq!(f.status, 503);
    let wait = f.retry_after.expect("Retry-After parsed");
    // The date the server meant, recovered from the exact wait: on a whole second.
    let until = received + chrono::Duration::from_std(wait).unwrap();
    let off_ms = i64::from(until.timestamp_subsec_millis());
    let off_ms = off_ms.min(1000 - off_ms);
    assert!(
        off_ms < 100,
        "wait {wait:?} is not measured to the date ({off_ms} ms off)"
    );
    let ms = f.retry_after_ms().unwrap();
    assert!(u128::from(ms) * 1_000_000 >= wait.as_nanos());
    assert_eq!(
        f.retry_after_secs_ceil(),
        Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    );
}
